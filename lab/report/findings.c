/* findings — see findings.h. */
#include "findings.h"

#include "cellkind.h"
#include "escape.h"
#include "md.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The most distinct model names a finding lists. */
#define MODEL_NAMES_MAX 16

/* " (95 % interval 0.90–0.95)" or " (min–max 0.90–0.95: 75 % coverage)". */
static void interval_words(FILE *f, const stats_ci *c, md_fmt fmt) {
  char lo[32], hi[32];
  if (c->n < 2)
    return;
  md_value(lo, sizeof lo, c->lo, fmt);
  md_value(hi, sizeof hi, c->hi, fmt);
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

void findings_throughput(FILE *f, const results *r, const char *wl) {
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
  cellkind_work kind = cellkind_work_of(r, wl);
  fputs(kind == CELLKIND_LATENCY
            ? "**Finding:** the most round trips per second: "
            : "**Finding:** the highest throughput is ",
        f);
  md_row_name(f, best->first);
  double bw = results_num(best->first, "workers");
  fprintf(f, " at %g worker%s, %s %s", bw, bw == 1 ? "" : "s", v,
          kind == CELLKIND_LATENCY ? "round trips/s" : "ops/s");
  interval_words(f, &bc, MD_SI);
  fputs(".", f);
  /* Only work that computes costs more in Python than in C: a waiter or a
   * round trip takes as long in both. */
  /* Within the noise of 1x (either way), the Python code's work is done
   * in C as well (hashlib, zlib): no interpreter cost to speak of. */
  if (py1 && c1 && p1.median > 0 && cellkind_has_interpreter_cost(kind) &&
      n1.median / p1.median < 1.2)
    fprintf(f,
            " At 1 worker the C twin does %.1f× the work per second of the "
            "fastest Python model: the Python code spends its time in C "
            "(a library that does the work), so the interpreter costs "
            "little here.",
            n1.median / p1.median);
  else if (py1 && c1 && p1.median > 0 && cellkind_has_interpreter_cost(kind))
    fprintf(f,
            " At 1 worker the C twin does %.1f× the work per second of the "
            "fastest Python model: the cost of the interpreter itself.",
            n1.median / p1.median);
  fputs("\n\n", f);
}

/* The distinct answers of one side (Python or C) at one number of units:
 * each with the first cell that gave it and how many did. */
#define ANSWERS_MAX 8
typedef struct {
  double value[ANSWERS_MAX];
  const cJSON *first[ANSWERS_MAX];
  size_t cells[ANSWERS_MAX];
  size_t n, nulls, total;
} answer_set;

static void answer_add(answer_set *a, const cJSON *rec) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(rec, "answer");
  a->total++;
  if (!cJSON_IsNumber(v)) {
    a->nulls++;
    return;
  }
  for (size_t k = 0; k < a->n; k++)
    if (a->value[k] == v->valuedouble) {
      a->cells[k]++;
      return;
    }
  if (a->n < ANSWERS_MAX) {
    a->value[a->n] = v->valuedouble;
    a->first[a->n] = rec;
    a->cells[a->n++] = 1;
  }
}

/* "24941 (12 cells, e.g. threads (3.12))" for each answer of a. */
static void answers_words(FILE *f, const answer_set *a) {
  for (size_t k = 0; k < a->n; k++) {
    fprintf(f, "%s%.0f (%zu cell%s, e.g. ", k ? ", " : "", a->value[k],
            a->cells[k], a->cells[k] == 1 ? "" : "s");
    md_row_name(f, a->first[k]);
    fputc(')', f);
  }
}

/* Whether wl's answer is a checksum of its work, the same whoever computes
 * it, as the metadata says: a user workload's (its contract), or a
 * built-in pure computation's (flag "warmup"). Others count what happened
 * (mixed.convoy: the round trips that matched), which varies. */
static int answer_is_checksum(const results *r, const char *wl) {
  const cJSON *d = cJSON_GetObjectItemCaseSensitive(
      cJSON_GetObjectItemCaseSensitive(r->meta, "workloads"), wl);
  const cJSON *flag;
  if (cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(d, "user")))
    return 1;
  cJSON_ArrayForEach(flag, cJSON_GetObjectItemCaseSensitive(d, "flags")) {
    if (cJSON_IsString(flag) && strcmp(flag->valuestring, "warmup") == 0)
      return 1;
  }
  return 0;
}

void findings_answers(FILE *f, const results *r, const char *wl) {
  double units[64];
  size_t nunits = 0;
  if (!answer_is_checksum(r, wl))
    return;
  for (size_t i = 0; i < r->n; i++) {
    const cJSON *c = r->cells[i];
    double u = results_num(c, "units");
    if (!results_ok(c) || strcmp(results_str(c, "workload"), wl) != 0 ||
        !isfinite(u))
      continue;
    size_t k = 0;
    while (k < nunits && units[k] != u)
      k++;
    if (k == nunits && nunits < 64)
      units[nunits++] = u;
  }
  for (size_t k = 0; k < nunits; k++) {
    answer_set py = {0}, c = {0};
    for (size_t i = 0; i < r->n; i++) {
      const cJSON *rec = r->cells[i];
      if (results_ok(rec) && strcmp(results_str(rec, "workload"), wl) == 0 &&
          results_num(rec, "units") == units[k])
        answer_add(results_is_native(rec) ? &c : &py, rec);
    }
    if (!py.total || !c.total)
      continue; /* only one side ran at these units: nothing to check */
    if (py.nulls) {
      fprintf(f,
              "**Finding:** at %.0f units the Python code returns no answer "
              "(work() gave ops alone), so the C twin's answers cannot be "
              "checked against it: return (ops, answer).\n\n",
              units[k]);
    } else if (py.n > 1) {
      /* The twin has nothing to be checked against: which Python answer? */
      fprintf(f,
              "**Finding:** at %.0f units the Python cells' answers differ "
              "among themselves: ",
              units[k]);
      answers_words(f, &py);
      fputs(". The answer depends on the model or the worker count (a "
            "worker's share whose answers do not add up to the whole), or "
            "the work is not deterministic, so the C twin's answers cannot "
            "be checked against it.\n\n",
            f);
    } else if (c.n == 1 && !c.nulls && py.value[0] == c.value[0]) {
      fprintf(f,
              "**Finding:** the answers agree: at %.0f units every Python "
              "cell (%zu) and every C twin's cell (%zu) gave %.0f, so the "
              "twin does the same work.\n\n",
              units[k], py.total, c.total, py.value[0]);
    } else {
      fprintf(f,
              "**Finding:** the answers disagree at %.0f units: the Python "
              "cells gave ",
              units[k]);
      answers_words(f, &py);
      fputs(" and the C twin's gave ", f);
      answers_words(f, &c);
      if (c.nulls)
        fprintf(f, "%s%zu with none", c.n ? ", " : "", c.nulls);
      fputs(". The twin does not compute what the Python code does (or the "
            "work is not deterministic), so their speeds compare different "
            "work.\n\n",
            f);
    }
  }
}

/* Whether the Python threads of g were CPU-bound: on a CPU, waiting for
 * one in the run queue or waiting for the GIL for at least 90 % of their
 * span (gil.per_thread, every ok repetition), so that no other blocking
 * (I/O, sleep) let them overlap. A loaded machine's run queue counts as
 * wanting a CPU: its threads are CPU-bound all the same. */
static int cpu_bound(const results_group *g) {
  double busy = 0, span = 0;
  for (size_t i = 0; i < g->n; i++) {
    if (!results_ok(g->recs[i]))
      continue;
    const cJSON *t;
    cJSON_ArrayForEach(t, results_get(g->recs[i], "gil.per_thread")) {
      double cpu = results_num(t, "cpu_s"), wait = results_num(t, "wait_s");
      double sp = results_num(t, "span_s"), q = results_num(t, "runq_s");
      if (isfinite(cpu) && isfinite(wait) && isfinite(sp)) {
        busy += cpu + wait + (isfinite(q) ? q : 0);
        span += sp;
      }
    }
  }
  return span > 0 && busy >= 0.9 * span;
}

/* Whether most ok records of g say rule(rec). */
static int group_says(const results_group *g, int (*rule)(const cJSON *)) {
  size_t yes = 0, ok = 0;
  for (size_t i = 0; i < g->n; i++)
    if (results_ok(g->recs[i])) {
      ok++;
      yes += rule(g->recs[i]) != 0;
    }
  return ok && 2 * yes > ok;
}

/* The median share of their span g's workers spent in the run queue. */
static double group_runq(const results_group *g) {
  double v[64];
  size_t n = 0;
  for (size_t i = 0; i < g->n && n < 64; i++) {
    double q = results_ok(g->recs[i]) ? cellkind_runq_share(g->recs[i]) : NAN;
    if (isfinite(q))
      v[n++] = q;
  }
  return stats_median(v, n);
}

/* Python models against each other at the quoted worker count: the
 * fastest, and every other as a ratio to it with the verdict of their
 * intervals (only a difference the intervals show is called one). */
void findings_models(FILE *f, const results *r, const char *wl,
                     const unsigned *workers, size_t nworkers) {
  unsigned w = quoted_workers(workers, nworkers, results_machine_pus(r));
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
  md_row_name(f, best->first);
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
    md_row_name(f, grp->first);
    fprintf(f, " %.2f× (%s)", c.median / bc.median,
            v == STATS_HIGHER ? "significantly slower" : stats_verdict_name(v));
  }
  fputs(".\n\n", f);
}

/* The convoy effect (mixed.convoy): each cell's round trips with the most
 * CPU-bound threads beside it, as a ratio to the same cell with none, and
 * the verdict of their intervals. */
void findings_convoy(FILE *f, const results *r, const char *wl,
                     const unsigned *workers, size_t nworkers) {
  const char *path = "convoy.round_trips_per_s";
  double kmax = results_max_cpu_threads(r, wl);
  unsigned w = quoted_workers(workers, nworkers, results_machine_pus(r));
  if (!w)
    w = nworkers ? workers[0] : 1;
  if (!(kmax > 0) || !results_has_figure(r, wl, path))
    return;
  fprintf(f,
          "**Finding:** the convoy effect, at %u worker%s: with %g CPU-bound "
          "thread%s beside it,",
          w, w == 1 ? "" : "s", kmax, kmax == 1 ? "" : "s");
  int any = 0;
  for (size_t g = 0; g < r->ngroups; g++) {
    const results_group *alone = &r->groups[g];
    if (strcmp(results_str(alone->first, "workload"), wl) != 0 ||
        results_num(alone->first, "workers") != w ||
        results_num(alone->first, "cpu_threads") != 0)
      continue;
    const results_group *busy = results_with_cpu(r, alone, kmax);
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
    /* Rows of several placements would read alike without it. */
    if (strcmp(results_str(alone->first, "placement"), "none") != 0) {
      fputs(", ", f);
      escape_md(f, results_str(alone->first, "placement"));
    }
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

/* Why a row whose workers did not take turns at a GIL (processes, own-GIL
 * subinterpreters, free-threaded, the C twins, or threads that release
 * the GIL while they work) gained nothing from more workers: never the
 * GIL. The run queue says whether other work held the CPUs; otherwise
 * what starting and feeding the workers costs is the likelier cause. */
static void no_gain_without_gil(FILE *f, const results_group *grp) {
  const char *na = cellkind_gil_na_reason(grp->first);
  double q = group_runq(grp);
  stats_ci ws = results_ci(grp, "gil.wait_share", NULL);
  fputs(" — no gain from more workers, and not from a GIL (", f);
  if (na)
    escape_md(f, na);
  else if (isfinite(ws.median))
    fprintf(f,
            "each thread waited only %.0f %% of the time for the one they "
            "share",
            ws.median * 100);
  else
    fputs("they did not take turns at the one they share", f);
  fputs(")", f);
  if (isfinite(q) && q >= 0.2)
    fprintf(f,
            ": the workers spent %.0f %% of their time waiting for a CPU, "
            "so other work held the machine's CPUs",
            q * 100);
  else if (cellkind_gil_of(grp->first) != CELLKIND_GIL_NONE)
    fputs(": starting the workers and handing them their work cost as much "
          "as they gained (a larger --size tells), or the machine was busy",
          f);
  else
    fputs(": the workers contend for something else (shared objects, the "
          "allocator, memory, the CPUs), or starting them cost as much as "
          "they gained",
          f);
}

void findings_speedup(FILE *f, const results *r, const char *wl,
                      const unsigned *workers, size_t nworkers) {
  unsigned pus = results_machine_pus(r);
  unsigned w = quoted_workers(workers, nworkers, pus);
  cellkind_work kind = cellkind_work_of(r, wl);
  if (!w || !cellkind_has_speedup(kind))
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
    double ideal = cellkind_ideal_speedup(kind, w, pus);
    fputs("- ", f);
    md_row_name(f, row);
    fprintf(f, ": %.2f× at %u workers", c.median, w);
    interval_words(f, &c, MD_RATIO);
    cellkind_gil gil = cellkind_gil_of(grp->first);
    stats_ci ws = results_ci(grp, "gil.wait_share", NULL);
    /* Took turns at a shared GIL, as its wait share says; records without
     * one (no probe) of compute on a shared GIL are taken to have. */
    int turns = group_says(grp, cellkind_gil_turns) ||
                (gil == CELLKIND_GIL_SHARED && !isfinite(ws.median) &&
                 kind == CELLKIND_COMPUTE);
    if (c.lo < 1 && c.hi > 1 && stats_rel_halfwidth(&c) > STATS_NOISY_REL)
      fprintf(f, " — the machine was too noisy to tell whether more workers "
                 "help");
    else if (c.hi < 1.15 && group_says(grp, cellkind_one_thread))
      fprintf(f, " — asyncio runs every task on one thread: no parallelism "
                 "by design");
    else if (c.hi < 1.15 && turns) {
      fprintf(f, " — the GIL serializes this workload");
      if (isfinite(ws.median))
        fprintf(f, "; each thread waited %.0f %% of the time for it",
                ws.median * 100);
    } else if (c.hi < 1.15)
      no_gain_without_gil(f, grp);
    else if (turns && isfinite(ws.median) && ws.median >= 0.8 * (w - 1) / w &&
             cpu_bound(grp))
      /* Threads that waited their (n-1)/n share for one GIL cannot have
       * run in parallel: the gain came from elsewhere (a slow 1-worker
       * baseline on a busy machine), and the reader must be told. */
      fprintf(f,
              " — but each thread waited %.0f %% of the time for the GIL, "
              "as threads that take turns must, so this gain is not "
              "parallelism: the machine's noise (slow 1-worker cells) is "
              "the likelier cause",
              ws.median * 100);
    else if (c.median >= 0.8 * ideal && kind == CELLKIND_WAITING)
      fprintf(f,
              " — waiting overlaps: %u waiters can serve %u× what one does, "
              "whatever the CPUs (ideal %.0f×, the workers)",
              w, w, ideal);
    else if (c.median >= 0.8 * ideal)
      fprintf(f, " — scales with the cores (ideal %.0f×%s)", ideal,
              pus && w >= pus ? ", the machine's CPUs" : "");
    else if (turns && kind == CELLKIND_COMPUTE) {
      /* Not "partial scaling": threads taking turns at one GIL run Python
       * one at a time; whatever they gained is work done without it. */
      fputs(" — the GIL: threads that share one run Python one at a time", f);
      if (isfinite(ws.median))
        fprintf(f, " (each waited %.0f %% of the time for it)",
                ws.median * 100);
      fputs(", so what they gain is only the work done without it held", f);
    } else
      fprintf(f, " — partial scaling: %.0f %% of the ideal %.0f×%s",
              c.median / ideal * 100, ideal,
              kind == CELLKIND_WAITING ? " (the workers: waiters overlap)"
                                       : "");
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

void findings_efficiency(FILE *f, const results *r, const char *wl,
                         const unsigned *workers, size_t nworkers) {
  unsigned pus = results_machine_pus(r);
  unsigned wmax = nworkers ? workers[nworkers - 1] : 0;
  cellkind_work kind = cellkind_work_of(r, wl);
  if (wmax < 2 || !cellkind_has_speedup(kind))
    return;
  fprintf(f, "**Finding:** efficiency is speedup per worker (100 %% when "
             "every worker adds a full worker's throughput).");
  if (pus && wmax > pus && cellkind_ideal_speedup(kind, wmax, pus) < wmax)
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
    md_row_name(f, row);
    fprintf(f, " %.0f %%", c.median / wmax * 100);
  }
  fputs(".\n\n", f);
}

void findings_gil_wait(FILE *f, const results *r, const char *wl,
                       const unsigned *workers, size_t nworkers) {
  unsigned w = quoted_workers(workers, nworkers, results_machine_pus(r));
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
    md_row_name(f, row);
    if (cellkind_gil_contended(grp->first))
      fprintf(f, " waited %.0f %% of its time for the GIL", c.median * 100);
    else {
      fputc(' ', f);
      fputs(cellkind_gil_words(cellkind_gil_of(grp->first)), f);
    }
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

/* The group of workload wl with the largest median of path, or NULL;
 * with contended, only groups whose workers share a GIL. */
static const results_group *largest_of(const results *r, const char *wl,
                                       const char *path, int contended,
                                       stats_ci *out) {
  const results_group *best = NULL;
  for (size_t g = 0; g < r->ngroups; g++) {
    const results_group *grp = &r->groups[g];
    if (strcmp(results_str(grp->first, "workload"), wl) != 0 ||
        (contended && !cellkind_gil_contended(grp->first)))
      continue;
    stats_ci c = results_ci(grp, path, NULL);
    if (isfinite(c.median) && (!best || c.median > out->median)) {
      best = grp;
      *out = c;
    }
  }
  return best;
}

static const results_group *largest(const results *r, const char *wl,
                                    const char *path, stats_ci *out) {
  return largest_of(r, wl, path, 0, out);
}

/* "the largest <what> is <value><unit>, <row> at N workers (interval)."
 * of group g. */
static void largest_words(FILE *f, const results_group *g, const stats_ci *c,
                          const char *what, const char *unit) {
  char v[32];
  results_fmt_si(v, sizeof v, c->median);
  fprintf(f, "**Finding:** the largest %s is %s%s, ", what, v, unit);
  md_row_name(f, g->first);
  double w = results_num(g->first, "workers");
  fprintf(f, " at %g worker%s", w, w == 1 ? "" : "s");
  interval_words(f, c, MD_SI);
  fputc('.', f);
}

void findings_gil_largest(FILE *f, const results *r, const char *wl,
                          const char *path, const char *what, const char *unit,
                          const char *then) {
  stats_ci c = {0};
  const results_group *g = largest_of(r, wl, path, 1, &c);
  if (!g)
    return;
  largest_words(f, g, &c, what, unit);
  fprintf(f, "%s\n\n", then);
}

void findings_pause(FILE *f, const results *r, const char *wl, const char *path,
                    const char *what, int stops_world) {
  stats_ci c = {0};
  const results_group *g = largest(r, wl, path, &c);
  if (!g)
    return;
  largest_words(f, g, &c, what, " µs");
  if (cellkind_pause_stalls_all(g->first, stops_world))
    fputs(stops_world && cellkind_gil_of(g->first) == CELLKIND_GIL_NONE
              ? " Every thread of the process waits it out: a free-threaded "
                "collection stops the world."
              : " Every worker of the cell waits it out: it runs with the "
                "GIL they share held.",
          f);
  else {
    const char *na = cellkind_gil_na_reason(g->first);
    fputs(" Only the worker that paused waits it out, the others run on (", f);
    fputs(na ? na : "no GIL is shared", f);
    fputs(").", f);
  }
  fputs("\n\n", f);
}

void findings_rtt(FILE *f, const results *r, const char *wl, const char *path) {
  stats_ci c = {0};
  const results_group *g = largest(r, wl, path, &c);
  if (!g)
    return;
  largest_words(f, g, &c, "round-trip p99", " µs");
  if (cellkind_gil_contended(g->first))
    fputs(" A Python worker must take the GIL back after every reply; what "
          "it waits for that shows here, next to its native twin.",
          f);
  else {
    const char *na = cellkind_gil_na_reason(g->first);
    fputs(" Its workers wait for no one's GIL (", f);
    fputs(na ? na : "no GIL is shared", f);
    fputs("): the round trip itself and the machine's scheduling show "
          "here.",
          f);
  }
  fputs("\n\n", f);
}

void findings_hiccup(FILE *f, const results *r, const char *wl) {
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
  md_row_name(f, g->first);
  double w = results_num(g->first, "workers");
  fprintf(f, " at %g worker%s", w, w == 1 ? "" : "s");
  if (isfinite(n.median))
    fprintf(f,
            "; the native control thread in the same cells is late by %s µs "
            "(p99): the difference is what the GIL and the interpreter add",
            nv);
  fputs(".\n\n", f);
}

/* Whether rec, a cell of a free-threaded runtime, ran with the GIL on
 * because an import turned it on. */
static int gil_reenabled(const cJSON *rec) {
  int ft = cJSON_IsTrue(results_get(rec, "python.free_threaded")) ||
           cJSON_IsTrue(results_get(rec, "gil.free_threaded_build"));
  return ft && (cJSON_IsTrue(results_get(rec, "python.gil_enabled_after")) ||
                cJSON_IsTrue(results_get(rec, "gil.reenabled")));
}

void findings_gil_reenabled(FILE *f, const results *r, const char *wl) {
  const char *done[64];
  size_t ndone = 0;
  for (size_t i = 0; i < r->n; i++) {
    const cJSON *c = r->cells[i];
    const char *rt = results_str(c, "runtime");
    if (strcmp(results_str(c, "workload"), wl) != 0 || !results_ok(c) ||
        !gil_reenabled(c))
      continue;
    size_t k = 0;
    while (k < ndone && strcmp(done[k], rt) != 0)
      k++;
    if (k < ndone || ndone == 64)
      continue;
    done[ndone++] = rt;
    /* Every ok cell of this runtime: how many had the GIL back, which
     * module did it, under which models. */
    const char *by = NULL, *models[MODEL_NAMES_MAX];
    size_t nmodels = 0, ok = 0, on = 0;
    for (size_t j = 0; j < r->n; j++) {
      const cJSON *d = r->cells[j];
      if (strcmp(results_str(d, "workload"), wl) != 0 || !results_ok(d) ||
          strcmp(results_str(d, "runtime"), rt) != 0)
        continue;
      ok++;
      if (!gil_reenabled(d))
        continue;
      on++;
      const char *m =
          cJSON_GetStringValue(results_get(d, "python.gil_enabled_by"));
      if (!by && m && *m)
        by = m;
      const char *model = results_str(d, "model");
      size_t n = 0;
      while (n < nmodels && strcmp(models[n], model) != 0)
        n++;
      if (n == nmodels && nmodels < MODEL_NAMES_MAX)
        models[nmodels++] = model;
    }
    fputs("**Finding:** on ", f);
    escape_md(f, rt);
    fputs(" the GIL was re-enabled by ", f);
    if (by) {
      fputs("importing ", f);
      escape_md(f, by);
    } else {
      fputs("an import (the module is not named: CPython's warning did not "
            "reach gillab)",
            f);
    }
    fputs(": ", f);
    for (size_t n = 0; n < nmodels; n++) {
      fputs(n ? ", " : "", f);
      escape_md(f, models[n]);
    }
    fprintf(f,
            " ran with a GIL (%zu of %zu cells), so they measure this "
            "free-threaded build with its GIL on, not free threading. An "
            "extension module that does not declare Py_mod_gil turns the GIL "
            "on for the whole process (or interpreter).\n\n",
            on, ok);
  }
}

size_t findings_kind_figures(const results *r, const char *wl, unsigned workers,
                             const char *obj, const char *figure,
                             findings_kind_figure *out) {
  size_t n = 0;
  char path[160];
  snprintf(path, sizeof path, "%s.kinds", obj);
  for (size_t g = 0; g < r->ngroups; g++) {
    const results_group *grp = &r->groups[g];
    if (strcmp(results_str(grp->first, "workload"), wl) != 0 ||
        results_num(grp->first, "workers") != workers)
      continue;
    const cJSON *kinds = NULL, *k;
    for (size_t i = 0; i < grp->n && !kinds; i++)
      if (results_ok(grp->recs[i]))
        kinds = results_get(grp->recs[i], path);
    cJSON_ArrayForEach(k, kinds) {
      if (!cJSON_IsString(k) || n == FINDINGS_KIND_FIGURES_MAX)
        continue;
      char fp[160];
      snprintf(fp, sizeof fp, "%s.%s.%s", obj, k->valuestring, figure);
      stats_ci c = results_ci(grp, fp, NULL);
      if (isfinite(c.median))
        out[n++] = (findings_kind_figure){grp, k->valuestring, c};
    }
  }
  return n;
}

static int by_median(const void *a, const void *b) {
  double x = ((const findings_kind_figure *)a)->c.median;
  double y = ((const findings_kind_figure *)b)->c.median;
  return (x > y) - (x < y);
}

/* The median of obj.kind.figure in the group of `row`'s setup. */
static stats_ci kind_ci(const results_group *g, const char *obj,
                        const char *kind, const char *figure) {
  char path[160];
  snprintf(path, sizeof path, "%s.%s.%s", obj, kind, figure);
  return results_ci(g, path, NULL);
}

/* The sign between two kinds sorted by median, a before b: "<" where
 * the intervals show b higher. Without intervals to compare (fewer than
 * 3 repetitions on a side), "<" only where b's median is more than
 * FEW_REPS_APART times a's, a gap one repetition's noise does not make on
 * the machines gillab has seen, and *few is set so that the finding says
 * so. "≈" otherwise: not shown to differ, within the noise. */
#define FEW_REPS_APART 2.0
static const char *order_sign(const stats_ci *a, const stats_ci *b, int *few) {
  stats_verdict v = stats_compare(a, b);
  if (v == STATS_TOO_FEW) {
    *few = 1;
    return b->median > FEW_REPS_APART * a->median ? " <" : " ≈";
  }
  return v == STATS_HIGHER ? " <" : " ≈";
}

/* What the signs of order_sign mean, in parentheses. */
static void order_note(FILE *f, int few) {
  fputs(" (< where the intervals show the difference, ≈ where they do not: "
        "within the noise of each other",
        f);
  if (few)
    fprintf(f,
            "; where a side has fewer than 3 repetitions there is no "
            "interval, and the order is by medians alone: < only where they "
            "differ more than %.0f×",
            FEW_REPS_APART);
  fputs(")", f);
}

/* One kind of g's row, saying who created it: "fork (C)", "fork
 * (multiprocessing, 3.11)", "thread (threading, 3.12)". A kind's name
 * alone is ambiguous: C's fork() and multiprocessing's fork start method
 * are both "fork". */
static void spawn_kind_words(FILE *f, const results_group *g,
                             const char *kind) {
  const char *model = results_str(g->first, "model");
  escape_md(f, kind);
  fputs(" (", f);
  if (results_is_native(g->first)) {
    fputs("C", f);
  } else {
    fputs(strcmp(model, "processes") == 0 ? "multiprocessing"
          : strcmp(model, "threads") == 0 ? "threading"
                                          : model,
          f);
    fputs(", ", f);
    escape_md(f, results_str(g->first, "runtime"));
  }
  if (strcmp(results_str(g->first, "placement"), "none") != 0) {
    fputs(", ", f);
    escape_md(f, results_str(g->first, "placement"));
  }
  fputc(')', f);
}

void findings_spawn(FILE *f, const results *r, const char *wl) {
  unsigned w[1];
  if (results_workers(r, wl, w, 1) < 1)
    return;
  findings_kind_figure k[FINDINGS_KIND_FIGURES_MAX];
  size_t n = findings_kind_figures(r, wl, w[0], "spawn", "first_us.p50", k);
  if (n < 2)
    return;
  qsort(k, n, sizeof k[0], by_median);
  int few = 0;
  fprintf(f,
          "**Finding:** at %u creating worker%s, from the call that creates a "
          "worker to its first result back (p50, then p99; medians of the "
          "cells), cheapest first:",
          w[0], w[0] == 1 ? "" : "s");
  for (size_t i = 0; i < n; i++) {
    char p50[32], p99[32];
    stats_ci c99 = kind_ci(k[i].g, "spawn", k[i].kind, "first_us.p99");
    results_fmt_si(p50, sizeof p50, k[i].c.median);
    results_fmt_si(p99, sizeof p99, c99.median);
    if (i > 0)
      fputs(order_sign(&k[i - 1].c, &k[i].c, &few), f);
    fputc(' ', f);
    spawn_kind_words(f, k[i].g, k[i].kind);
    fprintf(f, " %s µs (%s µs)", p50, p99);
  }
  order_note(f, few);
  fputs(". Memory each created worker adds (USS p50):", f);
  int any = 0;
  for (size_t i = 0; i < n; i++) {
    stats_ci m = kind_ci(k[i].g, "spawn", k[i].kind, "mem.uss_kb.p50");
    if (!isfinite(m.median))
      continue;
    char v[32];
    results_fmt_si(v, sizeof v, m.median);
    fprintf(f, "%s ", any++ ? "," : "");
    spawn_kind_words(f, k[i].g, k[i].kind);
    fprintf(f, " %s kB", v);
  }
  int subinterp = 0;
  for (size_t i = 0; i < n; i++)
    subinterp |= strcmp(k[i].kind, "subinterpreter") == 0;
  if (!any)
    fputs(" not sampled.\n\n", f);
  else {
    fputs(". A thread shares its process", f);
    if (subinterp)
      fputs("; a subinterpreter shares the process too but brings its own "
            "interpreter state, modules and, from 3.12, its own allocator "
            "and GIL",
            f);
    /* Which process is whose the kinds say: fork (C) against fork
     * (multiprocessing, 3.11). */
    fputs("; a process brings its own heap and page tables, and a "
          "multiprocessing one its own interpreter.\n\n",
          f);
  }
}

/* The first group of wl at 2 workers of `model` whose placement is
 * one-core (same) or another bound placement (compact, scatter, an
 * explicit one: across), with kind; NULL when none. */
static const results_group *switch_group(const results *r, const char *wl,
                                         const char *model, const char *kind,
                                         int same) {
  for (size_t g = 0; g < r->ngroups; g++) {
    const cJSON *c = r->groups[g].first;
    const char *p = results_str(c, "placement");
    if (strcmp(results_str(c, "workload"), wl) != 0 ||
        strcmp(results_str(c, "model"), model) != 0 ||
        results_num(c, "workers") != 2 || strcmp(p, "none") == 0 ||
        (strcmp(p, "one-core") == 0) != same)
      continue;
    if (isfinite(kind_ci(&r->groups[g], "switch", kind, "rtt_us.p50").median))
      return &r->groups[g];
  }
  return NULL;
}

/* Whether kind's hand-offs in g were polled, not woken (switch.KIND.waits
 * in a measured record: the subinterpreters' channels and queues, which
 * have no blocking receive). */
static int kind_polled(const results_group *g, const char *kind) {
  char path[160];
  snprintf(path, sizeof path, "switch.%s.waits", kind);
  for (size_t i = 0; i < g->n; i++)
    if (results_ok(g->recs[i]) && results_get(g->recs[i], path))
      return 1;
  return 0;
}

void findings_switch(FILE *f, const results *r, const char *wl) {
  findings_kind_figure k[FINDINGS_KIND_FIGURES_MAX];
  size_t n = findings_kind_figures(r, wl, 2, "switch", "rtt_us.p50", k);
  if (!n)
    return;
  qsort(k, n, sizeof k[0], by_median);
  fputs("**Finding:** at 2 workers, one hand-off (half a round trip, p50), "
        "fastest first:",
        f);
  int polled = 0, few = 0;
  for (size_t i = 0; i < n; i++) {
    char v[32];
    results_fmt_si(v, sizeof v, k[i].c.median / 2);
    fputs(i ? order_sign(&k[i - 1].c, &k[i].c, &few) : "", f);
    fputc(' ', f);
    escape_md(f, k[i].kind);
    fputs(" under ", f);
    md_row_name(f, k[i].g->first);
    fprintf(f, " %s µs", v);
    if (kind_polled(k[i].g, k[i].kind)) {
      fputs(" (polled)", f);
      polled = 1;
    }
  }
  if (n > 1)
    order_note(f, few);
  fputs(".", f);
  if (polled)
    fputs(" A polled hand-off (subinterpreters: the runtime's "
          "cross-interpreter channels and queues have no blocking receive, "
          "so the waiting side tries again after os.sched_yield()) needs no "
          "OS wake-up but keeps the waiting side's CPU busy; on one CPU the "
          "two sides take turns at the scheduler's pace. It is what polling "
          "costs, not a wake-up, and compares with the others only as "
          "that.",
          f);
  /* The GIL's part against the OS's: the C futex (an OS wake-up and
   * nothing else) and Python threads' Event (the same wake-up, plus
   * taking the GIL back), each on one CPU and across two. */
  const results_group *cs = switch_group(r, wl, "native-threads", "futex", 1);
  const results_group *ca = switch_group(r, wl, "native-threads", "futex", 0);
  const results_group *ps = switch_group(r, wl, "threads", "event", 1);
  const results_group *pa = switch_group(r, wl, "threads", "event", 0);
  if (!cs || !ca) {
    fputs(" To tell the OS wake-up from the GIL hand-off, run native-threads "
          "and threads with -p one-core and -p compact (one CPU, two).\n\n",
          f);
    return;
  }
  double c1 = kind_ci(cs, "switch", "futex", "rtt_us.p50").median / 2;
  double c2 = kind_ci(ca, "switch", "futex", "rtt_us.p50").median / 2;
  char a[32], b[32], d[32];
  results_fmt_si(a, sizeof a, c1);
  results_fmt_si(b, sizeof b, c2);
  results_fmt_si(d, sizeof d, c2 - c1);
  fprintf(f,
          " The OS wake-up alone (a C futex, no GIL): %s µs per hand-off on "
          "one CPU, %s µs across two (",
          a, b);
  escape_md(f, results_str(ca->first, "placement"));
  fprintf(f, "): waking a thread on another, idle core costs %s µs more.", d);
  if (ps && pa) {
    double p1 = kind_ci(ps, "switch", "event", "rtt_us.p50").median / 2;
    double p2 = kind_ci(pa, "switch", "event", "rtt_us.p50").median / 2;
    char e[32], g[32], h[32], i2[32];
    results_fmt_si(e, sizeof e, p1);
    results_fmt_si(g, sizeof g, p2);
    results_fmt_si(h, sizeof h, p1 - c1);
    results_fmt_si(i2, sizeof i2, p2 - c2);
    fputs(" Python threads (threading.Event, ", f);
    escape_md(f, results_str(ps->first, "runtime"));
    fprintf(f,
            "): %s µs on one CPU, %s µs across two, so the interpreter and "
            "the GIL hand-off add %s µs on one CPU and %s µs across two to "
            "the same wake-up.",
            e, g, h, i2);
  }
  fputs("\n\n", f);
}

/* mem.cow: a share of the heap below this is not a measurable un-sharing
 * (1 %: a few pages of the child's own churn on a heap of tens of MB),
 * and gc.freeze() is expected to cut what a collection un-shares at least
 * this many times (the bar). */
#define COW_MEASURABLE 0.01
#define COW_FREEZE_SAVES 5.0

int findings_cow_group(const results_group *g, int *freeze) {
  for (size_t i = 0; g && i < g->n; i++) {
    const cJSON *c = results_get(g->recs[i], "cow");
    if (results_ok(g->recs[i]) && cJSON_IsObject(c)) {
      *freeze = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "freeze"));
      return 1;
    }
  }
  return 0;
}

/* One runtime and placement of mem.cow at the quoted workers: its group
 * without gc.freeze() (g[0]) and with it (g[1]), either may be NULL. */
typedef struct {
  const results_group *g[2];
} cow_pair;

#define COW_PAIRS_MAX 64

/* The median of cow.PATH in g (NAN without g). */
static double cow_num(const results_group *g, const char *path) {
  char p[96];
  snprintf(p, sizeof p, "cow.%s", path);
  return g ? results_ci(g, p, NULL).median : NAN;
}

/* "51.4%" (one decimal) into f; "–" when not finite. */
static void cow_share(FILE *f, double v) {
  char b[32];
  md_value(b, sizeof b, v, MD_PERCENT1);
  fputs(b, f);
}

/* A phase's share without and with gc.freeze(): "51.4% and 0.1%", or
 * the one there is. */
static void cow_both(FILE *f, const cow_pair *p, const char *path) {
  for (int v = 0; v < 2; v++) {
    if (!p->g[v])
      continue;
    if (v == 1 && p->g[0])
      fputs(" and ", f);
    cow_share(f, cow_num(p->g[v], path));
  }
}

/* "500×" or "2.1×". */
static void cow_ratio(FILE *f, double x) {
  fprintf(f, x >= 10 ? "%.0f×" : "%.1f×", x);
}

/* Writes one pair's line; sets *gc_seen when the collection un-shared a
 * measurable share without freeze, *read_seen when reading did in either
 * variant. */
static void cow_line(FILE *f, const cow_pair *p, int *gc_seen, int *read_seen) {
  const results_group *any = p->g[0] ? p->g[0] : p->g[1];
  double heap_kb = cow_num(any, "heap.rss_kb");
  fputs("- ", f);
  escape_md(f, results_str(any->first, "runtime"));
  if (strcmp(results_str(any->first, "placement"), "none") != 0) {
    fputs(", ", f);
    escape_md(f, results_str(any->first, "placement"));
  }
  fprintf(f, " (heap %.0f MB", heap_kb / 1024);
  fputs(p->g[0] && p->g[1] ? ", without and with gc.freeze()"
        : p->g[0]          ? ", without gc.freeze()"
                           : ", with gc.freeze()",
        f);
  fputs("): idle ", f);
  cow_both(f, p, "idle.step_share");
  fputs("; a full gc.collect() ", f);
  cow_both(f, p, "gc.step_share");
  if (p->g[0])
    fprintf(f, " (%.0f MB without)", cow_num(p->g[0], "gc.step_kb") / 1024);
  fputs(", taking", f);
  for (int v = 0; v < 2; v++)
    if (p->g[v])
      fprintf(f, "%s %.3g ms", v == 1 && p->g[0] ? " and" : "",
              cow_num(p->g[v], "gc.took_s") * 1e3);
  fputs("; then reading every object ", f);
  cow_both(f, p, "read.step_share");
  fputs("; in all ", f);
  cow_both(f, p, "read.share");
  fputs(" of the heap private in each child.", f);

  double gc0 = cow_num(p->g[0], "gc.step_share");
  double gc1 = cow_num(p->g[1], "gc.step_share");
  for (int v = 0; v < 2; v++)
    if (cow_num(p->g[v], "read.step_share") >= COW_MEASURABLE)
      *read_seen = 1;
  if (isfinite(gc0) && gc0 >= COW_MEASURABLE)
    *gc_seen = 1;
  if (!p->g[0] || !p->g[1]) {
    fputs(p->g[0] ? " (Run mem.cow_freeze too to see what gc.freeze() saves.)"
                  : " (Run mem.cow too to see what gc.freeze() saves.)",
          f);
  } else if (!(gc0 >= COW_MEASURABLE)) {
    fputs(" **Contrary to the expectation**, without gc.freeze() the "
          "collection un-shared only ",
          f);
    cow_share(f, gc0);
    fputs(" of the heap (less than 1%): nothing measurable for gc.freeze() "
          "to save.",
          f);
  } else if (!(gc1 > 0) || gc0 / gc1 >= COW_FREEZE_SAVES) {
    fputs(" gc.freeze() cut what the collection un-shared ", f);
    if (gc1 > 0) {
      cow_ratio(f, gc0 / gc1);
      fputs(" (at least 5×, as expected).", f);
    } else {
      fputs("to nothing (as expected).", f);
    }
  } else {
    fputs(" **Contrary to the expectation**, gc.freeze() cut what the "
          "collection un-shared only ",
          f);
    cow_ratio(f, gc0 / gc1);
    fputs(" (less than 5×).", f);
  }
  int low[2] = {0, 0}, nlow = 0;
  for (int v = 0; v < 2; v++) {
    double rd = cow_num(p->g[v], "read.step_share");
    if (p->g[v] && !(rd >= COW_MEASURABLE))
      low[v] = 1, nlow++;
  }
  if (nlow) {
    fputs(" **Contrary to the expectation**, reading every object un-shared "
          "only ",
          f);
    for (int v = 0, k = 0; v < 2; v++) {
      if (!low[v])
        continue;
      fputs(k++ ? " and " : "", f);
      cow_share(f, cow_num(p->g[v], "read.step_share"));
      fputs(v ? " with gc.freeze()" : " without gc.freeze()", f);
    }
    fputs(" (less than 1% of the heap).", f);
  } else if (p->g[0] && p->g[1]) {
    fputs(" Reading un-shared memory with and without it.", f);
  }
  /* What freezing still saves once every object has been read: the
   * difference of the two totals, against what the collection alone
   * un-shared without it. */
  double all0 = cow_num(p->g[0], "read.share");
  double all1 = cow_num(p->g[1], "read.share");
  if (isfinite(all0) && isfinite(all1) && gc0 >= COW_MEASURABLE) {
    double kept = all0 - all1;
    fputs(" After reading every object, gc.freeze() had kept ", f);
    if (kept < COW_MEASURABLE)
      fputs("less than 1%", f);
    else
      cow_share(f, kept);
    fputs(" of the heap shared (", f);
    cow_share(f, all1);
    fputs(" private with it against ", f);
    cow_share(f, all0);
    fputs(kept < COW_MEASURABLE ? " without): the pages a collection copies, "
                                  "reading copies too."
          : kept < gc0 / COW_FREEZE_SAVES
              ? " without): most pages a collection copies, reading copies "
                "too."
              : " without): a good part of what a collection copies, reading "
                "leaves shared.",
          f);
  }
  fputc('\n', f);
}

void findings_cow(FILE *f, const results *r, unsigned workers) {
  cow_pair pairs[COW_PAIRS_MAX];
  size_t n = 0;
  for (size_t g = 0; g < r->ngroups; g++) {
    const results_group *grp = &r->groups[g];
    int freeze;
    if (results_num(grp->first, "workers") != workers ||
        !findings_cow_group(grp, &freeze))
      continue;
    size_t k = 0;
    for (; k < n; k++) {
      const results_group *o = pairs[k].g[0] ? pairs[k].g[0] : pairs[k].g[1];
      if (strcmp(results_str(o->first, "runtime"),
                 results_str(grp->first, "runtime")) == 0 &&
          strcmp(results_str(o->first, "placement"),
                 results_str(grp->first, "placement")) == 0)
        break;
    }
    if (k == n) {
      if (n == COW_PAIRS_MAX)
        continue;
      pairs[n++] = (cow_pair){{NULL, NULL}};
    }
    if (!pairs[k].g[freeze != 0])
      pairs[k].g[freeze != 0] = grp;
  }
  if (!n)
    return;
  fprintf(f,
          "**Finding:** at %u worker%s, the share of the heap each phase "
          "turned private in a forked child (medians):\n\n",
          workers, workers == 1 ? "" : "s");
  int gc_seen = 0, read_seen = 0;
  for (size_t k = 0; k < n; k++)
    cow_line(f, &pairs[k], &gc_seen, &read_seen);
  fputc('\n', f);
  if (gc_seen)
    fputs("Why a collection un-shares: it writes into every container it "
          "tracks (on a GIL build its GC header: gc_refs and its links in "
          "the generation's list; on a free-threaded one the object's own "
          "header, where it keeps gc_refs during the collection), so each "
          "page holding a tracked container is copied into the child that "
          "collects. gc.freeze() moves the heap into the permanent "
          "generation, which no collection examines, so those headers stay "
          "untouched.",
          f);
  if (read_seen)
    fputs(gc_seen ? " " : "", f);
  if (read_seen)
    fputs("Why reading un-shares: taking an object out of a container "
          "changes its reference count (up, then down again), a write to the "
          "object's own header, so each page holding an object that was read "
          "is copied too, frozen or not: gc.freeze() hides objects from the "
          "collector, not from reference counting. Immortal objects (3.12+, "
          "PEP 683) skip those writes, but they are the runtime's own (None, "
          "small ints, interned strings), not a heap the program built.",
          f);
  if (gc_seen || read_seen)
    fputs("\n\n", f);
}
