/* Unit tests for the Markdown that summary.md and `gillab compare` share
 * (lab/report/md): figures as each format shows them, a median with its
 * interval, table cells and rules, verdict counts and the reproducibility
 * header, each written to a memory stream and checked to the byte. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "md.h"

/* A memory stream and its text, for one check. */
typedef struct {
  FILE *f;
  char *text;
  size_t len;
} sink;

static int sink_open(void **state) {
  sink *s = calloc(1, sizeof *s);
  if (!s)
    return -1;
  s->f = open_memstream(&s->text, &s->len);
  *state = s;
  return s->f ? 0 : -1;
}

static int sink_close(void **state) {
  sink *s = *state;
  if (s->f)
    fclose(s->f);
  free(s->text);
  free(s);
  return 0;
}

/* What was written so far. */
static const char *sink_text(sink *s) {
  fflush(s->f);
  return s->text;
}

static void values(void **state) {
  (void)state;
  char b[32];
  md_value(b, sizeof b, 297000, MD_SI);
  assert_string_equal(b, "297k");
  md_value(b, sizeof b, 5120, MD_US);
  assert_string_equal(b, "5.12k");
  md_value(b, sizeof b, 1.934, MD_RATIO);
  assert_string_equal(b, "1.93");
  md_value(b, sizeof b, 0.934, MD_PERCENT);
  assert_string_equal(b, "93%");
  md_value(b, sizeof b, 0.0042, MD_PERCENT1);
  assert_string_equal(b, "0.4%");
  md_value(b, sizeof b, NAN, MD_RATIO);
  assert_string_equal(b, "–");
}

static void intervals(void **state) {
  (void)state;
  char b[64];
  stats_ci three = {3, 255000, 249000, 260000, 0.75};
  md_ci(b, sizeof b, &three, MD_SI);
  assert_string_equal(b, "255k [249k–260k]");
  stats_ci one = {1, 0.5, 0.5, 0.5, 0};
  md_ci(b, sizeof b, &one, MD_PERCENT);
  assert_string_equal(b, "50%");
  stats_ci none = {0, NAN, NAN, NAN, 0};
  md_ci(b, sizeof b, &none, MD_SI);
  assert_string_equal(b, "–");
}

static void table(void **state) {
  sink *s = *state;
  fputc('|', s->f);
  md_cell(s->f, "runtime");
  md_cell(s->f, "a|b_c");
  fputc('\n', s->f);
  md_rule(s->f, "lrr");
  assert_string_equal(sink_text(s),
                      "| runtime | a\\|b\\_c |\n|---|---:|---:|\n");
}

static void verdict_counts(void **state) {
  sink *s = *state;
  md_verdicts v = {{0}};
  v.n[STATS_HIGHER] = 2;
  v.n[STATS_NOISY] = 1;
  static const char *const words[] = {"%zu up", "%zu down", "%zu same",
                                      "%zu noisy", "%zu few"};
  md_verdicts_write(s->f, &v, words);
  assert_string_equal(sink_text(s), "2 up, 0 down, 0 same, 1 noisy, 0 few");
}

static void header(void **state) {
  sink *s = *state;
  cJSON *meta = cJSON_Parse(
      "{\"type\":\"meta\",\"command\":\"gillab run -o `x`\","
      "\"started\":\"2026-11-21T19:06:29Z\",\"machine\":{\"hostname\":"
      "\"vm_1\"},\"gillab\":{\"version\":\"0.1.0\",\"git\":\"abc\"}}");
  assert_non_null(meta);
  md_header(s->f, meta, "  ");
  const char *t = sink_text(s);
  /* The command as typed, in a fence its backticks cannot end; other
   * values escaped; every item indented. */
  assert_non_null(strstr(t, "  - command: `` gillab run -o `x` ``\n"
                            "  - started: 2026-11-21T19:06:29Z\n"
                            "  - host: vm\\_1\n"));
  assert_non_null(strstr(t, "  - gillab: 0.1.0 (git abc)\n"));
  cJSON_Delete(meta);
  md_header(s->f, NULL, "");
  assert_non_null(strstr(sink_text(s), "\n- metadata: missing: "));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(values),
      cmocka_unit_test(intervals),
      cmocka_unit_test_setup_teardown(table, sink_open, sink_close),
      cmocka_unit_test_setup_teardown(verdict_counts, sink_open, sink_close),
      cmocka_unit_test_setup_teardown(header, sink_open, sink_close),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
