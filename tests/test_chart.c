/* Unit tests for the chart style of lab/report/chart (issue 17): series
 * that never look alike, count axes that start at the data's first value,
 * log axes with tics inside the data. Each writes to a memory stream and
 * checks the gnuplot commands to the byte; no gnuplot is run (e2e.report
 * and tests/check_charts.py check what gnuplot draws). chart_quote's tests
 * are in test_report_html.c, next to the page that shows its strings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "chart.h"

/* What call wrote to script, a memory stream, as the new string out
 * (free()). */
#define CAPTURE(out, call)                                                     \
  do {                                                                         \
    size_t len_;                                                               \
    FILE *script = open_memstream(&(out), &len_);                              \
    assert_non_null(script);                                                   \
    call;                                                                      \
    fclose(script);                                                            \
  } while (0)

/* 280 series, each with its own (colour, marker, dash). */
static void series_distinct(void **state) {
  (void)state;
  enum { N = 280 };
  char *styles[N];
  for (size_t k = 0; k < N; k++)
    CAPTURE(styles[k], chart_series(script, k));
  assert_string_equal(styles[0], " lc rgb '#0072b2' lw 2.5 pt 7 ps 1.3 dt 1");
  /* The eighth: the first colour again, another marker, dashed. */
  assert_string_equal(styles[7], " lc rgb '#0072b2' lw 2.5 pt 4 ps 1.3 dt 2");
  for (size_t i = 0; i < N; i++)
    for (size_t j = i + 1; j < N; j++)
      if (strcmp(styles[i], styles[j]) == 0)
        fail_msg("series %zu and %zu look alike: %s", i, j, styles[i]);
  /* The first seven differ in colour alone already. */
  for (size_t i = 0; i < 7; i++)
    for (size_t j = i + 1; j < 7; j++)
      assert_string_not_equal(chart_colour(i), chart_colour(j));
  for (size_t k = 0; k < N; k++)
    free(styles[k]);
}

/* CPU-bound threads 0 and 1: tics at 0 and 1 only, the range just around
 * them (the convoy chart ran from -1). */
static void count_axis_linear(void **state) {
  (void)state;
  char *out;
  double v[] = {0, 1};
  int log = 0;
  CAPTURE(out, log = chart_count_axis(script, 'x', v, 2));
  assert_int_equal(log, 0);
  assert_string_equal(out, "set xtics ('0' 0, '1' 1)\n"
                           "set xrange [-0.15:1.15]\n");
  free(out);
  double one[] = {4};
  CAPTURE(out, chart_count_axis(script, 'x', one, 1));
  assert_string_equal(out, "set xtics ('4' 4)\nset xrange [3.85:4.15]\n");
  free(out);
}

/* Workers 1 to 16: base 2 log scale, a tic at each count. */
static void count_axis_log(void **state) {
  (void)state;
  char *out;
  double v[] = {1, 2, 4, 8, 16};
  int log = 0;
  CAPTURE(out, log = chart_count_axis(script, 'x', v, 5));
  assert_int_equal(log, 1);
  assert_string_equal(out, "set xtics ('1' 1, '2' 2, '4' 4, '8' 8, '16' 16)\n"
                           "set logscale x 2\nset mxtics 1\n"
                           "set xrange [0.869565:18.4]\n");
  free(out);
}

/* Latencies: 1-2-5 tics within the data, decades over two decades or
 * more, and the data's ends when no 1-2-5 value falls inside. */
static void log_axis(void **state) {
  (void)state;
  char *out;
  CAPTURE(out, chart_log_axis(script, 'x', 150, 8000));
  assert_non_null(strstr(out, "set xtics ('200' 200, '500' 500, '1000' 1000, "
                              "'2000' 2000, '5000' 5000)\n"));
  free(out);
  CAPTURE(out, chart_log_axis(script, 'x', 3, 40000));
  assert_non_null(strstr(out, "set xtics ('10' 10, '100' 100, '1000' 1000, "
                              "'10000' 10000)\n"));
  free(out);
  CAPTURE(out, chart_log_axis(script, 'x', 1.75, 3.6));
  assert_non_null(strstr(out, "set xtics ('1.8' 1.8, '2' 2, '3.6' 3.6)\n"));
  free(out);
  CAPTURE(out, chart_log_axis(script, 'x', 0, 10));
  assert_string_equal(out, "");
  free(out);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(series_distinct),
      cmocka_unit_test(count_axis_linear),
      cmocka_unit_test(count_axis_log),
      cmocka_unit_test(log_axis),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
