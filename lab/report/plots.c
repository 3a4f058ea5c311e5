/* plots — see plots.h.
 *
 * One builder per chart: each picks its figures from the grouped records,
 * writes a gnuplot script with the data inline and has chart.c draw it, or
 * says in the plot's note why there is nothing to draw. The table at the
 * end (plots_table) names each chart and its builder, in the order a
 * report shows them.
 */
#include "plots.h"

#include "cellkind.h"

#include "chart.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ROWS 256

/* A line's label in charts: "3.11 threads" (+ placement, start method,
 * switch interval when set). Plain text: it goes into scripts through
 * chart_quote, and gnuplot escapes it in the SVG. */
static void row_label(const cJSON *row, char *buf, size_t len) {
  char model[128];
  results_model_label(row, model, sizeof model);
  const char *pl = results_str(row, "placement");
  snprintf(buf, len, "%s %s%s%s", results_str(row, "runtime"), model,
           strcmp(pl, "none") ? " " : "", strcmp(pl, "none") ? pl : "");
}

/* The worker count charts of one worker count show: the largest that does
 * not outnumber the CPUs (or the largest there is). */
static unsigned chart_workers(const results *r, const char *wl) {
  unsigned workers[MAX_ROWS];
  size_t n = results_workers(r, wl, workers, MAX_ROWS);
  double pus = results_num(r->meta, "machine.pus");
  unsigned best = n ? workers[n - 1] : 1;
  for (size_t k = 0; k < n; k++)
    if (isfinite(pus) && workers[k] <= pus)
      best = workers[k];
  return best;
}

/* The longer of n characters and s's: the key's longest title so far. */
static size_t longer(size_t n, const char *s) {
  size_t len = strlen(s);
  return len > n ? len : n;
}

/* Draws script (a memory stream's buffer, freed here) into c; when gnuplot
 * fails, the chart is left out with gnuplot's complaint as the note, so one
 * bad chart does not cost the others. */
static void draw(plots_chart *c, char *script) {
  chart_render(script, &c->svg, c->absent, sizeof c->absent);
  free(script);
}

/* What plot_by_workers returns when it could not build the script. */
#define NO_MEMORY ((size_t)-1)

/* Lines of one figure by workers, one per row of wl that has the figure
 * (python_only: no native rows), median with the interval as error bars:
 * the data blocks into s, the chart's size for its key (ref: the title of
 * the reference line the caller adds to the plot, or NULL), then
 * "plot ...". Returns the number of lines (with none, nothing is written),
 * or NO_MEMORY. */
static size_t plot_by_workers(FILE *s, const results *r, const char *wl,
                              const char *path, int python_only, double scale,
                              const char *ref) {
  char *plot = NULL;
  size_t plen, k = 0, longest = 0; /* the key's longest title */
  FILE *p = open_memstream(&plot, &plen);
  if (!p)
    return NO_MEMORY;
  for (size_t g = 0; g < r->ngroups; g++) {
    const cJSON *row = r->groups[g].first;
    if (strcmp(results_str(row, "workload"), wl) != 0 ||
        !results_row_first(r, g) || (python_only && results_is_native(row)))
      continue;
    char *data = NULL;
    size_t dlen, pts = 0;
    FILE *d = open_memstream(&data, &dlen);
    if (!d) {
      fclose(p);
      free(plot);
      return NO_MEMORY;
    }
    for (size_t h = 0; h < r->ngroups; h++) {
      if (!results_same_row(r->groups[h].first, row))
        continue;
      stats_ci c = results_ci(&r->groups[h], path, NULL);
      if (isfinite(c.median)) {
        fprintf(d, "%g %g %g %g\n", results_num(r->groups[h].first, "workers"),
                c.median * scale, c.lo * scale, c.hi * scale);
        pts++;
      }
    }
    fclose(d);
    if (pts) {
      char label[256];
      row_label(row, label, sizeof label);
      fprintf(s, "$r%zu << EOD\n%sEOD\n", k, data);
      fprintf(p, "%s$r%zu using 1:2:3:4 with yerrorlines", k ? ", " : "", k);
      chart_series(p, k);
      fputs(" title ", p);
      longest = longer(longest, label);
      chart_quote(p, label);
      k++;
    }
    free(data);
  }
  fclose(p);
  if (k) {
    chart_size(s, CHART_WIDTH, 400, k + (ref != NULL),
               ref ? longer(longest, ref) : longest);
    fprintf(s, "plot %s", plot);
  }
  free(plot);
  return k;
}

/* The note of a chart with no line to draw. */
static void no_lines(plots_chart *c, char *script, const char *path) {
  free(script);
  snprintf(c->absent, sizeof c->absent,
           "no cell of this workload was measured with %s", path);
}

/* The note of a chart whose script could not be built (a memory stream
 * could not be opened); script (may be NULL) is freed. */
static void no_memory(plots_chart *c, char *script) {
  free(script);
  snprintf(c->absent, sizeof c->absent,
           "out of memory writing its gnuplot script");
}

/* A chart's script: a memory stream (*buf, freed by the caller once the
 * stream is closed) that starts with the preamble of a width x height
 * chart. NULL, with the chart's note said, when it cannot be opened. */
static FILE *script_open(char **buf, size_t *len, int width, int height,
                         plots_chart *c) {
  FILE *s = open_memstream(buf, len);
  if (!s) {
    no_memory(c, NULL);
    return NULL;
  }
  chart_preamble(s, width, height);
  return s;
}

/* The x axis of a chart by workers: a tic at each worker count of wl, and
 * a log scale when they span 8 times or more (returns 1 then). */
static int xtics_workers(FILE *s, const results *r, const char *wl) {
  unsigned workers[MAX_ROWS];
  double v[MAX_ROWS];
  size_t n = results_workers(r, wl, workers, MAX_ROWS);
  for (size_t k = 0; k < n; k++)
    v[k] = workers[k];
  fprintf(s, "set xlabel 'workers (count)'\n");
  return chart_count_axis(s, 'x', v, n);
}

static void chart_speedup(const results *r, const char *wl, plots_chart *c) {
  char *buf;
  size_t len;
  FILE *s = script_open(&buf, &len, CHART_WIDTH, 400, c);
  if (!s)
    return;
  fprintf(s, "set ylabel 'speedup (× 1 worker)'\n");
  /* Log-log when the workers span a log scale: the ideal stays a
   * diagonal. */
  if (xtics_workers(s, r, wl))
    fprintf(s, "set logscale y 2\nset format y '%%g'\n");
  else
    fprintf(s, "set yrange [0:*]\n");
  /* Waiting workers overlap whatever the CPUs: their bound is the
   * workers (the ideal), not the CPUs. */
  double pus = cellkind_work_of(r, wl) == CELLKIND_WAITING
                   ? NAN
                   : results_num(r->meta, "machine.pus");
  if (isfinite(pus))
    fprintf(s,
            "set arrow from graph 0, first %g to graph 1, first %g nohead "
            "dt 3 lw 2 lc rgb '#444444'\nset label 'CPUs: %g' at graph 0.02, "
            "first %g offset 0,0.7 tc rgb '#444444'\n",
            pus, pus, pus, pus);
  size_t lines = plot_by_workers(s, r, wl, "speedup", 0, 1, "ideal: N");
  fprintf(s, ", x with lines ls %d title 'ideal: N'\n", CHART_REF);
  fclose(s);
  if (lines == NO_MEMORY)
    return no_memory(c, buf);
  if (!lines)
    return no_lines(c, buf, "speedup");
  draw(c, buf);
}

static void chart_throughput(const results *r, const char *wl, plots_chart *c) {
  char *buf;
  size_t len;
  FILE *s = script_open(&buf, &len, CHART_WIDTH, 400, c);
  if (!s)
    return;
  fprintf(s, "set ylabel 'throughput (ops/s)'\n"
             "set logscale y\nset format y '%%.0s%%c'\n");
  xtics_workers(s, r, wl);
  size_t lines = plot_by_workers(s, r, wl, "throughput", 0, 1, NULL);
  fputc('\n', s);
  fclose(s);
  if (lines == NO_MEMORY)
    return no_memory(c, buf);
  if (!lines)
    return no_lines(c, buf, "throughput");
  draw(c, buf);
}

static void chart_gil_wait(const results *r, const char *wl, plots_chart *c) {
  if (!results_has_item(r, wl, "gil.wait_share")) {
    snprintf(c->absent, sizeof c->absent,
             "no cell of this workload has GIL figures (gil.wait_share): "
             "native models only, or the probe was off");
    return;
  }
  char *buf;
  size_t len;
  FILE *s = script_open(&buf, &len, CHART_WIDTH, 400, c);
  if (!s)
    return;
  fprintf(s, "set ylabel 'GIL wait (%% of each worker''s time)'\n"
             "set yrange [0:100]\n");
  xtics_workers(s, r, wl);
  size_t lines = plot_by_workers(s, r, wl, "gil.wait_share", 1, 100,
                                 "(n-1)/n: CPU-bound threads under one GIL");
  fprintf(s,
          ", 100*(x-1)/x with lines ls %d title '(n-1)/n: CPU-bound "
          "threads under one GIL'\n",
          CHART_REF);
  fclose(s);
  if (lines == NO_MEMORY)
    return no_memory(c, buf);
  if (!lines)
    return no_lines(c, buf, "gil.wait_share");
  draw(c, buf);
}

/* The repetition of g with the median throughput (the one charts of a
 * single repetition show), or NULL. */
static const cJSON *median_rep(const results_group *g) {
  const cJSON *ok[MAX_ROWS];
  size_t n = 0;
  for (size_t i = 0; i < g->n && n < MAX_ROWS; i++)
    if (results_ok(g->recs[i]))
      ok[n++] = g->recs[i];
  for (size_t i = 1; i < n; i++) /* insertion sort by throughput */
    for (size_t j = i; j > 0 && results_num(ok[j - 1], "throughput") >
                                    results_num(ok[j], "throughput");
         j--) {
      const cJSON *t = ok[j];
      ok[j] = ok[j - 1];
      ok[j - 1] = t;
    }
  return n ? ok[(n - 1) / 2] : NULL;
}

static void chart_threads(const results *r, const char *wl, plots_chart *c) {
  unsigned w = chart_workers(r, wl);
  char *buf;
  size_t len;
  FILE *s = script_open(&buf, &len, CHART_WIDTH, 420, c);
  if (!s)
    return;
  fprintf(s, "$d << EOD\n");
  /* The bars' names go into an array through chart_quote, not into the
   * data block: data blocks hold numbers only. */
  char *names = NULL;
  size_t nlen, bars = 0;
  FILE *nm = open_memstream(&names, &nlen);
  if (!nm) {
    fclose(s);
    free(buf);
    snprintf(c->absent, sizeof c->absent, "out of memory");
    return;
  }
  for (size_t g = 0; g < r->ngroups; g++) {
    const cJSON *row = r->groups[g].first;
    if (strcmp(results_str(row, "workload"), wl) != 0 ||
        results_num(row, "workers") != w)
      continue;
    const cJSON *rec = median_rep(&r->groups[g]);
    /* The GIL probe's per-thread list carries the time split and the GIL
     * wait; native cells have the split in per_worker. */
    const cJSON *list = results_get(rec, "gil.per_thread");
    if (!cJSON_IsArray(list) || !cJSON_GetArraySize(list))
      list = results_get(rec, "per_worker");
    const cJSON *t;
    size_t i = 0;
    char label[256];
    row_label(row, label, sizeof label);
    cJSON_ArrayForEach(t, list) {
      double cpu = results_num(t, "cpu_s"), runq = results_num(t, "runq_s");
      double blocked = results_num(t, "blocked_s");
      double wait = results_num(t, "wait_s");
      if (!isfinite(cpu) || !isfinite(blocked))
        continue;
      if (!isfinite(wait))
        wait = 0;
      char name[300];
      snprintf(name, sizeof name, "%s #%zu", label, i++);
      fprintf(nm, "N[%zu] = ", ++bars);
      chart_quote(nm, name);
      fprintf(nm, "\n");
      fprintf(s, "%g %g %g %g\n", cpu, wait, isfinite(runq) ? runq : 0,
              fmax(0, blocked - wait));
    }
  }
  fprintf(s, "EOD\n");
  fclose(nm);
  if (!bars) {
    fclose(s);
    free(buf);
    free(names);
    snprintf(c->absent, sizeof c->absent,
             "no cell at %u workers has per-thread times (cpu_s, runq_s, "
             "blocked_s)",
             w);
    return;
  }
  fprintf(s, "array N[%zu]\n%s", bars, names);
  free(names);
  /* The bars' labels are long and turned: the plot grows with the key's
   * rows and their room. */
  chart_size(s, CHART_WIDTH, 560, 4, strlen("other blocked"));
  fprintf(s,
          "set style data histograms\nset style histogram rowstacked\n"
          "set style fill solid 0.9 border -1\nset boxwidth 0.7\n"
          "set ylabel 'time (s)'\nset yrange [0:*]\nunset grid\n"
          "set grid ytics lc rgb '#dddddd'\n"
          "set xtics rotate by -30 left\n"
          "plot $d using 1:xtic(N[int(column(0)) + 1]) lc rgb '%s' "
          "title 'on CPU', "
          "'' using 2 lc rgb '%s' title 'GIL wait', "
          "'' using 3 lc rgb '%s' title 'run queue', "
          "'' using 4 lc rgb '#aaaaaa' title 'other blocked'\n",
          chart_colour(0), chart_colour(1), chart_colour(4));
  fclose(s);
  draw(c, buf);
}

/* Sums the [[upper, count], ...] histograms at path over g's ok
 * repetitions into edges/counts (sorted by edge); returns how many. */
static size_t sum_hist(const results_group *g, const char *path, double *edges,
                       double *counts, size_t max) {
  size_t n = 0;
  for (size_t i = 0; i < g->n; i++) {
    if (!results_ok(g->recs[i]))
      continue;
    const cJSON *pair;
    cJSON_ArrayForEach(pair, results_get(g->recs[i], path)) {
      const cJSON *e = cJSON_GetArrayItem(pair, 0);
      const cJSON *k = cJSON_GetArrayItem(pair, 1);
      if (!cJSON_IsNumber(e) || !cJSON_IsNumber(k))
        continue;
      size_t j = 0;
      while (j < n && edges[j] != e->valuedouble)
        j++;
      if (j == n) {
        if (n == max)
          continue;
        edges[n] = e->valuedouble;
        counts[n++] = 0;
      }
      counts[j] += k->valuedouble;
    }
  }
  for (size_t i = 1; i < n; i++)
    for (size_t j = i; j > 0 && edges[j - 1] > edges[j]; j--) {
      double t = edges[j];
      edges[j] = edges[j - 1];
      edges[j - 1] = t;
      t = counts[j];
      counts[j] = counts[j - 1];
      counts[j - 1] = t;
    }
  return n;
}

#define MAX_BUCKETS 1024

/* A histogram chart (cdf: cumulative fractions) over the groups of wl
 * that have one at path; only at worker count w unless w is 0 (then every
 * group with more than one worker). */
static void chart_hist(const results *r, const char *wl, const char *path,
                       unsigned w, int cdf, const char *xlabel,
                       plots_chart *c) {
  static double edges[MAX_BUCKETS], counts[MAX_BUCKETS];
  char *buf;
  size_t len;
  FILE *s = script_open(&buf, &len, CHART_WIDTH, 400, c);
  if (!s)
    return;
  size_t k = 0, longest = 0; /* the key's longest title */
  char *plot = NULL;
  size_t plen;
  double lo = INFINITY, hi = 0; /* the x axis' span */
  FILE *p = open_memstream(&plot, &plen);
  if (!p) {
    fclose(s);
    return no_memory(c, buf);
  }
  for (size_t g = 0; g < r->ngroups; g++) {
    const results_group *grp = &r->groups[g];
    double gw = results_num(grp->first, "workers");
    if (strcmp(results_str(grp->first, "workload"), wl) != 0 ||
        (w ? gw != w : gw < 2))
      continue;
    size_t n = sum_hist(grp, path, edges, counts, MAX_BUCKETS);
    double total = 0;
    for (size_t i = 0; i < n; i++)
      total += counts[i];
    if (!n || total <= 0)
      continue;
    fprintf(s, "$h%zu << EOD\n", k);
    double cum = 0;
    if (cdf)
      fprintf(s, "%g 0\n", edges[0] / 2);
    lo = fmin(lo, cdf ? edges[0] / 2 : edges[0]);
    hi = fmax(hi, edges[n - 1]);
    for (size_t i = 0; i < n; i++) {
      cum += counts[i];
      fprintf(s, "%g %g\n", edges[i], cdf ? cum / total * 100 : counts[i]);
    }
    fprintf(s, "EOD\n");
    char label[300];
    row_label(grp->first, label, sizeof label);
    size_t used = strlen(label);
    snprintf(label + used, sizeof label - used, " n=%g", gw);
    fprintf(p, "%s$h%zu using 1:2 with %s", k ? ", " : "", k,
            cdf ? "steps" : "linespoints");
    chart_series(p, k);
    fputs(" title ", p);
    longest = longer(longest, label);
    chart_quote(p, label);
    k++;
  }
  fclose(p);
  if (!k) {
    fclose(s);
    free(buf);
    free(plot);
    snprintf(c->absent, sizeof c->absent, "no cell of this workload%s has %s",
             w ? " at that worker count" : "", path);
    return;
  }
  chart_log_axis(s, 'x', lo, hi);
  fprintf(s, "set xlabel ");
  chart_quote(s, xlabel);
  fputc('\n', s);
  if (cdf)
    fprintf(s, "set ylabel 'acquisitions at most x (%%)'\n"
               "set yrange [0:102]\n");
  else
    fprintf(s, "set logscale y\nset ylabel 'pauses in the bucket (count)'\n");
  chart_size(s, CHART_WIDTH, 400, k, longest);
  fprintf(s, "plot %s\n", plot);
  free(plot);
  fclose(s);
  draw(c, buf);
}

static void chart_cores(const results *r, const char *wl, plots_chart *c) {
  char *buf;
  size_t len;
  FILE *s = script_open(&buf, &len, CHART_WIDTH, 200, c);
  if (!s)
    return;
  fprintf(s, "$m << EOD\n");
  char *tics = NULL;
  size_t tlen;
  FILE *t = open_memstream(&tics, &tlen);
  if (!t) {
    fclose(s);
    return no_memory(c, buf);
  }
  size_t rows = 0, ncpu = 0, longest = 0; /* the rows' longest name */
  for (size_t g = 0; g < r->ngroups && rows < MAX_ROWS; g++) {
    const results_group *grp = &r->groups[g];
    if (strcmp(results_str(grp->first, "workload"), wl) != 0)
      continue;
    double sum[MAX_ROWS] = {0};
    size_t n = 0, width = 0;
    for (size_t i = 0; i < grp->n; i++) {
      const cJSON *busy = results_get(grp->recs[i], "cores.busy");
      if (!results_ok(grp->recs[i]) || !cJSON_IsArray(busy))
        continue;
      size_t j = 0;
      const cJSON *b;
      cJSON_ArrayForEach(b, busy) {
        if (j < MAX_ROWS && cJSON_IsNumber(b))
          sum[j] += b->valuedouble;
        j++;
      }
      width = j > width ? j : width;
      n++;
    }
    if (!n || !width)
      continue;
    if (ncpu == 0)
      ncpu = width < MAX_ROWS ? width : MAX_ROWS;
    for (size_t j = 0; j < ncpu; j++)
      fprintf(s, "%s%.1f", j ? " " : "", sum[j] / (double)n * 100);
    fputc('\n', s);
    char label[300];
    row_label(grp->first, label, sizeof label);
    size_t used = strlen(label);
    snprintf(label + used, sizeof label - used, " n=%g",
             results_num(grp->first, "workers"));
    fprintf(t, "%s", rows ? ", " : "");
    longest = longer(longest, label);
    chart_quote(t, label);
    fprintf(t, " %zu", rows);
    rows++;
  }
  fprintf(s, "EOD\n");
  fclose(t);
  if (!rows) {
    fclose(s);
    free(buf);
    free(tics);
    snprintf(c->absent, sizeof c->absent,
             "no cell of this workload has per-CPU use (cores.busy)");
    return;
  }
  /* The terminal size grows with the rows: redo the preamble's size. At
   * least 266 pixels, so that a row or two still leave room for the
   * colour box's scale. The left margin fits the rows' names, up to 40
   * characters: gnuplot's own margin would leave no room for the plot
   * after longer ones, and draw nothing. */
  chart_size(s, CHART_WIDTH, rows > 4 ? 130 + (int)rows * 34 : 266, 0, 0);
  fprintf(s, "set lmargin %zu\n", (longest < 40 ? longest : 40) + 2);
  fprintf(s,
          "set ytics (%s)\nset yrange [-0.5:%zu.5]\nset xrange [-0.5:%zu.5]\n"
          "set xlabel 'CPU (OS number)'\nset xtics %d\nset cbrange [0:100]\n"
          "set cblabel 'busy (%%)'\nset palette defined (0 "
          "'#ffffff', 100 '#08306b')\nunset grid\n"
          /* pixels: one rectangle per cell, not an embedded bitmap the
           * browser would blur; each cell also says its value. */
          "plot $m matrix with image pixels notitle, $m matrix using "
          "1:2:(sprintf('%%.0f%%%%', $3)):($3 > 50 ? 0xffffff : 0x222222) "
          "with labels tc rgb variable notitle\n",
          tics, rows - 1, ncpu - 1,
          ncpu > 32   ? 4
          : ncpu > 16 ? 2
                      : 1);
  free(tics);
  fclose(s);
  draw(c, buf);
}

static void chart_convoy(const results *r, const char *wl, plots_chart *c) {
  if (!results_has_item(r, wl, "convoy.round_trips_per_s")) {
    snprintf(c->absent, sizeof c->absent,
             "no cell of this workload has convoy figures "
             "(convoy.round_trips_per_s)");
    return;
  }
  char *buf;
  size_t len;
  FILE *s = script_open(&buf, &len, CHART_WIDTH, 400, c);
  if (!s)
    return;
  fprintf(s, "set xlabel 'CPU-bound threads (count)'\n"
             "set ylabel 'I/O round trips (per s)'\nset logscale y\n"
             "set format y '%%.0s%%c'\n");
  /* The x axis' tics: every count of CPU-bound threads of any line. */
  double xs[MAX_ROWS];
  size_t nx = 0, k = 0, longest = 0; /* the key's longest title */
  char *plot = NULL;
  size_t plen;
  FILE *p = open_memstream(&plot, &plen);
  if (!p) {
    fclose(s);
    return no_memory(c, buf);
  }
  /* One line per cell but for its CPU-bound threads (runtime, model,
   * placement, workers, ...), its points the cells with 0, 1, ... K. */
  for (size_t g = 0; g < r->ngroups; g++) {
    const cJSON *row = r->groups[g].first;
    if (strcmp(results_str(row, "workload"), wl) != 0)
      continue;
    int seen = 0;
    for (size_t h = 0; h < g && !seen; h++)
      seen = results_same_but_cpu(r->groups[h].first, row);
    if (seen)
      continue;
    double pt[MAX_ROWS][4];
    size_t pts = 0;
    for (size_t h = g; h < r->ngroups && pts < MAX_ROWS; h++) {
      if (!results_same_but_cpu(r->groups[h].first, row))
        continue;
      stats_ci x = results_ci(&r->groups[h], "convoy.cpu_threads", NULL);
      stats_ci y = results_ci(&r->groups[h], "convoy.round_trips_per_s", NULL);
      if (!isfinite(x.median) || !isfinite(y.median))
        continue;
      size_t i = pts++; /* insertion by CPU-bound threads */
      while (i > 0 && pt[i - 1][0] > x.median) {
        memcpy(pt[i], pt[i - 1], sizeof pt[i]);
        i--;
      }
      pt[i][0] = x.median, pt[i][1] = y.median, pt[i][2] = y.lo,
      pt[i][3] = y.hi;
    }
    if (!pts)
      continue;
    fprintf(s, "$c%zu << EOD\n", k);
    for (size_t i = 0; i < pts; i++) {
      fprintf(s, "%g %g %g %g\n", pt[i][0], pt[i][1], pt[i][2], pt[i][3]);
      size_t j = nx; /* insertion into the sorted, distinct xs */
      while (j > 0 && xs[j - 1] > pt[i][0])
        j--;
      if ((j == 0 || xs[j - 1] != pt[i][0]) && nx < MAX_ROWS) {
        memmove(&xs[j + 1], &xs[j], (nx - j) * sizeof xs[0]);
        xs[j] = pt[i][0];
        nx++;
      }
    }
    fprintf(s, "EOD\n");
    char model[128], label[300];
    results_model_label(row, model, sizeof model);
    /* The model label ends in ", K cpu": the x axis says that here. */
    char *cpu = strstr(model, ", ");
    while (cpu && strstr(cpu + 2, ", "))
      cpu = strstr(cpu + 2, ", ");
    if (cpu && strstr(cpu, " cpu"))
      *cpu = '\0';
    const char *pl = results_str(row, "placement");
    snprintf(label, sizeof label, "%s %s%s%s n=%g", results_str(row, "runtime"),
             model, strcmp(pl, "none") ? " " : "", strcmp(pl, "none") ? pl : "",
             results_num(row, "workers"));
    fprintf(p, "%s$c%zu using 1:2:3:4 with yerrorlines", k ? ", " : "", k);
    chart_series(p, k);
    fputs(" title ", p);
    longest = longer(longest, label);
    chart_quote(p, label);
    k++;
  }
  fclose(p);
  chart_count_axis(s, 'x', xs, nx);
  chart_size(s, CHART_WIDTH, 400, k, longest);
  fprintf(s, "plot %s\n", plot);
  free(plot);
  fclose(s);
  if (!k)
    return no_lines(c, buf, "convoy.round_trips_per_s");
  draw(c, buf);
}

/* A workload name as part of a file name: [A-Za-z0-9._-] kept, the rest
 * '_'. */
static void file_part(char *out, size_t len, const char *s) {
  size_t i = 0;
  for (; *s && i + 1 < len; s++)
    out[i++] = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
                       (*s >= '0' && *s <= '9') || *s == '.' || *s == '-'
                   ? *s
                   : '_';
  out[i] = '\0';
}

/* The histograms, each a chart of its own. */
static void chart_acq_cdf(const results *r, const char *wl, plots_chart *c) {
  chart_hist(r, wl, "gil.acq_hist", 0, 1, "GIL acquisition latency (µs)", c);
}

static void chart_gc(const results *r, const char *wl, plots_chart *c) {
  chart_hist(r, wl, "gc.hist", chart_workers(r, wl), 0,
             "GC pause (µs, the bucket's upper edge)", c);
}

static void chart_dealloc(const results *r, const char *wl, plots_chart *c) {
  chart_hist(r, wl, "dealloc.hist", chart_workers(r, wl), 0,
             "deallocation pause (µs, the bucket's upper edge)", c);
}

/* The charts, in the order a workload's section shows them: the file
 * name's last part, the title, the caption (how to read the chart) and the
 * builder. */
static const struct {
  const char *name, *title, *caption;
  void (*make)(const results *r, const char *wl, plots_chart *c);
} plots_table[] = {
    {"speedup", "Speedup by workers",
     "Each line is one model (and runtime), its points the median speedup "
     "over 1 worker, its error bars the interval of that median. The dashed "
     "diagonal is the ideal (N workers, N times as fast); the dotted grey "
     "line is the number of CPUs, past which no model can go. The "
     "native-threads and native-procs lines are the same work in C, the "
     "ceiling the machine allows.",
     chart_speedup},
    {"throughput", "Throughput by workers",
     "Operations per second (log scale) by workers, median with its "
     "interval. The vertical gap between a Python line and its native twin "
     "is what the interpreter costs per operation.",
     chart_throughput},
    {"gil-wait", "GIL wait by workers",
     "The share of each Python worker's time spent waiting for the GIL. The "
     "dashed curve (n-1)/n is what n CPU-bound threads sharing one GIL must "
     "wait: a line on it means the GIL serializes the work; a line near 0 "
     "means the threads release the GIL (I/O, C code) or run without it.",
     chart_gil_wait},
    {"threads", "Where each worker's time went",
     "One bar per worker thread of each model, at the worker count shown, "
     "in the repetition with the median throughput: time on a CPU, waiting "
     "for the GIL, waiting in the kernel's run queue for a CPU, and blocked "
     "for any other reason (I/O, sleep, locks). A bar that is mostly GIL "
     "wait is a thread that had work but no turn.",
     chart_threads},
    {"acq-cdf", "GIL acquisition latency (CDF)",
     "For each Python cell with more than one worker, all repetitions "
     "together: the share of contended GIL acquisitions (y, %) that took at "
     "most x microseconds (log scale). A step near 5000 us means threads "
     "waited out the whole switch interval for their turn.",
     chart_acq_cdf},
    {"gc-pauses", "GC pause histogram",
     "How many garbage-collector pauses (y, log scale) fell in each duration "
     "bucket (x: the bucket's upper edge in microseconds, log scale), all "
     "repetitions together. Every thread waits out a pause, so the right "
     "tail is what a latency-sensitive service feels.",
     chart_gc},
    {"dealloc-pauses", "Deallocation pause histogram",
     "How many drops of a large object graph (y, log scale) took each "
     "duration (x: the bucket's upper edge in microseconds, log scale), all "
     "repetitions together: freeing memory by reference counting runs in "
     "the thread that drops the last reference, and holds the GIL.",
     chart_dealloc},
    {"cores", "Per-CPU utilization",
     "Each row is one cell (model and workers, mean over the repetitions), "
     "each column one CPU; the colour is the fraction of the timed region "
     "that CPU was busy, from white (idle) to dark blue (always busy). A row "
     "with one dark column ran on one CPU whatever its worker count.",
     chart_cores},
    {"convoy", "Convoy: I/O round trips against CPU-bound threads",
     "Round trips per second of the I/O thread (y, log scale) as CPU-bound "
     "threads are added (x). A Python line that falls while its native twin "
     "holds is the convoy effect: after every wake-up the I/O thread waits "
     "for the GIL behind the CPU-bound threads.",
     chart_convoy},
};
_Static_assert(sizeof plots_table / sizeof plots_table[0] == PLOTS_COUNT,
               "PLOTS_COUNT is the number of charts in plots_table");

/* Why a workload of kind k has neither throughput nor speedup to draw, or
 * NULL: a server, memory or message-size experiment, or a latency
 * experiment measured per operation (os.spawn, os.switch), measures
 * something else per cell, shown in summary.md's tables. */
static const char *not_scaling(const results *r, const char *wl,
                               cellkind_work k) {
  switch (k) {
  case CELLKIND_SERVE:
    return "a server experiment: requests per second by connections";
  case CELLKIND_MEMORY:
    return "a memory experiment: what the workers hold, phase by phase";
  case CELLKIND_MESSAGES:
    return "a message experiment: throughput and latency by message size";
  case CELLKIND_LATENCY:
    if (cellkind_per_operation(r, wl))
      return "a latency experiment: what one operation costs, as "
             "percentiles";
    break;
  case CELLKIND_COMPUTE:
  case CELLKIND_WAITING:
    break;
  }
  return NULL;
}

void plots_make(const results *r, const char *wl, plots_chart *cs) {
  char part[200];
  file_part(part, sizeof part, wl);
  cellkind_work kind = cellkind_work_of(r, wl);
  const char *other = not_scaling(r, wl, kind);
  for (int i = 0; i < PLOTS_COUNT; i++) {
    memset(&cs[i], 0, sizeof cs[i]);
    cs[i].title = plots_table[i].title;
    cs[i].caption = plots_table[i].caption;
    snprintf(cs[i].file, sizeof cs[i].file, "%s-%s.svg", part,
             plots_table[i].name);
    /* Round trips (the convoy, the echo) do have a throughput by
     * workers, the round trips per second, but no speedup: more workers
     * are more clients, not the same work shared. */
    if (!other && plots_table[i].make == chart_speedup &&
        !cellkind_has_speedup(kind)) {
      snprintf(cs[i].absent, sizeof cs[i].absent,
               "a latency experiment: more workers are more clients making "
               "round trips, not one piece of work shared, so there is no "
               "speedup to draw; the round trips are in the throughput chart "
               "and the summary's tables");
      continue;
    }
    if (other && (plots_table[i].make == chart_speedup ||
                  plots_table[i].make == chart_throughput)) {
      snprintf(cs[i].absent, sizeof cs[i].absent,
               "not a scaling experiment (%s): its figures are the tables "
               "of the summary",
               other);
      continue;
    }
    plots_table[i].make(r, wl, &cs[i]);
  }
}

void plots_free(plots_chart *cs) {
  for (int i = 0; i < PLOTS_COUNT; i++) {
    free(cs[i].svg);
    cs[i].svg = NULL;
  }
}
