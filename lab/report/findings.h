/* findings — the sentences under summary.md's tables ("**Finding:** ..."),
 * each computed from the same medians and intervals as the table above
 * it: a difference is called one only when the intervals show it, and a
 * figure from too wide an interval says so.
 *
 * Every function writes the finding of workload wl of r to f, or nothing
 * when the results hold no figure for it. workers[0..nworkers) are the
 * workload's worker counts, ascending (results_workers); a finding quotes
 * the largest that does not outnumber the machine's CPUs.
 */
#ifndef GILLAB_FINDINGS_H
#define GILLAB_FINDINGS_H

#include "results.h"

#include <stddef.h>
#include <stdio.h>

/* The highest throughput of any cell, and at 1 worker the C twin against
 * the fastest Python model (the interpreter's own cost). */
void findings_throughput(FILE *f, const results *r, const char *wl);

/* Whether the C twin computes what the Python code does: at each number of
 * units where both Python and native cells of wl were measured, whether
 * every cell gave the same answer, and which answers differ when not. Only
 * for workloads whose answer is a checksum of the work (the metadata says:
 * a user workload, or a built-in pure computation). */
void findings_answers(FILE *f, const results *r, const char *wl);

/* The Python models against the fastest at the quoted worker count, as
 * ratios with the verdict of their intervals. */
void findings_models(FILE *f, const results *r, const char *wl,
                     const unsigned *workers, size_t nworkers);

/* mixed.convoy: round trips with the most CPU-bound threads beside over
 * the same cell with none. */
void findings_convoy(FILE *f, const results *r, const char *wl,
                     const unsigned *workers, size_t nworkers);

/* One line per row: its speedup at the quoted worker count and why it is
 * what it is (the GIL, asyncio's one thread, the cores, the noise). */
void findings_speedup(FILE *f, const results *r, const char *wl,
                      const unsigned *workers, size_t nworkers);

/* Efficiency at the most workers, and the ceiling the CPUs put on it. */
void findings_efficiency(FILE *f, const results *r, const char *wl,
                         const unsigned *workers, size_t nworkers);

/* Each Python row's GIL wait at the quoted worker count against the
 * (n-1)/n that CPU-bound threads sharing one GIL must wait. */
void findings_gil_wait(FILE *f, const results *r, const char *wl,
                       const unsigned *workers, size_t nworkers);

/* The row with the largest median of the GIL figure at path, among the
 * rows whose workers share a GIL (cellkind_gil_contended: a GIL figure of
 * the others is n/a): "the largest <what> is <value><unit>, <row> at N
 * workers (interval).<then>". */
void findings_gil_largest(FILE *f, const results *r, const char *wl,
                          const char *path, const char *what, const char *unit,
                          const char *then);

/* The largest p99 of a pause (the GC's, gc.p99_us; a deallocation
 * cascade's, dealloc.p99_us) at path, and who waits it out
 * (cellkind_pause_stalls_all): every worker of a cell that shares a GIL,
 * every thread of a free-threaded process when the pause stops the world
 * (stops_world: the cyclic GC), else only the worker that paused. */
void findings_pause(FILE *f, const results *r, const char *wl, const char *path,
                    const char *what, int stops_world);

/* The largest round-trip p99 at path (echo.rtt_us.p99,
 * convoy.rtt_us.p99) and what it shows: the GIL taken back after every
 * reply where the workers share one, the round trip itself where not. */
void findings_rtt(FILE *f, const results *r, const char *wl, const char *path);

/* Per free-threaded runtime whose cells of wl ran with the GIL turned
 * back on by an import (python.gil_enabled_after, or gil.reenabled): the
 * module that did it (python.gil_enabled_by) and the models whose cells
 * therefore measured a GIL. Nothing when no cell says so (GIL builds, or
 * records from before these fields). */
void findings_gil_reenabled(FILE *f, const results *r, const char *wl);

/* The worst p99 lateness of the sleeping Python thread, next to the
 * native control thread's in the same cells. */
void findings_hiccup(FILE *f, const results *r, const char *wl);

/* One kind of a latency workload's row (os.spawn's creations, os.switch's
 * mechanisms) at one worker count: its group and the median of a figure. */
typedef struct {
  const results_group *g;
  const char *kind;
  stats_ci c;
} findings_kind_figure;

#define FINDINGS_KIND_FIGURES_MAX 64

/* Every (group, kind) of wl at `workers` workers with obj.KIND.figure (the
 * kinds its ok records list under obj.kinds) into out, at most
 * FINDINGS_KIND_FIGURES_MAX, in the groups' order; returns how many. */
size_t findings_kind_figures(const results *r, const char *wl, unsigned workers,
                             const char *obj, const char *figure,
                             findings_kind_figure *out);

/* os.spawn: each kind of creation's time to the first result (p50, p99)
 * at the fewest creating workers, cheapest first, with the verdicts of
 * neighbours' intervals, and the memory each created worker adds. */
void findings_spawn(FILE *f, const results *r, const char *wl);

/* os.switch: every mechanism's hand-off at 2 workers, and, from the C
 * futex and Python threads' Event on one CPU (-p one-core) and across two
 * (another bound placement), the OS wake-up's part and the GIL's. */
void findings_switch(FILE *f, const results *r, const char *wl);

/* mem.cow (flag "memory"): whether group g holds a copy-on-write
 * experiment's figures (its ok records carry "cow"), and into *freeze
 * whether its heap was frozen (gc.freeze()) before the fork. */
int findings_cow_group(const results_group *g, int *freeze);

/* mem.cow and mem.cow_freeze together: per runtime at `workers` workers,
 * the share of the heap each phase turned private in a child (idle, a
 * full collection, reading every object) without and with gc.freeze(),
 * what freezing saved, and whether the figures bear out the expectation
 * (a collection un-shares a measurable share, at least 5x less with the
 * heap frozen; reading un-shares with or without it) or contradict it,
 * saying so with the figures. */
void findings_cow(FILE *f, const results *r, unsigned workers);

#endif
