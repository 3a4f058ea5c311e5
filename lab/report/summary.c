/* summary — see summary.h.
 *
 * This file is the layout of summary.md: the header (md.h), the answers
 * page and the runtimes side by side (answers.h, runtimes.h), the notes
 * on method and noise (method.h), then per workload its tables, each
 * followed by its findings (findings.h), the runtimes side by side and the
 * cells not measured. Every figure is a median over the repetitions of one
 * cell key, written with its interval (stats.h).
 */
#include "summary.h"

#include "answers.h"
#include "cellkind.h"
#include "escape.h"
#include "findings.h"
#include "ipctable.h"
#include "md.h"
#include "memfit.h"
#include "method.h"
#include "outfile.h"
#include "precision.h"
#include "provenance.h"
#include "runtimes.h"
#include "servetable.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WORKERS 256

/* One table: the path of the figure in the records, and how to show it.
 * efficiency is speedup / workers (not a record field). */
typedef struct {
  const char *path;
  md_fmt fmt;
  int python_only; /* native rows have no such figure */
  int efficiency;
  int gil; /* a GIL figure: n/a where the workers share none (cellkind) */
} metric;

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

/* The repetitions of g that ended ok: "(2/3 ok)" counts failed cells,
 * not ok cells that lack a figure (a GC table's row of a model whose
 * cells record no GC). */
static size_t group_ok(const results_group *g) {
  size_t ok = 0;
  for (size_t i = 0; i < g->n; i++)
    ok += results_ok(g->recs[i]) != 0;
  return ok;
}

/* Whether row (the first group of its row) belongs in m's table of wl. */
static int table_row(const results *r, size_t g, const char *wl,
                     const metric *m) {
  const cJSON *row = r->groups[g].first;
  return strcmp(results_str(row, "workload"), wl) == 0 &&
         !(m->python_only && results_is_native(row)) && results_row_first(r, g);
}

/* Whether m's figure does not apply to row: a GIL figure of workers that
 * share no GIL (cellkind_gil_contended). */
static int row_na(const metric *m, const cJSON *row) {
  return m->gil && !cellkind_gil_contended(row);
}

/* Whether a row of m's table carries information: a figure at some
 * worker count, or a cell that failed (its "– (0/3 ok)" says so). An
 * n/a row carries none by itself. */
static int row_informs(const results *r, const cJSON *row, const metric *m,
                       const unsigned *workers, size_t nworkers) {
  if (row_na(m, row))
    return 0;
  for (size_t k = 0; k < nworkers; k++) {
    const results_group *grp = results_find(r, row, workers[k]);
    if (!grp)
      continue;
    size_t tried = 0;
    stats_ci c = metric_ci(grp, m, &tried);
    if (isfinite(c.median) || group_ok(grp) < tried)
      return 1;
  }
  return 0;
}

/* Whether m's table of wl has a row that carries information: a table
 * without one is not written. */
static int table_informs(const results *r, const char *wl, const metric *m,
                         const unsigned *workers, size_t nworkers) {
  /* Failed cells alone do not make a table of a figure no cell has. */
  if (!results_has_figure(r, wl, m->path))
    return 0;
  for (size_t g = 0; g < r->ngroups; g++)
    if (table_row(r, g, wl, m) &&
        row_informs(r, r->groups[g].first, m, workers, nworkers))
      return 1;
  return 0;
}

/* The reasons (cellkind_gil_na_reason) of m's n/a rows of wl, each once,
 * after lead: "n/a: the figure does not apply, since processes have a GIL
 * each: ...". Nothing without n/a rows. */
static void write_na_note(FILE *f, const results *r, const char *wl,
                          const metric *m, const char *lead) {
  const char *seen[8];
  size_t n = 0;
  for (size_t g = 0; g < r->ngroups; g++) {
    const cJSON *row = r->groups[g].first;
    if (!table_row(r, g, wl, m) || !row_na(m, row))
      continue;
    const char *why = cellkind_gil_na_reason(row);
    size_t k = 0;
    while (k < n && strcmp(seen[k], why) != 0)
      k++;
    if (k < n || n == 8)
      continue;
    seen[n++] = why;
  }
  for (size_t k = 0; k < n; k++) {
    fputs(k ? "; " : lead, f);
    fputs(seen[k], f);
  }
  if (n)
    fputs(".\n\n", f);
}

static void write_table(FILE *f, const results *r, const char *workload,
                        const metric *m, const unsigned *workers,
                        size_t nworkers) {
  char align[MAX_WORKERS + 4] = "lll";
  fputs("|", f);
  md_cell(f, "runtime");
  md_cell(f, "model");
  md_cell(f, "placement");
  for (size_t k = 0; k < nworkers; k++) {
    fprintf(f, " %u |", workers[k]);
    align[3 + k] = 'r';
  }
  fputc('\n', f);
  md_rule(f, align);
  for (size_t g = 0; g < r->ngroups; g++) {
    const cJSON *row = r->groups[g].first;
    if (!table_row(r, g, workload, m))
      continue;
    /* A row that says nothing (every cell absent) is left out; n/a rows
     * stay, so that the reader sees the model was measured. */
    if (!row_na(m, row) && !row_informs(r, row, m, workers, nworkers))
      continue;
    char label[128];
    fputc('|', f);
    md_cell(f, results_str(row, "runtime"));
    md_cell(f, results_model_label(row, label, sizeof label));
    md_cell(f, results_str(row, "placement"));
    for (size_t k = 0; k < nworkers; k++) {
      const results_group *grp = results_find(r, row, workers[k]);
      char cell[160];
      size_t tried = 0;
      stats_ci c = {0, NAN, NAN, NAN, 0};
      if (row_na(m, row)) {
        fputs(grp ? " n/a |" : " – |", f);
        continue;
      }
      size_t ok = 0;
      if (grp) {
        c = metric_ci(grp, m, &tried);
        ok = group_ok(grp);
      }
      md_ci(cell, sizeof cell, &c, m->fmt);
      if (tried && ok < tried)
        fprintf(f, " %s (%zu/%zu ok) |", cell, ok, tried);
      else
        fprintf(f, " %s |", cell);
    }
    fputc('\n', f);
  }
  fputc('\n', f);
  write_na_note(f, r, workload, m, "n/a: the figure does not apply, since ");
}

/* A section of wl: its heading, what the table shows, and m's table,
 * when the table would carry information; returns whether it was
 * written (the finding under it is written only then). */
static int write_section(FILE *f, const results *r, const char *wl,
                         const char *heading, const char *intro,
                         const metric *m, const unsigned *workers,
                         size_t nworkers) {
  if (!table_informs(r, wl, m, workers, nworkers))
    return 0;
  fprintf(f, "### %s\n\n%s\n\n", heading, intro);
  write_table(f, r, wl, m, workers, nworkers);
  return 1;
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
  fprintf(f, "### Throughput by runtime\n\nMedian throughput, and its ratio "
             "to runtime ");
  escape_md(f, results_str(rts[0], "runtime"));
  fputs(":\n\n|", f);
  md_cell(f, "model");
  md_cell(f, "placement");
  md_cell(f, "workers");
  char align[64 + 4] = "llr";
  for (size_t k = 0; k < nrts; k++) {
    md_cell(f, results_str(rts[k], "runtime"));
    align[3 + k] = 'r';
  }
  fputc('\n', f);
  md_rule(f, align);
  double lo[64], hi[64];
  md_verdicts verdicts[64];
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
      fputc('|', f);
      md_cell(f, results_model_label(row, label, sizeof label));
      md_cell(f, results_str(row, "placement"));
      fprintf(f, " %u |", workers[w]);
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
          verdicts[k].n[stats_compare(&base_ci, &ci)]++;
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
    static const char *const words[] = {
        "significantly higher in %zu", "lower in %zu",
        "no significant difference in %zu", "too noisy to tell in %zu",
        "too few repetitions in %zu"};
    fputs(" across these cells (", f);
    md_verdicts_write(f, &verdicts[k], words);
    fputc(')', f);
  }
  fputs(".\n\n", f);
}

/* The last line of a cell's error (its reason, without the traceback). */
static const char *failure_reason(const cJSON *c) {
  const char *error = results_str(c, "error"), *nl = strrchr(error, '\n');
  return nl ? nl + 1 : error;
}

/* Whether c is a measured cell of wl that did not end ok. */
static int failed_cell(const cJSON *c, const char *wl) {
  return strcmp(results_str(c, "workload"), wl) == 0 &&
         strcmp(results_str(c, "status"), "ok") != 0 &&
         !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "warmup"));
}

/* The most example cells a reason lists, and the most reasons a
 * workload's list holds (the rest are counted in one line). */
#define FAILURE_EXAMPLES 3
#define FAILURE_REASONS 32

/* One reason cells were not measured: its status and last line, how many
 * cells gave it and the first of them. */
typedef struct {
  const char *status, *why;
  size_t n, nex;
  const cJSON *ex[FAILURE_EXAMPLES];
} failure_group;

/* The cells of wl that were not measured, grouped by status and reason
 * (a run that skips a model says the same reason for every cell of it):
 * each reason once, in the order first seen, with how many cells and a
 * few of them. One pass over the records: a report of many cells stays
 * linear in them. */
static void write_failures(FILE *f, const results *r, const char *wl) {
  failure_group g[FAILURE_REASONS];
  size_t ng = 0, more = 0;
  for (size_t i = 0; i < r->n; i++) {
    const cJSON *c = r->cells[i];
    if (!failed_cell(c, wl))
      continue;
    const char *why = failure_reason(c), *status = results_str(c, "status");
    size_t k = 0;
    while (k < ng &&
           (strcmp(g[k].why, why) != 0 || strcmp(g[k].status, status) != 0))
      k++;
    if (k == ng) {
      if (ng == FAILURE_REASONS) {
        more++;
        continue;
      }
      g[ng++] = (failure_group){status, why, 0, 0, {NULL}};
    }
    g[k].n++;
    if (g[k].nex < FAILURE_EXAMPLES)
      g[k].ex[g[k].nex++] = c;
  }
  if (!ng)
    return;
  fprintf(f, "### Cells not measured\n\n");
  for (size_t k = 0; k < ng; k++) {
    fputs("- **", f);
    escape_md(f, g[k].status);
    fputs("** — ", f);
    escape_md(f, g[k].why);
    fprintf(f, " (%zu cell%s", g[k].n, g[k].n == 1 ? "" : "s");
    for (size_t e = 0; e < g[k].nex; e++) {
      const cJSON *d = g[k].ex[e];
      fputs(e ? "; " : g[k].n > g[k].nex ? ", e.g. " : ": ", f);
      escape_md(f, results_str(d, "runtime"));
      fputc(' ', f);
      escape_md(f, results_str(d, "model"));
      fprintf(f, ", n=%g, ", results_num(d, "workers"));
      escape_md(f, results_str(d, "placement"));
      fprintf(f, ", rep %g", results_num(d, "rep"));
    }
    fputs(")\n", f);
  }
  if (more)
    fprintf(f, "- and %zu more cells, for other reasons\n", more);
  fputc('\n', f);
}

/* The kinds a latency workload's record lists under obj ("spawn":
 * pthread, fork, ...; "switch": event, futex, ...): the first ok record
 * of the group that lists them. */
static const cJSON *group_kinds(const results_group *g, const char *obj) {
  char path[64];
  snprintf(path, sizeof path, "%s.kinds", obj);
  for (size_t i = 0; g && i < g->n; i++) {
    const cJSON *k = results_get(g->recs[i], path);
    if (results_ok(g->recs[i]) && cJSON_IsArray(k))
      return k;
  }
  return NULL;
}

/* Whether any group of wl lists kinds under obj. */
static int has_kinds(const results *r, const char *wl, const char *obj) {
  for (size_t g = 0; g < r->ngroups; g++)
    if (strcmp(results_str(r->groups[g].first, "workload"), wl) == 0 &&
        group_kinds(&r->groups[g], obj))
      return 1;
  return 0;
}

/* A latency workload's table: one row per (runtime, model, placement,
 * kind), the median of obj.KIND.figure by workers. */
static void write_kinds_table(FILE *f, const results *r, const char *wl,
                              const char *obj, const char *kind_word,
                              const char *figure, md_fmt fmt,
                              const unsigned *workers, size_t nworkers) {
  char align[MAX_WORKERS + 5] = "llll";
  fputs("|", f);
  md_cell(f, "runtime");
  md_cell(f, "model");
  md_cell(f, "placement");
  md_cell(f, kind_word);
  for (size_t k = 0; k < nworkers; k++) {
    fprintf(f, " %u |", workers[k]);
    align[4 + k] = 'r';
  }
  fputc('\n', f);
  md_rule(f, align);
  for (size_t g = 0; g < r->ngroups; g++) {
    const cJSON *row = r->groups[g].first, *kind;
    if (strcmp(results_str(row, "workload"), wl) != 0 ||
        !results_row_first(r, g))
      continue;
    /* The kinds of the row: those of its cells at any worker count. */
    const cJSON *kinds = NULL;
    for (size_t k = 0; k < nworkers && !kinds; k++)
      kinds = group_kinds(results_find(r, row, workers[k]), obj);
    cJSON_ArrayForEach(kind, kinds) {
      if (!cJSON_IsString(kind))
        continue;
      char label[128], path[160];
      snprintf(path, sizeof path, "%s.%s.%s", obj, kind->valuestring, figure);
      fputc('|', f);
      md_cell(f, results_str(row, "runtime"));
      md_cell(f, results_model_label(row, label, sizeof label));
      md_cell(f, results_str(row, "placement"));
      md_cell(f, kind->valuestring);
      for (size_t k = 0; k < nworkers; k++) {
        const results_group *grp = results_find(r, row, workers[k]);
        stats_ci c =
            grp ? results_ci(grp, path, NULL) : (stats_ci){0, NAN, NAN, NAN, 0};
        char cell[160];
        md_ci(cell, sizeof cell, &c, fmt);
        fprintf(f, " %s |", cell);
      }
      fputc('\n', f);
    }
  }
  fputc('\n', f);
}

/* os.spawn and os.switch (flag "latency"): what one creation or one round
 * trip costs, by kind, not a throughput or a speedup. */
static void write_latency(FILE *f, const results *r, const char *wl,
                          const unsigned *workers, size_t nworkers) {
  if (has_kinds(r, wl, "spawn")) {
    fprintf(f, "### Creation latency\n\nFrom the call that creates a "
               "worker to its first result back, median of the cells' "
               "p50, in microseconds, by creating workers:\n\n");
    write_kinds_table(f, r, wl, "spawn", "kind", "first_us.p50", MD_US, workers,
                      nworkers);
    fprintf(f, "The same, p99:\n\n");
    write_kinds_table(f, r, wl, "spawn", "kind", "first_us.p99", MD_US, workers,
                      nworkers);
    findings_spawn(f, r, wl);
    fprintf(f, "### Join\n\nFrom telling a worker to finish to its end "
               "(join, waitpid, await), p50, in microseconds:\n\n");
    write_kinds_table(f, r, wl, "spawn", "kind", "join_us.p50", MD_US, workers,
                      nworkers);
    fprintf(f, "### Memory per created worker\n\nUSS (private memory) "
               "each created worker adds, p50, in kB (a process: its own; a "
               "thread or task: the creator's growth while it lives):\n\n");
    write_kinds_table(f, r, wl, "spawn", "kind", "mem.uss_kb.p50", MD_SI,
                      workers, nworkers);
  }
  if (has_kinds(r, wl, "switch")) {
    fprintf(f, "### Round-trip latency\n\nOne ping-pong round trip (two "
               "hand-offs), median of the cells' p50, in microseconds, by "
               "workers (1: a worker against itself, no hand-off):\n\n");
    write_kinds_table(f, r, wl, "switch", "mechanism", "rtt_us.p50", MD_US,
                      workers, nworkers);
    fprintf(f, "The same, p99:\n\n");
    write_kinds_table(f, r, wl, "switch", "mechanism", "rtt_us.p99", MD_US,
                      workers, nworkers);
    findings_switch(f, r, wl);
  }
}

/* The worker counts of every workload with copy-on-write figures,
 * ascending and distinct, into out (at most max); returns how many. */
static size_t cow_workers(const results *r, unsigned *out, size_t max) {
  size_t n = 0;
  for (size_t g = 0; g < r->ngroups; g++) {
    int freeze;
    if (!findings_cow_group(&r->groups[g], &freeze))
      continue;
    unsigned w = (unsigned)results_num(r->groups[g].first, "workers");
    size_t k = 0;
    while (k < n && out[k] < w)
      k++;
    if ((k < n && out[k] == w) || n == max)
      continue;
    memmove(out + k + 1, out + k, (n - k) * sizeof *out);
    out[k] = w;
    n++;
  }
  return n;
}

/* The copy-on-write groups' rows, in table order: runtime (as first
 * seen), then without gc.freeze() before with it; row-first groups only.
 * Returns how many went into rows (at most max). */
static size_t cow_rows(const results *r, const results_group **rows,
                       size_t max) {
  const char *rts[64];
  size_t nrts = 0, n = 0;
  for (size_t g = 0; g < r->ngroups; g++) {
    int freeze;
    if (!findings_cow_group(&r->groups[g], &freeze))
      continue;
    const char *rt = results_str(r->groups[g].first, "runtime");
    size_t k = 0;
    while (k < nrts && strcmp(rts[k], rt) != 0)
      k++;
    if (k == nrts && nrts < 64)
      rts[nrts++] = rt;
  }
  for (size_t k = 0; k < nrts; k++)
    for (int want = 0; want < 2; want++)
      for (size_t g = 0; g < r->ngroups && n < max; g++) {
        int freeze;
        if (findings_cow_group(&r->groups[g], &freeze) &&
            (freeze != 0) == want && results_row_first(r, g) &&
            strcmp(results_str(r->groups[g].first, "runtime"), rts[k]) == 0)
          rows[n++] = &r->groups[g];
      }
  return n;
}

/* The first cells of a copy-on-write row: runtime, freeze, placement. */
static void cow_row_head(FILE *f, const results_group *g) {
  int freeze = 0;
  findings_cow_group(g, &freeze);
  fputc('|', f);
  md_cell(f, results_str(g->first, "runtime"));
  md_cell(f, freeze ? "yes" : "no");
  md_cell(f, results_str(g->first, "placement"));
}

/* mem.cow and mem.cow_freeze (flag "memory"): one table of both
 * variants, under the first of them in the run, then the heap as built
 * and what each phase took, and the finding. */
static void write_cow(FILE *f, const results *r, const char *wl) {
  const char *wls[256], *first = NULL;
  size_t nwl = results_workloads(r, wls, 256);
  for (size_t i = 0; i < nwl && !first; i++)
    if (results_has_figure(r, wls[i], "cow.gc.step_share"))
      first = wls[i];
  if (!first)
    return;
  if (strcmp(first, wl) != 0) {
    fputs("Shown under ", f);
    escape_md(f, first);
    fputs(" above, beside the other variant.\n\n", f);
    return;
  }
  unsigned workers[MAX_WORKERS];
  size_t nworkers = cow_workers(r, workers, MAX_WORKERS);
  const results_group *rows[256];
  size_t nrows = cow_rows(r, rows, 256);
  static const struct {
    const char *label, *path;
  } phases[] = {
      {"idle", "cow.idle.step_share"},
      {"gc.collect()", "cow.gc.step_share"},
      {"read every object", "cow.read.step_share"},
      {"all (after reading)", "cow.read.share"},
  };
  fprintf(f, "### Copy-on-write\n\nThe share of the heap (the parent's Rss "
             "grown while building it, before the fork) that each phase "
             "turned private in a forked child: the growth of the child's "
             "Private_Clean + Private_Dirty during the phase, median of the "
             "children, then of the repetitions, by workers. In order: "
             "idle, a full gc.collect(), reading every object once; all: "
             "since the child started.\n\n|");
  md_cell(f, "runtime");
  md_cell(f, "gc.freeze()");
  md_cell(f, "placement");
  md_cell(f, "phase");
  char align[MAX_WORKERS + 5] = "llll";
  for (size_t k = 0; k < nworkers; k++) {
    fprintf(f, " %u |", workers[k]);
    align[4 + k] = 'r';
  }
  fputc('\n', f);
  md_rule(f, align);
  for (size_t i = 0; i < nrows; i++)
    for (size_t p = 0; p < sizeof phases / sizeof phases[0]; p++) {
      cow_row_head(f, rows[i]);
      md_cell(f, phases[p].label);
      for (size_t k = 0; k < nworkers; k++) {
        const results_group *grp = results_find(r, rows[i]->first, workers[k]);
        stats_ci c = grp ? results_ci(grp, phases[p].path, NULL)
                         : (stats_ci){0, NAN, NAN, NAN, 0};
        char cell[160];
        md_ci(cell, sizeof cell, &c, MD_PERCENT1);
        fprintf(f, " %s |", cell);
      }
      fputc('\n', f);
    }
  fputc('\n', f);
  /* The quoted worker count: the largest within the CPUs (2 here). */
  unsigned pus = results_machine_pus(r), quoted = workers[0];
  for (size_t k = 0; k < nworkers; k++)
    if (!pus || workers[k] <= pus)
      quoted = workers[k];
  fprintf(f,
          "The heap as built, and each child at %u worker%s at the start "
          "and in each phase (medians):\n\n|",
          quoted, quoted == 1 ? "" : "s");
  static const char *const heads[] = {"runtime",
                                      "gc.freeze()",
                                      "placement",
                                      "heap (MB)",
                                      "objects",
                                      "tracked by the GC",
                                      "frozen",
                                      "shared at start (MB)",
                                      "own at start (MB)",
                                      "gc.collect() (ms)",
                                      "reading (ms)"};
  for (size_t h = 0; h < sizeof heads / sizeof heads[0]; h++)
    md_cell(f, heads[h]);
  fputc('\n', f);
  md_rule(f, "lllrrrrrrrr");
  static const struct {
    const char *path;
    double scale;
  } cols[] = {{"cow.heap.rss_kb", 1.0 / 1024},
              {"cow.heap.objects", 1},
              {"cow.heap.tracked", 1},
              {"cow.heap.frozen", 1},
              {"cow.start.shared_kb", 1.0 / 1024},
              {"cow.start.uss_kb", 1.0 / 1024},
              {"cow.gc.took_s", 1e3},
              {"cow.read.took_s", 1e3}};
  for (size_t i = 0; i < nrows; i++) {
    const results_group *grp = results_find(r, rows[i]->first, quoted);
    if (!grp)
      continue;
    cow_row_head(f, grp);
    for (size_t c = 0; c < sizeof cols / sizeof cols[0]; c++) {
      char cell[32];
      results_fmt_si(cell, sizeof cell,
                     results_ci(grp, cols[c].path, NULL).median *
                         cols[c].scale);
      fprintf(f, " %s |", cell);
    }
    fputc('\n', f);
  }
  fputc('\n', f);
  findings_cow(f, r, quoted);
}

/* The GIL's tables of wl (wait share, held fraction, acquisition p99),
 * n/a for rows whose workers share no GIL; when every row is n/a, one line
 * that says so, with the reason. */
static void write_gil(FILE *f, const results *r, const char *wl,
                      const unsigned *workers, size_t nworkers) {
  static const metric wait = {"gil.wait_share", MD_PERCENT, 1, 0, 1};
  static const metric held = {"gil.held_frac", MD_RATIO, 1, 0, 1};
  static const metric acq = {"gil.acq_us.p99", MD_US, 1, 0, 1};
  if (!results_has_figure(r, wl, "gil.wait_share"))
    return;
  if (write_section(f, r, wl, "GIL wait",
                    "The share of the workers' time spent waiting for the "
                    "GIL, by workers:",
                    &wait, workers, nworkers))
    findings_gil_wait(f, r, wl, workers, nworkers);
  else {
    fputs("### GIL\n\n", f);
    write_na_note(f, r, wl, &wait,
                  "No row's workers share a GIL, so the GIL's wait, held "
                  "fraction and acquisition latency do not apply (n/a): ");
    return;
  }
  if (write_section(f, r, wl, "GIL held",
                    "The fraction of the time the GIL was held (sampled "
                    "every 5 ms on average), by workers:",
                    &held, workers, nworkers))
    findings_gil_largest(f, r, wl, "gil.held_frac", "held fraction", "",
                         " Near 1 means some thread always held it: Python "
                         "ran all the time, but only one thread at a time.");
  if (write_section(f, r, wl, "GIL acquisition latency",
                    "99th percentile of the time a thread waited to take "
                    "the GIL, in microseconds, by workers:",
                    &acq, workers, nworkers))
    findings_gil_largest(f, r, wl, "gil.acq_us.p99", "acquisition p99", " µs",
                         " A thread that wants a held GIL asks for it after "
                         "one switch interval (5000 µs by default), so "
                         "CPU-bound threads wait about that long for every "
                         "turn.");
}

/* Round trips of io.echo (echo.*) and mixed.convoy (convoy.*): their
 * latency p50 and p99 by workers. */
static void write_rtt(FILE *f, const results *r, const char *wl,
                      const unsigned *workers, size_t nworkers) {
  static const char *const objs[] = {"echo", "convoy"};
  for (size_t i = 0; i < 2; i++) {
    char p50[32], p99[32];
    snprintf(p50, sizeof p50, "%s.rtt_us.p50", objs[i]);
    snprintf(p99, sizeof p99, "%s.rtt_us.p99", objs[i]);
    metric m50 = {p50, MD_US, 0, 0, 0}, m99 = {p99, MD_US, 0, 0, 0};
    int head = write_section(f, r, wl, "Round-trip latency",
                             "Median (p50) of a request's round trip to the "
                             "echo server, in microseconds, by workers:",
                             &m50, workers, nworkers);
    if (!table_informs(r, wl, &m99, workers, nworkers))
      continue;
    fputs(head ? "The same, 99th percentile:\n\n"
               : "### Round-trip latency\n\n99th percentile of a request's "
                 "round trip to the echo server, in microseconds, by "
                 "workers:\n\n",
          f);
    write_table(f, r, wl, &m99, workers, nworkers);
    findings_rtt(f, r, wl, p99);
  }
}

static void write_workload(FILE *f, const results *r, const char *wl) {
  const char *what = results_workload_summary(r, wl);
  fputs("## ", f);
  escape_md(f, wl);
  fputs("\n\n", f);
  if (what) {
    escape_md(f, what);
    fputs(".\n\n", f);
  }
  unsigned workers[MAX_WORKERS];
  size_t nworkers = results_workers(r, wl, workers, MAX_WORKERS);
  cellkind_work kind = cellkind_work_of(r, wl);

  if (cellkind_per_operation(r, wl)) {
    write_latency(f, r, wl, workers, nworkers);
    write_failures(f, r, wl);
    return;
  }
  if (kind == CELLKIND_MEMORY) {
    write_cow(f, r, wl);
    write_failures(f, r, wl);
    return;
  }
  static const metric tput = {"throughput", MD_SI, 0, 0, 0};
  static const metric speed = {"speedup", MD_RATIO, 0, 0, 0};
  static const metric eff = {"speedup", MD_PERCENT, 0, 1, 0};
  if (kind == CELLKIND_LATENCY) {
    /* A latency experiment (the convoy, the echo): its headline is round
     * trips per second and their latency, not a speedup. */
    write_section(f, r, wl, "Round trips",
                  "Round trips per second (one request and its reply), by "
                  "workers:",
                  &tput, workers, nworkers);
    findings_throughput(f, r, wl);
    findings_models(f, r, wl, workers, nworkers);
    write_rtt(f, r, wl, workers, nworkers);
    findings_convoy(f, r, wl, workers, nworkers);
  } else {
    write_section(f, r, wl, "Throughput",
                  "Operations per second by workers:", &tput, workers,
                  nworkers);
    findings_throughput(f, r, wl);
    findings_answers(f, r, wl);
    findings_models(f, r, wl, workers, nworkers);
    if (write_section(f, r, wl, "Speedup",
                      "Throughput at N workers over throughput at 1 worker "
                      "of the same repetition, by workers:",
                      &speed, workers, nworkers))
      findings_speedup(f, r, wl, workers, nworkers);
  }
  findings_gil_reenabled(f, r, wl);
  if (kind != CELLKIND_LATENCY &&
      write_section(f, r, wl, "Efficiency",
                    "Speedup divided by the workers, by workers:", &eff,
                    workers, nworkers))
    findings_efficiency(f, r, wl, workers, nworkers);

  write_gil(f, r, wl, workers, nworkers);
  static const metric gc = {"gc.p99_us", MD_US, 1, 0, 0};
  if (write_section(f, r, wl, "GC pauses",
                    "99th percentile of the garbage collector's pauses, in "
                    "microseconds, by workers:",
                    &gc, workers, nworkers))
    findings_pause(f, r, wl, "gc.p99_us", "GC pause p99", 1);
  static const metric dealloc = {"dealloc.p99_us", MD_US, 1, 0, 0};
  if (write_section(f, r, wl, "Deallocation pauses",
                    "99th percentile of the pause of dropping a large "
                    "object graph's last reference (the reference-counting "
                    "cascade, with the GC off), in microseconds, by "
                    "workers:",
                    &dealloc, workers, nworkers))
    findings_pause(f, r, wl, "dealloc.p99_us", "deallocation pause p99", 0);
  static const metric hic = {"hiccup.python_us.p99", MD_US, 1, 0, 0};
  if (write_section(f, r, wl, "Hiccups",
                    "99th percentile of how late a Python thread sleeping "
                    "1 ms in a loop woke up, in microseconds, by workers:",
                    &hic, workers, nworkers))
    findings_hiccup(f, r, wl);
  static const metric uss = {"mem.per_worker_kb.uss", MD_MIB, 0, 0, 0};
  static const metric pss = {"mem.per_worker_kb.pss", MD_MIB, 0, 0, 0};
  if (write_section(f, r, wl, "Memory per worker",
                    "What each worker added to the cell's memory, per cell: "
                    "the total of the cell's process and its worker "
                    "processes at the timed region's peak, less the cell's "
                    "process before its workers started, over the workers "
                    "(for worker processes, USS is each one's own peak). USS "
                    "(private) in MiB, by workers:",
                    &uss, workers, nworkers)) {
    fprintf(f, "The same as PSS (shared pages split among the processes "
               "that map them), in MiB:\n\n");
    write_table(f, r, wl, &pss, workers, nworkers);
    memfit_finding(f, r, wl);
  }
  if (kind != CELLKIND_LATENCY)
    write_rtt(f, r, wl, workers, nworkers);
  write_runtimes(f, r, wl, workers, nworkers);
  write_failures(f, r, wl);
}

/* Every workload's section. */
static void write_workloads(FILE *f, const results *r) {
  const char *wls[256];
  size_t nwl = results_workloads(r, wls, 256);
  for (size_t i = 0; i < nwl; i++)
    if (!ipctable_is_ipc(r, wls[i]) && !servetable_is_serve(r, wls[i]))
      write_workload(f, r, wls[i]);
  /* Throughput and latency by message size, not scaling: one section for
   * every ipc.* workload (ipctable.h). */
  ipctable_write(f, r);
  /* Requests per second and latency by connections: one section for the
   * server workloads (servetable.h). */
  servetable_write(f, r);
}

/* One planned cell but its repetition, in words: workload, model (start
 * method, switch interval, axes), runtime, placement, workers. */
static void write_planned(FILE *f, const cJSON *row, double workers) {
  escape_md(f, results_str(row, "workload"));
  fputs(", ", f);
  escape_md(f, results_str(row, "model"));
  if (results_str(row, "start_method")[0]) {
    fputc(' ', f);
    escape_md(f, results_str(row, "start_method"));
  }
  double si = results_num(row, "switch_interval_s");
  if (isfinite(si))
    fprintf(f, " si=%gms", si * 1e3);
  double ct = results_num(row, "cpu_threads");
  if (isfinite(ct))
    fprintf(f, " +%g cpu", ct);
  if (results_str(row, "payload")[0]) {
    fprintf(f, " %g B ", results_num(row, "msg_size"));
    escape_md(f, results_str(row, "payload"));
  }
  fputs(" (", f);
  escape_md(f, results_str(row, "runtime"));
  fputs("), ", f);
  escape_md(f, results_str(row, "placement"));
  fprintf(f, ", %g worker%s", workers, workers == 1 ? "" : "s");
}

/* A run that recorded fewer cells than its plan (the metadata's, see
 * lab/run.c's run_plan_json): says so, and lists what is missing, a
 * repetition missing whole as one line; at most 30 lines. */
static void write_incomplete(FILE *f, const results *r) {
  const cJSON *plan = cJSON_GetObjectItemCaseSensitive(r->meta, "plan");
  const cJSON *rows = cJSON_GetObjectItemCaseSensitive(plan, "rows");
  const cJSON *workers = cJSON_GetObjectItemCaseSensitive(plan, "workers");
  double cells = results_num(plan, "cells"), warm = results_num(plan, "warmup");
  /* A merge of shards keeps its first shard's plan; gillab merge says
   * what is missing there (provenance's "partial"). */
  if (cJSON_GetObjectItemCaseSensitive(r->meta, "merged"))
    return;
  /* An -r auto run plans up to its cap: precision.c replays its rule. */
  precision_rule auto_rule;
  if (precision_of_meta(r->meta, &auto_rule))
    return;
  size_t nrows = (size_t)cJSON_GetArraySize(rows);
  size_t nw = (size_t)cJSON_GetArraySize(workers);
  if (!isfinite(cells) || cells < 1 || cells > 1e8 || !nrows || !nw ||
      !isfinite(warm) || warm < 0)
    return;
  size_t total = (size_t)cells, per_rep = nrows * nw, recorded = 0;
  unsigned char *seen = calloc(total, 1);
  if (!seen)
    return;
  for (size_t i = 0; i < r->n; i++) {
    double q = results_num(r->cells[i], "seq");
    if (q >= 0 && q < (double)total && q == floor(q) && !seen[(size_t)q]) {
      seen[(size_t)q] = 1;
      recorded++;
    }
  }
  if (recorded == total || total % per_rep != 0) {
    free(seen);
    return;
  }
  fprintf(f,
          "**Incomplete run**: %zu of the %zu cells it planned were "
          "recorded (it was interrupted); `gillab run --resume` on this "
          "directory completes it. Not recorded:\n\n",
          recorded, total);
  size_t lines = 0, left = 0;
  for (size_t rep = 0; rep < total / per_rep; rep++) {
    unsigned warmup = rep < (size_t)warm;
    unsigned label = warmup ? (unsigned)rep + 1 : (unsigned)(rep - warm) + 1;
    size_t missing = 0;
    for (size_t k = 0; k < per_rep; k++)
      missing += !seen[rep * per_rep + k];
    if (missing == 0)
      continue;
    if (missing == per_rep) {
      if (lines++ < 30)
        fprintf(f, "- %s %u: all its %zu cells\n",
                warmup ? "warm-up repetition" : "repetition", label, per_rep);
      else
        left += missing;
      continue;
    }
    for (size_t k = 0; k < per_rep; k++) {
      if (seen[rep * per_rep + k])
        continue;
      if (lines++ >= 30) {
        left++;
        continue;
      }
      fputs("- ", f);
      write_planned(
          f, cJSON_GetArrayItem(rows, (int)(k / nw)),
          cJSON_GetNumberValue(cJSON_GetArrayItem(workers, (int)(k % nw))));
      fprintf(f, ", %s %u\n", warmup ? "warm-up repetition" : "repetition",
              label);
    }
  }
  if (left)
    fprintf(f, "- and %zu more cells\n", left);
  fputc('\n', f);
  free(seen);
}

void summary_render(const results *r, FILE *f) {
  /* The question the run was for is its title (escape_md keeps it one
   * line); without one, the title says what the file is. */
  const char *q = provenance_question(r->meta);
  fputs("# ", f);
  if (provenance_partial(r->meta))
    fputs("PARTIAL: ", f);
  if (q)
    escape_md(f, q);
  else
    fputs("gillab results", f);
  fputs("\n\n", f);
  md_header(f, r->meta, "");
  fputc('\n', f);
  write_incomplete(f, r);
  if (provenance_partial(r->meta))
    fputs("**Partial**: this report is of the shards that were there (see "
          "\"partial\" above); cells of the missing ones are not in any "
          "table.\n\n",
          f);
  if (provenance_machines(r->meta) > 1)
    fprintf(f,
            "**%d machines**: the shards of this run ran on machines that "
            "differ (see \"machine m1\", ... above). Every row, chart line "
            "and finding below is of one machine (\"on m1\" after the "
            "model); no figure is averaged across machines.\n\n",
            provenance_machines(r->meta));
  /* What a reader takes away comes first (answers.h), then the runtimes
   * side by side (runtimes.h); the method and the tables after. */
  if (summary_lead_sections(r)) {
    answers_write(f, r);
    runtimes_write(f, r);
  }
  method_write(f, r);
  precision_write(f, r);
  /* Shards merged from machines that differ: each machine's cells alone,
   * so that no table or finding sets one machine's cells against
   * another's. */
  const cJSON *m, *machines = provenance_machines(r->meta) > 1
                                  ? results_get(r->meta, "merged.machines")
                                  : NULL;
  cJSON_ArrayForEach(m, machines) {
    results v;
    fprintf(f, "## Machine %s: ", results_str(m, "id"));
    escape_md(f, results_str(m, "cpu_model"));
    fputs("\n\n", f);
    if (results_view(r, results_str(m, "id"), &v) == 0)
      write_workloads(f, &v);
    results_view_free(&v);
  }
  if (provenance_machines(r->meta) <= 1)
    write_workloads(f, r);
  if (r->n == 0)
    fprintf(f, "No cell was measured.\n");
}

size_t summary_lead_sections(const results *r) {
  if (provenance_machines(r->meta) > 1)
    return 0;
  return answers_sections(r) + runtimes_sections(r);
}

int summary_write(const results *r, const char *dir, char *err, size_t errlen) {
  char path[PATH_MAX + 32];
  snprintf(path, sizeof path, "%s/summary.md", dir);
  outfile o;
  int rc = outfile_open(&o, path, err, errlen);
  if (rc < 0)
    return rc;
  summary_render(r, o.f);
  return outfile_commit(&o, err, errlen);
}
