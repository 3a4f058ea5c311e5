/* gcprobe — GC pauses of a Python cell, from a C callback on gc.callbacks.
 *
 * CPython calls every callable in gc.callbacks with ("start", info) before
 * a collection and ("stop", info) after it, in the collecting thread with
 * the GIL held (from 3.12 a collection runs at an eval-breaker check of
 * whichever thread; a free-threaded build stops the world for it, and runs
 * the callbacks before and after). The probe timestamps the pair: one
 * duration per collection, per generation, and the objects it collected.
 *
 * Scope: the cell's main process, from gcprobe_install (after the
 * interpreter starts) to gcprobe_report (after the driver returns), plus,
 * with model processes, each worker process over its timed span: a worker
 * process has a GC of its own, so it runs the probe itself
 * (gcprobe_child_begin, gcprobe_child_take) and the parent merges what it
 * sends back (gcprobe_merge). gc.get_stats() is read at both ends of each
 * span, so the record carries the interpreters' own count of collections
 * over the same spans beside the probe's.
 *
 * Notes about the implementation: collections never overlap (one at a time
 * per interpreter, also in a free-threaded build), so the callback's state
 * needs no lock; it allocates (lat_add), which is allowed there.
 */
#ifndef GILLAB_GCPROBE_H
#define GILLAB_GCPROBE_H

#include <cjson/cJSON.h>
#include <stddef.h>

/* Appends the callback to gc.callbacks and reads gc.get_stats(). Needs the
 * GIL. Returns 0 or -1 with err. */
int gcprobe_install(char *err, size_t errlen);

/* In a worker process: starts the probe's span here (installs the callback
 * in a spawned child; empties the samples a forked one inherited). Needs
 * the GIL. 0 or -1 with err. */
int gcprobe_child_begin(char *err, size_t errlen);
/* In a worker process: what the probe saw since gcprobe_child_begin, as a
 * new dict {"0": {"pauses_ns": [...], "collected", "collections",
 * "stat_collected", "uncollectable"}, "1": ..., "2": ...} (the last three
 * from gc.get_stats()), to send to the parent; NULL with an exception. */
struct _object *gcprobe_child_take(void); /* a PyObject * */
/* In the parent: adds a worker process's gcprobe_child_take() to this
 * process's figures. 0, or -1 with an exception. */
int gcprobe_merge(struct _object *child);

/* Removes the callback and returns a new object {"gens": [{"gen",
 * "collections", "total_s", "p50_us", "p99_us", "max_us", "collected"}, ...
 * 0..2], "collections", "total_s", "p50_us", "p99_us", "max_us", "hist",
 * "get_stats_delta": [{"gen", "collections", "collected", "uncollectable"}],
 * "scope", "processes"}, or NULL when the probe was not installed. Needs the
 * GIL. */
cJSON *gcprobe_report(const char *scope);

#endif
