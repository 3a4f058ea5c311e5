/* memfit — memory per additional worker; see memfit.h. */
#include "memfit.h"

#include "escape.h"
#include "md.h"

#include <math.h>
#include <string.h>

double memfit_slope(const double *x, const double *y, size_t n) {
  double mx = 0, my = 0;
  for (size_t i = 0; i < n; i++)
    mx += x[i], my += y[i];
  if (n < 2)
    return NAN;
  mx /= (double)n;
  my /= (double)n;
  double sxy = 0, sxx = 0;
  for (size_t i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
  }
  return sxx > 0 ? sxy / sxx : NAN;
}

size_t memfit_row(const results *r, const cJSON *row, memfit_cost *out) {
  double x[MEMFIT_MAX_POINTS], uss[MEMFIT_MAX_POINTS], pss[MEMFIT_MAX_POINTS];
  double own_uss = NAN, own_pss = NAN;
  size_t n = 0;
  memset(out, 0, sizeof *out);
  out->uss_kb = out->pss_kb = NAN;
  for (size_t g = 0; g < r->ngroups && n < MEMFIT_MAX_POINTS; g++) {
    const results_group *grp = &r->groups[g];
    if (!results_same_row(grp->first, row))
      continue;
    stats_ci u = results_ci(grp, "mem.total.uss_peak_kb", NULL);
    stats_ci p = results_ci(grp, "mem.total.pss_peak_kb", NULL);
    if (!isfinite(u.median) || !isfinite(p.median))
      continue;
    unsigned w = (unsigned)results_num(grp->first, "workers");
    x[n] = w;
    uss[n] = u.median;
    pss[n] = p.median;
    if (!n || w < out->min)
      out->min = w;
    if (w > out->max)
      out->max = w;
    n++;
    own_uss = results_ci(grp, "mem.per_worker_kb.uss", NULL).median;
    own_pss = results_ci(grp, "mem.per_worker_kb.pss", NULL).median;
  }
  out->points = n;
  if (n >= 2 && out->min < out->max) {
    out->uss_kb = memfit_slope(x, uss, n);
    out->pss_kb = memfit_slope(x, pss, n);
    out->from_slope = 1;
  } else if (n == 1) {
    out->uss_kb = own_uss;
    out->pss_kb = own_pss;
  }
  return n;
}

/* kB as MiB; a value that rounds to 0.00 is shown as 0.00, never -0.00. */
static double mib(double kb) {
  double v = kb / 1024;
  return fabs(v) < 0.005 ? 0 : v;
}

void memfit_finding(FILE *f, const results *r, const char *wl) {
  const cJSON *cheap = NULL, *dear = NULL;
  memfit_cost cc = {0}, dc = {0};
  int any = 0, slopes = 0, owns = 0;
  for (size_t g = 0; g < r->ngroups; g++) {
    const cJSON *row = r->groups[g].first;
    memfit_cost c;
    if (strcmp(results_str(row, "workload"), wl) != 0 ||
        !results_row_first(r, g) || !memfit_row(r, row, &c) ||
        !isfinite(c.uss_kb))
      continue;
    if (!any++)
      fputs("**Finding:** what each additional worker costs in memory, as "
            "USS (private: what its exit would free) and PSS (shared pages "
            "split among their sharers):\n\n",
            f);
    fputs("- ", f);
    md_row_name(f, row);
    fprintf(f, ": %.2f MiB USS, %.2f MiB PSS", mib(c.uss_kb), mib(c.pss_kb));
    if (c.from_slope)
      fprintf(f, " (slope over %zu worker counts, %u to %u)\n", c.points, c.min,
              c.max);
    else
      fprintf(f, " (at %u worker%s only: the cells' own figure)\n", c.min,
              c.min == 1 ? "" : "s");
    slopes += c.from_slope;
    owns += !c.from_slope;
    if (!cheap || c.uss_kb < cc.uss_kb)
      cheap = row, cc = c;
    if (!dear || c.uss_kb > dc.uss_kb)
      dear = row, dc = c;
  }
  if (!any)
    return;
  fputc('\n', f);
  /* Below 0.1 MiB a figure is near what the readings resolve (a page
   * here and there of the cell's own allocations): no ratio to it. */
  if (cheap != dear && cc.uss_kb >= 100) {
    fputs("One more worker costs least under ", f);
    md_row_name(f, cheap);
    fputs(" and most under ", f);
    md_row_name(f, dear);
    fprintf(f, ", %.1f× as much private memory. ", dc.uss_kb / cc.uss_kb);
  } else if (cheap != dear) {
    fputs("One more worker costs least under ", f);
    md_row_name(f, cheap);
    fprintf(f, " (under 0.1 MiB: near what the readings resolve) and most "
               "under ");
    md_row_name(f, dear);
    fprintf(f, " (%.2f MiB). ", mib(dc.uss_kb));
  }
  if (slopes)
    fputs("Method: the least-squares slope, over the worker counts, of the "
          "median peak total of the cell's process and its worker "
          "processes (a threads cell has one process; what a cell has once, "
          "such as the interpreter, goes into the intercept).",
          f);
  if (owns) {
    fputs(slopes ? " With one worker count, the" : "Method: the", f);
    fputs(" records' own per-worker figure: what the cell grew by from "
          "before its workers started, over the workers (for worker "
          "processes, USS is each one's own).",
          f);
  }
  fputs("\n\n", f);
}
