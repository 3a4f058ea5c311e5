/* summary — see summary.h. */
#include "summary.h"

#include "registry.h"
#include "stats.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  cJSON *meta;
  cJSON **cells;
  size_t n;
} records;

static void records_free(records *r) {
  cJSON_Delete(r->meta);
  for (size_t i = 0; i < r->n; i++)
    cJSON_Delete(r->cells[i]);
  free(r->cells);
}

static int records_load(const char *path, records *r, char *err,
                        size_t errlen) {
  memset(r, 0, sizeof *r);
  FILE *f = fopen(path, "r");
  if (!f) {
    snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
    return -errno;
  }
  char *line = NULL;
  size_t cap = 0, lineno = 0;
  while (getline(&line, &cap, f) > 0) {
    lineno++;
    cJSON *rec = cJSON_Parse(line);
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(rec, "type");
    if (!cJSON_IsString(type)) {
      /* A run killed mid-write can leave a torn last line: skip it. */
      fprintf(stderr, "gillab: %s:%zu: not a record, skipped\n", path, lineno);
      cJSON_Delete(rec);
      continue;
    }
    if (strcmp(type->valuestring, "meta") == 0 && !r->meta) {
      r->meta = rec;
      continue;
    }
    cJSON **cells = realloc(r->cells, (r->n + 1) * sizeof *cells);
    if (!cells) {
      cJSON_Delete(rec);
      break;
    }
    r->cells = cells;
    r->cells[r->n++] = rec;
  }
  free(line);
  fclose(f);
  return 0;
}

static const char *str(const cJSON *rec, const char *key) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(rec, key);
  return cJSON_IsString(v) ? v->valuestring : "";
}

/* A number at key, which may be a dotted path ("gil.wait_share"). */
static double num(const cJSON *rec, const char *key) {
  char part[64];
  const char *dot;
  while ((dot = strchr(key, '.')) && (size_t)(dot - key) < sizeof part) {
    snprintf(part, sizeof part, "%.*s", (int)(dot - key), key);
    rec = cJSON_GetObjectItemCaseSensitive(rec, part);
    key = dot + 1;
  }
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(rec, key);
  return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* Same model, placement, switch interval (null: the default) and CPU-bound
 * threads beside (mixed.convoy; absent elsewhere). */
static int same_setup(const cJSON *a, const cJSON *b) {
  double x = num(a, "switch_interval_s"), y = num(b, "switch_interval_s");
  double ca = num(a, "cpu_threads"), cb = num(b, "cpu_threads");
  return strcmp(str(a, "model"), str(b, "model")) == 0 &&
         strcmp(str(a, "placement"), str(b, "placement")) == 0 &&
         strcmp(str(a, "start_method"), str(b, "start_method")) == 0 &&
         (x == y || (isnan(x) && isnan(y))) &&
         (ca == cb || (isnan(ca) && isnan(cb)));
}

/* A table row: the cells of one runtime and setup. */
static int same_row(const cJSON *a, const cJSON *b) {
  return strcmp(str(a, "runtime"), str(b, "runtime")) == 0 && same_setup(a, b);
}

/* The model column: the model, its start method (processes), the switch
 * interval when one was set and the CPU-bound threads beside
 * ("processes spawn, si 1ms, 1 cpu"). */
static const char *model_label(const cJSON *row, char *buf, size_t len) {
  double si = num(row, "switch_interval_s");
  const char *sm = str(row, "start_method");
  int n = snprintf(buf, len, "%s%s%s", str(row, "model"), *sm ? " " : "", sm);
  if (!isnan(si) && n >= 0 && (size_t)n < len)
    n += snprintf(buf + n, len - (size_t)n, ", si %gms", si * 1e3);
  double cpu = num(row, "cpu_threads");
  if (!isnan(cpu) && n >= 0 && (size_t)n < len)
    snprintf(buf + n, len - (size_t)n, ", %g cpu", cpu);
  return buf;
}

/* Whether a cell of workload before cell i, not skipped, belongs to the
 * same table row as cell i: each row is written at its first cell. */
static int row_seen_before(const records *r, size_t i, const char *workload) {
  for (size_t j = 0; j < i; j++)
    if (strcmp(str(r->cells[j], "workload"), workload) == 0 &&
        strcmp(str(r->cells[j], "status"), "skipped") != 0 &&
        same_row(r->cells[j], r->cells[i]))
      return 1;
  return 0;
}

/* 297000 -> "297k"; three significant digits. */
static void fmt_si(char *buf, size_t len, double v) {
  static const char *const suffix[] = {"", "k", "M", "G", "T"};
  int i = 0;
  if (!isfinite(v)) {
    snprintf(buf, len, "–");
    return;
  }
  while (fabs(v) >= 1000 && i < 4) {
    v /= 1000;
    i++;
  }
  snprintf(buf, len, "%.3g%s", v, suffix[i]);
}

/* The median of `key` over the ok cells of workload in runtime rt, with
 * row's model and placement and `workers` workers; vals has room for every
 * record. *nv: the cells counted, *tried: the cells there were. */
static double median_of(const records *r, const char *workload, const char *rt,
                        const cJSON *row, unsigned workers, const char *key,
                        double *vals, size_t *nv, size_t *tried) {
  *nv = *tried = 0;
  for (size_t j = 0; j < r->n; j++) {
    const cJSON *c = r->cells[j];
    if (strcmp(str(c, "workload"), workload) != 0 ||
        strcmp(str(c, "runtime"), rt) != 0 || !same_setup(c, row) ||
        num(c, "workers") != workers)
      continue;
    (*tried)++;
    double v = num(c, key);
    if (strcmp(str(c, "status"), "ok") == 0 && isfinite(v))
      vals[(*nv)++] = v;
  }
  return stats_median(vals, *nv);
}

typedef enum { FMT_SI, FMT_RATIO, FMT_PERCENT } cell_fmt;

/* One table: rows x worker counts, each entry the median of `key` over the
 * ok cells, with the count of repetitions when some failed. Keys under
 * "gil." exist for Python models only: native rows are left out. */
static void write_table(FILE *f, records *r, const char *workload,
                        const char *key, cell_fmt fmt, const unsigned *workers,
                        size_t nworkers) {
  int python_only = strncmp(key, "gil.", 4) == 0;
  fprintf(f, "| runtime | model | placement |");
  for (size_t k = 0; k < nworkers; k++)
    fprintf(f, " %u |", workers[k]);
  fprintf(f, "\n|---|---|---|");
  for (size_t k = 0; k < nworkers; k++)
    fprintf(f, "---:|");
  fputc('\n', f);
  double *vals = malloc((r->n + 1) * sizeof *vals);
  for (size_t i = 0; vals && i < r->n; i++) {
    const cJSON *row = r->cells[i];
    if (strcmp(str(row, "workload"), workload) != 0 ||
        strcmp(str(row, "status"), "skipped") == 0 ||
        (python_only && strcmp(str(row, "runtime"), "native") == 0))
      continue;
    if (row_seen_before(r, i, workload))
      continue;
    char label[128];
    fprintf(f, "| %s | %s | %s |", str(row, "runtime"),
            model_label(row, label, sizeof label), str(row, "placement"));
    for (size_t k = 0; k < nworkers; k++) {
      size_t nv, tried;
      double med = median_of(r, workload, str(row, "runtime"), row, workers[k],
                             key, vals, &nv, &tried);
      char cell[64];
      if (!isfinite(med))
        snprintf(cell, sizeof cell, "–");
      else if (fmt == FMT_SI)
        fmt_si(cell, sizeof cell, med);
      else if (fmt == FMT_PERCENT)
        snprintf(cell, sizeof cell, "%.0f%%", med * 100);
      else
        snprintf(cell, sizeof cell, "%.2f", med);
      if (tried && nv < tried)
        fprintf(f, " %s (%zu/%zu ok) |", cell, nv, tried);
      else
        fprintf(f, " %s |", cell);
    }
    fputc('\n', f);
  }
  free(vals);
}

/* With two or more Python runtimes: each runtime's median throughput as a
 * ratio to the first runtime's, for the same model, placement and workers
 * (the question "should we move to that runtime?"). */
static void write_runtimes(FILE *f, records *r, const char *workload,
                           const unsigned *workers, size_t nworkers) {
  const cJSON *rts[64];
  size_t nrts = 0;
  for (size_t i = 0; i < r->n && nrts < 64; i++) {
    const cJSON *c = r->cells[i];
    const cJSON *py = cJSON_GetObjectItemCaseSensitive(c, "python");
    if (strcmp(str(c, "workload"), workload) != 0 || !py)
      continue;
    size_t k = 0;
    while (k < nrts && strcmp(str(rts[k], "runtime"), str(c, "runtime")))
      k++;
    if (k == nrts)
      rts[nrts++] = c;
  }
  if (nrts < 2)
    return;
  double *vals = malloc((r->n + 1) * sizeof *vals);
  if (!vals)
    return;
  fprintf(f,
          "Runtimes side by side: median throughput, and its ratio to "
          "runtime %s:\n\n| model | placement | workers |",
          str(rts[0], "runtime"));
  for (size_t k = 0; k < nrts; k++)
    fprintf(f, " %s |", str(rts[k], "runtime"));
  fprintf(f, "\n|---|---|---:|");
  for (size_t k = 0; k < nrts; k++)
    fprintf(f, "---:|");
  fputc('\n', f);
  for (size_t i = 0; i < r->n; i++) {
    const cJSON *row = r->cells[i];
    if (strcmp(str(row, "workload"), workload) != 0 ||
        strcmp(str(row, "runtime"), str(rts[0], "runtime")) != 0 ||
        !cJSON_GetObjectItemCaseSensitive(row, "python") ||
        row_seen_before(r, i, workload))
      continue;
    for (size_t w = 0; w < nworkers; w++) {
      char label[128];
      fprintf(f, "| %s | %s | %u |", model_label(row, label, sizeof label),
              str(row, "placement"), workers[w]);
      double base = NAN;
      for (size_t k = 0; k < nrts; k++) {
        size_t nv, tried;
        double med = median_of(r, workload, str(rts[k], "runtime"), row,
                               workers[w], "throughput", vals, &nv, &tried);
        if (k == 0)
          base = med;
        char cell[64];
        fmt_si(cell, sizeof cell, med);
        if (k > 0 && isfinite(med) && isfinite(base) && base > 0)
          fprintf(f, " %s (%.2f×) |", cell, med / base);
        else
          fprintf(f, " %s |", cell);
      }
      fputc('\n', f);
    }
  }
  fputc('\n', f);
  free(vals);
}

/* Whether any cell of the workload has GIL probe figures. */
static int has_gil_figures(const records *r, const char *workload) {
  for (size_t i = 0; i < r->n; i++)
    if (strcmp(str(r->cells[i], "workload"), workload) == 0 &&
        isfinite(num(r->cells[i], "gil.wait_share")))
      return 1;
  return 0;
}

static int cmp_unsigned(const void *a, const void *b) {
  unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
  return (x > y) - (x < y);
}

static void write_workload(FILE *f, records *r, const char *workload) {
  const wl_workload *wl = wl_find(workload);
  fprintf(f, "## %s\n\n", workload);
  if (wl)
    fprintf(f, "%s.\n\n", wl->summary);
  unsigned workers[256];
  size_t nworkers = 0, reps = 0;
  for (size_t i = 0; i < r->n; i++) {
    const cJSON *c = r->cells[i];
    if (strcmp(str(c, "workload"), workload) != 0)
      continue;
    unsigned n = (unsigned)num(c, "workers");
    size_t k = 0;
    while (k < nworkers && workers[k] != n)
      k++;
    if (k == nworkers && nworkers < 256)
      workers[nworkers++] = n;
    if (num(c, "rep") > (double)reps)
      reps = (size_t)num(c, "rep");
  }
  qsort(workers, nworkers, sizeof workers[0], cmp_unsigned);
  fprintf(f,
          "Throughput (operations per second, median of %zu "
          "repetition%s), by workers:\n\n",
          reps, reps == 1 ? "" : "s");
  write_table(f, r, workload, "throughput", FMT_SI, workers, nworkers);
  fprintf(f, "\nSpeedup against 1 worker of the same model, placement and "
             "repetition (median), by workers:\n\n");
  write_table(f, r, workload, "speedup", FMT_RATIO, workers, nworkers);
  fputc('\n', f);
  if (has_gil_figures(r, workload)) {
    fprintf(f, "GIL wait: the share of the workers' time spent waiting for "
               "the GIL (median), by workers:\n\n");
    write_table(f, r, workload, "gil.wait_share", FMT_PERCENT, workers,
                nworkers);
    fprintf(f, "\nGIL held: the fraction of the time the GIL was held "
               "(median; sampled every 5 ms on average), by workers:\n\n");
    write_table(f, r, workload, "gil.held_frac", FMT_RATIO, workers, nworkers);
    fprintf(f, "\nGIL acquisition latency, 99th percentile in microseconds "
               "(median), by workers:\n\n");
    write_table(f, r, workload, "gil.acq_us.p99", FMT_SI, workers, nworkers);
    fputc('\n', f);
  }
  write_runtimes(f, r, workload, workers, nworkers);

  int any = 0;
  for (size_t i = 0; i < r->n; i++) {
    const cJSON *c = r->cells[i];
    if (strcmp(str(c, "workload"), workload) != 0 ||
        strcmp(str(c, "status"), "ok") == 0)
      continue;
    if (!any++)
      fprintf(f, "Cells not measured:\n\n");
    const char *error = str(c, "error"), *nl = strrchr(error, '\n');
    fprintf(f, "- %s, n=%g, %s, rep %g: **%s** — %s\n", str(c, "model"),
            num(c, "workers"), str(c, "placement"), num(c, "rep"),
            str(c, "status"), nl ? nl + 1 : error);
  }
  if (any)
    fputc('\n', f);
}

static void write_header(FILE *f, const cJSON *meta) {
  const cJSON *mach = cJSON_GetObjectItemCaseSensitive(meta, "machine");
  const cJSON *g = cJSON_GetObjectItemCaseSensitive(meta, "gillab");
  fprintf(f, "# gillab results\n\n");
  if (!meta) {
    fprintf(f, "(no metadata record)\n\n");
    return;
  }
  fprintf(f, "- started: %s\n", str(meta, "started"));
  fprintf(f, "- command: `%s`\n", str(meta, "command"));
  fprintf(f, "- machine: %s, %s; %s; %s; governor %s\n", str(mach, "hostname"),
          str(mach, "cpu_model"), str(mach, "topology"), str(mach, "kernel"),
          str(mach, "governor"));
  const cJSON *rt;
  cJSON_ArrayForEach(rt, cJSON_GetObjectItemCaseSensitive(meta, "runtimes")) {
    const cJSON *ft = cJSON_GetObjectItemCaseSensitive(rt, "free_threaded");
    /* The configure flags that change speed: readers comparing runtimes
     * must know that a build without PGO/LTO is slower per thread. */
    static const char *const flags[] = {"--enable-optimizations", "--with-lto",
                                        "--disable-gil", "--enable-shared"};
    char shown[256] = "";
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
      if (strstr(str(rt, "config_args"), flags[i])) {
        size_t used = strlen(shown);
        snprintf(shown + used, sizeof shown - used, " %s", flags[i]);
      }
    fprintf(f, "- runtime %s: CPython %s, %s; configure:%s; %s\n",
            str(rt, "tag"), str(rt, "version"),
            cJSON_IsTrue(ft) ? "free-threaded build" : "GIL build",
            shown[0] ? shown : " (none of note)", str(rt, "runner"));
  }
  fprintf(f, "- gillab %s (git %s)\n\n", str(g, "version"), str(g, "git"));
  const cJSON *spec = cJSON_GetObjectItemCaseSensitive(meta, "spec");
  int weak = strcmp(str(spec, "scaling"), "weak") == 0;
  fprintf(f,
          "Native models (the C twins, no Python) show runtime `native`. "
          "Speedup is throughput at N workers over throughput at 1 worker "
          "(ideal: N); %s\n\n",
          weak ? "weak scaling: each worker did the same work, so the speedup "
                 "reads N t1 / tN."
               : "strong scaling: the same work was split across the "
                 "workers.");
  if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(meta, "runtimes")) >
      1)
    fprintf(f, "Throughput across runtimes also reflects how each was built: "
               "builds without PGO (`--enable-optimizations`) or LTO run "
               "Python slower per thread (scripts/get-python builds neither; "
               "distributions build with PGO through their own rules).\n\n");
}

int summary_write(const char *dir, char *err, size_t errlen) {
  char path[PATH_MAX + 32];
  records r;
  snprintf(path, sizeof path, "%s/results.jsonl", dir);
  int rc = records_load(path, &r, err, errlen);
  if (rc < 0)
    return rc;
  snprintf(path, sizeof path, "%s/summary.md", dir);
  FILE *f = fopen(path, "w");
  if (!f) {
    snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
    records_free(&r);
    return -errno;
  }
  write_header(f, r.meta);
  for (size_t i = 0; i < r.n; i++) {
    const char *wl = str(r.cells[i], "workload");
    int seen = 0;
    for (size_t j = 0; j < i && !seen; j++)
      seen = strcmp(str(r.cells[j], "workload"), wl) == 0;
    if (!seen)
      write_workload(f, &r, wl);
  }
  if (r.n == 0)
    fprintf(f, "No cell was measured.\n");
  rc = fclose(f) == 0 ? 0 : -EIO;
  if (rc < 0)
    snprintf(err, errlen, "cannot write %s", path);
  records_free(&r);
  return rc;
}
