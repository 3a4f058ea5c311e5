/* probe_report — see probe_report.h. */
#include "probe_report.h"

#include "probe_csv.h"
#include "probe_data.h"
#include "probe_html.h"
#include "probe_summary.h"
#include "probe_trace.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>

const char *const probe_report_files[] = {
    "summary.md", "results.csv",        "intervals.csv",       "report.html",
    "trace.json", "probe-gil-wait.svg", "probe-gc-pauses.svg", NULL,
};

int probe_report_write(const results *r, const char *dir, unsigned *ncharts,
                       char *err, size_t errlen) {
  probe_data d;
  unsigned drawn = 0;
  int rc = probe_data_build(r, &d);
  if (rc < 0)
    snprintf(err, errlen, "out of memory reading %s/results.jsonl", dir);
  if (rc == 0)
    rc = probe_summary_write(&d, dir, err, errlen);
  if (rc == 0)
    rc = probe_csv_write(&d, dir, err, errlen);
  if (rc == 0 && probe_trace_wanted(&d)) {
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/trace.json", dir);
    rc = probe_trace_write(&d, path, err, errlen);
  }
  /* Last: without gnuplot, everything else is written. */
  if (rc == 0)
    rc = probe_html_write(&d, dir, &drawn, err, errlen);
  if (ncharts)
    *ncharts = drawn;
  probe_data_free(&d);
  return rc;
}
