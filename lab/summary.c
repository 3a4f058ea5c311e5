/* summary — see summary.h.
 *
 * Every figure is a median over the repetitions of one cell key, written
 * with its interval (stats.h); every finding is computed from those same
 * medians and intervals, and says so when the interval is too wide to tell.
 */
#include "summary.h"

#include "escape.h"
#include "meta.h"
#include "record.h"
#include "registry.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WORKERS 256

/* How a table's figures are shown. */
typedef enum { FMT_SI, FMT_RATIO, FMT_PERCENT, FMT_US } cell_fmt;

/* One table: the path of the figure in the records, and how to show it.
 * efficiency is speedup / workers (not a record field). */
typedef struct {
  const char *path;
  cell_fmt fmt;
  int python_only; /* native rows have no such figure */
  int efficiency;
} metric;

static void fmt_value(char *buf, size_t len, double v, cell_fmt fmt) {
  if (!isfinite(v))
    snprintf(buf, len, "–");
  else if (fmt == FMT_SI || fmt == FMT_US)
    results_fmt_si(buf, len, v);
  else if (fmt == FMT_PERCENT)
    snprintf(buf, len, "%.0f%%", v * 100);
  else
    snprintf(buf, len, "%.2f", v);
}

/* The figure of group g: its interval, scaled for efficiency. */
static stats_ci metric_ci(const results_group *g, const metric *m,
                          size_t *tried) {
  stats_ci c = results_ci(g, m->path, tried);
  if (m->efficiency) {
    double w = results_num(g->first, "workers");
    c.median /= w;
    c.lo /= w;
    c.hi /= w;
  }
  return c;
}

/* "255k [249k–260k]", or "255k" for one value. */
static void fmt_ci(char *buf, size_t len, const stats_ci *c, cell_fmt fmt) {
  char m[32], lo[32], hi[32];
  fmt_value(m, sizeof m, c->median, fmt);
  if (c->n < 2 || !isfinite(c->lo)) {
    snprintf(buf, len, "%s", m);
    return;
  }
  fmt_value(lo, sizeof lo, c->lo, fmt);
  fmt_value(hi, sizeof hi, c->hi, fmt);
  snprintf(buf, len, "%s [%s–%s]", m, lo, hi);
}

/* Whether any ok cell of workload has the figure at path. */
static int has_figure(const results *r, const char *workload,
                      const char *path) {
  for (size_t i = 0; i < r->n; i++)
    if (results_ok(r->cells[i]) &&
        strcmp(results_str(r->cells[i], "workload"), workload) == 0 &&
        isfinite(results_num(r->cells[i], path)))
      return 1;
  return 0;
}

/* "3.11 threads none" (escaped) into f: a row as findings name it. */
static void row_name(FILE *f, const cJSON *row) {
  char model[128];
  results_model_label(row, model, sizeof model);
  escape_md(f, model);
  fputs(" (", f);
  escape_md(f, results_str(row, "runtime"));
  if (strcmp(results_str(row, "placement"), "none") != 0) {
    fputs(", ", f);
    escape_md(f, results_str(row, "placement"));
  }
  fputc(')', f);
}

static void write_table(FILE *f, const results *r, const char *workload,
                        const metric *m, const unsigned *workers,
                        size_t nworkers) {
  fprintf(f, "| runtime | model | placement |");
  for (size_t k = 0; k < nworkers; k++)
    fprintf(f, " %u |", workers[k]);
  fprintf(f, "\n|---|---|---|");
  for (size_t k = 0; k < nworkers; k++)
    fprintf(f, "---:|");
  fputc('\n', f);
  for (size_t g = 0; g < r->ngroups; g++) {
    const cJSON *row = r->groups[g].first;
    if (strcmp(results_str(row, "workload"), workload) != 0 ||
        (m->python_only && results_is_native(row)) || !results_row_first(r, g))
      continue;
    char label[128];
    fputs("| ", f);
    escape_md(f, results_str(row, "runtime"));
    fputs(" | ", f);
    escape_md(f, results_model_label(row, label, sizeof label));
    fputs(" | ", f);
    escape_md(f, results_str(row, "placement"));
    fputs(" |", f);
    for (size_t k = 0; k < nworkers; k++) {
      const results_group *grp = results_find(r, row, workers[k]);
      char cell[160];
      size_t tried = 0;
      stats_ci c = {0, NAN, NAN, NAN, 0};
      if (grp)
        c = metric_ci(grp, m, &tried);
      fmt_ci(cell, sizeof cell, &c, m->fmt);
      if (tried && c.n < tried)
        fprintf(f, " %s (%zu/%zu ok) |", cell, c.n, tried);
      else
        fprintf(f, " %s |", cell);
    }
    fputc('\n', f);
  }
  fputc('\n', f);
}

/* The CPUs of the machine the results came from (0 if unknown). */
static unsigned machine_pus(const results *r) {
  double p = results_num(r->meta, "machine.pus");
  return isfinite(p) && p > 0 ? (unsigned)p : 0;
}

/* " (95 % interval 0.90–0.95)" or " (min–max 0.90–0.95: 75 % coverage)". */
static void interval_words(FILE *f, const stats_ci *c, cell_fmt fmt) {
  char lo[32], hi[32];
  if (c->n < 2)
    return;
  fmt_value(lo, sizeof lo, c->lo, fmt);
  fmt_value(hi, sizeof hi, c->hi, fmt);
  if (c->coverage >= 0.95)
    fprintf(f, " (95 %% interval %s–%s)", lo, hi);
  else
    fprintf(f, " (range %s–%s of %zu repetitions: %.0f %% coverage)", lo, hi,
            c->n, c->coverage * 100);
}

/* The worker count a finding quotes for a row: the largest that does not
 * outnumber the CPUs, or the smallest above 1 when all do. */
static unsigned quoted_workers(const unsigned *workers, size_t nworkers,
                               unsigned pus) {
  unsigned best = 0;
  for (size_t k = 0; k < nworkers; k++)
    if (workers[k] > 1 && (!pus || workers[k] <= pus))
      best = workers[k];
  if (!best)
    for (size_t k = 0; k < nworkers && !best; k++)
      if (workers[k] > 1)
        best = workers[k];
  return best;
}

static void finding_throughput(FILE *f, const results *r, const char *wl) {
  const results_group *best = NULL, *py1 = NULL, *c1 = NULL;
  stats_ci bc = {0}, p1 = {0}, n1 = {0};
  for (size_t g = 0; g < r->ngroups; g++) {
    const results_group *grp = &r->groups[g];
    if (strcmp(results_str(grp->first, "workload"), wl) != 0)
      continue;
    stats_ci c = results_ci(grp, "throughput", NULL);
    if (!isfinite(c.median))
      continue;
    if (!best || c.median > bc.median)
      best = grp, bc = c;
    if (results_num(grp->first, "workers") != 1)
      continue;
    if (results_is_native(grp->first) && (!c1 || c.median > n1.median))
      c1 = grp, n1 = c;
    if (!results_is_native(grp->first) && (!py1 || c.median > p1.median))
      py1 = grp, p1 = c;
  }
  if (!best)
    return;
  char v[32];
  results_fmt_si(v, sizeof v, bc.median);
  fputs("**Finding:** the highest throughput is ", f);
  row_name(f, best->first);
  double bw = results_num(best->first, "workers");
  fprintf(f, " at %g worker%s, %s ops/s", bw, bw == 1 ? "" : "s", v);
  interval_words(f, &bc, FMT_SI);
  fputs(".", f);
  if (py1 && c1 && p1.median > 0)
    fprintf(f,
            " At 1 worker the C twin does %.1f× the work per second of the "
            "fastest Python model: the cost of the interpreter itself.",
            n1.median / p1.median);
  fputs("\n\n", f);
}

/* Whether the Python threads of g were CPU-bound: on a CPU or waiting for
 * the GIL for at least 90 % of their span (gil.per_thread, every ok
 * repetition), so that no other blocking (I/O, sleep) let them overlap. */
static int cpu_bound(const results_group *g) {
  double busy = 0, span = 0;
  for (size_t i = 0; i < g->n; i++) {
    if (!results_ok(g->recs[i]))
      continue;
    const cJSON *t;
    cJSON_ArrayForEach(t, results_get(g->recs[i], "gil.per_thread")) {
      double cpu = results_num(t, "cpu_s"), wait = results_num(t, "wait_s");
      double sp = results_num(t, "span_s");
      if (isfinite(cpu) && isfinite(wait) && isfinite(sp)) {
        busy += cpu + wait;
        span += sp;
      }
    }
  }
  return span > 0 && busy >= 0.9 * span;
}

/* Python models against each other at the quoted worker count: the
 * fastest, and every other as a ratio to it with the verdict of their
 * intervals (only a difference the intervals show is called one). */
static void finding_models(FILE *f, const results *r, const char *wl,
                           const unsigned *workers, size_t nworkers) {
  unsigned w = quoted_workers(workers, nworkers, machine_pus(r));
  if (!w)
    w = nworkers ? workers[nworkers - 1] : 1;
  const results_group *best = NULL;
  stats_ci bc = {0};
  size_t n = 0;
  for (size_t g = 0; g < r->ngroups; g++) {
    const results_group *grp = &r->groups[g];
    if (strcmp(results_str(grp->first, "workload"), wl) != 0 ||
        results_is_native(grp->first) ||
        results_num(grp->first, "workers") != w)
      continue;
    stats_ci c = results_ci(grp, "throughput", NULL);
    if (!isfinite(c.median))
      continue;
    n++;
    if (!best || c.median > bc.median)
      best = grp, bc = c;
  }
  if (n < 2)
    return;
  fprintf(f, "**Finding:** at %u workers the fastest Python model is ", w);
  row_name(f, best->first);
  fputs("; against it,", f);
  int first = 1;
  for (size_t g = 0; g < r->ngroups; g++) {
    const results_group *grp = &r->groups[g];
    if (grp == best || strcmp(results_str(grp->first, "workload"), wl) != 0 ||
        results_is_native(grp->first) ||
        results_num(grp->first, "workers") != w)
      continue;
    stats_ci c = results_ci(grp, "throughput", NULL);
    if (!isfinite(c.median) || bc.median <= 0)
      continue;
    stats_verdict v = stats_compare(&c, &bc);
    fputs(first ? " " : "; ", f);
    first = 0;
    row_name(f, grp->first);
    fprintf(f, " %.2f× (%s)", c.median / bc.median,
            v == STATS_HIGHER ? "significantly slower" : stats_verdict_name(v));
  }
  fputs(".\n\n", f);
}

/* The convoy effect (mixed.convoy): each cell's round trips with the most
 * CPU-bound threads beside it, as a ratio to the same cell with none, and
 * the verdict of their intervals. */
static void finding_convoy(FILE *f, const results *r, const char *wl,
                           const unsigned *workers, size_t nworkers) {
  const char *path = "convoy.round_trips_per_s";
  double kmax = 0;
  for (size_t g = 0; g < r->ngroups; g++)
    if (strcmp(results_str(r->groups[g].first, "workload"), wl) == 0)
      kmax = fmax(kmax, results_num(r->groups[g].first, "cpu_threads"));
  unsigned w = quoted_workers(workers, nworkers, machine_pus(r));
  if (!w)
    w = nworkers ? workers[0] : 1;
  if (!(kmax > 0) || !has_figure(r, wl, path))
    return;
  fprintf(f,
          "**Finding:** the convoy effect, at %u worker%s: with %g CPU-bound "
          "thread%s beside it,",
          w, w == 1 ? "" : "s", kmax, kmax == 1 ? "" : "s");
  int any = 0;
  for (size_t g = 0; g < r->ngroups; g++) {
    const results_group *alone = &r->groups[g], *busy = NULL;
    if (strcmp(results_str(alone->first, "workload"), wl) != 0 ||
        results_num(alone->first, "workers") != w ||
        results_num(alone->first, "cpu_threads") != 0)
      continue;
    for (size_t h = 0; h < r->ngroups && !busy; h++)
      if (results_same_but_cpu(r->groups[h].first, alone->first) &&
          results_num(r->groups[h].first, "cpu_threads") == kmax)
        busy = &r->groups[h];
    stats_ci a = results_ci(alone, path, NULL);
    stats_ci b = busy ? results_ci(busy, path, NULL) : a;
    if (!busy || !isfinite(a.median) || !isfinite(b.median) || a.median <= 0)
      continue;
    stats_verdict v = stats_compare(&a, &b);
    fputs(any++ ? ";" : "", f);
    fputc(' ', f);
    escape_md(f, results_str(alone->first, "model"));
    fputs(" (", f);
    escape_md(f, results_str(alone->first, "runtime"));
    fprintf(f, ") makes %.2f× the round trips it makes alone (%s)",
            b.median / a.median,
            v == STATS_LOWER    ? "significantly fewer"
            : v == STATS_HIGHER ? "significantly more"
                                : stats_verdict_name(v));
  }
  fputs(any ? ". A Python thread that blocks in recv releases the GIL; to "
              "handle the reply it must take it back from a CPU-bound thread, "
              "which holds it up to a switch interval (5 ms): one round trip "
              "per turn. The C twin has no GIL to wait for.\n\n"
            : " no cell has a twin without CPU-bound threads to compare "
              "with.\n\n",
        f);
}

static void finding_speedup(FILE *f, const results *r, const char *wl,
                            const unsigned *workers, size_t nworkers) {
  unsigned pus = machine_pus(r);
  unsigned w = quoted_workers(workers, nworkers, pus);
  if (!w)
    return;
  fputs("**Finding:**\n\n", f);
  for (size_t g = 0; g < r->ngroups; g++) {
    const cJSON *row = r->groups[g].first;
    if (strcmp(results_str(row, "workload"), wl) != 0 ||
        !results_row_first(r, g))
      continue;
    const results_group *grp = results_find(r, row, w);
    if (!grp)
      continue;
    stats_ci c = results_ci(grp, "speedup", NULL);
    if (!isfinite(c.median))
      continue;
    double ideal = pus && w > pus ? pus : w;
    fputs("- ", f);
    row_name(f, row);
    fprintf(f, ": %.2f× at %u workers", c.median, w);
    interval_words(f, &c, FMT_RATIO);
    const char *model = results_str(row, "model");
    const cJSON *en = results_get(grp->first, "gil.enabled");
    stats_ci ws = results_ci(grp, "gil.wait_share", NULL);
    if (c.lo < 1 && c.hi > 1 && stats_rel_halfwidth(&c) > STATS_NOISY_REL)
      fprintf(f, " — the machine was too noisy to tell whether more workers "
                 "help");
    else if (c.hi < 1.15 && strcmp(model, "asyncio") == 0)
      fprintf(f, " — asyncio runs every task on one thread: no parallelism "
                 "by design");
    else if (c.hi < 1.15 && cJSON_IsTrue(en)) {
      fprintf(f, " — the GIL serializes this workload");
      if (isfinite(ws.median))
        fprintf(f, "; each thread waited %.0f %% of the time for it",
                ws.median * 100);
    } else if (c.hi < 1.15)
      fprintf(f, " — no gain from more workers");
    else if (cJSON_IsTrue(en) && isfinite(ws.median) &&
             ws.median >= 0.8 * (w - 1) / w && cpu_bound(grp) &&
             !(results_num(row, "cpu_threads") > 0))
      /* Threads that waited their (n-1)/n share for one GIL cannot have
       * run in parallel: the gain came from elsewhere (a slow 1-worker
       * baseline on a busy machine), and the reader must be told. */
      fprintf(f,
              " — but each thread waited %.0f %% of the time for the GIL, "
              "as threads that take turns must, so this gain is not "
              "parallelism: the machine's noise (slow 1-worker cells) is "
              "the likelier cause",
              ws.median * 100);
    else if (cJSON_IsTrue(en) && results_num(row, "cpu_threads") > 0)
      fprintf(f,
              " — with %g CPU-bound thread%s beside, each worker waits its "
              "turn at the GIL: more workers get more turns, not more cores",
              results_num(row, "cpu_threads"),
              results_num(row, "cpu_threads") == 1 ? "" : "s");
    else if (c.median >= 0.8 * ideal)
      fprintf(f, " — scales with the cores (ideal %.0f×%s)", ideal,
              pus && w >= pus ? ", the machine's CPUs" : "");
    else
      fprintf(f, " — partial scaling: %.0f %% of the ideal %.0f×",
              c.median / ideal * 100, ideal);
    double hw = stats_rel_halfwidth(&c);
    if (hw > STATS_NOISY_REL && !(c.lo < 1 && c.hi > 1))
      fprintf(f,
              " (a wide interval, ±%.0f %%: the machine was noisy during "
              "these cells, so read the figure with care)",
              hw * 100);
    fputs(".\n", f);
  }
  fputc('\n', f);
}

static void finding_efficiency(FILE *f, const results *r, const char *wl,
                               const unsigned *workers, size_t nworkers) {
  unsigned pus = machine_pus(r);
  unsigned wmax = nworkers ? workers[nworkers - 1] : 0;
  if (wmax < 2)
    return;
  fprintf(f, "**Finding:** efficiency is speedup per worker (100 %% when "
             "every worker adds a full worker's throughput).");
  if (pus && wmax > pus)
    fprintf(f,
            " With %u workers on %u CPUs at most %.0f %% is possible, since "
            "the CPUs, not the workers, limit it.",
            wmax, pus, 100.0 * pus / wmax);
  fputs(" At the most workers:", f);
  int first = 1;
  for (size_t g = 0; g < r->ngroups; g++) {
    const cJSON *row = r->groups[g].first;
    if (strcmp(results_str(row, "workload"), wl) != 0 ||
        !results_row_first(r, g))
      continue;
    const results_group *grp = results_find(r, row, wmax);
    if (!grp)
      continue;
    stats_ci c = results_ci(grp, "speedup", NULL);
    if (!isfinite(c.median))
      continue;
    fputs(first ? " " : "; ", f);
    first = 0;
    row_name(f, row);
    fprintf(f, " %.0f %%", c.median / wmax * 100);
  }
  fputs(".\n\n", f);
}

static void finding_gil_wait(FILE *f, const results *r, const char *wl,
                             const unsigned *workers, size_t nworkers) {
  unsigned w = quoted_workers(workers, nworkers, machine_pus(r));
  if (!w)
    w = nworkers ? workers[nworkers - 1] : 0;
  fputs("**Finding:**", f);
  int any = 0;
  for (size_t g = 0; g < r->ngroups; g++) {
    const cJSON *row = r->groups[g].first;
    if (strcmp(results_str(row, "workload"), wl) != 0 ||
        !results_row_first(r, g) || results_is_native(row))
      continue;
    const results_group *grp = results_find(r, row, w);
    stats_ci c = grp ? results_ci(grp, "gil.wait_share", NULL)
                     : (stats_ci){0, NAN, NAN, NAN, 0};
    if (!isfinite(c.median))
      continue;
    fputs(any++ ? "; " : " at ", f);
    if (any == 1)
      fprintf(f, "%u workers, ", w);
    row_name(f, row);
    if (cJSON_IsFalse(results_get(grp->first, "gil.enabled")))
      fprintf(f, " ran without a GIL (free-threaded)");
    else
      fprintf(f, " waited %.0f %% of its time for the GIL", c.median * 100);
  }
  if (any)
    fprintf(f,
            ". When %u CPU-bound threads share one GIL, each must wait "
            "%.0f %% of the time ((n−1)/n); far less means the threads "
            "release it (I/O, C code) or run without it.\n\n",
            w, 100.0 * (w - 1) / w);
  else
    fputs(" no Python row has GIL figures at this worker count.\n\n", f);
}

/* The group of workload wl with the largest median of path, or NULL. */
static const results_group *largest(const results *r, const char *wl,
                                    const char *path, stats_ci *out) {
  const results_group *best = NULL;
  for (size_t g = 0; g < r->ngroups; g++) {
    const results_group *grp = &r->groups[g];
    if (strcmp(results_str(grp->first, "workload"), wl) != 0)
      continue;
    stats_ci c = results_ci(grp, path, NULL);
    if (isfinite(c.median) && (!best || c.median > out->median)) {
      best = grp;
      *out = c;
    }
  }
  return best;
}

/* A finding naming the cell with the largest median of path. */
static void finding_largest(FILE *f, const results *r, const char *wl,
                            const char *path, const char *what,
                            const char *unit, const char *then) {
  stats_ci c = {0};
  const results_group *g = largest(r, wl, path, &c);
  if (!g)
    return;
  char v[32];
  results_fmt_si(v, sizeof v, c.median);
  fprintf(f, "**Finding:** the largest %s is %s%s, ", what, v, unit);
  row_name(f, g->first);
  double w = results_num(g->first, "workers");
  fprintf(f, " at %g worker%s", w, w == 1 ? "" : "s");
  interval_words(f, &c, FMT_SI);
  fprintf(f, ".%s\n\n", then);
}

static void finding_hiccup(FILE *f, const results *r, const char *wl) {
  stats_ci c = {0};
  const results_group *g = largest(r, wl, "hiccup.python_us.p99", &c);
  if (!g)
    return;
  stats_ci n = results_ci(g, "hiccup.native_us.p99", NULL);
  char v[32], nv[32];
  results_fmt_si(v, sizeof v, c.median);
  results_fmt_si(nv, sizeof nv, n.median);
  fputs("**Finding:** the worst p99 lateness of the Python thread that "
        "sleeps 1 ms in a loop is ",
        f);
  fprintf(f, "%s µs, ", v);
  row_name(f, g->first);
  double w = results_num(g->first, "workers");
  fprintf(f, " at %g worker%s", w, w == 1 ? "" : "s");
  if (isfinite(n.median))
    fprintf(f,
            "; the native control thread in the same cells is late by %s µs "
            "(p99): the difference is what the GIL and the interpreter add",
            nv);
  fputs(".\n\n", f);
}

/* With two or more Python runtimes: each runtime's median throughput as a
 * ratio to the first runtime's, for the same model, placement and workers
 * (the question "should we move to that runtime?"). */
static void write_runtimes(FILE *f, const results *r, const char *wl,
                           const unsigned *workers, size_t nworkers) {
  const cJSON *rts[64];
  size_t nrts = 0;
  for (size_t g = 0; g < r->ngroups && nrts < 64; g++) {
    const cJSON *c = r->groups[g].first;
    if (strcmp(results_str(c, "workload"), wl) != 0 || results_is_native(c))
      continue;
    size_t k = 0;
    while (k < nrts &&
           strcmp(results_str(rts[k], "runtime"), results_str(c, "runtime")))
      k++;
    if (k == nrts)
      rts[nrts++] = c;
  }
  if (nrts < 2)
    return;
  fprintf(f, "### Runtimes side by side\n\nMedian throughput, and its ratio "
             "to runtime ");
  escape_md(f, results_str(rts[0], "runtime"));
  fprintf(f, ":\n\n| model | placement | workers |");
  for (size_t k = 0; k < nrts; k++) {
    fputc(' ', f);
    escape_md(f, results_str(rts[k], "runtime"));
    fputs(" |", f);
  }
  fprintf(f, "\n|---|---|---:|");
  for (size_t k = 0; k < nrts; k++)
    fprintf(f, "---:|");
  fputc('\n', f);
  double lo[64], hi[64];
  size_t verdicts[64][STATS_TOO_FEW + 1];
  memset(verdicts, 0, sizeof verdicts);
  for (size_t k = 0; k < nrts; k++)
    lo[k] = INFINITY, hi[k] = -INFINITY;
  for (size_t g = 0; g < r->ngroups; g++) {
    const cJSON *row = r->groups[g].first;
    if (strcmp(results_str(row, "workload"), wl) != 0 ||
        strcmp(results_str(row, "runtime"), results_str(rts[0], "runtime")) !=
            0 ||
        !results_row_first(r, g))
      continue;
    for (size_t w = 0; w < nworkers; w++) {
      char label[128];
      fputs("| ", f);
      escape_md(f, results_model_label(row, label, sizeof label));
      fputs(" | ", f);
      escape_md(f, results_str(row, "placement"));
      fprintf(f, " | %u |", workers[w]);
      double base = NAN;
      stats_ci base_ci = {0, NAN, NAN, NAN, 0};
      for (size_t k = 0; k < nrts; k++) {
        /* The same row in runtime k: rts[k]'s runtime, row's setup. */
        const results_group *grp = NULL;
        for (size_t h = 0; h < r->ngroups && !grp; h++) {
          const cJSON *c = r->groups[h].first;
          if (results_same_setup(c, row) &&
              results_num(c, "workers") == workers[w] &&
              strcmp(results_str(c, "runtime"),
                     results_str(rts[k], "runtime")) == 0)
            grp = &r->groups[h];
        }
        stats_ci ci = grp ? results_ci(grp, "throughput", NULL)
                          : (stats_ci){0, NAN, NAN, NAN, 0};
        double med = ci.median;
        if (k == 0) {
          base = med;
          base_ci = ci;
        }
        char cell[64];
        results_fmt_si(cell, sizeof cell, med);
        if (k > 0 && isfinite(med) && isfinite(base) && base > 0) {
          double ratio = med / base;
          fprintf(f, " %s (%.2f×) |", cell, ratio);
          lo[k] = fmin(lo[k], ratio);
          hi[k] = fmax(hi[k], ratio);
          verdicts[k][stats_compare(&base_ci, &ci)]++;
        } else {
          fprintf(f, " %s |", cell);
        }
      }
      fputc('\n', f);
    }
  }
  fputs("\n**Finding:**", f);
  for (size_t k = 1; k < nrts; k++) {
    if (!isfinite(lo[k]))
      continue;
    fputs(k > 1 ? ";" : "", f);
    fputs(" runtime ", f);
    escape_md(f, results_str(rts[k], "runtime"));
    fprintf(f, " runs at %.2f× to %.2f× the throughput of ", lo[k], hi[k]);
    escape_md(f, results_str(rts[0], "runtime"));
    fputs(" across these cells (significantly higher in ", f);
    fprintf(f,
            "%zu, lower in %zu, no significant difference in %zu, too noisy to "
            "tell in %zu, too few repetitions in %zu)",
            verdicts[k][STATS_HIGHER], verdicts[k][STATS_LOWER],
            verdicts[k][STATS_SAME], verdicts[k][STATS_NOISY],
            verdicts[k][STATS_TOO_FEW]);
  }
  fputs(".\n\n", f);
}

static void write_failures(FILE *f, const results *r, const char *wl) {
  int any = 0;
  for (size_t i = 0; i < r->n; i++) {
    const cJSON *c = r->cells[i];
    if (strcmp(results_str(c, "workload"), wl) != 0 ||
        strcmp(results_str(c, "status"), "ok") == 0 ||
        cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "warmup")))
      continue;
    if (!any++)
      fprintf(f, "### Cells not measured\n\n");
    const char *error = results_str(c, "error"), *nl = strrchr(error, '\n');
    fputs("- ", f);
    escape_md(f, results_str(c, "runtime"));
    fputc(' ', f);
    escape_md(f, results_str(c, "model"));
    fprintf(f, ", n=%g, ", results_num(c, "workers"));
    escape_md(f, results_str(c, "placement"));
    fprintf(f, ", rep %g: **", results_num(c, "rep"));
    escape_md(f, results_str(c, "status"));
    fputs("** — ", f);
    escape_md(f, nl ? nl + 1 : error);
    fputc('\n', f);
  }
  if (any)
    fputc('\n', f);
}

static void write_workload(FILE *f, const results *r, const char *wl) {
  const wl_workload *def = registry_find(wl);
  fputs("## ", f);
  escape_md(f, wl);
  fputs("\n\n", f);
  if (def)
    fprintf(f, "%s.\n\n", def->summary);
  unsigned workers[MAX_WORKERS];
  size_t nworkers = results_workers(r, wl, workers, MAX_WORKERS);

  static const metric tput = {"throughput", FMT_SI, 0, 0};
  static const metric speed = {"speedup", FMT_RATIO, 0, 0};
  static const metric eff = {"speedup", FMT_PERCENT, 0, 1};
  fprintf(f, "### Throughput\n\nOperations per second by workers:\n\n");
  write_table(f, r, wl, &tput, workers, nworkers);
  finding_throughput(f, r, wl);
  finding_models(f, r, wl, workers, nworkers);
  finding_convoy(f, r, wl, workers, nworkers);
  fprintf(f, "### Speedup\n\nThroughput at N workers over throughput at 1 "
             "worker of the same repetition, by workers:\n\n");
  write_table(f, r, wl, &speed, workers, nworkers);
  finding_speedup(f, r, wl, workers, nworkers);
  fprintf(f, "### Efficiency\n\nSpeedup divided by the workers, by "
             "workers:\n\n");
  write_table(f, r, wl, &eff, workers, nworkers);
  finding_efficiency(f, r, wl, workers, nworkers);

  if (has_figure(r, wl, "gil.wait_share")) {
    static const metric wait = {"gil.wait_share", FMT_PERCENT, 1, 0};
    static const metric held = {"gil.held_frac", FMT_RATIO, 1, 0};
    static const metric acq = {"gil.acq_us.p99", FMT_US, 1, 0};
    fprintf(f, "### GIL wait\n\nThe share of the workers' time spent waiting "
               "for the GIL, by workers:\n\n");
    write_table(f, r, wl, &wait, workers, nworkers);
    finding_gil_wait(f, r, wl, workers, nworkers);
    fprintf(f, "### GIL held\n\nThe fraction of the time the GIL was held "
               "(sampled every 5 ms on average), by workers:\n\n");
    write_table(f, r, wl, &held, workers, nworkers);
    finding_largest(f, r, wl, "gil.held_frac", "held fraction", "",
                    " Near 1 means some thread always held it: Python ran "
                    "all the time, but only one thread at a time.");
    fprintf(f, "### GIL acquisition latency\n\n99th percentile of the time "
               "a thread waited to take the GIL, in microseconds, by "
               "workers:\n\n");
    write_table(f, r, wl, &acq, workers, nworkers);
    finding_largest(f, r, wl, "gil.acq_us.p99", "acquisition p99", " µs",
                    " A thread that wants a held GIL asks for it after one "
                    "switch interval (5000 µs by default), so CPU-bound "
                    "threads wait about that long for every turn.");
  }
  if (has_figure(r, wl, "gc.p99_us")) {
    static const metric gc = {"gc.p99_us", FMT_US, 1, 0};
    fprintf(f, "### GC pauses\n\n99th percentile of the garbage collector's "
               "pauses, in microseconds, by workers:\n\n");
    write_table(f, r, wl, &gc, workers, nworkers);
    finding_largest(f, r, wl, "gc.p99_us", "GC pause p99", " µs",
                    " Every thread waits out a pause: a collection runs with "
                    "the GIL held (or, free-threaded, stops the world).");
  }
  if (has_figure(r, wl, "hiccup.python_us.p99")) {
    static const metric hic = {"hiccup.python_us.p99", FMT_US, 1, 0};
    fprintf(f, "### Hiccups\n\n99th percentile of how late a Python thread "
               "sleeping 1 ms in a loop woke up, in microseconds, by "
               "workers:\n\n");
    write_table(f, r, wl, &hic, workers, nworkers);
    finding_hiccup(f, r, wl);
  }
  /* Round-trip latency: io.echo records it as echo, mixed.convoy as
   * convoy (the same shape). */
  static const char *const rtt_paths[] = {"echo.rtt_us.p99",
                                          "convoy.rtt_us.p99"};
  for (size_t i = 0; i < 2; i++) {
    if (!has_figure(r, wl, rtt_paths[i]))
      continue;
    metric rtt = {rtt_paths[i], FMT_US, 0, 0};
    fprintf(f, "### Round-trip latency\n\n99th percentile of a request's "
               "round trip to the echo server, in microseconds, by "
               "workers:\n\n");
    write_table(f, r, wl, &rtt, workers, nworkers);
    finding_largest(f, r, wl, rtt_paths[i], "round-trip p99", " µs",
                    " A Python worker must take the GIL back after every "
                    "reply; what it waits for that shows here, next to its "
                    "native twin.");
  }
  write_runtimes(f, r, wl, workers, nworkers);
  write_failures(f, r, wl);
}

static void header_line(void *ctx, const char *label, const char *value) {
  FILE *f = ctx;
  /* The label too comes from the results file ("runtime TAG"). */
  fputs("- ", f);
  escape_md(f, label);
  fputs(": ", f);
  if (strcmp(label, "command") == 0) /* shown as typed */
    escape_md_code(f, value);
  else
    escape_md(f, value);
  fputc('\n', f);
}

/* How noisy the machine was during the run: the spread of the throughput
 * intervals, relative to their medians, over the cells with 3 or more
 * repetitions, and the noisiest cell. */
static void write_noise(FILE *f, const results *r) {
  double *w = malloc((r->ngroups + 1) * sizeof *w);
  size_t n = 0;
  const results_group *worst = NULL;
  double wmax = -1;
  for (size_t g = 0; w && g < r->ngroups; g++) {
    stats_ci c = results_ci(&r->groups[g], "throughput", NULL);
    double h = stats_rel_halfwidth(&c);
    if (c.n < 3 || !isfinite(h))
      continue;
    w[n++] = h;
    if (h > wmax)
      wmax = h, worst = &r->groups[g];
  }
  if (n) {
    double med = stats_median(w, n);
    char label[256];
    fprintf(f,
            " Noise in this run: half the width of a throughput interval is "
            "%.0f %% of its median in the typical cell, %.0f %% in the "
            "noisiest (",
            med * 100, wmax * 100);
    escape_md(f, results_key_label(worst->first, label, sizeof label));
    fprintf(f, ")%s",
            med > STATS_NOISY_REL
                ? "; differences smaller than that cannot be told apart "
                  "here: rerun on a quieter machine or with more "
                  "repetitions."
                : ".");
  }
  free(w);
}

/* Whether the CPUs ran alike: over the cells whose workers ran side by
 * side on equal shares of pure computation (record field cpu_imbalance),
 * how many had a worker that needed over RECORD_HOST_SLOW times the CPU
 * time of another for the same work, and the worst. Only the host makes
 * one CPU slower than another for the same instructions, and the noise
 * summary above cannot tell that from noise in the baselines. */
static void write_host(FILE *f, const results *r) {
  size_t n = 0, slow = 0;
  const cJSON *worst = NULL;
  double wmax = 0;
  for (size_t i = 0; i < r->n; i++) {
    const cJSON *c = r->cells[i];
    double imb = results_num(c, "cpu_imbalance");
    if (!results_ok(c) || !isfinite(imb))
      continue;
    n++;
    slow += imb > RECORD_HOST_SLOW;
    if (imb > wmax)
      wmax = imb, worst = c;
  }
  if (!n)
    return;
  if (!slow) {
    fprintf(f,
            " The CPUs ran alike: in the %zu cell%s whose workers ran side by "
            "side on equal shares of pure computation, no worker needed more "
            "than %.0f %% more CPU time than another.",
            n, n == 1 ? "" : "s", (wmax - 1) * 100);
    return;
  }
  char label[256];
  /* The slowest worker's entry, by its number (the field "worker"). */
  double slowest = results_num(worst, "cpu_imbalance_worker");
  const cJSON *w, *seen = NULL;
  cJSON_ArrayForEach(w, cJSON_GetObjectItemCaseSensitive(worst, "per_worker")) {
    if (results_num(w, "worker") == slowest)
      seen = cJSON_GetObjectItemCaseSensitive(w, "cpus_seen");
  }
  fprintf(f,
          " **The host slowed some CPUs:** in %zu of %zu cells whose workers "
          "ran side by side on equal shares of pure computation, one worker "
          "needed over %.0f %% more CPU time than another for the same work "
          "(up to %.2fx, in ",
          slow, n, (RECORD_HOST_SLOW - 1) * 100, wmax);
  escape_md(f, results_key_label(worst, label, sizeof label));
  fprintf(f, ", worker %g", slowest);
  if (cJSON_GetArraySize(seen) == 1 &&
      cJSON_IsNumber(cJSON_GetArrayItem(seen, 0)))
    fprintf(f, " on CPU %d", cJSON_GetArrayItem(seen, 0)->valueint);
  fprintf(f, "). The same work taking more CPU time means that CPU ran "
             "slower, which is the host's doing: on a VM, most likely another "
             "guest using that core or its SMT sibling. A cell's wall "
             "time follows its slowest worker, so the speedups of such cells "
             "understate what the model gives on a quiet machine; rerun when "
             "`cpu_imbalance` stays near 1 (README: when the host slows one "
             "CPU).");
}

/* How the intervals were made, with the coverage the repetitions allow. */
static void write_method(FILE *f, const results *r) {
  size_t reps = 0, warm = 0;
  for (size_t i = 0; i < r->n; i++) {
    double rep = results_num(r->cells[i], "rep");
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r->cells[i], "warmup")))
      warm = rep > (double)warm ? (size_t)rep : warm;
    else if (rep > (double)reps)
      reps = (size_t)rep;
  }
  const cJSON *spec = cJSON_GetObjectItemCaseSensitive(r->meta, "spec");
  int weak = strcmp(results_str(spec, "scaling"), "weak") == 0;
  /* What the run asked for, when the metadata says (the records of an
   * interrupted run may have fewer). */
  double sr = results_num(spec, "reps"), sw = results_num(spec, "warmup");
  if (isfinite(sr) && sr >= 1)
    reps = (size_t)sr;
  if (isfinite(sw) && sw >= 0)
    warm = (size_t)sw;
  fprintf(f, "Each figure is the median of %zu repetition%s", reps,
          reps == 1 ? "" : "s");
  if (warm)
    fprintf(f, " (after %zu warm-up repetition%s, not counted)", warm,
            warm == 1 ? "" : "s");
  fprintf(f, "; in brackets, a distribution-free interval on the median "
             "(order statistics).");
  if (reps >= 6)
    fprintf(f, " It holds the true median with at least 95 %% "
               "probability.");
  else if (reps >= 2)
    fprintf(f,
            " With %zu repetitions it is the range from the lowest to the "
            "highest value, which holds the true median with %.0f %% "
            "probability only; 6 or more repetitions give a 95 %% "
            "interval.",
            reps, 100 * (1 - 2 * pow(0.5, (double)reps)));
  fprintf(f, " Two figures differ significantly only when their intervals "
             "do not overlap.");
  write_noise(f, r);
  write_host(f, r);
  fputs("\n\n", f);
  fprintf(f,
          "Native models (the C twins, no Python) show runtime `native`. "
          "Speedup is throughput at N workers over throughput at 1 worker "
          "(ideal: N, up to the number of CPUs); %s\n\n",
          weak ? "weak scaling: each worker did the same work, so the speedup "
                 "reads N t1 / tN."
               : "strong scaling: the same work was split across the "
                 "workers.");
  if (cJSON_GetArraySize(
          cJSON_GetObjectItemCaseSensitive(r->meta, "runtimes")) > 1)
    fprintf(f, "Throughput across runtimes also reflects how each was built: "
               "builds without PGO (`--enable-optimizations`) or LTO run "
               "Python slower per thread (scripts/get-python builds neither; "
               "distributions build with PGO through their own rules).\n\n");
}

void summary_render(const results *r, FILE *f) {
  fprintf(f, "# gillab results\n\n");
  meta_describe(r->meta, header_line, f);
  fputc('\n', f);
  write_method(f, r);
  const char *wls[256];
  size_t nwl = results_workloads(r, wls, 256);
  for (size_t i = 0; i < nwl; i++)
    write_workload(f, r, wls[i]);
  if (r->n == 0)
    fprintf(f, "No cell was measured.\n");
}

int summary_write(const results *r, const char *dir, char *err, size_t errlen) {
  char path[PATH_MAX + 32];
  snprintf(path, sizeof path, "%s/summary.md", dir);
  FILE *f = fopen(path, "w");
  if (!f) {
    int rc = -errno;
    snprintf(err, errlen, "cannot write %s: %s", path, strerror(-rc));
    return rc;
  }
  summary_render(r, f);
  if (fclose(f) != 0) {
    snprintf(err, errlen, "cannot write %s", path);
    return -EIO;
  }
  return 0;
}
