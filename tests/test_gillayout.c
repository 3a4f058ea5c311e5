/* Unit tests for embed/gillayout: the check that decides whether a located
 * GIL is trusted (by the probe library in a user's process and by the
 * runners), on what a right and several wrong layouts read; the version
 * string of Py_Version; and a candidate in unmapped memory read safely. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "gillayout.h"

static const gillayout_seen good = {.locked_while_held = 1,
                                    .holder_is_self = 1,
                                    .interval_us = 5000,
                                    .switchinterval_us = 5000,
                                    .enabled_field = -1,
                                    .gil_enabled = -1};

static void test_right_layout(void **state) {
  (void)state;
  char why[200] = "";
  assert_int_equal(gillayout_check(&good, 0, why, sizeof why), 1);
}

/* A layout shifted by a field: the "interval" is another field's value. */
static void test_shifted_interval(void **state) {
  (void)state;
  char why[200] = "";
  gillayout_seen s = good;
  s.interval_us = 139850510502768L;
  assert_int_equal(gillayout_check(&s, 0, why, sizeof why), 0);
  assert_non_null(strstr(why, "interval"));
  assert_non_null(strstr(why, "5000"));
}

/* Right interval by chance, but the lock is not held while the checker
 * holds the GIL, or is held by someone else. */
static void test_not_held(void **state) {
  (void)state;
  char why[200] = "";
  gillayout_seen s = good;
  s.locked_while_held = 0;
  assert_int_equal(gillayout_check(&s, 0, why, sizeof why), 0);
  assert_non_null(strstr(why, "not locked"));
  s = good;
  s.holder_is_self = 0;
  assert_int_equal(gillayout_check(&s, 0, why, sizeof why), 0);
  assert_non_null(strstr(why, "another thread"));
}

/* The switch interval changed by the program is still matched. */
static void test_own_interval(void **state) {
  (void)state;
  char why[200];
  gillayout_seen s = good;
  s.interval_us = s.switchinterval_us = 1000;
  assert_int_equal(gillayout_check(&s, 0, why, sizeof why), 1);
}

/* Free-threaded, GIL off: nothing is locked; the enabled field must say
 * off as sys._is_gil_enabled() does. */
static void test_free_threaded(void **state) {
  (void)state;
  char why[200];
  gillayout_seen s = good;
  s.locked_while_held = s.holder_is_self = 0;
  s.enabled_field = 0;
  s.gil_enabled = 0;
  assert_int_equal(gillayout_check(&s, 1, why, sizeof why), 1);
  s.enabled_field = 7; /* garbage where "enabled" should be */
  assert_int_equal(gillayout_check(&s, 1, why, sizeof why), 0);
  assert_non_null(strstr(why, "enabled"));
  /* On for good (INT_MAX) after an import, and held by the checker. */
  s = good;
  s.enabled_field = 0x7fffffff;
  s.gil_enabled = 1;
  assert_int_equal(gillayout_check(&s, 1, why, sizeof why), 1);
}

/* No CPython in this test binary: identify says so, in the words the
 * report uses. */
static void test_identify_not_python(void **state) {
  (void)state;
  gillayout_runtime rt;
  char why[200];
  assert_int_equal(gillayout_identify(&rt, why, sizeof why), -1);
  assert_string_equal(why, "not CPython");
}

static void test_peek(void **state) {
  (void)state;
  long x = 42, y = 0;
  assert_int_equal(gillayout_peek(&x, &y, sizeof y), 0);
  assert_int_equal(y, 42);
  assert_int_equal(gillayout_peek((void *)16, &y, sizeof y), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_right_layout),
      cmocka_unit_test(test_shifted_interval),
      cmocka_unit_test(test_not_held),
      cmocka_unit_test(test_own_interval),
      cmocka_unit_test(test_free_threaded),
      cmocka_unit_test(test_identify_not_python),
      cmocka_unit_test(test_peek),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
