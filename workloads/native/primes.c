/* cpu.primes, C twin of workloads/python/cpu_primes.py.
 *
 * One operation is one primality test by trial division of an integer in a
 * fixed window above BASE, so every operation costs about the same whatever
 * the size. Each worker takes a contiguous block of the operations: an
 * interleaved split (i = worker, worker + nworkers, ...) would give one of
 * two workers every even number, which trial division rejects at once.
 * Keep BASE, WINDOW and the split equal to the Python module's: tests
 * compare the answers.
 */
#include "native.h"

#define BASE 1000000u
#define WINDOW 65536u

static int is_prime(uint64_t n) {
  if (n < 2)
    return 0;
  if (n % 2 == 0)
    return n == 2;
  for (uint64_t d = 3; d * d <= n; d += 2)
    if (n % d == 0)
      return 0;
  return 1;
}

int native_primes(unsigned worker, unsigned nworkers, uint64_t units,
                  wl_result *out, char *err, size_t errlen) {
  (void)err;
  (void)errlen;
  uint64_t first, end;
  wl_share(worker, nworkers, units, &first, &end);
  uint64_t found = 0;
  for (uint64_t i = first; i < end; i++)
    found += (uint64_t)is_prime(BASE + i % WINDOW);
  out->ops = end - first;
  out->answer = found;
  return 0;
}
