/* hiccup — the native control thread of `--hiccup`.
 *
 * With --hiccup a cell runs two sleepers beside its workers: a Python thread
 * (gillab_drive._Hiccup) and this C thread, each sleeping 1 ms in a loop
 * and recording how late it woke up. The Python thread's lateness is the
 * GIL's, the GC's and the OS's together; this thread's is the OS's alone
 * (it never takes the GIL), so the difference is what Python adds. Neither
 * is a worker: not bound (they run where the OS puts them, which
 * hiccup_report records) and not in the worker accounting.
 *
 * Notes about the implementation: the thread owns its sample array until
 * hiccup_stop joins it; after that the caller reads it.
 */
#ifndef GILLAB_HICCUP_H
#define GILLAB_HICCUP_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

/* Starts the control thread; 0 or a negative errno. */
int hiccup_start(void);
/* Stops and joins it (no-op when it was not started). */
void hiccup_stop(void);
/* Adds "native_us": {n, p50, p90, p99, max} (lateness of the sleeps that
 * began in [t0_ns, t1_ns], util_now_ns's clock) and "native_cpus_seen" to
 * obj; call after hiccup_stop. Frees the samples. */
void hiccup_report(cJSON *obj, uint64_t t0_ns, uint64_t t1_ns);

#endif
