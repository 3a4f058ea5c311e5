/* workers — the workers of one cell, inside the runner: binding each worker
 * thread where the plan says, and recording where it was seen running.
 *
 * Both the Python drivers (through _gillab.worker_enter) and the native
 * drivers call wk_enter on each worker thread before the timed region and
 * wk_leave after it. A sampler thread reads every registered worker's last
 * CPU a few hundred times a second, so cpus_seen shows migrations that the
 * enter/leave samples alone would miss.
 *
 * Notes about the implementation: the table is written once by wk_setup
 * before any worker starts; each worker writes only its own slot; the
 * sampler reads tids with acquire loads and ORs bits into cpus_seen with
 * relaxed atomics, so no lock is needed.
 */
#ifndef GILLAB_WORKERS_H
#define GILLAB_WORKERS_H

#include "place.h"

#include <cjson/cJSON.h>
#include <stddef.h>

#define WK_MAX_WORKERS 4096

/* Prepares n workers with their cpusets (sets[i], hwloc list syntax, "" for
 * no binding; copied). topo (borrowed, must outlive the cell) binds them. */
int wk_setup(place_topo *topo, unsigned n, char *const *sets, char *err,
             size_t errlen);

/* Called on worker i's own thread: records its tid and binds it. Returns 0
 * or a negative code with err. */
int wk_enter(unsigned i, char *err, size_t errlen);
/* Called on worker i's own thread when its work is done. */
void wk_leave(unsigned i);

/* Starts and stops the sampler thread (period in microseconds). */
int wk_sampler_start(unsigned period_us);
void wk_sampler_stop(void);

/* The workers as a new JSON array of {worker, tid, bound, cpus_seen}
 * (caller owns it, free with cJSON_Delete). */
cJSON *wk_report(void);

/* Frees the table. */
void wk_teardown(void);

#endif
