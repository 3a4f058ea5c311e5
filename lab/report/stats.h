/* stats — the statistics gillab reports: the median of a cell's
 * repetitions with a distribution-free 95 % confidence interval, and the
 * verdict on two such intervals.
 *
 * The interval is the one on order statistics: with the n values sorted,
 * [x(k), x(n+1-k)] holds the true median with probability
 * 1 - 2 P(B <= k-1), B ~ Binomial(n, 1/2), whatever the distribution of the
 * values. k is the largest that keeps that coverage at 95 % or more. With
 * fewer than 6 values no k does, so the interval is [min, max] and its
 * coverage (75 % for 3 values, 94 % for 5) is reported with it: a reader
 * must know that 3 repetitions cannot give a 95 % interval.
 */
#ifndef GILLAB_STATS_H
#define GILLAB_STATS_H

#include <stddef.h>

/* Median of v[0..n) (the mean of the middle two when n is even); v is
 * reordered. Returns NAN when n == 0. */
double stats_median(double *v, size_t n);

typedef struct {
  size_t n;        /* values the interval is made from */
  double median;   /* NAN when n == 0 */
  double lo, hi;   /* the interval (lo == hi == median when n == 1) */
  double coverage; /* probability that [lo, hi] holds the true median */
} stats_ci;

/* The median of v[0..n) with its interval (see above); v is reordered.
 * NaNs must not be passed. */
stats_ci stats_median_ci(double *v, size_t n);

/* Half the interval's width relative to the median (0.05: "±5 %"); NAN
 * when the median is 0 or unknown. */
double stats_rel_halfwidth(const stats_ci *c);

/* What two intervals allow one to say about b against a. */
typedef enum {
  STATS_HIGHER,  /* b's interval lies wholly above a's */
  STATS_LOWER,   /* b's interval lies wholly below a's */
  STATS_SAME,    /* they overlap and both are narrow: no difference seen */
  STATS_NOISY,   /* they overlap but one is wider than STATS_NOISY_REL:
                    the machine was too noisy to tell */
  STATS_TOO_FEW, /* fewer than 3 values on a side: nothing to tell */
} stats_verdict;

/* Relative half-width above which an overlap is "too noisy to tell". */
#define STATS_NOISY_REL 0.10

stats_verdict stats_compare(const stats_ci *a, const stats_ci *b);

/* "higher", "lower", "no significant difference", "too noisy to tell",
 * "too few repetitions". */
const char *stats_verdict_name(stats_verdict v);

#endif
