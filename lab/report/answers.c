/* answers — see answers.h.
 *
 * Each workload's row is built first, one memory stream per column, so
 * that a column no workload filled can be left out of the table; the
 * advice is built with the row, from the same groups and medians. What a
 * cell's figures may be called (which GIL its workers ran under, what
 * kind of experiment it is) is cellkind.h's to say, and the figures of
 * the ipc.* and server sections come from ipctable.h and servetable.h.
 */
#include "answers.h"

#include "util.h"

#include "cellkind.h"
#include "chart.h"
#include "escape.h"
#include "findings.h"
#include "ipctable.h"
#include "md.h"
#include "memfit.h"
#include "provenance.h"
#include "servetable.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WL 256
#define MAX_RT 32

enum {
  COL_ANSWER,  /* the best per runtime, or the workload's own figure */
  COL_GIL,     /* threads' speedup and GIL wait, where they share one */
  COL_C,       /* the C twin over the fastest Python model at 1 worker */
  COL_LATENCY, /* convoy round trips, hiccups */
  COL_GC,      /* the worst GC pause p99 */
  COL_MEM,     /* memory per worker of the best model */
  COL_COUNT
};

static const char *const col_heads[COL_COUNT] = {
    "answer",  "cost of the GIL", "C twin vs Python",
    "latency", "GC pause p99",    "memory per worker"};

/* A growing string written as a stream (open_memstream). */
typedef struct {
  char *s;
  size_t len;
  FILE *f;
} sbuf;

/* Opens b; when that fails, b->f is a stream to nowhere that is never
 * read, so callers need not check. */
static FILE *sb_open(sbuf *b) {
  b->s = NULL;
  b->f = open_memstream(&b->s, &b->len);
  if (!b->f)
    b->f = fopen("/dev/null", "w");
  return b->f;
}

/* Closes b and returns its text (NULL when empty; free()). */
static char *sb_close(sbuf *b) {
  if (b->f)
    fclose(b->f);
  b->f = NULL;
  if (b->s && !*b->s) {
    free(b->s);
    b->s = NULL;
  }
  return b->s;
}

typedef struct {
  const char *wl; /* the row's name: a workload, "ipc.*", "servers" */
  cellkind_work kind;
  unsigned w; /* the worker count quoted, 0 when none */
  char *col[COL_COUNT];
  char *advice;
} answers_row;

/* "2.00× [1.96–2.03]", the interval only when more than one value made
 * it. */
static void ratio_ci(FILE *f, const stats_ci *c) {
  fprintf(f, "%.2f×", c->median);
  if (c->n >= 2)
    fprintf(f, " [%.2f–%.2f]", c->lo, c->hi);
}

/* A time in microseconds: "50.2 µs", "1.25 ms". */
static void fmt_us(FILE *f, double us) {
  if (us >= 1000)
    fprintf(f, "%.3g ms", us / 1000);
  else
    fprintf(f, "%.3g µs", us);
}

/* The model of row as tables show it, escaped. */
static void model_name(FILE *f, const cJSON *row) {
  char label[128];
  escape_md(f, results_model_label(row, label, sizeof label));
}

/* A row in a table cell, short: "3.11 processes fork" (+ the placement
 * when not "none"), escaped; the convoy's CPU-bound threads left out. */
static void short_name(FILE *f, const cJSON *row) {
  escape_md(f, results_str(row, "runtime"));
  fputc(' ', f);
  escape_md(f, results_str(row, "model"));
  const char *sm = results_str(row, "start_method");
  const char *pl = results_str(row, "placement");
  if (*sm) {
    fputc(' ', f);
    escape_md(f, sm);
  }
  if (*pl && strcmp(pl, "none") != 0) {
    fputs(", ", f);
    escape_md(f, pl);
  }
}

unsigned answers_quoted_workers(const results *r, const char *wl) {
  unsigned workers[256], pus = results_machine_pus(r);
  size_t n = results_workers(r, wl, workers, 256);
  if (!n)
    return 0;
  unsigned best = workers[0];
  for (size_t k = 0; k < n; k++)
    if (!pus || workers[k] <= pus)
      best = workers[k];
  return best;
}

/* Whether group g is one of wl's Python cells at w workers with no
 * CPU-bound threads beside. */
static int python_at(const results_group *g, const char *wl, unsigned w) {
  double ct = results_num(g->first, "cpu_threads");
  return strcmp(results_str(g->first, "workload"), wl) == 0 &&
         !results_is_native(g->first) &&
         results_num(g->first, "workers") == w && !(ct > 0);
}

const results_group *answers_fastest(const results *r, const char *wl,
                                     unsigned w, const char *rt,
                                     const results_group * not ) {
  const results_group *best = NULL;
  double most = -INFINITY;
  for (size_t g = 0; g < r->ngroups; g++) {
    const results_group *grp = &r->groups[g];
    if (grp == not || !python_at(grp, wl, w) ||
        (rt && strcmp(results_str(grp->first, "runtime"), rt) != 0))
      continue;
    double v = results_ci(grp, "throughput", NULL).median;
    if (isfinite(v) && v > most) {
      most = v;
      best = grp;
    }
  }
  return best;
}

/* The group of runtime rt at w workers whose workers share a GIL,
 * threads first; NULL when none. */
static const results_group *shared_gil(const results *r, const char *wl,
                                       unsigned w, const char *rt) {
  const results_group *any = NULL;
  for (size_t g = 0; g < r->ngroups; g++) {
    const results_group *grp = &r->groups[g];
    if (!python_at(grp, wl, w) ||
        strcmp(results_str(grp->first, "runtime"), rt) != 0 ||
        cellkind_gil_of(grp->first) != CELLKIND_GIL_SHARED ||
        !isfinite(results_ci(grp, "speedup", NULL).median))
      continue;
    if (strcmp(results_str(grp->first, "model"), "threads") == 0)
      return grp;
    if (!any)
      any = grp;
  }
  return any;
}

/* The largest median of path over wl's Python groups at w workers (any
 * cpu_threads), and its group into *at; NAN when none has it. */
static double worst(const results *r, const char *wl, unsigned w,
                    const char *path, const results_group **at) {
  double most = NAN;
  *at = NULL;
  for (size_t g = 0; g < r->ngroups; g++) {
    const results_group *grp = &r->groups[g];
    if (strcmp(results_str(grp->first, "workload"), wl) != 0 ||
        results_is_native(grp->first) ||
        results_num(grp->first, "workers") != w)
      continue;
    double v = results_ci(grp, path, NULL).median;
    if (isfinite(v) && !(v <= most)) {
      most = v;
      *at = grp;
    }
  }
  return most;
}

/* The columns every kind may have: hiccups (latency), GC pauses. */
static void common_columns(const results *r, answers_row *row, sbuf *cols) {
  const results_group *at;
  double hic = worst(r, row->wl, row->w, "hiccup.python_us.p99", &at);
  if (isfinite(hic)) {
    FILE *f = cols[COL_LATENCY].f;
    if (ftell(f) > 0)
      fputs("; ", f);
    fputs("hiccup p99 ", f);
    fmt_us(f, hic);
    fputs(" (", f);
    short_name(f, at->first);
    fputc(')', f);
  }
  double gc = worst(r, row->wl, row->w, "gc.p99_us", &at);
  if (isfinite(gc)) {
    fmt_us(cols[COL_GC].f, gc);
    fputs(" (", cols[COL_GC].f);
    short_name(cols[COL_GC].f, at->first);
    fputc(')', cols[COL_GC].f);
  }
}

/* " — they share one GIL: each thread waited 47 %" when the wait share
 * shows n threads taking turns (at least half the (n-1)/n they must wait
 * then); otherwise the GIL is not what held them back, and the clause
 * says they waited little for it ("the work releases it": hashlib, zlib,
 * I/O). */
static void gil_clause(FILE *adv, double ws, unsigned w, const char *who) {
  if (cellkind_wait_shows_turns(ws, w))
    fprintf(adv, " — %s: each thread waited %.0f %%", who, ws * 100);
  else
    fprintf(adv,
            " — %s, yet each thread waited only %.0f %% for it: the work "
            "releases it",
            who, ws * 100);
}
/* Compute and waiting workloads: the best model per runtime by
 * throughput, with its speedup; the GIL's cost; the C twin; memory. */
static void speedup_row(const results *r, answers_row *row, sbuf *cols,
                        FILE *adv) {
  const char *wl = row->wl;
  unsigned w = row->w, pus = results_machine_pus(r);
  const char *rts[MAX_RT];
  size_t nrt = results_runtimes(r, wl, rts, MAX_RT);
  int waiting = row->kind == CELLKIND_WAITING;

  for (size_t k = 0; k < nrt; k++) {
    const results_group *b = answers_fastest(r, wl, w, rts[k], NULL);
    if (!b)
      continue;
    FILE *f = cols[COL_ANSWER].f;
    stats_ci s = results_ci(b, "speedup", NULL);
    if (ftell(f) > 0)
      fputs("; ", f);
    if (nrt > 1) {
      escape_md(f, rts[k]);
      fputs(": ", f);
    }
    model_name(f, b->first);
    fputc(' ', f);
    ratio_ci(f, &s);
    /* The GIL's cost where the runtime's workers share one. */
    const results_group *t = shared_gil(r, wl, w, rts[k]);
    if (t && w > 1) {
      FILE *g = cols[COL_GIL].f;
      stats_ci ts = results_ci(t, "speedup", NULL);
      double ws = results_ci(t, "gil.wait_share", NULL).median;
      if (ftell(g) > 0)
        fputs("; ", g);
      if (nrt > 1) {
        escape_md(g, rts[k]);
        fputs(": ", g);
      }
      model_name(g, t->first);
      fprintf(g, " %.2f×", ts.median);
      if (isfinite(ws))
        fprintf(g, ", waited %.0f %%", ws * 100);
    }
  }

  /* The interpreter's own cost: compute only (a waiting workload's C
   * twin waits as long). */
  if (row->kind == CELLKIND_COMPUTE) {
    double c1 = -INFINITY, p1 = -INFINITY;
    for (size_t g = 0; g < r->ngroups; g++) {
      const cJSON *c = r->groups[g].first;
      if (strcmp(results_str(c, "workload"), wl) != 0 ||
          results_num(c, "workers") != 1 || results_num(c, "cpu_threads") > 0)
        continue;
      double v = results_ci(&r->groups[g], "throughput", NULL).median;
      if (!isfinite(v))
        continue;
      if (results_is_native(c))
        c1 = fmax(c1, v);
      else
        p1 = fmax(p1, v);
    }
    if (isfinite(c1) && p1 > 0)
      fprintf(cols[COL_C].f, "%.1f×", c1 / p1);
  }

  const results_group *best = answers_fastest(r, wl, w, NULL, NULL);
  if (!best)
    return;
  memfit_cost cost;
  if (memfit_row(r, best->first, &cost) && isfinite(cost.uss_kb)) {
    model_name(cols[COL_MEM].f, best->first);
    /* A slope below zero is noise about nothing: no cost measured. */
    if (cost.uss_kb < 0)
      fputs(" none measurable", cols[COL_MEM].f);
    else
      fprintf(cols[COL_MEM].f, " %.2f MiB", cost.uss_kb / 1024);
  }

  /* The advice: the condition, the choice (or that there is none), and
   * why the runner-up is behind, from the figures above. */
  const results_group *next = answers_fastest(r, wl, w, NULL, best);
  stats_ci bs = results_ci(best, "speedup", NULL);
  if (waiting)
    fprintf(adv, "with %u worker%s, for waiting work like ", w,
            w == 1 ? "" : "s");
  else if (pus)
    fprintf(adv, "on %u CPU%s, for work like ", pus, pus == 1 ? "" : "s");
  else
    fprintf(adv, "at %u worker%s, for work like ", w, w == 1 ? "" : "s");
  escape_md(adv, wl);
  fputs(": ", adv);
  stats_verdict v = STATS_HIGHER;
  if (next) {
    stats_ci bt = results_ci(best, "throughput", NULL);
    stats_ci nt = results_ci(next, "throughput", NULL);
    v = stats_compare(&nt, &bt);
  }
  if (next && v != STATS_HIGHER && v != STATS_LOWER) {
    stats_ci ns = results_ci(next, "speedup", NULL);
    md_row_name(adv, best->first);
    fputs(" and ", adv);
    md_row_name(adv, next->first);
    fputs(v == STATS_TOO_FEW ? " cannot be told apart with so few "
                               "repetitions: "
          : v == STATS_NOISY ? " cannot be told apart on a machine this "
                               "noisy: "
                             : " are within the noise of each other: ",
          adv);
    ratio_ci(adv, &bs);
    fputs(" and ", adv);
    ratio_ci(adv, &ns);
    fputs(" — this run does not settle the choice", adv);
    return;
  }
  char tp[32];
  results_fmt_si(tp, sizeof tp, results_ci(best, "throughput", NULL).median);
  md_row_name(adv, best->first);
  fputs(", ", adv);
  ratio_ci(adv, &bs);
  fprintf(adv, " (the most work: %s ops/s", tp);
  if (waiting)
    fprintf(adv, "; ideal %.0f×: waiters overlap",
            cellkind_ideal_speedup(row->kind, w, pus));
  fputc(')', adv);
  if (cellkind_gil_of(best->first) == CELLKIND_GIL_NONE && w > 1)
    fputs(" — its workers run without a GIL", adv);
  /* Why the others are behind: the GIL of the best one's runtime, when
   * its workers share one and waited for it. */
  const results_group *t =
      shared_gil(r, wl, w, results_str(best->first, "runtime"));
  if (t == best && w > 1 && !waiting) {
    double ws = results_ci(t, "gil.wait_share", NULL).median;
    if (isfinite(ws))
      gil_clause(adv, ws, w, "its threads share one GIL");
  }
  if (t && t != best && w > 1) {
    stats_ci ts = results_ci(t, "speedup", NULL);
    double ws = results_ci(t, "gil.wait_share", NULL).median;
    fputs("; ", adv);
    model_name(adv, t->first);
    fprintf(adv, " %.2f×", ts.median);
    if (isfinite(ws) && !waiting)
      gil_clause(adv, ws, w, "they share one GIL");
  } else if (next) {
    stats_ci ns = results_ci(next, "speedup", NULL);
    results_fmt_si(tp, sizeof tp, results_ci(next, "throughput", NULL).median);
    fputs("; next, ", adv);
    md_row_name(adv, next->first);
    fputc(' ', adv);
    ratio_ci(adv, &ns);
    fprintf(adv, " (%s ops/s)", tp);
  }
}

/* mixed.convoy: round trips with the most CPU-bound threads beside over
 * the same cell alone, per Python row at w workers. */
static void convoy_row(const results *r, answers_row *row, sbuf *cols,
                       FILE *adv) {
  const char *path = "convoy.round_trips_per_s";
  double kmax = results_max_cpu_threads(r, row->wl);
  const results_group *keep = NULL, *lose = NULL;
  double kbest = -INFINITY, kworst = INFINITY;
  for (size_t g = 0; g < r->ngroups && kmax > 0; g++) {
    const results_group *alone = &r->groups[g];
    if (!python_at(alone, row->wl, row->w) ||
        results_num(alone->first, "cpu_threads") != 0)
      continue;
    const results_group *busy = results_with_cpu(r, alone, kmax);
    double a = results_ci(alone, path, NULL).median;
    double b = busy ? results_ci(busy, path, NULL).median : NAN;
    if (!(a > 0) || !isfinite(b))
      continue;
    FILE *f = cols[COL_ANSWER].f;
    char va[32], vb[32];
    results_fmt_si(va, sizeof va, a);
    results_fmt_si(vb, sizeof vb, b);
    if (ftell(f) > 0)
      fputs("; ", f);
    short_name(f, alone->first);
    fprintf(f, " %s → %s (%.2f×)", va, vb, b / a);
    if (b / a > kbest)
      kbest = b / a, keep = alone;
    if (b / a < kworst)
      kworst = b / a, lose = alone;
  }
  if (ftell(cols[COL_ANSWER].f) > 0)
    fprintf(cols[COL_ANSWER].f,
            " round trips/s, alone → beside %g CPU-bound thread%s", kmax,
            kmax == 1 ? "" : "s");
  if (!keep)
    return;
  fprintf(adv, "for round trips beside %g CPU-bound thread%s, like ", kmax,
          kmax == 1 ? "" : "s");
  escape_md(adv, row->wl);
  fputs(": ", adv);
  short_name(adv, keep->first);
  fprintf(adv, " keeps %.2f× of the round trips it makes alone", kbest);
  if (lose && lose != keep) {
    fputs("; ", adv);
    short_name(adv, lose->first);
    fprintf(adv, " %.2f×", kworst);
    if (cellkind_gil_of(lose->first) == CELLKIND_GIL_SHARED)
      fputs(" — its threads share one GIL with the CPU-bound ones", adv);
  }
}

/* One kind of creation or hand-off at its median. */
typedef struct {
  const cJSON *row; /* NULL: none yet */
  const char *kind;
  double median;
} kind_fig;

/* os.spawn and os.switch: the cheapest and dearest kind of creation or
 * hand-off (obj.KIND.figure, p50) of the Python models at w workers, and
 * the C twin's cheapest beside them for reference. */
static void kinds_row(const results *r, answers_row *row, sbuf *cols, FILE *adv,
                      const char *obj, const char *figure, const char *what) {
  kind_fig lo = {NULL, NULL, INFINITY}, hi = {NULL, NULL, -INFINITY};
  kind_fig c = {NULL, NULL, INFINITY};
  findings_kind_figure k[FINDINGS_KIND_FIGURES_MAX];
  size_t n = findings_kind_figures(r, row->wl, row->w, obj, figure, k);
  for (size_t i = 0; i < n; i++) {
    kind_fig here = {k[i].g->first, k[i].kind, k[i].c.median};
    int native = results_is_native(here.row);
    if (native && here.median < c.median)
      c = here;
    if (!native && here.median < lo.median)
      lo = here;
    if (!native && here.median > hi.median)
      hi = here;
  }
  FILE *f = cols[COL_ANSWER].f;
  if (lo.row) {
    fputs("cheapest ", f);
    escape_md(f, lo.kind);
    fputc(' ', f);
    fmt_us(f, lo.median);
    fputs(" p50 (", f);
    short_name(f, lo.row);
    fputc(')', f);
  }
  if (c.row) {
    fputs(lo.row ? "; C twin " : "C twin ", f);
    escape_md(f, c.kind);
    fputc(' ', f);
    fmt_us(f, c.median);
  }
  if (lo.row || c.row)
    fprintf(f, ", at %u worker%s", row->w, row->w == 1 ? "" : "s");
  if (!lo.row)
    return;
  fprintf(adv, "for %s like ", what);
  escape_md(adv, row->wl);
  fputs(" in Python: ", adv);
  escape_md(adv, lo.kind);
  fputs(" (", adv);
  short_name(adv, lo.row);
  fputs(") is the cheapest, ", adv);
  fmt_us(adv, lo.median);
  fputs(" p50", adv);
  if (hi.row && (hi.row != lo.row || strcmp(hi.kind, lo.kind) != 0)) {
    fputs("; the dearest, ", adv);
    escape_md(adv, hi.kind);
    fputs(" (", adv);
    short_name(adv, hi.row);
    fputs("), ", adv);
    fmt_us(adv, hi.median);
    if (lo.median > 0)
      fprintf(adv, " (%.0f×)", hi.median / lo.median);
  }
}

/* io.echo (a latency workload without kinds): the lowest round-trip p99
 * of the Python models at w workers, and the C twin's. */
static void echo_row(const results *r, answers_row *row, sbuf *cols,
                     FILE *adv) {
  const results_group *lo[2] = {NULL, NULL}; /* Python, C */
  double vlo[2] = {INFINITY, INFINITY};
  for (size_t g = 0; g < r->ngroups; g++) {
    const results_group *grp = &r->groups[g];
    if (strcmp(results_str(grp->first, "workload"), row->wl) != 0 ||
        results_num(grp->first, "workers") != row->w)
      continue;
    int native = results_is_native(grp->first);
    double v = results_ci(grp, "echo.rtt_us.p99", NULL).median;
    if (isfinite(v) && v < vlo[native])
      vlo[native] = v, lo[native] = grp;
  }
  FILE *f = cols[COL_ANSWER].f;
  if (lo[0]) {
    fputs("lowest round-trip p99 ", f);
    fmt_us(f, vlo[0]);
    fputs(" (", f);
    short_name(f, lo[0]->first);
    fputc(')', f);
  }
  if (lo[1]) {
    fputs(lo[0] ? "; C twin " : "C twin ", f);
    fmt_us(f, vlo[1]);
  }
  if (!lo[0])
    return;
  fprintf(adv, "for round trips at %u worker%s like ", row->w,
          row->w == 1 ? "" : "s");
  escape_md(adv, row->wl);
  fputs(": ", adv);
  md_row_name(adv, lo[0]->first);
  fputs(", p99 ", adv);
  fmt_us(adv, vlo[0]);
  if (lo[1]) {
    fputs(", against the C twin's ", adv);
    fmt_us(adv, vlo[1]);
  }
}

/* mem.cow and mem.cow_freeze: the share of the heap a full collection
 * made private in a child, without and with gc.freeze(), at w workers, in
 * the first runtime that has both. */
static void cow_row(const results *r, answers_row *row, sbuf *cols, FILE *adv) {
  const results_group *pair[2] = {NULL, NULL};
  for (size_t g = 0; g < r->ngroups; g++) {
    int freeze;
    const results_group *grp = &r->groups[g];
    if (!findings_cow_group(grp, &freeze) ||
        results_num(grp->first, "workers") != row->w ||
        (pair[!freeze] && strcmp(results_str(pair[!freeze]->first, "runtime"),
                                 results_str(grp->first, "runtime")) != 0))
      continue;
    if (!pair[freeze != 0])
      pair[freeze != 0] = grp;
  }
  double s[2] = {NAN, NAN};
  for (int k = 0; k < 2; k++)
    if (pair[k])
      s[k] = results_ci(pair[k], "cow.gc.step_share", NULL).median;
  if (!isfinite(s[0]) && !isfinite(s[1]))
    return;
  const results_group *any = pair[0] ? pair[0] : pair[1];
  FILE *f = cols[COL_ANSWER].f;
  fputs("gc.collect() made private ", f);
  if (isfinite(s[0]))
    fprintf(f, "%.1f %% without gc.freeze()", s[0] * 100);
  if (isfinite(s[0]) && isfinite(s[1]))
    fputs(", ", f);
  if (isfinite(s[1]))
    fprintf(f, "%.1f %% with it", s[1] * 100);
  fputs(" (", f);
  escape_md(f, results_str(any->first, "runtime"));
  fputc(')', f);
  if (!isfinite(s[0]) || !isfinite(s[1]))
    return;
  fputs("for forked workers that share a heap, like ", adv);
  escape_md(adv, row->wl);
  fputs(": ", adv);
  if (s[1] < s[0])
    fprintf(adv,
            "gc.freeze() before the fork; a full collection then made "
            "%.1f %% of the heap private in a child, against %.1f %% "
            "without",
            s[1] * 100, s[0] * 100);
  else
    fprintf(adv,
            "gc.freeze() did not help here: a full collection made %.1f %% "
            "private with it, %.1f %% without",
            s[1] * 100, s[0] * 100);
}

/* The ipc.* workloads, one row: the most bytes per second at the largest
 * message size. */
static void ipc_row(const results *r, sbuf *cols, FILE *adv) {
  double size = ipctable_largest_size(r), v;
  const results_group *best = ipctable_extreme(r, size, NULL, 0, &v);
  if (!best)
    return;
  char name[32], bps[32];
  ipctable_size_name(name, sizeof name, size);
  results_fmt_si(bps, sizeof bps, v);
  FILE *f = cols[COL_ANSWER].f;
  escape_md(f, results_str(best->first, "workload"));
  fputs(" (", f);
  md_row_name(f, best->first);
  fprintf(f, "), %sB/s at %s messages", bps, name);
  fprintf(adv, "for %s messages: ", name);
  escape_md(adv, results_str(best->first, "workload"));
  fprintf(adv, " moved the most, %sB/s (", bps);
  md_row_name(adv, best->first);
  fputs(", ", adv);
  escape_md(adv, results_str(best->first, "payload"));
  fputs(" payload)", adv);
}

/* The server workloads, one row: the most requests per second. */
static void serve_row(const results *r, sbuf *cols, FILE *adv) {
  double rps, crps;
  const results_group *best = servetable_best(r, 1, &rps);
  const results_group *c_best = servetable_best(r, 0, &crps);
  if (!best)
    best = c_best, rps = crps;
  if (!best)
    return;
  char v[32];
  results_fmt_si(v, sizeof v, rps);
  const cJSON *c = best->first;
  FILE *f = cols[COL_ANSWER].f;
  fputs(servetable_kind_label(best), f);
  fputs(" (", f);
  md_row_name(f, c);
  fprintf(f, "), %s req/s", v);
  if (c_best && c_best != best) {
    char cv[32];
    results_fmt_si(cv, sizeof cv, crps);
    fprintf(f, "; fastest of all: ");
    fputs(servetable_kind_label(c_best), f);
    fprintf(f, ", %s req/s", cv);
  }
  fprintf(adv, "for a server with handler ");
  escape_md(adv, results_str(c, "handler"));
  fprintf(adv, " at %g connections: ", results_num(c, "connections"));
  fputs(servetable_kind_label(best), adv);
  fputs(" (", adv);
  md_row_name(adv, c);
  fprintf(adv, ") served the most, %s req/s", v);
}

/* The row of wl (or of the ipc.* / server workloads together). */
static void build_row(const results *r, answers_row *row) {
  sbuf cols[COL_COUNT], adv;
  for (int c = 0; c < COL_COUNT; c++)
    sb_open(&cols[c]);
  sb_open(&adv);
  if (strcmp(row->wl, "ipc.*") == 0)
    ipc_row(r, cols, adv.f);
  else if (strcmp(row->wl, "servers") == 0)
    serve_row(r, cols, adv.f);
  else {
    row->w = answers_quoted_workers(r, row->wl);
    switch (row->kind) {
    case CELLKIND_COMPUTE:
    case CELLKIND_WAITING:
      speedup_row(r, row, cols, adv.f);
      break;
    case CELLKIND_LATENCY:
      if (results_has_figure(r, row->wl, "convoy.round_trips_per_s"))
        convoy_row(r, row, cols, adv.f);
      else if (results_has_item(r, row->wl, "spawn.kinds"))
        kinds_row(r, row, cols, adv.f, "spawn", "first_us.p50",
                  "creating workers");
      else if (results_has_item(r, row->wl, "switch.kinds"))
        kinds_row(r, row, cols, adv.f, "switch", "rtt_us.p50", "hand-offs");
      else
        echo_row(r, row, cols, adv.f);
      break;
    case CELLKIND_MEMORY:
      cow_row(r, row, cols, adv.f);
      break;
    case CELLKIND_MESSAGES:
    case CELLKIND_SERVE:
      break;
    }
    common_columns(r, row, cols);
  }
  for (int c = 0; c < COL_COUNT; c++)
    row->col[c] = sb_close(&cols[c]);
  row->advice = sb_close(&adv);
}

/* The rows of r: one per workload, the ipc.* and server workloads one
 * each (after the others, as in summary.md); the copy-on-write pair under
 * the first of them. Returns how many. */
static size_t build_rows(const results *r, answers_row *rows, size_t max) {
  const char *wls[MAX_WL];
  size_t nwl = results_workloads(r, wls, MAX_WL), n = 0;
  int ipc = 0, serve = 0, cow = 0;
  for (size_t i = 0; i < nwl && n < max; i++) {
    if (ipctable_is_ipc(r, wls[i])) {
      ipc = 1;
      continue;
    }
    if (servetable_is_serve(r, wls[i])) {
      serve = 1;
      continue;
    }
    cellkind_work k = cellkind_work_of(r, wls[i]);
    if (k == CELLKIND_MEMORY && cow++)
      continue;
    rows[n] = (answers_row){wls[i], k, 0, {NULL}, NULL};
    build_row(r, &rows[n++]);
  }
  if (ipc && n < max) {
    rows[n] = (answers_row){"ipc.*", CELLKIND_MESSAGES, 0, {NULL}, NULL};
    build_row(r, &rows[n++]);
  }
  if (serve && n < max) {
    rows[n] = (answers_row){"servers", CELLKIND_SERVE, 0, {NULL}, NULL};
    build_row(r, &rows[n++]);
  }
  return n;
}

static void free_rows(answers_row *rows, size_t n) {
  for (size_t i = 0; i < n; i++) {
    for (int c = 0; c < COL_COUNT; c++)
      free(rows[i].col[c]);
    free(rows[i].advice);
  }
}

/* Whether r has a cell that was measured. */
static int any_ok(const results *r) {
  for (size_t i = 0; i < r->n; i++)
    if (results_ok(r->cells[i]))
      return 1;
  return 0;
}

size_t answers_sections(const results *r) {
  return any_ok(r) ? 2 : 0;
}

void answers_write(FILE *f, const results *r) {
  if (!any_ok(r))
    return;
  answers_row *rows = calloc(MAX_WL, sizeof *rows);
  if (!rows)
    return;
  size_t n = build_rows(r, rows, MAX_WL);
  const char *q = provenance_question(r->meta);
  unsigned pus = results_machine_pus(r);
  fputs("## Answers", f);
  if (q) {
    fputs(": ", f);
    escape_md(f, q);
  }
  fputs("\n\n", f);
  if (pus)
    fprintf(f, "At the machine's %u CPU%s (the most workers not above them)",
            pus, pus == 1 ? "" : "s");
  else
    fputs("At the most workers measured", f);
  fputs(": each runtime's fastest Python model with its speedup over 1 "
        "worker, or the workload's own figure.\n\n|",
        f);
  int has[COL_COUNT] = {0};
  char align[COL_COUNT + 3] = "ll";
  size_t na = 2;
  for (size_t i = 0; i < n; i++)
    for (int c = 0; c < COL_COUNT; c++)
      has[c] |= rows[i].col[c] != NULL;
  md_cell(f, "workload");
  md_cell(f, "kind (workers)");
  for (int c = 0; c < COL_COUNT; c++)
    if (has[c] || c == COL_ANSWER) {
      md_cell(f, col_heads[c]);
      align[na++] = 'l';
    }
  align[na] = '\0';
  fputc('\n', f);
  md_rule(f, align);
  for (size_t i = 0; i < n; i++) {
    char kind[64];
    if (rows[i].w)
      snprintf(kind, sizeof kind, "%s (%u)", cellkind_work_name(rows[i].kind),
               rows[i].w);
    else
      snprintf(kind, sizeof kind, "%s", cellkind_work_name(rows[i].kind));
    fputc('|', f);
    md_cell(f, rows[i].wl);
    md_cell(f, kind);
    for (int c = 0; c < COL_COUNT; c++)
      if (has[c] || c == COL_ANSWER)
        fprintf(f, " %s |", rows[i].col[c] ? rows[i].col[c] : "–");
    fputc('\n', f);
  }
  fputs("\n## What to choose\n\nEach sentence is made from the figures "
        "above only, with the condition under which they were measured.\n\n",
        f);
  for (size_t i = 0; i < n; i++) {
    if (!rows[i].advice)
      continue;
    /* The sentence starts with its condition; capitalized here. */
    char *a = rows[i].advice;
    fputs("- ", f);
    if (*a >= 'a' && *a <= 'z')
      fputc(*a++ - 'a' + 'A', f);
    fputs(a, f);
    fputs(".\n", f);
  }
  fputc('\n', f);
  free_rows(rows, n);
  free(rows);
}

/* The chart: speedup at the quoted workers, by workload (the clusters)
 * and model (the bars: runtime and model). */
/* A bar's series name: the runtime and the model ("3.11 threads"), or the
 * model alone for the C twins, whose runtime is "native" and says no more
 * than their model does. */
static void series_label(const cJSON *c, char *label, size_t len, char *model,
                         size_t mlen) {
  results_model_label(c, model, mlen);
  if (results_is_native(c))
    snprintf(label, len, "%s", model);
  else
    snprintf(label, len, "%s %s", results_str(c, "runtime"), model);
}

int answers_chart(const results *r, char **svg, char *err, size_t errlen) {
  *svg = NULL;
  const char *wls[MAX_WL], *shown[MAX_WL];
  unsigned ws[MAX_WL];
  size_t nwl = results_workloads(r, wls, MAX_WL), nshown = 0;
  /* The series: distinct runtime and model labels, in file order. */
  char(*series)[160] = calloc(64, sizeof *series);
  if (!series) {
    snprintf(err, errlen, "out of memory");
    return -ENOMEM;
  }
  size_t nser = 0;
  for (size_t i = 0; i < nwl; i++) {
    if (ipctable_is_ipc(r, wls[i]) || servetable_is_serve(r, wls[i]) ||
        !cellkind_has_speedup(cellkind_work_of(r, wls[i])))
      continue;
    unsigned w = answers_quoted_workers(r, wls[i]);
    if (w < 2)
      continue;
    int any = 0;
    for (size_t g = 0; g < r->ngroups; g++) {
      const cJSON *c = r->groups[g].first;
      if (strcmp(results_str(c, "workload"), wls[i]) != 0 ||
          results_num(c, "workers") != w || results_num(c, "cpu_threads") > 0 ||
          !isfinite(results_ci(&r->groups[g], "speedup", NULL).median))
        continue;
      char model[128], label[160];
      series_label(c, label, sizeof label, model, sizeof model);
      size_t k = 0;
      while (k < nser && strcmp(series[k], label) != 0)
        k++;
      if (k == nser && nser < 64)
        snprintf(series[nser++], sizeof series[0], "%s", label);
      any = 1;
    }
    if (any) {
      ws[nshown] = w;
      shown[nshown++] = wls[i];
    }
  }
  if (!nshown) {
    free(series);
    snprintf(err, errlen,
             "no workload has a speedup at more than one worker to draw");
    return -ENOENT;
  }
  char *buf = NULL;
  size_t len;
  FILE *s = open_memstream(&buf, &len);
  if (!s) {
    free(series);
    snprintf(err, errlen, "out of memory");
    return -ENOMEM;
  }
  /* The key below the plot, three entries a row: gnuplot's SVG terminal
   * reckons a character wider than it is drawn, and with the key's width
   * as it reckons it lays a long key out in one column, which took the
   * height the bars need to stay on the page's first screen; width -8
   * takes back what it overestimates. */
  chart_preamble(s, CHART_WIDTH, 240);
  fputs("set key maxcols 3 width -8\n", s);
  /* chart_size counts two entries a row: twice the rows of three. */
  chart_size(s, CHART_WIDTH, 240, 2 * ((nser + 2) / 3), 0);
  fprintf(s, "set xrange [-0.6:%g]\n", (double)nshown - 0.4);
  fprintf(s, "array W[%zu]\n", nshown);
  for (size_t i = 0; i < nshown; i++) {
    /* The workload's name cut to 24 bytes (at a character's end) leaves
     * each group its room: the table above has it whole. */
    char name[25], tic[64];
    snprintf(name, sizeof name, "%s", shown[i]);
    util_utf8_trim(name);
    snprintf(tic, sizeof tic, "%s%s (n=%u)", name,
             strlen(shown[i]) > 24 ? "…" : "", ws[i]);
    fprintf(s, "W[%zu] = ", i + 1);
    chart_quote(s, tic);
    fputc('\n', s);
  }
  /* One data block: a line per workload, a median, low and high per
   * series; '?' where a series has no cell. */
  fputs("$d << EOD\n", s);
  for (size_t i = 0; i < nshown; i++) {
    fprintf(s, "%zu", i);
    for (size_t k = 0; k < nser; k++) {
      const results_group *grp = NULL;
      for (size_t g = 0; g < r->ngroups && !grp; g++) {
        const cJSON *c = r->groups[g].first;
        char model[128], label[160];
        if (strcmp(results_str(c, "workload"), shown[i]) != 0 ||
            results_num(c, "workers") != ws[i] ||
            results_num(c, "cpu_threads") > 0)
          continue;
        series_label(c, label, sizeof label, model, sizeof model);
        if (strcmp(label, series[k]) == 0)
          grp = &r->groups[g];
      }
      stats_ci c = grp ? results_ci(grp, "speedup", NULL)
                       : (stats_ci){0, NAN, NAN, NAN, 0};
      if (isfinite(c.median))
        fprintf(s, " %g %g %g", c.median, c.lo, c.hi);
      else
        fputs(" ? ? ?", s);
    }
    fputc('\n', s);
  }
  fputs("EOD\n", s);
  fprintf(s, "set datafile missing '?'\n"
             "set style data histograms\n"
             "set style histogram errorbars gap 1.5 lw 1\n"
             "set style fill solid 0.85 border -1\n"
             "set ylabel 'speedup (× 1 worker)'\n"

             "set yrange [0:*]\nset xtics nomirror\n");
  fputs("plot ", s);
  for (size_t k = 0; k < nser; k++) {
    fprintf(s, "%s$d using %zu:%zu:%zu%s lc rgb '%s' title ", k ? ", " : "",
            2 + 3 * k, 3 + 3 * k, 4 + 3 * k,
            k ? "" : ":xtic(W[int(column(1)) + 1])", chart_colour(k));
    chart_quote(s, series[k]);
  }
  fputc('\n', s);
  fclose(s);
  free(series);
  int rc = chart_render(buf, svg, err, errlen);
  free(buf);
  return rc;
}
