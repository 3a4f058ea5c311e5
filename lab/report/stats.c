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

/* P(B <= k) for B ~ Binomial(n, 1/2), summed in logs so that large n does
 * not overflow the binomial coefficients. */
static double binom_half_cdf(size_t n, size_t k) {
  double sum = 0;
  for (size_t i = 0; i <= k && i <= n; i++)
    sum += exp(lgamma((double)n + 1) - lgamma((double)i + 1) -
               lgamma((double)(n - i) + 1) - (double)n * log(2.0));
  return sum;
}

stats_ci stats_median_ci(double *v, size_t n) {
  stats_ci c = {n, stats_median(v, n), NAN, NAN, 0};
  if (n == 0)
    return c;
  /* k = 1 ([min, max]) unless a larger k still covers 95 %. */
  size_t k = 1;
  while (k + 1 <= (n + 1) / 2 && 1 - 2 * binom_half_cdf(n, k) >= 0.95)
    k++;
  c.lo = v[k - 1];
  c.hi = v[n - k];
  c.coverage = n == 1 ? 0 : 1 - 2 * binom_half_cdf(n, k - 1);
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
