/* report — see report.h. */
#include "report.h"

#include "csv.h"
#include "outfile.h"
#include "probe_data.h"
#include "probe_report.h"
#include "report_html.h"
#include "results.h"
#include "summary.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

int report_write(const char *dir, unsigned *ncharts, char *err, size_t errlen) {
  char path[PATH_MAX + 32];
  results r;
  unsigned drawn = 0;
  snprintf(path, sizeof path, "%s/results.jsonl", dir);
  int rc = results_load(path, &r, err, errlen);
  if (rc == 0 && probe_data_is_probe(&r)) {
    /* A probe's directory (gillab probe): its own reports. */
    rc = probe_report_write(&r, dir, ncharts, err, errlen);
    results_free(&r);
    return rc;
  }
  /* summary.md's text, made once for the file and for report.html. */
  char *md = NULL;
  size_t mdlen = 0;
  FILE *m = rc == 0 ? open_memstream(&md, &mdlen) : NULL;
  if (rc == 0 && !m) {
    snprintf(err, errlen, "out of memory");
    rc = -ENOMEM;
  }
  if (m) {
    summary_render(&r, m);
    fclose(m);
    snprintf(path, sizeof path, "%s/summary.md", dir);
    rc = outfile_write(path, md, mdlen, err, errlen);
  }
  if (rc == 0)
    rc = csv_write(&r, dir, err, errlen);
  if (rc == 0)
    rc = report_html_write_md(&r, dir, md, &drawn, err, errlen);
  free(md);
  if (ncharts)
    *ncharts = drawn;
  results_free(&r);
  return rc;
}
