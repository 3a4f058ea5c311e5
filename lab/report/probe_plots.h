/* probe_plots — the charts of a probe's report.html, drawn by gnuplot
 * (chart.h): each probed thread's GIL wait share per interval over time,
 * and the GC pause histograms of each probed process per generation. A
 * chart with nothing to draw is left out, its note saying why. */
#ifndef GILLAB_PROBE_PLOTS_H
#define GILLAB_PROBE_PLOTS_H

#include "plots.h"
#include "probe_data.h"

/* The number of charts of a probe. */
#define PROBE_PLOTS_COUNT 2

/* Draws the charts into ps[0..PROBE_PLOTS_COUNT) (plots_chart, plots.h);
 * free them with probe_plots_free. */
void probe_plots_make(const probe_data *d, plots_chart *ps);
void probe_plots_free(plots_chart *ps);

#endif
