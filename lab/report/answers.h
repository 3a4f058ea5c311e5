/* answers — the answers page: what a reader who has to choose takes from a
 * run, first in summary.md and report.html, before the method notes and
 * the tables it is drawn from.
 *
 * One row per workload: the best Python model of each runtime at the
 * machine's CPU count (the largest worker count not above it) with its
 * speedup and interval, or, for a workload whose headline is not a
 * speedup (cellkind.h), its own figure (round trips with and without
 * CPU-bound threads beside, the cheapest creation or hand-off, the
 * fastest mechanism at the largest message, the fastest server, the
 * share of a heap made private); the cost of the GIL where the workers
 * share one; the C twin against Python; latency and GC pauses, memory per
 * worker where measured. Columns that no workload has are left out.
 *
 * Then one sentence of advice per workload, made from those figures only
 * and stating its condition ("on 2 CPUs, for work like cpu.primes: ...").
 * Where the intervals of the two best choices overlap (stats_compare), the
 * sentence says that the run does not settle it instead of choosing.
 */
#ifndef GILLAB_ANSWERS_H
#define GILLAB_ANSWERS_H

#include "results.h"

#include <stddef.h>
#include <stdio.h>

/* The worker count the page quotes for wl: the largest not above the
 * machine's CPUs, or the smallest there is when all are; 0 when none. */
unsigned answers_quoted_workers(const results *r, const char *wl);

/* The Python group of wl at w workers with no CPU-bound threads beside
 * (of runtime rt; any when NULL) with the most throughput, skipping `not`
 * (NULL: none); NULL when there is none. */
const results_group *answers_fastest(const results *r, const char *wl,
                                     unsigned w, const char *rt,
                                     const results_group * not );

/* Writes the answers page of r to f: "## Answers" (titled by the run's
 * question when it has one) with its table, then "## What to choose" with
 * the advice. Nothing when r has no ok cell. */
void answers_write(FILE *f, const results *r);

/* The number of "## " headings answers_write writes (0 or 2): report.html
 * counts sections by them. */
size_t answers_sections(const results *r);

/* The answers page's chart: the speedup at the machine's CPU count by
 * workload and model, as bars with the intervals, drawn by gnuplot into
 * *svg (a new string, free()). Returns 0; -ENOENT with why in err when no
 * workload has a speedup to draw; another negative code with gnuplot's
 * complaint. */
int answers_chart(const results *r, char **svg, char *err, size_t errlen);

#endif
