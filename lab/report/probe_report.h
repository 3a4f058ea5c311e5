/* probe_report — every output of a probe directory, remade from its
 * results.jsonl alone (`gillab probe` at the end, `gillab report DIR` any
 * time after; report.c dispatches here on the metadata's kind "probe"):
 * summary.md (probe_summary.h), results.csv and intervals.csv
 * (probe_csv.h), report.html and its charts (probe_html.h), and, when the
 * probe ran with --trace, trace.json (probe_trace.h). */
#ifndef GILLAB_PROBE_REPORT_H
#define GILLAB_PROBE_REPORT_H

#include "results.h"

#include <stddef.h>

/* The names of the files probe_report_write may make in a directory,
 * NULL-terminated (lab/probe_store.c reuses a directory that holds
 * nothing else). */
extern const char *const probe_report_files[];

/* Writes the outputs of the probe results r into dir, as report_write
 * does for a run: without gnuplot, the rest is still written and the
 * error says report.html was not. Returns 0 or a negative code with err;
 * *ncharts (may be NULL) receives the number of charts drawn. */
int probe_report_write(const results *r, const char *dir, unsigned *ncharts,
                       char *err, size_t errlen);

#endif
