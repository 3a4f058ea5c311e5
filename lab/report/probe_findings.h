/* probe_findings — the findings of a probe in plain words, each computed
 * from the figures of the records alone (probe_data.h) and each checked in
 * tests/test_probe_report.c against crafted records:
 *
 *  - a process that ran unprobed, and why ("not CPython", or the runtime
 *    line's reason); never a GIL figure for it;
 *  - GIL contention: the threads of a process that waited PROBE_FINDINGS
 *    _CONTENDED or more of their time for the GIL, from which interval on
 *    and how much, grouped by when it started; CPU-bound (on CPU or
 *    waiting for the GIL nearly all the time) or not;
 *  - whether the OS's blocked time of those threads agrees with the GIL
 *    wait the probe measured (plus forced-switch waits and parks) within
 *    PROBE_FINDINGS_AGREE of their wall time;
 *  - threads parked (waiting on a lock, a queue, a join) a large share of
 *    their time;
 *  - a free-threaded process's GIL: off throughout, or turned on, when,
 *    after importing which modules;
 *  - the longest GC pause;
 *  - a process that wrote no final line (killed), and lines left out.
 */
#ifndef GILLAB_PROBE_FINDINGS_H
#define GILLAB_PROBE_FINDINGS_H

#include "probe_data.h"

#include <stddef.h>
#include <stdio.h>

/* A thread is contended from the first interval in which it waited this
 * share of its time or more for the GIL. */
#define PROBE_FINDINGS_CONTENDED 0.10
/* Blocked time and GIL wait agree when they differ by at most this share
 * of the thread's wall time. */
#define PROBE_FINDINGS_AGREE 0.03
/* On CPU or waiting for the GIL at least this share of the time:
 * CPU-bound. */
#define PROBE_FINDINGS_CPU_BOUND 0.90
/* A thread parked at least this share of its time is said so. */
#define PROBE_FINDINGS_PARKED 0.10

/* Writes the findings of d as Markdown list items ("- ...\n"), Markdown
 * escaped. Returns how many. */
size_t probe_findings_write(FILE *f, const probe_data *d);

#endif
