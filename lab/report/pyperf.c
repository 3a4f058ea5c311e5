/* pyperf — see pyperf.h. */
#include "pyperf.h"

#include "outfile.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* pyperf's JSON format version (pyperf/_bench.py, _JSON_VERSION): pyperf
 * 1.0 and later read it, warm-up values per loop iteration. */
#define PYPERF_JSON_VERSION "1.0"

/* Adds s as metadata key to md when pyperf takes it (pyperf/_metadata.py,
 * parse_metadata): not empty once trimmed, no line break. */
static void md_str(cJSON *md, const char *key, const char *s) {
  if (!s || strpbrk(s, "\r\n"))
    return;
  while (*s == ' ' || *s == '\t')
    s++;
  size_t n = strlen(s);
  while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
    n--;
  if (n == 0)
    return;
  char *t = strndup(s, n);
  if (t)
    cJSON_AddStringToObject(md, key, t);
  free(t);
}

/* Adds the number at path of rec as metadata key, when it is one. */
static void md_num(cJSON *md, const char *key, const cJSON *rec,
                   const char *path) {
  double v = results_num(rec, path);
  if (isfinite(v))
    cJSON_AddNumberToObject(md, key, v);
}

/* The metadata record's runtime whose tag is tag (with the machine's own
 * runtimes when the record came from one machine of several), or NULL. */
static const cJSON *find_runtime(const cJSON *meta, const cJSON *machine,
                                 const char *tag) {
  const cJSON *rt;
  cJSON_ArrayForEach(
      rt, cJSON_GetObjectItemCaseSensitive(
              machine, "runtimes")) if (strcmp(results_str(rt, "tag"), tag) ==
                                        0) return rt;
  cJSON_ArrayForEach(rt,
                     cJSON_GetObjectItemCaseSensitive(
                         meta, "runtimes")) if (strcmp(results_str(rt, "tag"),
                                                       tag) == 0) return rt;
  return NULL;
}

/* The machine a record ran on: its entry in merged.machines when a merge
 * of shards that ran on machines that differ names it (lab/merge.h), else
 * the metadata's machine. */
static const cJSON *find_machine(const cJSON *meta, const cJSON *rec) {
  const char *id = results_str(rec, "machine");
  const cJSON *m;
  if (*id)
    cJSON_ArrayForEach(
        m,
        results_get(meta, "merged.machines")) if (strcmp(results_str(m, "id"),
                                                         id) == 0) return m;
  return cJSON_GetObjectItemCaseSensitive(meta, "machine");
}

/* The benchmark's name: the cell's key in words (pyperf.h), with the axes
 * at their default left out so that the names of two runs of the same
 * experiment are the same; without the runtime when no_runtime. Line breaks in
 * names from a user's file become spaces (pyperf refuses them). */
static void bench_name(const cJSON *rec, int no_runtime, char *buf,
                       size_t len) {
  int n = snprintf(buf, len, "%s %s n=%g%s%s", results_str(rec, "workload"),
                   results_str(rec, "model"), results_num(rec, "workers"),
                   no_runtime ? "" : " ",
                   no_runtime ? "" : results_str(rec, "runtime"));
  static const struct {
    const char *key, *dflt;
  } text[] = {{"start_method", "default"},
              {"placement", "none"},
              {"scaling", "strong"},
              {"payload", ""},
              {"machine", ""}};
  for (size_t i = 0; i < sizeof text / sizeof *text; i++) {
    const char *v = results_str(rec, text[i].key);
    if (*v && strcmp(v, text[i].dflt) != 0 && n >= 0 && (size_t)n < len)
      n += snprintf(buf + n, len - (size_t)n, " %s=%s", text[i].key, v);
  }
  double si = results_num(rec, "switch_interval_s");
  if (!isnan(si) && n >= 0 && (size_t)n < len)
    n += snprintf(buf + n, len - (size_t)n, " si=%gms", si * 1e3);
  static const char *const nums[] = {"cpu_threads", "msg_size"};
  for (size_t i = 0; i < sizeof nums / sizeof *nums; i++) {
    double v = results_num(rec, nums[i]);
    if (!isnan(v) && n >= 0 && (size_t)n < len)
      n += snprintf(buf + n, len - (size_t)n, " %s=%.*g", nums[i],
                    v == floor(v) && fabs(v) < 1e15 ? 17 : 6, v);
  }
  for (char *p = buf; *p; p++)
    if (*p == '\r' || *p == '\n')
      *p = ' ';
}

/* The suite's metadata: what every benchmark shares (gillab, the command,
 * the machine the run was made on). */
static void suite_metadata(const cJSON *meta, cJSON *md) {
  md_str(md, "gillab_version",
         results_str(results_get(meta, "gillab"), "version"));
  md_str(md, "gillab_git", results_str(results_get(meta, "gillab"), "git"));
  md_str(md, "gillab_command", results_str(meta, "command"));
  md_str(md, "gillab_question",
         results_str(results_get(meta, "spec"), "question"));
  md_str(md, "gillab_run_started", results_str(meta, "started"));
  /* pyperf's "date" is "YYYY-MM-DD HH:MM:SS" (datetime.fromisoformat): the
   * run's start, without the Z that Python before 3.11 refuses. */
  const char *started = results_str(meta, "started");
  if (strlen(started) >= 19 && started[10] == 'T') {
    char date[20];
    memcpy(date, started, 19);
    date[10] = ' ';
    date[19] = '\0';
    md_str(md, "date", date);
  }
}

/* The metadata of one benchmark: the cell's key, its machine and runtime,
 * what its values are. */
static void bench_metadata(const cJSON *meta, const cJSON *rec,
                           const char *name, const char *value_kind,
                           cJSON *md) {
  cJSON_AddStringToObject(md, "name", name);
  cJSON_AddStringToObject(md, "unit", "second");
  cJSON_AddNumberToObject(md, "loops", 1);
  md_str(md, "gillab_value", value_kind);
  static const char *const text[] = {"workload",  "model",   "start_method",
                                     "placement", "runtime", "scaling",
                                     "payload",   "machine"};
  char key[64];
  for (size_t i = 0; i < sizeof text / sizeof *text; i++) {
    snprintf(key, sizeof key, "gillab_%s", text[i]);
    md_str(md, key, results_str(rec, text[i]));
  }
  md_num(md, "gillab_workers", rec, "workers");
  md_num(md, "gillab_switch_interval_s", rec, "switch_interval_s");
  md_num(md, "gillab_cpu_threads", rec, "cpu_threads");
  md_num(md, "gillab_msg_size", rec, "msg_size");
  md_num(md, "gillab_units", rec, "units");
  const cJSON *m = find_machine(meta, rec);
  md_str(md, "hostname", results_str(m, "hostname"));
  md_str(md, "cpu_model_name", results_str(m, "cpu_model"));
  double pus = results_num(m, "pus");
  if (pus >= 1)
    cJSON_AddNumberToObject(md, "cpu_count", pus);
  md_str(md, "platform", results_str(m, "kernel"));
  md_str(md, "gillab_topology", results_str(m, "topology"));
  md_str(md, "gillab_os", results_str(m, "os"));
  const cJSON *rt = find_runtime(meta, m, results_str(rec, "runtime"));
  if (rt) {
    md_str(md, "python_version", results_str(rt, "version"));
    md_str(md, "python_implementation", results_str(rt, "implementation"));
    md_str(md, "gillab_python_build", results_str(rt, "build"));
    md_str(md, "gillab_gil",
           cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rt, "free_threaded"))
               ? "free-threaded"
               : "GIL");
  }
}

/* The value of a repetition (pyperf.h): seconds per operation, or wall_s
 * when by_wall; NAN when the record has none pyperf would take (> 0). */
static double rep_value(const cJSON *rec, int by_wall) {
  double v = by_wall ? results_num(rec, "wall_s")
                     : 1.0 / results_num(rec, "throughput");
  return isfinite(v) && v > 0 ? v : NAN;
}

/* One pyperf run: a measured repetition, with its own metadata. */
static cJSON *make_run(const cJSON *rec, double value) {
  cJSON *run = cJSON_CreateObject();
  cJSON *md = cJSON_AddObjectToObject(run, "metadata");
  cJSON *values = cJSON_AddArrayToObject(run, "values");
  if (!md || !values) {
    cJSON_Delete(run);
    return NULL;
  }
  cJSON_AddItemToArray(values, cJSON_CreateNumber(value));
  md_num(md, "gillab_rep", rec, "rep");
  md_num(md, "gillab_seq", rec, "seq");
  md_num(md, "gillab_ops", rec, "ops");
  md_num(md, "gillab_wall_s", rec, "wall_s");
  md_num(md, "gillab_throughput", rec, "throughput");
  md_num(md, "gillab_hash_seed", rec, "hash_seed");
  md_num(md, "gillab_shard", rec, "shard");
  double elapsed = results_num(rec, "elapsed_s");
  if (isfinite(elapsed) && elapsed >= 0)
    cJSON_AddNumberToObject(md, "duration", elapsed);
  const cJSON *ok = cJSON_GetObjectItemCaseSensitive(rec, "placement_ok");
  if (cJSON_IsBool(ok))
    md_str(md, "gillab_placement_ok", cJSON_IsTrue(ok) ? "yes" : "no");
  return run;
}

/* A repetition's status and error in one line, for a note. */
static const char *why_left_out(const cJSON *rec, char *buf, size_t len) {
  const char *error = results_str(rec, "error");
  snprintf(buf, len, "%s%s%.*s", results_str(rec, "status"), *error ? ": " : "",
           (int)strcspn(error, "\n"), error);
  return buf;
}

/* Whether benches holds a benchmark named name. */
static int name_taken(const cJSON *benches, const char *name) {
  const cJSON *b;
  cJSON_ArrayForEach(b, benches) {
    if (strcmp(results_str(results_get(b, "metadata"), "name"), name) == 0)
      return 1;
  }
  return 0;
}

/* The benchmark of group g, NULL when none of its repetitions can be a
 * run (notes say why) or memory ran out (*oom). Its name is not one of
 * benches' (pyperf refuses two benchmarks of one name): two keys whose
 * words are the same (an axis that is "" in one and its default in the
 * other) get " #2", " #3". */
static cJSON *make_bench(const results *r, const results_group *g,
                         int no_runtime, const cJSON *benches, FILE *notes,
                         pyperf_counts *c, int *oom) {
  char name[1024], why[256];
  bench_name(g->first, no_runtime, name, sizeof name);
  size_t base = strlen(name);
  for (int k = 2; name_taken(benches, name); k++)
    snprintf(name + base, sizeof name - base, " #%d", k);
  /* The value: seconds per operation when every ok repetition has a
   * throughput, else wall_s (the same for all runs of a benchmark). */
  int by_wall = 0;
  for (size_t i = 0; i < g->n; i++)
    if (results_ok(g->recs[i]) && isnan(rep_value(g->recs[i], 0)))
      by_wall = 1;
  cJSON *bench = cJSON_CreateObject();
  cJSON *md = cJSON_AddObjectToObject(bench, "metadata");
  cJSON *runs = cJSON_AddArrayToObject(bench, "runs");
  if (!md || !runs) {
    *oom = 1;
    cJSON_Delete(bench);
    return NULL;
  }
  bench_metadata(r->meta, g->first, name,
                 by_wall ? "wall_s: the seconds of the timed region"
                         : "seconds per operation: 1/throughput",
                 md);
  size_t nruns = 0;
  cJSON *first = NULL;
  for (size_t i = 0; i < g->n; i++) {
    const cJSON *rec = g->recs[i];
    double v = rep_value(rec, by_wall);
    if (!results_ok(rec) || isnan(v)) {
      if (notes)
        fprintf(notes, "left out: %s, repetition %g (%s)\n", name,
                results_num(rec, "rep"),
                results_ok(rec) ? "no value above 0"
                                : why_left_out(rec, why, sizeof why));
      c->reps_left_out++;
      continue;
    }
    cJSON *run = make_run(rec, v);
    if (!run) {
      *oom = 1;
      cJSON_Delete(bench);
      return NULL;
    }
    cJSON_AddItemToArray(runs, run);
    first = first ? first : run;
    nruns++;
  }
  if (nruns == 0) {
    if (notes)
      fprintf(notes, "left out: %s (no repetition measured ok)\n", name);
    c->cells_left_out++;
    cJSON_Delete(bench);
    return NULL;
  }
  /* The cell's warm-up repetitions, as warmups of its first run:
   * [loops, value per loop] (format 1.0), loops 1. */
  cJSON *warmups = NULL;
  for (size_t i = 0; i < r->n; i++) {
    const cJSON *rec = r->cells[i];
    double v = rep_value(rec, by_wall);
    if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rec, "warmup")) ||
        strcmp(results_str(rec, "status"), "ok") != 0 || isnan(v) ||
        !results_same_key(rec, g->first, 0))
      continue;
    if (!warmups)
      warmups = cJSON_AddArrayToObject(first, "warmups");
    cJSON *pair = cJSON_CreateArray();
    if (!warmups || !pair) {
      cJSON_Delete(pair);
      *oom = 1;
      cJSON_Delete(bench);
      return NULL;
    }
    cJSON_AddItemToArray(pair, cJSON_CreateNumber(1));
    cJSON_AddItemToArray(pair, cJSON_CreateNumber(v));
    cJSON_AddItemToArray(warmups, pair);
    c->warmups++;
  }
  c->runs += nruns;
  c->benchmarks++;
  return bench;
}

/* Whether rec is exported with only the runtime tag: its own cells and
 * the native ones (which belong to no runtime). */
static int wanted(const cJSON *rec, const char *runtime) {
  return !runtime || strcmp(results_str(rec, "runtime"), runtime) == 0 ||
         results_is_native(rec);
}

/* Whether rec's name leaves its runtime out: only TAG's cells are
 * exported, so its tag says nothing; a native cell keeps "native". */
static int name_without_runtime(const cJSON *rec, const char *runtime) {
  return runtime && !results_is_native(rec);
}

static int is_skipped(const cJSON *rec) {
  return strcmp(results_str(rec, "status"), "skipped") == 0;
}

cJSON *pyperf_suite(const results *r, const char *runtime, FILE *notes,
                    pyperf_counts *counts) {
  pyperf_counts c = {0};
  cJSON *suite = cJSON_CreateObject();
  cJSON_AddStringToObject(suite, "version", PYPERF_JSON_VERSION);
  cJSON *md = cJSON_AddObjectToObject(suite, "metadata");
  cJSON *benches = cJSON_AddArrayToObject(suite, "benchmarks");
  int oom = !md || !benches;
  if (!oom)
    suite_metadata(r->meta, md);
  for (size_t i = 0; !oom && i < r->n; i++) {
    if (!is_skipped(r->cells[i]) || !wanted(r->cells[i], runtime))
      continue;
    /* One note per skipped cell, not per repetition (warm-ups included). */
    size_t j = 0;
    while (j < i && !(is_skipped(r->cells[j]) &&
                      results_same_key(r->cells[j], r->cells[i], 0)))
      j++;
    if (j < i)
      continue;
    const char *error = results_str(r->cells[i], "error");
    char name[1024];
    bench_name(r->cells[i], name_without_runtime(r->cells[i], runtime), name,
               sizeof name);
    if (notes)
      fprintf(notes, "left out: %s (skipped%s%.*s)\n", name, *error ? ": " : "",
              (int)strcspn(error, "\n"), error);
    c.cells_left_out++;
  }
  for (size_t g = 0; !oom && g < r->ngroups; g++) {
    const cJSON *first = r->groups[g].first;
    if (!wanted(first, runtime))
      continue;
    cJSON *bench =
        make_bench(r, &r->groups[g], name_without_runtime(first, runtime),
                   benches, notes, &c, &oom);
    if (bench)
      cJSON_AddItemToArray(benches, bench);
  }
  if (oom) {
    cJSON_Delete(suite);
    return NULL;
  }
  if (counts)
    *counts = c;
  return suite;
}

/* Whether r has a cell of the runtime tag. */
static int has_runtime(const results *r, const char *tag) {
  for (size_t i = 0; i < r->n; i++)
    if (strcmp(results_str(r->cells[i], "runtime"), tag) == 0)
      return 1;
  return 0;
}

/* The distinct runtime tags of r's cells, comma-separated, into buf. */
static const char *runtime_tags(const results *r, char *buf, size_t len) {
  size_t used = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < r->n && used < len; i++) {
    const char *tag = results_str(r->cells[i], "runtime");
    size_t j = 0;
    while (j < i && strcmp(results_str(r->cells[j], "runtime"), tag) != 0)
      j++;
    if (j == i)
      used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
                               tag);
  }
  return buf;
}

int pyperf_write(const char *dir, const char *path, const char *runtime,
                 FILE *notes, pyperf_counts *counts, char *err, size_t errlen) {
  char file[PATH_MAX + 16];
  snprintf(file, sizeof file, "%s/results.jsonl", dir);
  char tags[256];
  results r;
  int rc = results_load(file, &r, err, errlen);
  if (rc < 0) {
    results_free(&r);
    return rc;
  }
  if (strcmp(results_str(r.meta, "kind"), "probe") == 0) {
    snprintf(err, errlen,
             "%s is a probe's (gillab probe): its records are a command's "
             "intervals, not repetitions of cells; export a directory that "
             "gillab run wrote",
             file);
    results_free(&r);
    return -EINVAL;
  }
  if (runtime && !has_runtime(&r, runtime)) {
    snprintf(err, errlen, "%s has no cell of runtime '%s' (its runtimes: %s)",
             file, runtime, runtime_tags(&r, tags, sizeof tags));
    results_free(&r);
    return -EINVAL;
  }
  pyperf_counts c = {0};
  cJSON *suite = pyperf_suite(&r, runtime, notes, &c);
  results_free(&r);
  if (!suite) {
    snprintf(err, errlen, "out of memory");
    return -ENOMEM;
  }
  if (counts)
    *counts = c;
  if (c.benchmarks == 0) {
    cJSON_Delete(suite);
    snprintf(err, errlen,
             "%s has no measured repetition to export (every cell was "
             "skipped or failed)",
             file);
    return -ENODATA;
  }
  char *text = cJSON_PrintUnformatted(suite);
  cJSON_Delete(suite);
  if (!text) {
    snprintf(err, errlen, "out of memory");
    return -ENOMEM;
  }
  size_t len = strlen(text);
  text[len] = '\n'; /* replaces the NUL: outfile_write takes a length */
  rc = outfile_write(path, text, len + 1, err, errlen);
  cJSON_free(text);
  return rc;
}
