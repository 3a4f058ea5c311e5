/* probe_summary — summary.md of a probe: the reproducibility header; the
 * command and how it ended; the findings (probe_findings.h); then one
 * section per process: what it ran, whether it was probed and if not why,
 * a table of its threads (wall; GIL wait share, contended acquisitions,
 * acquisition latency p50/p99/max, GIL held share, drop requests,
 * forced-switch waits; parks; on-CPU, run-queue and blocked shares;
 * context switches), its GIL hand-offs, its GC pauses per generation, and
 * a timeline of each thread's GIL wait share per interval. An unprobed
 * process's table has the OS's figures only. */
#ifndef GILLAB_PROBE_SUMMARY_H
#define GILLAB_PROBE_SUMMARY_H

#include "probe_data.h"

#include <stddef.h>
#include <stdio.h>

/* The most threads a timeline shows (those that waited longest). */
#define PROBE_SUMMARY_TIMELINE_THREADS 12

/* Writes the summary of d to f. */
void probe_summary_render(const probe_data *d, FILE *f);

/* Writes dir/summary.md. Returns 0 or a negative code with err. */
int probe_summary_write(const probe_data *d, const char *dir, char *err,
                        size_t errlen);

#endif
