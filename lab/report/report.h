/* report — every output of a results directory, remade from
 * DIR/results.jsonl alone: summary.md, results.csv, report.html and its
 * charts as .svg files. `gillab run` calls it at the end (and when
 * interrupted, for what was measured); `gillab report DIR` calls it on an
 * existing directory. A probe's directory (its metadata of kind "probe",
 * lab/probe.h) gets the probe's outputs instead (probe_report.h). */
#ifndef GILLAB_REPORT_H
#define GILLAB_REPORT_H

#include <stddef.h>

/* Writes the outputs into dir. Without gnuplot, summary.md and results.csv
 * are still written, and the error says report.html was not. Returns 0 or
 * a negative code with err. *ncharts (may be NULL) receives the number of
 * charts drawn. */
int report_write(const char *dir, unsigned *ncharts, char *err, size_t errlen);

#endif
