/* plots — the charts of one workload for report.html, drawn by gnuplot
 * (chart.h) from the grouped records: speedup, throughput and GIL wait by
 * workers; where each worker thread's time went; the GIL acquisition-latency
 * CDF; GC and deallocation pause histograms; the per-CPU heat map; convoy
 * round trips against CPU-bound threads. A chart whose figures the records
 * lack (or that gnuplot could not draw) is not drawn, and its note says
 * why. */
#ifndef GILLAB_PLOTS_H
#define GILLAB_PLOTS_H

#include "results.h"

#include <limits.h>

/* The number of charts of a workload (plots.c checks it against its
 * table). */
#define PLOTS_COUNT 9

typedef struct {
  char file[PATH_MAX];         /* the .svg's file name: WORKLOAD-NAME.svg */
  const char *title, *caption; /* static strings; the caption says how to
                                  read the chart */
  char *svg;                   /* NULL when not drawn; freed by plots_free */
  char absent[512];            /* why not drawn */
} plots_chart;

/* Draws the charts of workload wl into ps[0..PLOTS_COUNT), in the order a
 * report shows them. Free with plots_free. */
void plots_make(const results *r, const char *wl, plots_chart *ps);
void plots_free(plots_chart *ps);

#endif
