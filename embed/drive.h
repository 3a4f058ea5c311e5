/* drive — native execution models: a workload's C twin run by N workers.
 *
 * The native drivers are the baselines the Python models are compared with:
 * the same work, no interpreter. Each worker binds itself (workers_enter)
 * before a start barrier; the timed region runs from the barrier's release to
 * the last worker's end.
 */
#ifndef GILLAB_DRIVE_H
#define GILLAB_DRIVE_H

#include "wl.h"

#include <stddef.h>
#include <stdint.h>

/* native-threads: runs wl->native on n pthreads, worker i doing its share of
 * units. Fills *total (ops and answers summed), *wall_s and *start_ns (when
 * the timed region began, util_now_ns's clock). Returns 0, or a negative
 * code with err (a worker's own error is passed on). */
int drive_native_threads(const wl_workload *wl, unsigned n, uint64_t units,
                         wl_result *total, double *wall_s, uint64_t *start_ns,
                         char *err, size_t errlen);

/* native-procs: the same in n forked processes, each binding itself; the
 * per-worker time split and CPUs come back from the children. */
int drive_native_procs(const wl_workload *wl, unsigned n, uint64_t units,
                       wl_result *total, double *wall_s, uint64_t *start_ns,
                       char *err, size_t errlen);

#endif
