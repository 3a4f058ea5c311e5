/* meta — the metadata record that opens every results.jsonl: the machine,
 * its topology, the kernel, each runtime's build, gillab's version, the
 * exact command, the spec, and what each of the spec's workloads is
 * ("workloads": {name: {summary, py_module, native, models, units_py,
 * units_native, per_worker, flags}}, and for a user workload "user":
 * {file, func, sha256 (of the file as the orchestrator read it), units,
 * awork, setup, twin, inspected_on (the runtime whose runner inspected
 * it), note (an ImportError there, or null)}). Enough to reproduce or
 * question a result, and to write every report from the file alone. */
#ifndef GILLAB_META_H
#define GILLAB_META_H

#include "place.h"
#include "wl.h"

#include <cjson/cJSON.h>
#include <stddef.h>

/* Builds the record. topo is the machine's topology (borrowed); runtimes
 * (a JSON array of runtime_info objects) and spec are taken over by the
 * record; command is the exact command line. Returns a new object (free
 * with cJSON_Delete); meta_describe_workloads adds its "workloads". */
cJSON *meta_build(const place_topo *topo, cJSON *runtimes, cJSON *spec,
                  const char *command);

/* Sets meta's "workloads" to the description of the n rows wls (the
 * spec's: built-in, user files, units as run), by name. */
void meta_describe_workloads(cJSON *meta, const wl_workload *const *wls,
                             size_t n);

/* "2026-11-21T17:22:35Z" (UTC, now) into buf. */
void meta_timestamp(char *buf, size_t len, int compact);

#endif
