/* Unit tests for lab/report/memfit on crafted records: for each model, a
 * row whose totals grow by a known amount per worker (with a noisy
 * repetition the median must ignore and a fixed cost the intercept must
 * take) must give that amount, and the finding must say it; a row with one
 * worker count falls back on the records' own figure; records without
 * `mem` (files from before it) give no figure, no table and no finding.
 * Checking the rendering alone would not catch a wrong slope: every test
 * checks the figures. */
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

#include "memfit.h"
#include "summary.h"

/* One record: a row's cell at w workers, rep; its totals are fixed + per *
 * w kB (USS and PSS alike but for pss_extra per worker), plus noise. */
static void cell(FILE *f, const char *runtime, const char *model,
                 const char *sm, unsigned w, int rep, double fixed, double per,
                 double pss_extra, double noise) {
  double uss = fixed + per * w + noise, pss = fixed + (per + pss_extra) * w;
  fprintf(f,
          "{\"type\":\"cell\",\"workload\":\"cpu.primes\",\"runtime\":\"%s\","
          "\"model\":\"%s\",%s%s%s\"placement\":\"none\",\"workers\":%u,"
          "\"rep\":%d,\"status\":\"ok\",\"throughput\":1000,\"speedup\":1,"
          "\"mem\":{\"total\":{\"uss_peak_kb\":%g,\"pss_peak_kb\":%g},"
          "\"per_worker_kb\":{\"uss\":%g,\"pss\":%g,\"rss\":%g}}}\n",
          runtime, model, sm ? "\"start_method\":\"" : "", sm ? sm : "",
          sm ? "\"," : "", w, rep, uss, pss, per + 1, per + pss_extra + 1,
          per + 2);
}

/* The rows: model, start method, kB per worker (USS), PSS beyond it. */
static const struct {
  const char *runtime, *model, *sm;
  double per, pss_extra;
} ROWS[] = {
    {"3.12", "threads", NULL, 60, 4},
    {"3.12", "processes", "fork", 6000, 2200},
    {"3.12", "processes", "spawn", 8100, 500},
    {"3.12", "processes", "forkserver", 8000, 400},
    {"3.12", "asyncio", NULL, 30, 0},
    {"3.12", "subinterpreters", NULL, 5100, 0},
    {"native", "native-threads", NULL, 40, 0},
    {"native", "native-procs", NULL, 3800, 600},
};
#define NROWS (sizeof ROWS / sizeof ROWS[0])

/* Writes the crafted file: every row at 1, 2, 4 workers, 3 repetitions,
 * the third of each a wild outlier (noise) the median leaves out; a
 * fixed cost of 20 MB per cell. Then a row at one worker count only
 * (threads on 3.13) and a row without mem (threads on 3.11). */
static char *crafted(void) {
  static char path[32];
  snprintf(path, sizeof path, "/tmp/test_memfit.XXXXXX"); /* mkstemp fills */
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  FILE *f = fdopen(fd, "w");
  for (size_t k = 0; k < NROWS; k++)
    for (unsigned w = 1; w <= 4; w *= 2)
      for (int rep = 1; rep <= 3; rep++)
        cell(f, ROWS[k].runtime, ROWS[k].model, ROWS[k].sm, w, rep, 20480,
             ROWS[k].per, ROWS[k].pss_extra, rep == 3 ? 1e6 : rep * 1.0);
  for (int rep = 1; rep <= 3; rep++)
    cell(f, "3.13", "threads", NULL, 2, rep, 20480, 70, 0, 0);
  for (unsigned w = 1; w <= 2; w++)
    fprintf(f,
            "{\"type\":\"cell\",\"workload\":\"cpu.primes\",\"runtime\":"
            "\"3.11\",\"model\":\"threads\",\"placement\":\"none\","
            "\"workers\":%u,\"rep\":1,\"status\":\"ok\",\"throughput\":1000,"
            "\"speedup\":1}\n",
            w);
  fclose(f);
  return path;
}

static int setup(void **state) {
  results *r = calloc(1, sizeof *r);
  char err[256];
  char *path = crafted();
  int rc = results_load(path, r, err, sizeof err);
  unlink(path);
  if (rc < 0)
    return -1;
  *state = r;
  return 0;
}

static int teardown(void **state) {
  results_free(*state);
  free(*state);
  return 0;
}

/* The first record of a row, by runtime, model and start method. */
static const cJSON *row_of(const results *r, const char *runtime,
                           const char *model, const char *sm) {
  for (size_t i = 0; i < r->n; i++) {
    const cJSON *c = r->cells[i];
    if (strcmp(results_str(c, "runtime"), runtime) == 0 &&
        strcmp(results_str(c, "model"), model) == 0 &&
        strcmp(results_str(c, "start_method"), sm ? sm : "") == 0)
      return c;
  }
  return NULL;
}

static void slope_of_a_line(void **state) {
  (void)state;
  double x[] = {1, 2, 4}, y[] = {10, 20, 40}, flat[] = {5, 5, 5};
  assert_float_equal(memfit_slope(x, y, 3), 10, 1e-9);
  assert_float_equal(memfit_slope(x, flat, 3), 0, 1e-9);
  assert_true(isnan(memfit_slope(x, y, 1)));
  double same[] = {2, 2};
  assert_true(isnan(memfit_slope(same, y, 2))); /* one distinct x */
}

/* Every model's row gives its own cost per worker, not the fixed cost
 * smeared over the workers, and not the outlier. */
static void each_model_gives_its_cost(void **state) {
  const results *r = *state;
  for (size_t k = 0; k < NROWS; k++) {
    const cJSON *row = row_of(r, ROWS[k].runtime, ROWS[k].model, ROWS[k].sm);
    assert_non_null(row);
    memfit_cost c;
    assert_int_equal(memfit_row(r, row, &c), 3);
    assert_true(c.from_slope);
    assert_int_equal(c.min, 1);
    assert_int_equal(c.max, 4);
    /* The medians carry noise 1 or 2 kB (rep 1, 2 ...: the median of 1,
     * 2 and 1e6 is 2), the same at every count: no slope from it. */
    assert_float_equal(c.uss_kb, ROWS[k].per, 1e-6);
    assert_float_equal(c.pss_kb, ROWS[k].per + ROWS[k].pss_extra, 1e-6);
  }
}

static void one_worker_count_takes_the_records_figure(void **state) {
  const results *r = *state;
  memfit_cost c;
  assert_int_equal(memfit_row(r, row_of(r, "3.13", "threads", NULL), &c), 1);
  assert_false(c.from_slope);
  assert_float_equal(c.uss_kb, 71, 1e-9); /* per_worker_kb.uss */
  assert_float_equal(c.pss_kb, 71, 1e-9);
}

static void records_without_mem_give_nothing(void **state) {
  const results *r = *state;
  memfit_cost c;
  assert_int_equal(memfit_row(r, row_of(r, "3.11", "threads", NULL), &c), 0);
  assert_true(isnan(c.uss_kb));
}

static char *render(void (*fn)(FILE *, const results *, const char *),
                    const results *r) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  fn(f, r, "cpu.primes");
  fclose(f);
  return buf;
}

static void finding_says_each_models_cost(void **state) {
  const results *r = *state;
  char *text = render(memfit_finding, r);
  /* 6000 kB = 5.86 MiB; 8200 kB = 8.01 MiB. */
  assert_non_null(strstr(text, "- threads (3.12): 0.06 MiB USS, 0.06 MiB PSS "
                               "(slope over 3 worker counts, 1 to 4)\n"));
  assert_non_null(strstr(text, "- processes fork (3.12): 5.86 MiB USS, "
                               "8.01 MiB PSS"));
  assert_non_null(strstr(text, "- processes spawn (3.12): 7.91 MiB USS"));
  assert_non_null(strstr(text, "- processes forkserver (3.12): 7.81 MiB USS"));
  assert_non_null(strstr(text, "- asyncio (3.12): 0.03 MiB USS"));
  assert_non_null(strstr(text, "- subinterpreters (3.12): 4.98 MiB USS"));
  assert_non_null(strstr(text, "- native-threads (native): 0.04 MiB USS"));
  assert_non_null(strstr(text, "- native-procs (native): 3.71 MiB USS, "
                               "4.30 MiB PSS"));
  assert_non_null(strstr(text, "- threads (3.13): 0.07 MiB USS, 0.07 MiB PSS "
                               "(at 2 workers only: the cells' own figure)"));
  assert_null(strstr(text, "(3.11)")); /* no mem, no line */
  /* The cheapest is asyncio's 30 kB (under 0.1 MiB: no ratio to it), the
   * dearest spawn's 8100 kB. */
  assert_non_null(strstr(text, "least under asyncio (3.12) (under 0.1 MiB"));
  assert_non_null(strstr(text, "most under processes spawn (3.12) (7.91 "
                               "MiB)"));
  assert_non_null(strstr(text, "Method: the least-squares slope"));
  assert_non_null(strstr(text, "With one worker count, the records'"));
  free(text);
}

/* summary.md: the memory tables for a file with mem, none without. */
static void summary_has_the_tables_only_with_mem(void **state) {
  const results *r = *state;
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  summary_render(r, f);
  fclose(f);
  assert_non_null(strstr(buf, "### Memory per worker"));
  /* The threads row of the USS table: per_worker_kb.uss is per + 1 = 61
   * kB in every cell, 0.06 MiB. */
  assert_non_null(
      strstr(buf, "| 3.12 | threads | none | 0.06 [0.06–0.06] | 0.06 "));
  free(buf);

  results old = {0};
  char err[256], path[] = "/tmp/test_memfit_old.XXXXXX";
  int fd = mkstemp(path);
  FILE *o = fdopen(fd, "w");
  fputs("{\"type\":\"cell\",\"workload\":\"cpu.primes\",\"runtime\":\"3.11\","
        "\"model\":\"threads\",\"placement\":\"none\",\"workers\":1,\"rep\":1,"
        "\"status\":\"ok\",\"throughput\":1000,\"speedup\":1}\n",
        o);
  fclose(o);
  assert_int_equal(results_load(path, &old, err, sizeof err), 0);
  unlink(path);
  f = open_memstream(&buf, &len);
  summary_render(&old, f);
  fclose(f);
  assert_non_null(strstr(buf, "### Throughput"));
  assert_null(strstr(buf, "Memory per worker"));
  free(buf);
  char *text = render(memfit_finding, &old);
  assert_string_equal(text, "");
  free(text);
  results_free(&old);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(slope_of_a_line),
      cmocka_unit_test_setup_teardown(each_model_gives_its_cost, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(one_worker_count_takes_the_records_figure,
                                      setup, teardown),
      cmocka_unit_test_setup_teardown(records_without_mem_give_nothing, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(finding_says_each_models_cost, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(summary_has_the_tables_only_with_mem,
                                      setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
