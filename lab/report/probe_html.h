/* probe_html — DIR/report.html of a probe: its summary.md as HTML (the
 * page machinery of report_html.h: self-contained, strict
 * Content-Security-Policy), with the charts of probe_plots.h inline after
 * the findings, each also written as DIR/<chart>.svg. */
#ifndef GILLAB_PROBE_HTML_H
#define GILLAB_PROBE_HTML_H

#include "probe_data.h"

#include <stddef.h>

/* Writes dir/report.html and the charts' .svg files. *ncharts receives the
 * number drawn. Returns 0, or a negative code with err (gnuplot missing, a
 * file not writable). */
int probe_html_write(const probe_data *d, const char *dir, unsigned *ncharts,
                     char *err, size_t errlen);

#endif
