/* userwl — users' own workloads, in the orchestrator: a Python file named
 * in `gillab run -w` ("path/bench.py" or "path/bench.py:func"; see
 * wl_is_file_item in core/wl.h) becomes a wl_workload row like a built-in
 * one (README, "Bring your own workload").
 *
 * The orchestrator has no Python: it checks what it can itself (the file
 * exists and is a .py file, the C twin's file exists), hashes the file
 * (SHA-256, for the metadata) and asks the runner of one runtime what the
 * file offers (`gillab-runner-TAG --inspect FILE[:func] [--twin SO]`:
 * whether it imports, its work function, awork, setup, UNITS). A file that
 * cannot run anywhere is refused before any cell runs, with a message that
 * names the file and says what to do. An ImportError on the inspecting
 * runtime is not refused (another runtime may have the module): it
 * becomes the row's note, and that runtime's cells fail with it.
 */
#ifndef GILLAB_USERWL_H
#define GILLAB_USERWL_H

#include "model.h"
#include "wl.h"

#include <stddef.h>

/* Reads the user workload item with the runner of runtime tag (a tag of
 * this build; gillab uses its default runtime). units > 0 overrides the
 * file's UNITS (which it must otherwise define); twin (NULL: none) is the
 * path of its C twin's shared object (workloads/gillab_twin.h). On
 * success *out is a new row (name: the item as given; file and twin
 * absolute; units_py = units_native = the units; flags WL_AWORK and
 * WL_SETUP from what the file has), to free with free(). Returns 0, or
 * -EINVAL (or -ENOENT) with err, which names the file and says what to
 * do. */
int userwl_load(const char *item, const char *tag, double units,
                const char *twin, wl_workload **out, char *err, size_t errlen);

/* A note on a row from userwl_load, or NULL: the ImportError the
 * inspecting runtime raised (its cells will fail with it; the others may
 * run). Borrowed from the row. */
const char *userwl_note(const wl_workload *wl);

/* The runtime whose runner inspected a row from userwl_load ("3.11"), or
 * NULL for any other row. */
const char *userwl_inspected_on(const wl_workload *wl);

/* Why wl's cells of model m are skipped, or NULL when they run: a user
 * workload has no C twin unless given (native models), and asyncio needs
 * its awork. A built-in workload's reasons are run.c's. */
const char *userwl_skip_reason(const wl_workload *wl, model_t m);

#endif
