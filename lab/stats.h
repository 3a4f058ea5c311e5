/* stats — the statistics gillab reports: medians of repetitions. */
#ifndef GILLAB_STATS_H
#define GILLAB_STATS_H

#include <stddef.h>

/* Median of v[0..n) (the mean of the middle two when n is even); v is
 * reordered. Returns NAN when n == 0. */
double stats_median(double *v, size_t n);

#endif
