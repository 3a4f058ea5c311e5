/* cell — one cell, run inside the runner process.
 *
 * The orchestrator hands the runner a cell as JSON (core/cellspec.h, the
 * one contract between the two; the runner's main parses it with
 * cellspec_parse). cell_run finds the workload in the registry (a user
 * workload: builds its row from the spec, loading its C twin for the
 * native models; twin.h), sets up the workers' placement, runs the
 * model's driver (native or Python) and returns what was measured
 * (setup_s: from the runner's start to the start of the timed region):
 *   {"ops", "answer", "wall_s", "setup_s", "workers": [...],
 *    "python": {...} (Python models only), "applied": {...}, ...}
 *
 * `applied` is what the runner observed of the cell's set-up, read back in
 * the processes and threads that ran it, never copied from the spec:
 *   Python models: {"switch_interval_s" (sys.getswitchinterval() in the
 *     main interpreter), "hash_gillab" (hash("gillab"), hex),
 *     "hash_randomization" (sys.flags), "hash_seed" (the spec's seed when
 *     the process's hash secret is the one it gives, else null),
 *     "gil_probe": {"enabled", "gil_watched", "gils_watched"} (the probe's
 *     own state), "start_method" (processes: the context's), "workers":
 *     [{"worker", "cpus" (the kernel's affinity after binding, list
 *     syntax), "warmup_s" (measured around the warm-up loop; 0 when none
 *     ran), "switch_interval_s", "hash_gillab", "hash_randomization",
 *     "hash_seed" (as seen in the worker's own thread, interpreter or
 *     process), and for processes "pid", "start_method" (how the process
 *     was started, told from inside it) and "gil_probe"; for
 *     subinterpreters "gil_probe"}]}
 *   Native models: {"workers": [{"worker", "cpus", "warmup_s": 0}]}.
 * A user workload (the spec's workload_file) adds, Python models:
 *   "workload": {"file" (the module's file, resolved), "sha256" (of the
 *   bytes the main process read and, for threads, asyncio and processes,
 *   ran), "func"}; "setup_s" (threads, asyncio: its setup() in the main
 *   process); and per worker of processes and subinterpreters "setup_s"
 *   and "workload_file" (the file that worker process or interpreter
 *   imported); native models with its C twin: "twin": {"path" (the object
 *   the loader mapped), "sha256", "setup"}.
 */
#ifndef GILLAB_CELL_H
#define GILLAB_CELL_H

#include "cellspec.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

/* Runs the cell spec (borrowed). started_ns is when the runner process
 * started (for setup_s). On success *result is a new cJSON the caller frees;
 * on failure returns a negative code with err (e.g. an unknown workload, or
 * one that does not run under the spec's model). */
int cell_run(const cellspec *s, uint64_t started_ns, cJSON **result, char *err,
             size_t errlen);

#endif
