/* probe_plots — see probe_plots.h. Names of threads and programs go into
 * the scripts through chart_quote only, as in plots.c. */
#include "probe_plots.h"

#include "chart.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A chart's script in two parts: s, the settings and the data blocks, and
 * p, the plot command's list of lines, appended to s at the end. */
typedef struct {
  char *buf, *plot;
  size_t len, plen;
  FILE *s, *p;
  size_t longest; /* the key's longest title, in characters */
} script;

/* A line's title, into the plot command: "1000 worker-a" (pid, thread) or
 * "1000 python3 gen 2". */
static void title(script *sc, const probe_data_proc *p, const char *what) {
  char buf[160];
  snprintf(buf, sizeof buf, "%ld %s %s", p->pid, probe_data_exe_name(p), what);
  chart_quote(sc->p, buf);
  if (strlen(buf) > sc->longest)
    sc->longest = strlen(buf);
}

/* Opens both parts (0), or says "out of memory" in c (-1). */
static int script_open(script *sc, plots_chart *c) {
  memset(sc, 0, sizeof *sc);
  sc->s = open_memstream(&sc->buf, &sc->len);
  sc->p = open_memstream(&sc->plot, &sc->plen);
  if (sc->s && sc->p)
    return 0;
  if (sc->s)
    fclose(sc->s);
  if (sc->p)
    fclose(sc->p);
  free(sc->buf);
  free(sc->plot);
  snprintf(c->absent, sizeof c->absent, "out of memory");
  return -1;
}

/* Ends the script with its plot command and draws it, or says none when it
 * has no line. */
static void script_draw(script *sc, size_t lines, plots_chart *c,
                        const char *none) {
  fclose(sc->p);
  if (lines) {
    chart_size(sc->s, CHART_WIDTH, 420, lines, sc->longest);
    fprintf(sc->s, "plot %s\n", sc->plot);
  }
  free(sc->plot);
  fclose(sc->s);
  if (!lines)
    snprintf(c->absent, sizeof c->absent, "%s", none);
  else
    chart_render(sc->buf, &c->svg, c->absent, sizeof c->absent);
  free(sc->buf);
}

static void chart_wait(const probe_data *d, plots_chart *c) {
  script sc;
  size_t lines = 0;
  if (script_open(&sc, c) < 0)
    return;
  FILE *s = sc.s, *p = sc.p;
  chart_preamble(s, CHART_WIDTH, 420);
  fputs("set xlabel 'time since the command started (s)'\n"
        "set ylabel 'GIL wait (% of the interval)'\n"
        "set yrange [0:100]\n",
        s);
  for (size_t i = 0; i < d->nprocs; i++) {
    const probe_data_proc *pr = &d->procs[i];
    const probe_data_iv *last = probe_data_last(pr);
    for (size_t t = 0; pr->probed && last && t < last->nthreads; t++) {
      const probe_data_thread *th = &last->threads[t];
      fprintf(s, "$w%zu << EOD\n", lines);
      double end = NAN, share = NAN;
      for (size_t k = 0; k < pr->niv; k++) {
        probe_data_change dl;
        if (probe_data_delta(pr, k, th->tid, &dl) < 0)
          continue;
        share = dl.gil_wait_ns / dl.wall_ns * 100;
        fprintf(s, "%g %g\n", (dl.start_ns - d->t0_ns) / 1e9, share);
        end = (dl.end_ns - d->t0_ns) / 1e9;
      }
      /* The step of the last interval ends at its end. */
      if (isfinite(end))
        fprintf(s, "%g %g\n", end, share);
      fputs("EOD\n", s);
      char label[64];
      fprintf(p, "%s$w%zu using 1:2 with steps", lines ? ", " : "", lines);
      chart_series(p, lines);
      fputs(" title ", p);
      title(&sc, pr, probe_data_thread_label(th, label, sizeof label));
      lines++;
    }
  }
  script_draw(&sc, lines, c,
              "no thread of a probed process wrote an interval line");
}

static void chart_gc(const probe_data *d, plots_chart *c) {
  script sc;
  size_t lines = 0;
  double lo = INFINITY, hi = 0; /* the x axis' span */
  if (script_open(&sc, c) < 0)
    return;
  FILE *s = sc.s, *p = sc.p;
  chart_preamble(s, CHART_WIDTH, 420);
  fputs("set xlabel 'pause (µs, upper edge of the bucket)'\n"
        "set ylabel 'collections (count)'\nset yrange [0:*]\n",
        s);
  for (size_t i = 0; i < d->nprocs; i++) {
    const probe_data_proc *pr = &d->procs[i];
    const probe_data_iv *last = probe_data_last(pr);
    const cJSON *g;
    if (!pr->probed || !last)
      continue;
    cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(last->rec, "gc")) {
      const cJSON *b, *hist = cJSON_GetObjectItemCaseSensitive(g, "hist");
      if (!(probe_data_hist_count(hist) > 0))
        continue;
      fprintf(s, "$g%zu << EOD\n", lines);
      cJSON_ArrayForEach(b, hist) {
        const cJSON *u = cJSON_GetArrayItem(b, 0),
                    *n = cJSON_GetArrayItem(b, 1);
        if (cJSON_IsNumber(u) && cJSON_IsNumber(n)) {
          fprintf(s, "%g %g\n", u->valuedouble / 1e3, n->valuedouble);
          lo = fmin(lo, u->valuedouble / 1e3);
          hi = fmax(hi, u->valuedouble / 1e3);
        }
      }
      fputs("EOD\n", s);
      char what[32];
      snprintf(what, sizeof what, "gen %.0f", results_num(g, "gen"));
      fprintf(p, "%s$g%zu using 1:2 with linespoints", lines ? ", " : "",
              lines);
      chart_series(p, lines);
      fputs(" title ", p);
      title(&sc, pr, what);
      lines++;
    }
  }
  chart_log_axis(s, 'x', lo, hi);
  script_draw(&sc, lines, c, "no probed process recorded a GC collection");
}

void probe_plots_make(const probe_data *d, plots_chart *ps) {
  memset(ps, 0, PROBE_PLOTS_COUNT * sizeof *ps);
  ps[0].title = "GIL wait share per thread over time";
  ps[0].caption =
      "Each line is a thread of a probed process: the share of each "
      "interval it spent waiting for the GIL (a step per interval). Two "
      "CPU-bound threads that take turns sit at 50 % each; a line that "
      "rises shows when contention started.";
  snprintf(ps[0].file, sizeof ps[0].file, "probe-gil-wait.svg");
  chart_wait(d, &ps[0]);
  ps[1].title = "GC pauses";
  ps[1].caption =
      "How many collections of each generation paused the process for how "
      "long (the probe's histogram buckets, upper edges, log scale). Pauses "
      "far to the right are the ones a latency-sensitive service feels.";
  snprintf(ps[1].file, sizeof ps[1].file, "probe-gc-pauses.svg");
  chart_gc(d, &ps[1]);
}

void probe_plots_free(plots_chart *ps) {
  for (int i = 0; i < PROBE_PLOTS_COUNT; i++) {
    free(ps[i].svg);
    ps[i].svg = NULL;
  }
}
