/* cellkind — what may be said about a cell: the one place the reports
 * (summary.md's tables and findings, the answers page, report.html) ask
 * before they put a figure or a sentence next to a cell.
 *
 * Two questions decide it:
 *
 *  - Which GIL the cell's workers ran under (cellkind_gil): one they share
 *    (Python threads, asyncio's tasks, subinterpreters that share the main
 *    GIL as on 3.11), one each (processes, own-GIL subinterpreters), or none
 *    (the C twins, a free-threaded build with its GIL off). Only workers
 *    that share a GIL can be serialized by it or wait for one another at
 *    it; a GIL wait or held figure of the others is not a measure of
 *    contention, and a report says "n/a" there, not "–".
 *
 *  - What kind of experiment the workload is (cellkind_work): compute
 *    (strong-scaled work whose speedup the CPUs bound), waiting (workers
 *    that mostly sleep or block: waiters overlap whatever the CPU count,
 *    so the ideal speedup is the worker count), a latency experiment
 *    (round trips or hand-offs: the convoy, echo, spawn, switch — its
 *    headline is latency or round trips, never a speedup), messages
 *    (ipc.*: bytes per second by message size), memory (mem.cow: shares
 *    of the heap) or a server (net.serve*: requests per second by
 *    connections).
 *
 * The kind comes from what the results file says about the workload (its
 * metadata flags) and, for work the flags do not classify (compute, a
 * user's workload), from what the workers did: a workload whose single
 * workers were on a CPU less than half their time is waiting.
 */
#ifndef GILLAB_CELLKIND_H
#define GILLAB_CELLKIND_H

#include "results.h"

#include <cjson/cJSON.h>

typedef enum {
  CELLKIND_GIL_SHARED, /* the workers take turns at one GIL */
  CELLKIND_GIL_OWN,    /* each worker has a GIL of its own */
  CELLKIND_GIL_NONE,   /* no GIL: C, or free-threaded with the GIL off */
} cellkind_gil;

/* The GIL the workers of rec (a cell record) ran under. A free-threaded
 * build whose GIL an import turned back on (gil.enabled true) counts as the
 * GIL build it then was. */
cellkind_gil cellkind_gil_of(const cJSON *rec);

/* "share one GIL", "each have a GIL of their own", "run without a GIL". */
const char *cellkind_gil_words(cellkind_gil g);

/* Whether rec's GIL figures (wait share, held fraction, acquisition
 * latency) measure contention among its workers: only when they share
 * one. */
int cellkind_gil_contended(const cJSON *rec);

/* Why a GIL figure does not apply to rec, for the note under a table
 * ("processes have a GIL each"); NULL when it applies. */
const char *cellkind_gil_na_reason(const cJSON *rec);

/* Whether rec's workers took turns at the GIL they share: a shared GIL
 * and a wait share (gil.wait_share) of at least half the (n-1)/n that n
 * CPU-bound threads taking turns must wait. Such threads cannot have run
 * Python in parallel, whatever the speedup says: a gain beyond 1x is work
 * done without the GIL held or a slow 1-worker baseline, and a shortfall
 * is the GIL's, not "partial scaling". */
int cellkind_gil_turns(const cJSON *rec);

/* The rule of cellkind_gil_turns on figures alone: whether a wait share
 * (of one repetition, or a median) shows `workers` threads taking turns
 * at one GIL. */
int cellkind_wait_shows_turns(double wait_share, double workers);

/* Whether rec's workers all run on one thread by design (asyncio's
 * tasks), so that no speedup is to be expected of them. */
int cellkind_one_thread(const cJSON *rec);

/* Whether a pause in one worker of rec stops every other worker of the
 * cell: when they share a GIL (the pause runs with it held), or, for a
 * pause that stops the world (stops_world: the cyclic GC of a
 * free-threaded build), when they are threads of one free-threaded
 * process. Processes and own-GIL subinterpreters pause alone; the C
 * twins have no such pause. */
int cellkind_pause_stalls_all(const cJSON *rec, int stops_world);

/* The share of their span that rec's workers spent in the run queue,
 * wanting a CPU that other work held (per_worker runq_s over span_s),
 * NAN when the record does not say. */
double cellkind_runq_share(const cJSON *rec);

typedef enum {
  CELLKIND_COMPUTE,  /* strong-scaled work: speedup bounded by the CPUs */
  CELLKIND_WAITING,  /* workers mostly wait: they overlap, not the CPUs */
  CELLKIND_LATENCY,  /* round trips, hand-offs, creations: no speedup */
  CELLKIND_MESSAGES, /* ipc.*: bytes per second by message size */
  CELLKIND_MEMORY,   /* mem.cow: the share of a heap made private */
  CELLKIND_SERVE,    /* net.serve*: requests per second by connections */
} cellkind_work;

/* What kind of experiment workload wl of r is. */
cellkind_work cellkind_work_of(const results *r, const char *wl);

/* Whether wl, a latency experiment, measures one operation at a time by
 * kind (os.spawn's creations, os.switch's hand-offs: the metadata's flag
 * "latency"), so that its cells have latencies per kind and no
 * throughput; the convoy's and the echo's round trips have one. */
int cellkind_per_operation(const results *r, const char *wl);

/* "compute", "waiting", "latency", "messages", "memory", "serve". */
const char *cellkind_work_name(cellkind_work k);

/* Whether a speedup (throughput at N workers over 1) is a figure worth a
 * table and a finding for this kind: compute and waiting only. */
int cellkind_has_speedup(cellkind_work k);

/* Whether the C twin's throughput over Python's at 1 worker is the cost
 * of the interpreter itself: compute only. Waiting and round trips take
 * as long in C as in Python, so their 1.0x says nothing of it. */
int cellkind_has_interpreter_cost(cellkind_work k);

/* The speedup that perfect parallelism would give w workers of kind k on
 * a machine of pus CPUs (0: unknown): compute, min(w, pus); waiting, w
 * (a waiter needs no CPU while it waits). */
double cellkind_ideal_speedup(cellkind_work k, unsigned w, unsigned pus);

/* The share of their span that rec's workers were on a CPU (cpu_s over
 * span_s of per_worker, summed), NAN when the record does not say. */
double cellkind_busy_share(const cJSON *rec);

/* The cell's headline figure in record rec, NAN when it has none; *what
 * (when not NULL) gets its name, a static string. The figure each kind
 * of workload's section of summary.md leads with:
 *  - servers (net.serve*): requests per second (serve.load);
 *  - ipc.*: bytes per second through the mechanism;
 *  - os.spawn, os.switch (latencies): the p50 of the first kind the
 *    record lists (creation latency, round trip), the first row of their
 *    tables; the other kinds are not waited for;
 *  - every other workload: throughput, operations per second. Not the
 *    speedup: that is a ratio of two cells, and the row's 1-worker cell
 *    runs whenever any cell of its row does (lab/report/precision.h), so every
 *    speedup has its baseline in the same repetition. */
double cellkind_headline(const cJSON *rec, const char **what);

#endif
