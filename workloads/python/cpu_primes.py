"""cpu.primes: count primes by trial division (pure Python integer work).

One operation is one primality test of an integer in a fixed window above
BASE, so operations cost the same whatever the size. Each worker takes a
contiguous block of the operations (an interleaved split would give one of
two workers every even number, which is rejected at once). The C twin is
workloads/native/primes.c; keep BASE and WINDOW equal to its values.
"""

BASE = 1_000_000
WINDOW = 65536


def is_prime(n):
    if n < 2:
        return False
    if n % 2 == 0:
        return n == 2
    d = 3
    while d * d <= n:
        if n % d == 0:
            return False
        d += 2
    return True


def work(worker, nworkers, units):
    """Worker `worker` of `nworkers` tests its block of the `units`
    integers; returns (operations, primes found)."""
    first = units * worker // nworkers
    end = units * (worker + 1) // nworkers
    found = 0
    for i in range(first, end):
        if is_prime(BASE + i % WINDOW):
            found += 1
    return end - first, found
