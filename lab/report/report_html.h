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
#include <stdio.h>

/* Writes dir/report.html and the dir/<workload>-<chart>.svg files from r.
 * *ncharts receives the number of charts drawn. Returns 0, or a negative
 * code with err (gnuplot missing or failing, a file not writable). */
/* As report_html_write, with the summary's Markdown md (summary_render's)
 * already made (and changed here: cut into its sections): a caller that
 * wrote summary.md from it need not make it again (on a 100k-record run,
 * half the report's time). */
int report_html_write_md(const results *r, const char *dir, char *md,
                         unsigned *ncharts, char *err, size_t errlen);

int report_html_write(const results *r, const char *dir, unsigned *ncharts,
                      char *err, size_t errlen);

/* The page machinery, shared with the probe's report (probe_html.h). */

/* Called at the end of each "## " section of the page (section counts
 * from 0), to write that section's figures; *serial numbers the charts of
 * the page (report_html_figure). */
typedef void (*report_html_section_fn)(void *ctx, FILE *f, long section,
                                       int *serial);

/* Writes a whole page to f: its head (the Content-Security-Policy, the
 * style) with title (line breaks as spaces), then the Markdown md (the
 * subset summary.md uses; changed in place) as HTML, calling section (may
 * be NULL) after each "## " section. With nnav > 1, the first heading is
 * followed by links to the nnav sections, named nav[i]. */
void report_html_page(FILE *f, const char *title, char *md,
                      const char *const *nav, size_t nnav,
                      report_html_section_fn section, void *ctx);

/* One chart as a <figure>: svg inline (its ids made unique in the page
 * with *serial, which is incremented), the title and caption under it and
 * the name of its .svg file; or, when svg is NULL, a note that the chart
 * titled title was not drawn, and why (absent). */
void report_html_figure(FILE *f, const char *svg, const char *title,
                        const char *caption, const char *file,
                        const char *absent, int *serial);

#endif
