/* cell — one cell, run inside the runner process.
 *
 * The orchestrator hands the runner a cell as JSON (core/cellspec.h, the
 * one contract between the two; the runner's main parses it with
 * cellspec_parse). cell_run finds the workload in the registry, sets up the
 * workers' placement, runs the model's driver (native or Python) and
 * returns what was measured (setup_s: from the runner's start to the start
 * of the timed region):
 *   {"ops", "answer", "wall_s", "setup_s", "workers": [...],
 *    "python": {...} (Python models only), ...}
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
