/* Unit tests for lab/report/stats (medians, distribution-free intervals on the
 * median, verdicts), lab/report/escape (Markdown text and code spans, HTML,
 * CSV) and the estimate of lab/progress, on inputs whose answers are known by
 * hand:
 *
 * - the interval [x(k), x(n+1-k)] covers the median with probability
 *   1 - 2 P(Binomial(n, 1/2) <= k-1): n = 10 gives k = 2 (97.9 %), n = 6
 *   gives k = 1 (96.9 %), n = 3 gives [min, max] at 75 %;
 * - the verdict calls a difference only when the intervals are disjoint.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "escape.h"
#include "progress.h"
#include "stats.h"
#include "util.h"

static void median_odd_even(void **state) {
  (void)state;
  double a[] = {5, 1, 3};
  assert_float_equal(stats_median(a, 3), 3, 0);
  double b[] = {4, 1, 3, 2};
  assert_float_equal(stats_median(b, 4), 2.5, 0);
  assert_true(isnan(stats_median(b, 0)));
}

static void ci_three_is_range(void **state) {
  (void)state;
  double v[] = {1.1, 0.9, 1.0};
  stats_ci c = stats_median_ci(v, 3);
  assert_int_equal(c.n, 3);
  assert_float_equal(c.median, 1.0, 1e-12);
  assert_float_equal(c.lo, 0.9, 1e-12);
  assert_float_equal(c.hi, 1.1, 1e-12);
  assert_float_equal(c.coverage, 0.75, 1e-12);
}

static void ci_six_and_ten(void **state) {
  (void)state;
  double six[] = {6, 5, 4, 3, 2, 1};
  stats_ci c = stats_median_ci(six, 6);
  assert_float_equal(c.median, 3.5, 1e-12);
  assert_float_equal(c.lo, 1, 0);
  assert_float_equal(c.hi, 6, 0);
  assert_float_equal(c.coverage, 1 - 2.0 / 64, 1e-12);
  double ten[] = {10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
  c = stats_median_ci(ten, 10);
  assert_float_equal(c.median, 5.5, 1e-12);
  assert_float_equal(c.lo, 2, 0); /* x(2) */
  assert_float_equal(c.hi, 9, 0); /* x(9) */
  assert_float_equal(c.coverage, 1 - 2 * 11.0 / 1024, 1e-12);
  assert_true(c.coverage >= 0.95);
}

static void ci_large_n_narrows(void **state) {
  (void)state;
  /* 0..99: the 95 % interval on order statistics is x(40)..x(61) (k = 40,
   * the textbook value for n = 100), i.e. the values 39 and 60. */
  double v[100];
  for (int i = 0; i < 100; i++)
    v[i] = 99 - i;
  stats_ci c = stats_median_ci(v, 100);
  assert_float_equal(c.lo, 39, 0);
  assert_float_equal(c.hi, 60, 0);
  assert_true(c.coverage >= 0.95 && c.coverage < 0.97);
}

static void ci_one_and_none(void **state) {
  (void)state;
  double one[] = {7};
  stats_ci c = stats_median_ci(one, 1);
  assert_float_equal(c.median, 7, 0);
  assert_float_equal(c.lo, 7, 0);
  assert_float_equal(c.coverage, 0, 0);
  c = stats_median_ci(one, 0);
  assert_true(isnan(c.median));
}

static stats_ci ci_of(double a, double b, double c) {
  double v[] = {a, b, c};
  return stats_median_ci(v, 3);
}

static void verdicts(void **state) {
  (void)state;
  stats_ci a = ci_of(100, 101, 102);
  stats_ci higher = ci_of(110, 111, 112);
  stats_ci lower = ci_of(90, 91, 92);
  stats_ci same = ci_of(101, 102, 103);
  stats_ci noisy = ci_of(70, 101, 140);
  assert_int_equal(stats_compare(&a, &higher), STATS_HIGHER);
  assert_int_equal(stats_compare(&a, &lower), STATS_LOWER);
  assert_int_equal(stats_compare(&a, &same), STATS_SAME);
  assert_int_equal(stats_compare(&a, &noisy), STATS_NOISY);
  double two[] = {1, 2};
  stats_ci few = stats_median_ci(two, 2);
  assert_int_equal(stats_compare(&a, &few), STATS_TOO_FEW);
  assert_string_equal(stats_verdict_name(STATS_NOISY), "too noisy to tell");
  assert_float_equal(stats_rel_halfwidth(&a), 1.0 / 101, 1e-12);
}

/* What fn writes for s, in a static buffer. */
static const char *escaped(void (*fn)(FILE *, const char *), const char *s) {
  static char buf[512];
  FILE *f = fmemopen(buf, sizeof buf, "w");
  fn(f, s);
  fclose(f);
  return buf;
}

static void escapes(void **state) {
  (void)state;
  assert_string_equal(escaped(escape_md, "a|b*c_d`e[f]<g>#h\\i~j\nk&l"),
                      "a\\|b\\*c\\_d\\`e\\[f\\]\\<g\\>\\#h\\\\i\\~j k\\&l");
  assert_string_equal(escaped(escape_md, "native-threads cpu.primes"),
                      "native-threads cpu.primes");
  /* A code span: a fence longer than any run of backticks, no line
   * break (a "# " after one would start a heading). */
  assert_string_equal(escaped(escape_md_code, "gillab run -o x"),
                      "`` gillab run -o x ``");
  assert_string_equal(escaped(escape_md_code, "a ``` b`\n# c\r\n## d"),
                      "```` a ``` b` # c  ## d ````");
  assert_string_equal(escaped(escape_html, "<script>&\"'"),
                      "&lt;script&gt;&amp;&quot;&#39;");
  assert_string_equal(escaped(escape_csv, "say \"hi\", #1"),
                      "\"say \"\"hi\"\", #1\"");
  /* Formulas for a spreadsheet get a leading '; carriage returns are
   * spaces, line feeds stay inside the quotes. */
  assert_string_equal(escaped(escape_csv, "=1+1"), "\"'=1+1\"");
  assert_string_equal(escaped(escape_csv, "@SUM(A1)"), "\"'@SUM(A1)\"");
  assert_string_equal(escaped(escape_csv, "-2+3"), "\"'-2+3\"");
  assert_string_equal(escaped(escape_csv, "+x"), "\"'+x\"");
  assert_string_equal(escaped(escape_csv, "a\r\nb=c"), "\"a \nb=c\"");
  assert_string_equal(escaped(escape_csv, "native-threads"),
                      "\"native-threads\"");
}

/* Bytes that are not UTF-8 become '?'; well-formed sequences stay. */
static void utf8_fix(void **state) {
  (void)state;
  char ok[] = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80";
  assert_int_equal(util_utf8_fix(ok), 0);
  char bad[] = "a\xe9\xff"
               "b\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80\xe2\x82";
  assert_int_equal(util_utf8_fix(bad), 13);
  assert_string_equal(bad, "a??b???????????");
}

/* A text cut at N bytes loses the character cut short, and only it. */
static void utf8_trim(void **state) {
  (void)state;
  char two[] = "\xc3\xa9\xc3";  /* é, then half an é */
  char three[] = "a\xe2\x82";   /* a, then 2 of €'s 3 bytes */
  char four[] = "\xf0\x9f\x98"; /* 3 of 😀's 4 bytes */
  char whole[] = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80";
  char empty[] = "";
  assert_string_equal(util_utf8_trim(two), "\xc3\xa9");
  assert_string_equal(util_utf8_trim(three), "a");
  assert_string_equal(util_utf8_trim(four), "");
  assert_string_equal(util_utf8_trim(whole),
                      "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
  assert_string_equal(util_utf8_trim(empty), "");
  /* 200 bytes of é into 128: 63 whole ones, not 63 and a half. */
  char name[201], buf[128];
  for (int i = 0; i < 200; i += 2)
    memcpy(name + i, "\xc3\xa9", 2);
  name[200] = '\0';
  memcpy(buf, name, sizeof buf - 1); /* what snprintf leaves */
  buf[sizeof buf - 1] = '\0';
  assert_int_equal(strlen(util_utf8_trim(buf)), 126);
  assert_int_equal(util_utf8_fix(buf), 0);
}

static void progress_estimate_by_position(void **state) {
  (void)state;
  /* 2 repetitions of 3 cells; quiet, so nothing is printed. */
  progress *p = progress_new(6, 3, 1);
  assert_non_null(p);
  assert_false(progress_shown(p));
  cJSON *rec = cJSON_CreateObject();
  progress_cell(p, rec, 1);
  /* Positions 1 and 2 unknown: the mean (1 s) each, then 3 more. */
  assert_float_equal(progress_estimate(p), 5, 1e-12);
  progress_cell(p, rec, 4);
  progress_cell(p, rec, 1);
  /* The next repetition's cells take what this one's did: 1 + 4 + 1. */
  assert_float_equal(progress_estimate(p), 6, 1e-12);
  progress_cell(p, rec, 2);
  assert_float_equal(progress_estimate(p), 5, 1e-12);
  progress_cell(p, rec, 4);
  progress_cell(p, rec, 1);
  assert_float_equal(progress_estimate(p), 0, 0);
  progress_free(p);
  /* -r auto skips cells: one fewer to come, and the positions still
   * follow the run's order (the skipped cell's is passed over). */
  p = progress_new(6, 3, 1);
  progress_cell(p, rec, 1);
  progress_cell(p, rec, 4);
  progress_skip(p);
  /* 3 to come at positions 0, 1, 2: 1 + 4 + the mean 2.5. */
  assert_float_equal(progress_estimate(p), 7.5, 1e-12);
  progress_skip(p);
  progress_cell(p, rec, 4);
  /* 1 to come, at position 2 (never timed): the mean, 3. */
  assert_float_equal(progress_estimate(p), 3, 1e-12);
  progress_cell(p, rec, 3);
  assert_float_equal(progress_estimate(p), 0, 0);
  cJSON_Delete(rec);
  progress_free(p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(median_odd_even),
      cmocka_unit_test(ci_three_is_range),
      cmocka_unit_test(ci_six_and_ten),
      cmocka_unit_test(ci_large_n_narrows),
      cmocka_unit_test(ci_one_and_none),
      cmocka_unit_test(verdicts),
      cmocka_unit_test(escapes),
      cmocka_unit_test(utf8_fix),
      cmocka_unit_test(utf8_trim),
      cmocka_unit_test(progress_estimate_by_position),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
