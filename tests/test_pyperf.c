/* Unit tests for lab/report/pyperf (gillab export --pyperf) on crafted
 * records whose values are known:
 *  - one benchmark per cell, named by its key with the axes at their
 *    default left out; its runs the ok repetitions, each valued
 *    1/throughput; a warm-up on the first run only; wall_s for a cell
 *    without a throughput, which its gillab_value says;
 *  - metadata: pyperf's names (python_version from the runtime's entry of
 *    the metadata, cpu_model_name, unit) and gillab's;
 *  - a failed repetition and a skipped cell (two records) left out, one
 *    note each; --runtime: that runtime's cells and the native ones, named
 *    without the tag;
 *  - pyperf_write: the file parses back; a runtime of no cell and a
 *    directory of skipped cells only are refused.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "pyperf.h"
#include "results.h"

static const char meta[] =
    "{\"type\":\"meta\",\"started\":\"2026-11-26T16:34:49Z\","
    "\"command\":\"gillab run -w cpu.primes\","
    "\"gillab\":{\"version\":\"0.1.0\",\"git\":\"abc123\"},"
    "\"machine\":{\"hostname\":\"vm\",\"cpu_model\":\"AMD EPYC\",\"pus\":2,"
    "\"kernel\":\"Linux 6.1 x86_64\"},"
    "\"runtimes\":[{\"tag\":\"3.11\",\"version\":\"3.11.2\","
    "\"implementation\":\"cpython\",\"free_threaded\":false},"
    "{\"tag\":\"3.13\",\"version\":\"3.13.0\",\"implementation\":\"cpython\","
    "\"free_threaded\":false}]}\n";

/* One cell record of cpu.primes; a negative throughput writes null. */
static void cell(FILE *f, const char *model, const char *runtime, int workers,
                 const char *placement, int rep, int warmup, const char *status,
                 double throughput) {
  fprintf(f,
          "{\"type\":\"cell\",\"workload\":\"cpu.primes\",\"model\":\"%s\","
          "\"runtime\":\"%s\",\"workers\":%d,\"placement\":\"%s\","
          "\"scaling\":\"strong\",\"rep\":%d,%s\"status\":\"%s\","
          "\"error\":%s,\"ops\":1000,\"wall_s\":0.5,\"throughput\":",
          model, runtime, workers, placement, rep,
          warmup ? "\"warmup\":true," : "", status,
          strcmp(status, "ok") == 0 ? "null" : "\"boom\\nline 2\"");
  if (throughput >= 0)
    fprintf(f, "%.17g}\n", throughput);
  else
    fprintf(f, "null}\n");
}

/* Writes the records to dir/results.jsonl (dir made here). */
static void write_dir(char *dir, int skipped_only) {
  assert_non_null(mkdtemp(dir));
  char path[256];
  snprintf(path, sizeof path, "%s/results.jsonl", dir);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(meta, f);
  if (skipped_only) {
    cell(f, "threads", "3.11", 1, "none", 1, 0, "skipped", -1);
    fclose(f);
    return;
  }
  cell(f, "threads", "3.11", 1, "none", 1, 1, "ok", 500);
  static const double tp[] = {1000, 2000, 4000};
  for (int rep = 1; rep <= 3; rep++) {
    cell(f, "threads", "3.11", 1, "none", rep, 0, "ok", tp[rep - 1]);
    cell(f, "threads", "3.11", 2, "compact", rep, 0, rep == 2 ? "failed" : "ok",
         rep == 2 ? -1 : 8000);
    cell(f, "threads", "3.13", 1, "none", rep, 0, "ok", 3000);
    cell(f, "native-threads", "native", 1, "none", rep, 0, "ok", 1e6);
    cell(f, "asyncio", "3.11", 1, "none", rep, 0, "ok", -1);
    fprintf(f,
            "{\"type\":\"cell\",\"workload\":\"ipc.pipe\",\"model\":"
            "\"threads\",\"runtime\":\"3.11\",\"workers\":2,\"rep\":%d,"
            "\"msg_size\":1048576,\"payload\":\"bytes\",\"status\":\"ok\","
            "\"throughput\":10}\n",
            rep);
  }
  cell(f, "processes", "3.11", 4, "none", 1, 1, "skipped", -1);
  cell(f, "processes", "3.11", 4, "none", 1, 0, "skipped", -1);
  fclose(f);
}

static void remove_dir(const char *dir) {
  char path[256];
  snprintf(path, sizeof path, "%s/results.jsonl", dir);
  unlink(path);
  snprintf(path, sizeof path, "%s/out.json", dir);
  unlink(path);
  rmdir(dir);
}

/* The suite of dir's records, and its notes in *notes (freed by caller). */
static cJSON *suite_of(const char *dir, const char *runtime, char **notes,
                       pyperf_counts *c) {
  char path[256], err[256];
  snprintf(path, sizeof path, "%s/results.jsonl", dir);
  results r;
  assert_int_equal(results_load(path, &r, err, sizeof err), 0);
  size_t len;
  FILE *m = open_memstream(notes, &len);
  cJSON *s = pyperf_suite(&r, runtime, m, c);
  fclose(m);
  results_free(&r);
  assert_non_null(s);
  return s;
}

static const cJSON *bench(const cJSON *suite, const char *name) {
  const cJSON *b;
  cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(suite, "benchmarks")) {
    if (strcmp(results_str(results_get(b, "metadata"), "name"), name) == 0)
      return b;
  }
  print_error("no benchmark '%s'\n", name);
  return NULL;
}

static double value(const cJSON *b, int run) {
  const cJSON *runs = cJSON_GetObjectItemCaseSensitive(b, "runs");
  const cJSON *v =
      cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(runs, run), "values");
  assert_int_equal(cJSON_GetArraySize(v), 1);
  return cJSON_GetArrayItem(v, 0)->valuedouble;
}

static void test_suite(void **state) {
  (void)state;
  char dir[] = "/tmp/test_pyperf_XXXXXX", *notes = NULL;
  write_dir(dir, 0);
  pyperf_counts c;
  cJSON *s = suite_of(dir, NULL, &notes, &c);
  assert_string_equal(results_str(s, "version"), "1.0");
  const cJSON *md = cJSON_GetObjectItemCaseSensitive(s, "metadata");
  assert_string_equal(results_str(md, "gillab_version"), "0.1.0");
  assert_string_equal(results_str(md, "gillab_git"), "abc123");
  assert_string_equal(results_str(md, "date"), "2026-11-26 16:34:49");
  /* Six cells; the skipped one is not a benchmark. */
  assert_int_equal(c.benchmarks, 6);
  assert_int_equal(cJSON_GetArraySize(results_get(s, "benchmarks")), 6);
  assert_int_equal(c.runs, 3 + 2 + 3 + 3 + 3 + 3);
  assert_int_equal(c.warmups, 1);
  assert_int_equal(c.cells_left_out, 1);
  assert_int_equal(c.reps_left_out, 1);

  const cJSON *b = bench(s, "cpu.primes threads n=1 3.11");
  assert_non_null(b);
  const cJSON *bm = cJSON_GetObjectItemCaseSensitive(b, "metadata");
  assert_string_equal(results_str(bm, "unit"), "second");
  assert_string_equal(results_str(bm, "python_version"), "3.11.2");
  assert_string_equal(results_str(bm, "cpu_model_name"), "AMD EPYC");
  assert_string_equal(results_str(bm, "gillab_model"), "threads");
  assert_true(results_num(bm, "gillab_workers") == 1);
  assert_true(results_num(bm, "cpu_count") == 2);
  assert_string_equal(results_str(bm, "gillab_value"),
                      "seconds per operation: 1/throughput");
  assert_true(value(b, 0) == 1.0 / 1000 && value(b, 1) == 1.0 / 2000 &&
              value(b, 2) == 1.0 / 4000);
  /* The warm-up (throughput 500) on the first run only: [1, 1/500]. */
  const cJSON *runs = cJSON_GetObjectItemCaseSensitive(b, "runs");
  const cJSON *w =
      cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(runs, 0), "warmups");
  assert_int_equal(cJSON_GetArraySize(w), 1);
  assert_true(cJSON_GetArrayItem(cJSON_GetArrayItem(w, 0), 0)->valuedouble ==
              1);
  assert_true(cJSON_GetArrayItem(cJSON_GetArrayItem(w, 0), 1)->valuedouble ==
              1.0 / 500);
  assert_null(
      cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(runs, 1), "warmups"));
  assert_true(results_num(cJSON_GetArrayItem(runs, 2), "metadata.gillab_rep") ==
              3);

  /* A placement not at its default is in the name; the failed
   * repetition is not a run. */
  b = bench(s, "cpu.primes threads n=2 3.11 placement=compact");
  assert_non_null(b);
  assert_int_equal(cJSON_GetArraySize(results_get(b, "runs")), 2);
  b = bench(s, "cpu.primes threads n=1 3.13");
  assert_non_null(b);
  assert_string_equal(results_str(results_get(b, "metadata"), "python_version"),
                      "3.13.0");
  assert_non_null(bench(s, "cpu.primes native-threads n=1 native"));
  /* ipc.*'s axes, a size in full (not 1.04858e+06). */
  assert_non_null(
      bench(s, "ipc.pipe threads n=2 3.11 payload=bytes msg_size=1048576"));
  /* No throughput: wall_s, and the benchmark says so. */
  b = bench(s, "cpu.primes asyncio n=1 3.11");
  assert_non_null(b);
  assert_true(value(b, 0) == 0.5);
  assert_non_null(strstr(
      results_str(results_get(b, "metadata"), "gillab_value"), "wall_s"));

  /* One note per left-out cell or repetition, one line each. */
  assert_non_null(strstr(notes, "left out: cpu.primes processes n=4 3.11 "
                                "(skipped: boom)\n"));
  assert_non_null(strstr(notes, "left out: cpu.primes threads n=2 3.11 "
                                "placement=compact, repetition 2 (failed: "
                                "boom)\n"));
  assert_null(strstr(notes, "line 2"));
  size_t lines = 0;
  for (const char *p = notes; *p; p++)
    lines += *p == '\n';
  assert_int_equal(lines, 2);
  free(notes);
  cJSON_Delete(s);

  /* --runtime 3.13: its cells and the native ones, named without it. */
  s = suite_of(dir, "3.13", &notes, &c);
  assert_int_equal(c.benchmarks, 2);
  assert_non_null(bench(s, "cpu.primes threads n=1"));
  assert_non_null(bench(s, "cpu.primes native-threads n=1 native"));
  assert_string_equal(notes, "");
  free(notes);
  cJSON_Delete(s);
  remove_dir(dir);
}

static void test_write(void **state) {
  (void)state;
  char dir[] = "/tmp/test_pyperf_XXXXXX", out[256], err[512];
  write_dir(dir, 0);
  snprintf(out, sizeof out, "%s/out.json", dir);
  pyperf_counts c;
  assert_int_equal(pyperf_write(dir, out, "9.9", NULL, &c, err, sizeof err),
                   -EINVAL);
  assert_non_null(strstr(err, "no cell of runtime '9.9' (its runtimes: 3.11, "
                              "3.13, native)"));
  assert_int_equal(access(out, F_OK), -1);
  assert_int_equal(pyperf_write(dir, out, NULL, NULL, &c, err, sizeof err), 0);
  FILE *f = fopen(out, "r");
  assert_non_null(f);
  char buf[1 << 16];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = '\0';
  assert_true(n > 0 && buf[n - 1] == '\n');
  cJSON *s = cJSON_Parse(buf);
  assert_non_null(s);
  assert_int_equal(cJSON_GetArraySize(results_get(s, "benchmarks")), 6);
  cJSON_Delete(s);
  remove_dir(dir);

  char dir2[] = "/tmp/test_pyperf_XXXXXX";
  write_dir(dir2, 1);
  snprintf(out, sizeof out, "%s/out.json", dir2);
  assert_int_equal(pyperf_write(dir2, out, NULL, NULL, &c, err, sizeof err),
                   -ENODATA);
  assert_non_null(strstr(err, "no measured repetition"));
  assert_int_equal(access(out, F_OK), -1);
  remove_dir(dir2);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_suite),
                                     cmocka_unit_test(test_write)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
