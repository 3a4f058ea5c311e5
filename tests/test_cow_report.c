/* Unit tests for mem.cow's part of summary.md (lab/report/summary,
 * findings_cow) over crafted records (tests/data/cow/): what each finding
 * says, not only that it is written. One file holds a runtime for each
 * case — as expected (3.11), gc.freeze() saving less than 5x (3.12), one
 * variant only (3.13), freezing down to nothing (3.13t) and a runtime
 * whose figures contradict every expectation (9.9) — and contrary.jsonl
 * that last runtime alone, whose finding must not explain mechanisms its
 * figures do not show. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "results.h"
#include "summary.h"

/* summary.md of a crafted file, as a new string (free it). */
static char *render(const char *name) {
  char path[4096], err[256];
  snprintf(path, sizeof path, "%s/cow/%s", GILLAB_TESTS_DATA_DIR, name);
  results r;
  assert_int_equal(results_load(path, &r, err, sizeof err), 0);
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  assert_non_null(f);
  summary_render(&r, f);
  fclose(f);
  results_free(&r);
  return text;
}

/* The finding's line of runtime rt ("- 3.11 (heap ..."), as a new string
 * (free it); fails when there is none. */
static char *line_of(const char *text, const char *rt) {
  char head[64];
  snprintf(head, sizeof head, "\n- %s (heap ", rt);
  const char *a = strstr(text, head);
  assert_non_null(a);
  a++;
  const char *b = strchr(a, '\n');
  assert_non_null(b);
  return strndup(a, (size_t)(b - a));
}

static void contains(const char *text, const char *what) {
  if (!strstr(text, what))
    fail_msg("missing \"%s\" in:\n%s", what, text);
}

static void lacks(const char *text, const char *what) {
  if (strstr(text, what))
    fail_msg("unexpected \"%s\" in:\n%s", what, text);
}

/* One table for both variants, under mem.cow; mem.cow_freeze points to
 * it; no throughput or speedup for a memory experiment. */
static void one_table_no_speedup(void **state) {
  (void)state;
  char *t = render("results.jsonl");
  contains(t, "### Copy-on-write");
  contains(t, "| 3.11 | no | none | gc.collect() | 51.4% [50.4%–52.4%] | "
              "51.4% [50.4%–52.4%] |");
  contains(t, "| 3.11 | yes | none | gc.collect() | 0.1% [0.1%–0.1%] |");
  contains(t, "| 3.11 | yes | none | read every object | 78.9% "
              "[77.3%–80.5%] |");
  contains(t, "| 3.11 | no | none | all (after reading) | 81.0% "
              "[79.4%–82.7%] |");
  /* The heap table: 256 MB, 3.2M objects, 1.2M tracked, the collection's
   * time in ms. */
  contains(t, "| 3.11 | yes | none | 256 | 3.2M | 1.2M | 3.2M | 285 | 5.86 | "
              "0.2 | 500 |");
  const char *freeze = strstr(t, "## mem.cow\\_freeze");
  assert_non_null(freeze);
  contains(freeze, "Shown under mem.cow above");
  lacks(t, "### Speedup");
  lacks(t, "### Throughput");
  /* Without freeze rows before with, runtimes as first seen. */
  assert_true(strstr(t, "| 3.11 | no |") < strstr(t, "| 3.11 | yes |"));
  assert_true(strstr(t, "| 3.11 | yes |") < strstr(t, "| 3.12 | no |"));
  free(t);
}

/* 3.11: a collection un-shares half the heap, freeze cuts it 514x, reading
 * un-shares with and without it; after reading freeze kept 2 points. */
static void as_expected(void **state) {
  (void)state;
  char *t = render("results.jsonl");
  char *l = line_of(t, "3.11");
  contains(l, "a full gc.collect() 51.4% and 0.1% (132 MB without), taking "
              "210 ms and 0.2 ms");
  contains(l, "gc.freeze() cut what the collection un-shared 514× (at least "
              "5×, as expected).");
  contains(l, "Reading un-shared memory with and without it.");
  contains(l, "kept 2.0% of the heap shared (79.0% private with it against "
              "81.0% without): most pages a collection copies, reading "
              "copies too.");
  lacks(l, "Contrary");
  free(l);
  /* 3.13t: nothing at all un-shared by the collection once frozen. */
  l = line_of(t, "3.13t");
  contains(l, "gc.freeze() cut what the collection un-shared to nothing (as "
              "expected).");
  lacks(l, "Contrary");
  free(l);
  /* The explanations, since some runtime shows each effect. */
  contains(t, "Why a collection un-shares:");
  contains(t, "Why reading un-shares:");
  free(t);
}

/* 3.12: freeze saved only 2x: the finding says it contradicts the 5x,
 * and that after reading freeze kept nothing (75% against 70%). */
static void freeze_saves_too_little(void **state) {
  (void)state;
  char *t = render("results.jsonl");
  char *l = line_of(t, "3.12");
  contains(l, "**Contrary to the expectation**, gc.freeze() cut what the "
              "collection un-shared only 2.0× (less than 5×).");
  lacks(l, "as expected");
  contains(l, "kept less than 1% of the heap shared (75.0% private with it "
              "against 70.0% without)");
  free(l);
  free(t);
}

/* 3.13: only mem.cow ran: no verdict on freeze, a hint instead. */
static void one_variant(void **state) {
  (void)state;
  char *t = render("results.jsonl");
  char *l = line_of(t, "3.13");
  contains(l, "(heap 256 MB, without gc.freeze())");
  contains(l, "(Run mem.cow_freeze too to see what gc.freeze() saves.)");
  lacks(l, "as expected");
  lacks(l, "Contrary");
  lacks(l, " and ");
  free(l);
  free(t);
}

/* 9.9: neither the collection nor reading un-shares a measurable share:
 * both contradictions with their figures; alone in its file, no
 * explanation of mechanisms the figures do not show. */
static void runtime_contradicts(void **state) {
  (void)state;
  char *t = render("results.jsonl");
  char *l = line_of(t, "9.9");
  contains(l, "**Contrary to the expectation**, without gc.freeze() the "
              "collection un-shared only 0.4% of the heap (less than 1%)");
  contains(l, "**Contrary to the expectation**, reading every object "
              "un-shared only 0.2% without gc.freeze() and 0.5% with "
              "gc.freeze() (less than 1% of the heap).");
  lacks(l, "as expected");
  lacks(l, "Reading un-shared memory with and without it");
  lacks(l, "After reading every object");
  free(l);
  free(t);
  t = render("contrary.jsonl");
  contains(t, "\n- 9.9 (heap 256 MB");
  lacks(t, "Why a collection un-shares");
  lacks(t, "Why reading un-shares");
  lacks(t, "as expected");
  free(t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(one_table_no_speedup),    cmocka_unit_test(as_expected),
      cmocka_unit_test(freeze_saves_too_little), cmocka_unit_test(one_variant),
      cmocka_unit_test(runtime_contradicts),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
