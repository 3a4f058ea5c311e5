/* cell — one cell, run inside the runner process.
 *
 * The orchestrator hands the runner a cell as JSON:
 *   {"workload": "cpu.primes", "model": "threads", "workers": 2,
 *    "units": 300000, "sets": ["0", "1"], "workloads_dir": "...",
 *    "gil_probe": true, "switch_interval": 0.005, "hash_seed": 1}
 * (the last three optional: probe on, the runtime's interval, a random
 * hash seed).
 * cell_run sets up the workers' placement, runs the model's driver (native
 * or Python) and returns what was measured (setup_s: from the runner's
 * start to the start of the timed region):
 *   {"ops", "answer", "wall_s", "setup_s", "workers": [...],
 *    "python": {...} (Python models only)}
 */
#ifndef GILLAB_CELL_H
#define GILLAB_CELL_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

/* Runs the cell described by spec (borrowed). started_ns is when the runner
 * process started (for setup_s). On success *result is a new cJSON the
 * caller frees; on failure returns a negative code with err. */
int cell_run(const cJSON *spec, uint64_t started_ns, cJSON **result, char *err,
             size_t errlen);

#endif
