/* twin — a user workload's C twin in the runner: a shared object with the
 * ABI of workloads/gillab_twin.h, loaded with dlopen and run by the native
 * models (native-threads, native-procs) as a built-in workload's C twin is.
 *
 * One twin per runner process (a runner runs one cell): the loaded
 * functions are kept in this module's static state, which wl_native_fn's
 * signature (no context pointer) needs.
 */
#ifndef GILLAB_TWIN_H
#define GILLAB_TWIN_H

#include "wl.h"

#include <cjson/cJSON.h>
#include <stddef.h>

/* Loads the twin at path and makes wl run it: wl->native calls its
 * gillab_twin_work, and wl->hooks its gillab_twin_setup (when it has one)
 * before the workers start. Returns 0, or a negative code with err (the
 * file cannot be loaded, or lacks gillab_twin_work). */
int twin_load(const char *path, wl_workload *wl, char *err, size_t errlen);

/* What was loaded, for the record's applied: {"path" (the object the
 * function came from, as the dynamic loader saw it), "sha256" (of that
 * file's bytes), "setup" (whether it has gillab_twin_setup)}; a new object,
 * or NULL when nothing was loaded. */
cJSON *twin_applied(void);

/* What the shared object at path offers, for `--inspect`: {"work",
 * "setup" (booleans), "error" (the loader's message, or null)}; a new
 * object. Loads it (its constructors run) and unloads it. */
cJSON *twin_inspect(const char *path);

#endif
