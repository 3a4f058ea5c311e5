"""A thread that only sleeps (the GIL released), as a user would write one:
it sleeps NAPS times for 10 ms while the main thread waits for it in join.
Nothing else wants the GIL, so the thread should wait for it about never.

    python3 sleeper.py [NAPS]

Prints "work_s SECONDS naps NAPS" on one line.
"""
import sys
import threading
import time


def main():
    naps = int(sys.argv[1]) if len(sys.argv) > 1 else 30

    def sleeper():
        for _ in range(naps):
            time.sleep(0.01)

    t = threading.Thread(target=sleeper, name="sleeper")
    t0 = time.perf_counter()
    t.start()
    t.join()
    elapsed = time.perf_counter() - t0
    print(f"work_s {elapsed:.6f} naps {naps}")


if __name__ == "__main__":
    main()
