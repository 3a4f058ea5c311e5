/* workers — the workers of one cell, inside the runner: binding each worker
 * thread where the plan says, recording where it was seen running, and
 * accounting for its time: on CPU, in the run queue, blocked, and (Python
 * cells) waiting for the GIL.
 *
 * A driver calls, on each worker thread: workers_enter before the start barrier
 * (binding), workers_begin right after it (the timed span starts),
 * workers_leave when the work is done. Python drivers reach these through
 * _gillab.worker_enter, worker_begin and worker_leave. A sampler thread wakes
 * every 5 ms on average (2.5 to 7.5 ms at random) and reads every running
 * worker's last CPU (cpus_seen shows migrations the enter/leave samples would
 * miss) and, in Python cells, the GIL's state (held fraction and which worker
 * held it). When a memory round is due (memuse.h: at least 20 ms apart, and
 * 100 times the last round's cost), it also reads the memory of the cell's
 * process and of every worker process in its timed span. The first worker
 * to begin (or be adopted) starts the core-use and memory region; the last
 * worker thread to leave ends both.
 *
 * Notes about the implementation: the table is written once by workers_setup
 * before any worker starts; each worker writes only its own slot; the
 * sampler reads tids with acquire loads and updates its own counters, and
 * ORs bits into cpus_seen with relaxed atomics; the report is built after
 * every worker has left and the sampler has stopped. No lock is needed.
 */
#ifndef GILLAB_WORKERS_H
#define GILLAB_WORKERS_H

#include "cellspec.h"
#include "gilprobe.h"
#include "place.h"
#include "tstat.h"

#include <cjson/cJSON.h>
#include <stddef.h>

#define WORKERS_MAX_WORKERS CELLSPEC_MAX_WORKERS
/* Room for a worker's CPUs read back, in list syntax ("0-3,8"). */
#define WORKERS_CPUS_LEN 256

/* Prepares n workers with their cpusets (sets[i], hwloc list syntax, "" for
 * no binding; copied). topo (borrowed, must outlive the cell) binds them. */
int workers_setup(place_topo *topo, unsigned n, char *const *sets, char *err,
                  size_t errlen);

/* On worker i's own thread, before the start barrier: records its tid,
 * binds it and reads back the CPUs the kernel then lets it run on. tstate is
 * its PyThreadState (NULL for native workers), to tell which worker holds the
 * GIL. Returns 0 or a negative code with err. */
int workers_enter(unsigned i, void *tstate, char *err, size_t errlen);
/* On worker i's own thread, right after the start barrier. */
void workers_begin(unsigned i);
/* On worker i's own thread when its work is done. */
void workers_leave(unsigned i);

/* Worker i is another process (native-procs), pid, which has bound itself
 * (workers_enter in the child): the sampler follows it from now on. */
void workers_adopt(unsigned i, pid_t pid);
/* Worker process i has finished: its span's time split as it read it
 * (t0, t1), the CPUs it saw itself on at the start and end, its GIL
 * counters over the span (NULL: none) and the CPUs it read back after
 * binding itself (NULL: not read). */
void workers_adopted_done(unsigned i, const tstat *t0, const tstat *t1,
                          int cpu0, int cpu1, const gilprobe_counts *gil,
                          const char *cpus);
/* The CPUs worker i read back after binding ("" before it entered). */
const char *workers_cpus(unsigned i);
/* Worker i's planned cpuset ("" = unbound; "" for a bad index). */
const char *workers_set(unsigned i);

/* Starts and stops the sampler thread; gil: also sample the GIL. */
int workers_sampler_start(int gil);
void workers_sampler_stop(void);

/* The workers as a new JSON array of {worker, tid, bound, cpus_seen, cpu_s,
 * runq_s, blocked_s, vcsw, ivcsw} (caller owns it, cJSON_Delete). */
cJSON *workers_report(void);

/* What the workers observed of their own set-up, for the record's
 * `applied` (native models; the Python drivers report their own): a new
 * JSON array of {worker, cpus (read back after binding), warmup_s (0: the
 * C twins run no warm-up)}. */
cJSON *workers_applied(void);

/* Adds the GIL probe's figures for the workers' timed spans to gil (a JSON
 * object): wait_s (time blocked by the GIL: acq_wait_s waiting to acquire
 * it, plus switch_wait_s waiting for a forced hand-off to complete),
 * wait_share (of the workers' summed spans), waits, drop_requests, switches,
 * held_frac, acq_us {p50, p90, p99, max}, switch_waits, switch_wait_s,
 * mutex_wait_s, samples, and per_thread [{tid, wait_s, acq_wait_s, waits,
 * drop_requests, held_frac, span_s, cpu_s, runq_s, blocked_s, vcsw, ivcsw}]. */
void workers_gil_report(cJSON *gil);

/* Frees the table. */
void workers_teardown(void);

#endif
