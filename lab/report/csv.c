/* csv — see csv.h. */
#include "csv.h"

#include "escape.h"
#include "outfile.h"
#include "provenance.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <string.h>

typedef enum { COL_STR, COL_NUM, COL_BOOL } col_kind;

/* The columns, in their fixed order: the name in the header and the path
 * in the record. Append new ones at the end only. */
static const struct {
  const char *name, *path;
  col_kind kind;
} cols[] = {
    {"workload", "workload", COL_STR},
    {"runtime", "runtime", COL_STR},
    {"model", "model", COL_STR},
    {"start_method", "start_method", COL_STR},
    {"switch_interval_s", "switch_interval_s", COL_NUM},
    {"cpu_threads", "cpu_threads", COL_NUM},
    {"placement", "placement", COL_STR},
    {"workers", "workers", COL_NUM},
    {"scaling", "scaling", COL_STR},
    {"rep", "rep", COL_NUM},
    {"warmup", "warmup", COL_BOOL},
    {"status", "status", COL_STR},
    {"units", "units", COL_NUM},
    {"ops", "ops", COL_NUM},
    {"wall_s", "wall_s", COL_NUM},
    {"throughput", "throughput", COL_NUM},
    {"speedup", "speedup", COL_NUM},
    {"answer", "answer", COL_NUM},
    {"hash_seed", "hash_seed", COL_NUM},
    {"placement_ok", "placement_ok", COL_BOOL},
    {"cpu_imbalance", "cpu_imbalance", COL_NUM},
    {"setup_s", "setup_s", COL_NUM},
    {"elapsed_s", "elapsed_s", COL_NUM},
    {"gil_enabled", "gil.enabled", COL_BOOL},
    {"gil_wait_s", "gil.wait_s", COL_NUM},
    {"gil_wait_share", "gil.wait_share", COL_NUM},
    {"gil_waits", "gil.waits", COL_NUM},
    {"gil_drop_requests", "gil.drop_requests", COL_NUM},
    {"gil_switches", "gil.switches", COL_NUM},
    {"gil_held_frac", "gil.held_frac", COL_NUM},
    {"gil_acq_p50_us", "gil.acq_us.p50", COL_NUM},
    {"gil_acq_p90_us", "gil.acq_us.p90", COL_NUM},
    {"gil_acq_p99_us", "gil.acq_us.p99", COL_NUM},
    {"gil_acq_max_us", "gil.acq_us.max", COL_NUM},
    {"cores_user_s", "cores.user_s", COL_NUM},
    {"cores_sys_s", "cores.sys_s", COL_NUM},
    {"cores_maxrss_kb", "cores.maxrss_kb", COL_NUM},
    {"gc_collections", "gc.collections", COL_NUM},
    {"gc_total_s", "gc.total_s", COL_NUM},
    {"gc_p50_us", "gc.p50_us", COL_NUM},
    {"gc_p99_us", "gc.p99_us", COL_NUM},
    {"gc_max_us", "gc.max_us", COL_NUM},
    {"dealloc_drops", "dealloc.drops", COL_NUM},
    {"dealloc_total_s", "dealloc.total_s", COL_NUM},
    {"dealloc_p50_us", "dealloc.p50_us", COL_NUM},
    {"dealloc_p99_us", "dealloc.p99_us", COL_NUM},
    {"dealloc_max_us", "dealloc.max_us", COL_NUM},
    {"dealloc_objects", "dealloc.objects", COL_NUM},
    {"hiccup_python_p50_us", "hiccup.python_us.p50", COL_NUM},
    {"hiccup_python_p99_us", "hiccup.python_us.p99", COL_NUM},
    {"hiccup_python_max_us", "hiccup.python_us.max", COL_NUM},
    {"hiccup_native_p50_us", "hiccup.native_us.p50", COL_NUM},
    {"hiccup_native_p99_us", "hiccup.native_us.p99", COL_NUM},
    {"hiccup_native_max_us", "hiccup.native_us.max", COL_NUM},
    {"convoy_cpu_threads", "convoy.cpu_threads", COL_NUM},
    {"convoy_round_trips", "convoy.round_trips", COL_NUM},
    {"convoy_round_trips_per_s", "convoy.round_trips_per_s", COL_NUM},
    {"convoy_rtt_p50_us", "convoy.rtt_us.p50", COL_NUM},
    {"convoy_rtt_p99_us", "convoy.rtt_us.p99", COL_NUM},
    {"echo_round_trips", "echo.round_trips", COL_NUM},
    {"echo_round_trips_per_s", "echo.round_trips_per_s", COL_NUM},
    {"echo_rtt_p50_us", "echo.rtt_us.p50", COL_NUM},
    {"echo_rtt_p99_us", "echo.rtt_us.p99", COL_NUM},
    {"error", "error", COL_STR},
    /* Memory (embed/memuse.h): the cell's process, the total with its
     * worker processes, and what each worker added. */
    {"mem_cell_rss_peak_kb", "mem.cell.rss_peak_kb", COL_NUM},
    {"mem_cell_pss_peak_kb", "mem.cell.pss_peak_kb", COL_NUM},
    {"mem_cell_uss_peak_kb", "mem.cell.uss_peak_kb", COL_NUM},
    {"mem_cell_rss_end_kb", "mem.cell.rss_end_kb", COL_NUM},
    {"mem_cell_pss_end_kb", "mem.cell.pss_end_kb", COL_NUM},
    {"mem_cell_uss_end_kb", "mem.cell.uss_end_kb", COL_NUM},
    {"mem_total_rss_peak_kb", "mem.total.rss_peak_kb", COL_NUM},
    {"mem_total_pss_peak_kb", "mem.total.pss_peak_kb", COL_NUM},
    {"mem_total_uss_peak_kb", "mem.total.uss_peak_kb", COL_NUM},
    {"mem_total_rss_end_kb", "mem.total.rss_end_kb", COL_NUM},
    {"mem_total_pss_end_kb", "mem.total.pss_end_kb", COL_NUM},
    {"mem_total_uss_end_kb", "mem.total.uss_end_kb", COL_NUM},
    {"mem_per_worker_uss_kb", "mem.per_worker_kb.uss", COL_NUM},
    {"mem_per_worker_pss_kb", "mem.per_worker_kb.pss", COL_NUM},
    {"mem_per_worker_rss_kb", "mem.per_worker_kb.rss", COL_NUM},
};
#define NCOLS (sizeof cols / sizeof cols[0])

/* s in a "# " comment line: line breaks as spaces, so that no text of the
 * results file (the label too: "runtime TAG") can start a row. */
static void comment_text(FILE *f, const char *s) {
  for (; *s; s++)
    fputc(*s == '\n' || *s == '\r' ? ' ' : *s, f);
}

static void header_line(void *ctx, const char *label, const char *value) {
  FILE *f = ctx;
  fputs("# ", f);
  comment_text(f, label);
  fputs(": ", f);
  comment_text(f, value);
  fputc('\n', f);
}

/* v as printf's "%.15g" writes it. Most figures are whole numbers
 * (counts, sizes, workers), written here without printf's conversion of a
 * double, which was a fifth of a 100k-record report's time; the rest go
 * to printf. Below 1e15 "%.15g" writes a whole number in full. */
static void put_num(FILE *f, double v) {
  if (v == floor(v) && fabs(v) < 1e15 && !(v == 0 && signbit(v))) {
    char buf[24], *p = buf + sizeof buf;
    long long n = (long long)v;
    unsigned long long u =
        n < 0 ? 0ULL - (unsigned long long)n : (unsigned long long)n;
    do
      *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (n < 0)
      *--p = '-';
    fwrite(p, 1, (size_t)(buf + sizeof buf - p), f);
    return;
  }
  fprintf(f, "%.15g", v);
}

void csv_render(const results *r, FILE *f) {
  if (provenance_question(r->meta))
    header_line(f, "question", provenance_question(r->meta));
  provenance_describe(r->meta, header_line, f);
  /* A merge of shards (lab/merge.h): where each cell ran, in two columns
   * after the fixed ones (only then, so other files keep their header). */
  int merged =
      cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(r->meta, "merged"));
  for (size_t k = 0; k < NCOLS; k++)
    fprintf(f, "%s%s", k ? "," : "", cols[k].name);
  if (merged)
    fputs(",shard,machine", f);
  fputc('\n', f);
  results_path path[NCOLS];
  for (size_t k = 0; k < NCOLS; k++)
    results_path_make(r, cols[k].path, &path[k]);
  for (size_t i = 0; i < r->n; i++) {
    const cJSON *c = r->cells[i];
    for (size_t k = 0; k < NCOLS; k++) {
      if (k)
        fputc(',', f);
      const cJSON *v = results_path_get(c, &path[k]);
      if (cols[k].kind == COL_STR && cJSON_IsString(v))
        escape_csv(f, v->valuestring);
      else if (cols[k].kind == COL_NUM && cJSON_IsNumber(v))
        put_num(f, v->valuedouble);
      else if (cols[k].kind == COL_BOOL && cJSON_IsBool(v))
        fputs(cJSON_IsTrue(v) ? "true" : "false", f);
      else if (cols[k].kind == COL_BOOL && strcmp(cols[k].name, "warmup") == 0)
        fputs("false", f); /* absent: a measured repetition */
    }
    if (merged) {
      double sh = results_num(c, "shard");
      if (isfinite(sh))
        fprintf(f, ",%g,", sh);
      else
        fputs(",,", f);
      escape_csv(f, results_str(c, "machine"));
    }
    fputc('\n', f);
  }
}

int csv_write(const results *r, const char *dir, char *err, size_t errlen) {
  char path[PATH_MAX + 32];
  snprintf(path, sizeof path, "%s/results.csv", dir);
  outfile o;
  int rc = outfile_open(&o, path, err, errlen);
  if (rc < 0)
    return rc;
  csv_render(r, o.f);
  return outfile_commit(&o, err, errlen);
}
