"""Two workers run while the main thread, a second in, imports a plugin
(an old C extension) from the directory given as argv[1]."""
import sys
import threading
import time


def work(until):
    while time.monotonic() < until:
        sum(range(2000))


until = time.monotonic() + 2.5
workers = [threading.Thread(target=work, args=(until,), name=f"worker-{i}")
           for i in range(2)]
for w in workers:
    w.start()
time.sleep(1.0)
sys.path.insert(0, sys.argv[1])
import oldext  # noqa: E402,F401
for w in workers:
    w.join()
