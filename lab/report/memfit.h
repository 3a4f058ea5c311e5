/* memfit — what each additional worker costs in memory, from the records'
 * `mem` objects (embed/memuse.h, README "Memory per worker").
 *
 * The method: for one row (a workload, runtime, model, placement, ... at
 * every worker count), the median over the ok repetitions of the cell's
 * total at the region's peak — its process and its worker processes,
 * mem.total.uss_peak_kb and mem.total.pss_peak_kb — at each worker count,
 * and the least-squares line through those medians against the worker
 * count. Its slope is what one more worker adds; whatever the cell has
 * once, whatever its count (the interpreter, a fork server, the shared
 * libraries), goes into the intercept, where a per-cell figure divided by
 * the workers would smear it over them. With one worker count there is no
 * slope, and the row falls back on the records' own figure
 * (mem.per_worker_kb: against the cell's process before its workers
 * started), saying so.
 *
 * Records without `mem` (files from before it) give no figure: no table,
 * no finding.
 */
#ifndef GILLAB_MEMFIT_H
#define GILLAB_MEMFIT_H

#include "results.h"

#include <stddef.h>
#include <stdio.h>

/* The most worker counts a row is fitted over. */
#define MEMFIT_MAX_POINTS 64

/* A row's cost per worker, in kB. */
typedef struct {
  size_t points;     /* worker counts with a median (the fit's points) */
  unsigned min, max; /* the smallest and largest of them */
  double uss_kb;     /* per additional worker; NAN when unknown */
  double pss_kb;     /* the same */
  int from_slope;    /* 1: the slope of the fit; 0: the records' own
                        per_worker_kb (one worker count) */
} memfit_cost;

/* The least-squares slope of y over x, n points; NAN with fewer than two
 * distinct x. */
double memfit_slope(const double *x, const double *y, size_t n);

/* The cost per worker of the row of row (results_same_row: every worker
 * count of its key) into *out. Returns out->points; 0 when no ok
 * repetition of the row has `mem`. */
size_t memfit_row(const results *r, const cJSON *row, memfit_cost *out);

/* The finding of workload wl: per row, what each additional worker costs
 * (USS and PSS, MiB), the method, and the cheapest row against the
 * dearest. Nothing when no record of wl has `mem`. */
void memfit_finding(FILE *f, const results *r, const char *wl);

#endif
