/* probe_html — see probe_html.h. */
#include "probe_html.h"

#include "chart.h"
#include "outfile.h"
#include "probe_plots.h"
#include "probe_summary.h"
#include "report_html.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* The section the charts follow: summary.md's second "## " section, the
 * findings (probe_summary.c: Command, Findings, then the processes). */
#define CHARTS_AFTER 1

static void section(void *ctx, FILE *f, long n, int *serial) {
  plots_chart *cs = ctx;
  if (n != CHARTS_AFTER)
    return;
  for (int i = 0; i < PROBE_PLOTS_COUNT; i++)
    report_html_figure(f, cs[i].svg, cs[i].title, cs[i].caption, cs[i].file,
                       cs[i].absent, serial);
}

int probe_html_write(const probe_data *d, const char *dir, unsigned *ncharts,
                     char *err, size_t errlen) {
  *ncharts = 0;
  if (!chart_available()) {
    snprintf(err, errlen,
             "cannot run gnuplot, so report.html was not written (install "
             "gnuplot-nox; scripts/bootstrap does)");
    return -ENOENT;
  }
  char *md = NULL;
  size_t mdlen;
  FILE *m = open_memstream(&md, &mdlen);
  if (!m) {
    snprintf(err, errlen, "out of memory");
    return -ENOMEM;
  }
  probe_summary_render(d, m);
  fclose(m);
  plots_chart cs[PROBE_PLOTS_COUNT];
  probe_plots_make(d, cs);
  int rc = 0;
  for (int i = 0; rc == 0 && i < PROBE_PLOTS_COUNT; i++) {
    if (!cs[i].svg)
      continue;
    char path[PATH_MAX * 3];
    snprintf(path, sizeof path, "%s/%s", dir, cs[i].file);
    rc = outfile_write(path, cs[i].svg, strlen(cs[i].svg), err, errlen);
    (*ncharts)++;
  }
  char path[PATH_MAX + 32];
  snprintf(path, sizeof path, "%s/report.html", dir);
  outfile o;
  if (rc == 0)
    rc = outfile_open(&o, path, err, errlen);
  if (rc == 0) {
    char title[1024];
    snprintf(title, sizeof title, "%s", results_str(d->r->meta, "command"));
    report_html_page(o.f, title[0] ? title : "gillab probe", md, NULL, 0,
                     section, cs);
    rc = outfile_commit(&o, err, errlen);
  }
  probe_plots_free(cs);
  free(md);
  return rc;
}
