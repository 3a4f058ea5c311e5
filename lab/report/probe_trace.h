/* probe_trace — a probe's trace lines (core/probefile.h, written with
 * --trace) in the Chrome Trace Event format, for chrome://tracing,
 * ui.perfetto.dev or speedscope: one JSON object
 *
 *   {"traceEvents": [...], "displayTimeUnit": "ms", "otherData": {...}}
 *
 * with, per process of the probe (unprobed ones too, so the reader sees
 * them), "M" (metadata) events process_name ("PID EXE: ARGV") and
 * process_sort_index (the order the processes started in), and per
 * thread of a probed process thread_name (its Python name, or "tid N");
 * then, for the events of probed processes only:
 *   gil_wait, gil_hold, park, gc   "X" (complete) events, cat "gil",
 *                                  "gil", "park", "gc"; gc has args
 *                                  {"generation"}
 *   drop_request                   "i" (instant) events, "s": "t"
 * ts and dur in microseconds (fractions kept), ts since the command
 * started (the metadata's start_ns); pid and tid numbers. "otherData"
 * holds the command, start_ns, trace_min_us, "dropped" (events the
 * library lost, its ring full, per pid as a string key) and
 * "dropped_total", and "unknown_events" (kinds this gillab does not know,
 * left out). tests/check_trace.py checks every event against the format.
 */
#ifndef GILLAB_PROBE_TRACE_H
#define GILLAB_PROBE_TRACE_H

#include "probe_data.h"

#include <cjson/cJSON.h>
#include <stddef.h>

/* Whether d's probe was run with --trace (or its records hold trace
 * lines): then the report writes DIR/trace.json. */
int probe_trace_wanted(const probe_data *d);

/* The trace document of d, new (free with cJSON_Delete); NULL when out of
 * memory. */
cJSON *probe_trace_build(const probe_data *d);

/* Writes the trace document of d to path. Returns 0 or a negative code
 * with err. */
int probe_trace_write(const probe_data *d, const char *path, char *err,
                      size_t errlen);

#endif
