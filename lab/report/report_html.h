/* report_html — DIR/report.html: one self-contained file, readable offline,
 * with the summary (its tables and findings) and, per workload, the charts
 * (plots.h) as inline SVG drawn by gnuplot, each with a caption saying how
 * to read it. Every chart is also written as DIR/<workload>-<chart>.svg,
 * for slides. A chart whose data the run does not have is left out, with a
 * note saying so, rather than drawn empty.
 *
 * Self-contained means: no script, no external style sheet, font, image or
 * link; a Content-Security-Policy of default-src 'none' makes any fetch
 * that slipped in fail (and show as a console error in the tests).
 */
#ifndef GILLAB_REPORT_HTML_H
#define GILLAB_REPORT_HTML_H

#include "results.h"

#include <stddef.h>

/* Writes dir/report.html and the dir/<workload>-<chart>.svg files from r.
 * *ncharts receives the number of charts drawn. Returns 0, or a negative
 * code with err (gnuplot missing or failing, a file not writable). */
int report_html_write(const results *r, const char *dir, unsigned *ncharts,
                      char *err, size_t errlen);

#endif
