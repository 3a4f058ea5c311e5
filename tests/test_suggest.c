/* Unit tests for lab/suggest: the edit distance and "did you mean". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "suggest.h"

/* Insertions, deletions, substitutions and adjacent transpositions cost 1
 * each. */
static void test_distance(void **state) {
  (void)state;
  assert_int_equal(suggest_distance("reps", "reps"), 0);
  assert_int_equal(suggest_distance("rep", "reps"), 1);
  assert_int_equal(suggest_distance("repss", "reps"), 1);
  assert_int_equal(suggest_distance("rpes", "reps"), 1);
  assert_int_equal(suggest_distance("switch-interval", "switch_interval"), 1);
  assert_int_equal(suggest_distance("", "abc"), 3);
  assert_int_equal(suggest_distance("kitten", "sitting"), 3);
  /* OSA, not full Damerau: "ca" -> "abc" is 3, not 2. */
  assert_int_equal(suggest_distance("ca", "abc"), 3);
  char longword[SUGGEST_MAX_LEN + 2];
  memset(longword, 'a', sizeof longword - 1);
  longword[sizeof longword - 1] = '\0';
  assert_true(suggest_distance(longword, "a") == SIZE_MAX);
}

/* The closest candidate within the limit for the word's length; the first
 * of equals; none when nothing is close. */
static void test_closest(void **state) {
  (void)state;
  static const char *const keys[] = {"reps",   "warmup",          "workers",
                                     "models", "switch_interval", "size"};
  const size_t n = sizeof keys / sizeof keys[0];
  assert_string_equal(suggest_closest("rep", keys, n), "reps");
  assert_string_equal(suggest_closest("wrokers", keys, n), "workers");
  assert_string_equal(suggest_closest("model", keys, n), "models");
  assert_string_equal(suggest_closest("switch-intervals", keys, n),
                      "switch_interval");
  assert_string_equal(suggest_closest("sise", keys, n), "size");
  assert_null(suggest_closest("colour", keys, n));
  assert_null(suggest_closest("r", keys, n));
  assert_null(suggest_closest("abcd", keys, n)); /* 4 letters: 1 step only */
  assert_null(suggest_closest("reps", keys, 0));
  static const char *const ties[] = {"size", "sizf"};
  assert_string_equal(suggest_closest("sizg", ties, 2), "size");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_distance),
      cmocka_unit_test(test_closest),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
