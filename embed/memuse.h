/* memuse — the memory of a cell over its timed region: RSS, PSS and USS of
 * the cell's process and of each worker process, read from
 * /proc/PID/smaps_rollup, at the region's peak and at its end, and what
 * each worker added.
 *
 * USS (unique set size) is a process's private pages (Private_Clean +
 * Private_Dirty): what its exit would free. PSS (proportional set size)
 * splits every shared page among the processes that map it, so the PSS of
 * a set of processes adds up to the physical memory they use together. RSS
 * counts a shared page in full in every process that maps it: summed over
 * forked workers it overstates what they cost, which is why it is beside
 * PSS and USS, never alone.
 *
 * Who reads what, when:
 *  - memuse_baseline: the cell's process before its workers exist (the
 *    drivers call it after the workload's import and begin hook, just
 *    before they create the threads, tasks, interpreters or processes).
 *  - memuse_round: the workers' sampler thread (workers.c), between the
 *    region's start (memuse_begin, where the core-use region starts) and
 *    its end, reads the cell's process and every live worker process.
 *    smaps_rollup walks the process's page tables under its mmap lock, and
 *    one read costs about 160 us for a 10 MB Python process and 1.6 ms at
 *    190 MB on this VM (python3 reading /proc/self/smaps_rollup, medians of
 *    200). A round is therefore timed and the next one waits 100 times as
 *    long, at least MEMUSE_MIN_PERIOD_MS: the rounds take at most 1 % of
 *    one CPU whatever the processes' size.
 *  - memuse_end: the cell's process at the region's end, read by the
 *    thread that ends it: the last worker thread to leave (threads,
 *    asyncio, subinterpreters, native-threads: one read after the work,
 *    before the driver's clock stops), or the processes drivers once they
 *    have stopped their clock. No round runs after it.
 *  - memuse_worker_end: a worker process's own reading, taken by the
 *    process itself once it has sent its report (outside the timed
 *    region), handed over by the driver.
 *
 * Notes about the implementation: one mutex guards the state; the sampler
 * holds it through a round, the ending thread through its read, so a
 * round and the end never interleave. memuse_reset runs before the
 * sampler starts and memuse_report after it has stopped.
 */
#ifndef GILLAB_MEMUSE_H
#define GILLAB_MEMUSE_H

#include "smaps.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <sys/types.h>

/* The sampler's shortest period between two rounds. */
#define MEMUSE_MIN_PERIOD_MS 20
/* A round waits this many times its own cost before the next one. */
#define MEMUSE_COST_FACTOR 100

/* One reading of one process (core/smaps.h). */
typedef smaps_sample memuse_sample;

/* Forgets the last cell; n worker slots (workers_setup calls it). */
void memuse_reset(unsigned n);
/* The cell's process before its workers exist. */
void memuse_baseline(void);
/* The timed region starts now: rounds may run. */
void memuse_begin(void);
/* Whether a round is due at now_ns (util_now_ns's clock): the region has
 * begun, not ended, and the period since the last round has passed. */
int memuse_due(uint64_t now_ns);
/* One round: this process and, for each worker slot i < n with pids[i] >
 * 0, that worker process. A process whose read fails (it has ended) is
 * skipped. */
void memuse_round(const pid_t *pids, unsigned n);
/* The region ends now: reads the cell's process. Once per cell; later
 * calls do nothing. */
void memuse_end(void);
/* Worker process i (pid) read itself at the end of its span. */
void memuse_worker_end(unsigned i, pid_t pid, const memuse_sample *s);

/* The record's `mem` object, new (caller owns it): see README, "Memory
 * per worker". procs: the workers are processes (processes,
 * native-procs), whose own USS is each worker's private cost; otherwise
 * the workers live in the cell's process and its USS growth is theirs.
 * NULL when nothing was read (no baseline and no reading). */
cJSON *memuse_report(int procs);

#endif
