/* method — the notes under summary.md's header, before any table: how each
 * figure was made (the median of how many repetitions, after how many
 * warm-ups; the interval and the coverage those repetitions allow), how
 * noisy the machine was during the run, whether the host slowed a CPU, and
 * how to read speedup and throughput across runtimes. */
#ifndef GILLAB_METHOD_H
#define GILLAB_METHOD_H

#include "results.h"

#include <stdio.h>

/* Above this cpu_imbalance (a cell record's slowest worker's CPU time over
 * the fastest's for the same work), the host slowed a CPU: 1.0 to about
 * 1.1 when the host leaves the CPUs alone, measured here. The run's own
 * warning (lab/run.c) uses the same threshold. */
#define METHOD_HOST_SLOW 1.15

/* Writes the notes of r to f, each paragraph followed by a blank line. */
void method_write(FILE *f, const results *r);

#endif
