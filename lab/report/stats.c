/* stats — see stats.h. */
#include "stats.h"

#include <math.h>
#include <stdlib.h>

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

double stats_median(double *v, size_t n) {
  if (n == 0)
    return NAN;
  qsort(v, n, sizeof v[0], cmp_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* P(B = i) for B ~ Binomial(n, 1/2), in logs so that large n does not
 * overflow the binomial coefficients. */
static double binom_half_pmf(size_t n, size_t i) {
  return exp(lgamma((double)n + 1) - lgamma((double)i + 1) -
             lgamma((double)(n - i) + 1) - (double)n * log(2.0));
}

/* The interval takes the largest k whose [x(k), x(n+1-k)] still covers
 * 95 %: P(B <= k-1) summed term by term as k grows, each term once (O(n),
 * where summing from 0 for each k was O(n^2): 31 s for a 27k-record
 * report, issue 18), in the same order, so the sums are the same. */
stats_ci stats_median_ci(double *v, size_t n) {
  stats_ci c = {n, stats_median(v, n), NAN, NAN, 0};
  if (n == 0)
    return c;
  /* k = 1 ([min, max]) unless a larger k still covers 95 %. cdf_prev is
   * P(B <= k-1), cdf P(B <= k). */
  size_t k = 1;
  double cdf_prev = binom_half_pmf(n, 0);
  double cdf = cdf_prev + (n >= 1 ? binom_half_pmf(n, 1) : 0);
  while (k + 1 <= (n + 1) / 2 && 1 - 2 * cdf >= 0.95) {
    k++;
    cdf_prev = cdf;
    cdf += binom_half_pmf(n, k);
  }
  c.lo = v[k - 1];
  c.hi = v[n - k];
  c.coverage = n == 1 ? 0 : 1 - 2 * cdf_prev;
  return c;
}

double stats_rel_halfwidth(const stats_ci *c) {
  if (!(c->n > 0) || !isfinite(c->median) || c->median == 0)
    return NAN;
  return (c->hi - c->lo) / 2 / fabs(c->median);
}

stats_verdict stats_compare(const stats_ci *a, const stats_ci *b) {
  if (a->n < 3 || b->n < 3)
    return STATS_TOO_FEW;
  if (b->lo > a->hi)
    return STATS_HIGHER;
  if (b->hi < a->lo)
    return STATS_LOWER;
  double wa = stats_rel_halfwidth(a), wb = stats_rel_halfwidth(b);
  if (!(wa <= STATS_NOISY_REL) || !(wb <= STATS_NOISY_REL))
    return STATS_NOISY;
  return STATS_SAME;
}

const char *stats_verdict_name(stats_verdict v) {
  switch (v) {
  case STATS_HIGHER:
    return "higher";
  case STATS_LOWER:
    return "lower";
  case STATS_SAME:
    return "no significant difference";
  case STATS_NOISY:
    return "too noisy to tell";
  case STATS_TOO_FEW:
    return "too few repetitions";
  }
  return "?";
}
