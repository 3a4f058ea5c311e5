"""A single-threaded CPU-bound program, as a user would write one: a fixed
amount of work (count the primes below a bound, ROUNDS times), timed with
time.perf_counter around the work only, so that whatever runs before and
after it (an orchestrator's start-up, a probe's report) is not counted.

    python3 cpu_single.py [ROUNDS]

Prints "work_s SECONDS primes COUNT" on one line.
"""
import sys
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
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    t0 = time.perf_counter()
    total = 0
    for _ in range(rounds):
        total += count_primes(BOUND)
    elapsed = time.perf_counter() - t0
    print(f"work_s {elapsed:.6f} primes {total}")


if __name__ == "__main__":
    main()
