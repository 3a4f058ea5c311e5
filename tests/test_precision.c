/* Unit tests for lab/report/precision, the rule of `-r auto`, on crafted
 * values whose answers are known by hand:
 *
 * - five values from 95 to 105 (median 100) have the interval [95, 105]
 *   (below 6 values, the lowest to the highest): ±5 %, which reaches a 5 %
 *   target and misses a 4 % one;
 * - a cell stops at the cap, or when its first repetitions gave nothing
 *   (skipped, failed every time), never before the minimum;
 * - a repetition runs the cells still short, and their rows' 1-worker
 *   cells (the speedup's baseline);
 * - the headline figure of each kind of record;
 * - summary.md's section, replayed from records: what each cell reached,
 *   the cells that hit the cap, an interrupted run.
 */
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

#include "cellkind.h"
#include "precision.h"
#include "results.h"

static const precision_rule rule5 = {0.05, 5, 8};

static void judge_reaches(void **state) {
  (void)state;
  double v[] = {105, 95, 100, 101, 99};
  stats_ci ci;
  assert_int_equal(precision_judge(&rule5, v, 5, 5, 0, &ci), PRECISION_REACHED);
  assert_float_equal(ci.lo, 95, 0);
  assert_float_equal(ci.hi, 105, 0);
  assert_float_equal(stats_rel_halfwidth(&ci), 0.05, 1e-12);
  precision_rule strict = {0.04, 5, 8};
  double w[] = {105, 95, 100, 101, 99};
  assert_int_equal(precision_judge(&strict, w, 5, 5, 0, NULL), PRECISION_MORE);
}

static void judge_needs_the_minimum(void **state) {
  (void)state;
  /* Four equal values: a zero-width interval, but fewer than five. */
  double v[] = {100, 100, 100, 100};
  assert_int_equal(precision_judge(&rule5, v, 4, 4, 0, NULL), PRECISION_MORE);
  /* Five repetitions, one failed: four figures are not enough either. */
  assert_int_equal(precision_judge(&rule5, v, 4, 5, 0, NULL), PRECISION_MORE);
  /* Equal values around 0 (no relative width): reached, not stuck. */
  double z[] = {0, 0, 0, 0, 0};
  assert_int_equal(precision_judge(&rule5, z, 5, 5, 0, NULL),
                   PRECISION_REACHED);
}

static void judge_stops_short(void **state) {
  (void)state;
  double v[] = {80, 120, 100, 90, 110, 70, 130, 100};
  assert_int_equal(precision_judge(&rule5, v, 8, 7, 0, NULL), PRECISION_MORE);
  assert_int_equal(precision_judge(&rule5, v, 8, 8, 0, NULL), PRECISION_CAPPED);
  /* Skipped: stops at once; failed every time: at the minimum. */
  assert_int_equal(precision_judge(&rule5, v, 0, 1, 1, NULL),
                   PRECISION_NO_FIGURE);
  assert_int_equal(precision_judge(&rule5, v, 0, 4, 0, NULL), PRECISION_MORE);
  assert_int_equal(precision_judge(&rule5, v, 0, 5, 0, NULL),
                   PRECISION_NO_FIGURE);
}

/* obs for 2 rows x 2 worker counts: cells 0, 1 (row 0: n=1, n=2) and 2,
 * 3 (row 1), nreps repetitions; cell noisy spreads ±20 %, the others
 * ±1 %. */
static void fill(precision_obs *obs, size_t nreps, size_t noisy) {
  for (size_t j = 0; j < nreps; j++)
    for (size_t k = 0; k < 4; k++) {
      double d = (j % 2 ? 1 : -1) * (k == noisy ? 0.2 : 0.01);
      obs[j * 4 + k] = (precision_obs){PRECISION_OK, 100 * (1 + d)};
    }
}

static void wanted_rows(void **state) {
  (void)state;
  precision_obs obs[8 * 4] = {0};
  unsigned char want[4];
  fill(obs, 8, 1);
  /* The first five: every cell. */
  for (size_t j = 0; j < 5; j++)
    assert_int_equal(precision_wanted(&rule5, obs, j, 4, 2, want), 4);
  /* Then the noisy n=2 cell of row 0, with its n=1 cell; row 1 is done. */
  assert_int_equal(precision_wanted(&rule5, obs, 5, 4, 2, want), 2);
  assert_memory_equal(want, ((unsigned char[]){1, 1, 0, 0}), 4);
  /* None past the cap. */
  assert_int_equal(precision_wanted(&rule5, obs, 8, 4, 2, want), 0);
  /* A noisy 1-worker cell runs alone: nothing needs its row's others. */
  fill(obs, 8, 2);
  assert_int_equal(precision_wanted(&rule5, obs, 5, 4, 2, want), 1);
  assert_memory_equal(want, ((unsigned char[]){0, 0, 1, 0}), 4);
  /* Cells the rule stopped are not run: the cells it judges are the
   * ones recorded (here cell 3 ran 5 times in 6 repetitions). */
  fill(obs, 6, 3);
  obs[5 * 4 + 3].state = PRECISION_NOT_RUN;
  unsigned runs;
  precision_judge_cell(&rule5, obs, 6, 4, 3, NULL, &runs);
  assert_int_equal(runs, 5);
}

static void headline_by_kind(void **state) {
  (void)state;
  static const struct {
    const char *json, *what;
    double v;
  } cases[] = {
      {"{\"status\":\"ok\",\"throughput\":7}", "throughput", 7},
      {"{\"status\":\"ok\",\"throughput\":7,\"serve\":{\"load\":"
       "{\"requests_per_s\":900}}}",
       "requests per second", 900},
      {"{\"status\":\"ok\",\"throughput\":7,\"ipc\":{\"bytes_per_s\":5e9}}",
       "bytes per second", 5e9},
      {"{\"status\":\"ok\",\"spawn\":{\"kinds\":[\"fork\",\"pthread\"],"
       "\"fork\":{\"first_us\":{\"p50\":310}},\"pthread\":{\"first_us\":"
       "{\"p50\":20}}}}",
       "creation latency p50", 310},
      {"{\"status\":\"ok\",\"switch\":{\"kinds\":[\"futex\"],\"futex\":"
       "{\"rtt_us\":{\"p50\":12}}}}",
       "round trip p50", 12},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    cJSON *rec = cJSON_Parse(cases[i].json);
    const char *what;
    assert_float_equal(cellkind_headline(rec, &what), cases[i].v, 0);
    assert_string_equal(what, cases[i].what);
    precision_obs o = precision_observe(rec);
    assert_int_equal(o.state, PRECISION_OK);
    cJSON_Delete(rec);
  }
  cJSON *rec = cJSON_Parse("{\"status\":\"skipped\"}");
  assert_int_equal(precision_observe(rec).state, PRECISION_SKIPPED);
  cJSON_Delete(rec);
  rec = cJSON_Parse("{\"status\":\"timeout\",\"throughput\":3}");
  assert_int_equal(precision_observe(rec).state, PRECISION_FAILED);
  cJSON_Delete(rec);
}

/* summary.md's section on a crafted run of 2 cells (one row, n=1 and
 * n=2), rule ±5 % from 5 to 8 repetitions, one warm-up: cell n=1 at
 * ±1 % stops at 5; n=2 at ±20 % runs to the cap, its 1-worker cell with
 * it. With cut, the run stops before repetition 7's n=2 cell. */
static char *render(int cut) {
  char path[] = "/tmp/test_precision_XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  FILE *f = fdopen(fd, "w");
  fprintf(f, "{\"type\":\"meta\",\"spec\":{\"reps\":\"auto\",\"precision\":"
             "0.05,\"min_reps\":5,\"max_reps\":8},\"plan\":{\"cells\":18,"
             "\"reps\":8,\"warmup\":1,\"workers\":[1,2],\"rows\":[{}]}}\n");
  for (unsigned seq = 0; seq < 18; seq++) {
    unsigned j = seq / 2, n = seq % 2 + 1;
    int warm = j == 0;
    double d = (j % 2 ? 1 : -1) * (n == 2 ? 0.2 : 0.01);
    if (cut && seq >= 15)
      break;
    fprintf(f,
            "{\"type\":\"cell\",\"workload\":\"cpu.primes\",\"model\":"
            "\"threads\",\"runtime\":\"3.12\",\"placement\":\"none\","
            "\"workers\":%u,\"rep\":%u,%s\"seq\":%u,\"status\":\"ok\","
            "\"throughput\":%g}\n",
            n, warm ? 1 : j, warm ? "\"warmup\":true," : "", seq,
            100 * (1 + d));
  }
  fclose(f);
  results r;
  char err[256];
  assert_int_equal(results_load(path, &r, err, sizeof err), 0);
  unlink(path);
  char *text;
  size_t len;
  FILE *m = open_memstream(&text, &len);
  precision_write(m, &r);
  fclose(m);
  results_free(&r);
  return text;
}

static void assert_has(const char *text, const char *part) {
  if (!strstr(text, part))
    print_error("the section lacks '%s':\n%s\n", part, text);
  assert_non_null(strstr(text, part));
}

static void section_from_records(void **state) {
  (void)state;
  char *t = render(0);
  assert_has(t, "within ±5 % of the median");
  assert_has(t, "| cpu.primes 3.12 threads n=1 none | throughput | 8 | ±1.0 %");
  assert_has(t,
             "| cpu.primes 3.12 threads n=2 none | throughput | 8 | ±20.0 %");
  assert_has(t, "| **hit the cap** |");
  assert_has(t, "16 measured repetitions in all over 2 cells");
  assert_has(t, "1 cell hit the cap of 8 repetitions");
  assert_null(strstr(t, "Incomplete"));
  free(t);
  t = render(1);
  assert_has(t, "**Incomplete run**");
  assert_has(t, "1 cell of repetition 7 that the rule still wanted was not");
  free(t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(judge_reaches),
      cmocka_unit_test(judge_needs_the_minimum),
      cmocka_unit_test(judge_stops_short),
      cmocka_unit_test(wanted_rows),
      cmocka_unit_test(headline_by_kind),
      cmocka_unit_test(section_from_records),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
