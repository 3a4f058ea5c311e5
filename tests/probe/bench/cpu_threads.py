"""CPU-bound threads contending for the GIL, as a user would write them:
THREADS threads each count the primes below a bound ROUNDS times (a fixed
amount of work each), started together and joined; the work is timed with
time.perf_counter from before the first start to after the last join.

    python3 cpu_threads.py [THREADS] [ROUNDS]

Prints "work_s SECONDS threads THREADS primes COUNT" on one line.
"""
import sys
import threading
import time

BOUND = 20000


def count_primes(bound):
    count = 0
    for n in range(2, bound):
        d = 2
        while d * d <= n:
            if n % d == 0:
                break
            d += 1
        else:
            count += 1
    return count


def main():
    nthreads = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    results = [0] * nthreads

    def worker(i):
        for _ in range(rounds):
            results[i] += count_primes(BOUND)

    threads = [threading.Thread(target=worker, args=(i,), name=f"cpu-{i}")
               for i in range(nthreads)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    print(f"work_s {elapsed:.6f} threads {nthreads} primes {sum(results)}")


if __name__ == "__main__":
    main()
