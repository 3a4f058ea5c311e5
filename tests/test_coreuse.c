/* Unit tests for embed/coreuse: the /proc/stat parser on captured texts
 * (a 2-CPU VM's, one with a CPU offline, malformed ones) and the busy
 * fractions between two reads. The module has no Python in it, so the test
 * links its source directly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "coreuse.h"

/* The head of /proc/stat on this 2-vCPU VM (kernel 6.1), then ticks later. */
static const char STAT_A[] =
    "cpu  4705 150 1120 1685760 230 0 75 12 0 0\n"
    "cpu0 2300 50 560 842800 110 0 40 6 0 0\n"
    "cpu1 2405 100 560 842960 120 0 35 6 0 0\n"
    "intr 1380563 9 0 0 0 0 0 0 0 1 0 0 0 0 0 0 0 0 0 0\n"
    "ctxt 2750318\n"
    "btime 1763740000\n"
    "processes 14871\n"
    "procs_running 1\n"
    "procs_blocked 0\n"
    "softirq 624046 0 117014 1 58361 0 0 2 209542 0 239126\n";
static const char STAT_B[] =
    "cpu  4905 150 1120 1685860 230 0 75 12 0 0\n"
    "cpu0 2400 50 560 842800 110 0 40 6 0 0\n"  /* 100 busy of 100 */
    "cpu1 2430 100 560 843035 120 0 35 6 0 0\n" /* 25 busy of 100 */
    "intr 1380963 9 0 0 0 0 0 0 0 1 0 0 0 0 0 0 0 0 0 0\n";

static void parses_per_cpu_lines(void **state) {
  (void)state;
  coreuse_stat s;
  assert_int_equal(coreuse_parse_stat(STAT_A, &s), 2);
  assert_int_equal(s.ncpu, 2);
  assert_true(s.present[0] && s.present[1]);
  /* busy = user + nice + system + irq + softirq; total adds idle, iowait,
   * steal. */
  assert_int_equal(s.busy[0], 2300 + 50 + 560 + 0 + 40);
  assert_int_equal(s.total[0], 2950 + 842800 + 110 + 6);
  assert_int_equal(s.busy[1], 2405 + 100 + 560 + 0 + 35);
}

static double item(const cJSON *arr, int i) {
  const cJSON *v = cJSON_GetArrayItem(arr, i);
  return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

static void busy_fractions_between_reads(void **state) {
  (void)state;
  coreuse_stat a, b;
  assert_int_equal(coreuse_parse_stat(STAT_A, &a), 2);
  assert_int_equal(coreuse_parse_stat(STAT_B, &b), 2);
  cJSON *busy = coreuse_busy_json(&a, &b);
  assert_int_equal(cJSON_GetArraySize(busy), 2);
  assert_true(item(busy, 0) > 0.999 && item(busy, 0) <= 1.0);
  assert_true(item(busy, 1) > 0.249 && item(busy, 1) < 0.251);
  cJSON_Delete(busy);
  /* No tick between two reads: 0, not a division by zero. */
  busy = coreuse_busy_json(&a, &a);
  assert_true(item(busy, 0) == 0 && item(busy, 1) == 0);
  cJSON_Delete(busy);
}

/* CPU 1 offline: its line is missing, the array keeps CPU numbers as
 * indexes and says null for it. */
static void offline_cpu_is_null(void **state) {
  (void)state;
  static const char gap[] = "cpu  1 1 1 1 1 1 1 1 0 0\n"
                            "cpu0 10 0 0 90 0 0 0 0 0 0\n"
                            "cpu2 50 0 0 50 0 0 0 0 0 0\n";
  static const char gap2[] = "cpu0 20 0 0 180 0 0 0 0 0 0\n"
                             "cpu2 150 0 0 50 0 0 0 0 0 0\n";
  coreuse_stat a, b;
  assert_int_equal(coreuse_parse_stat(gap, &a), 2);
  assert_int_equal(a.ncpu, 3);
  assert_false(a.present[1]);
  assert_int_equal(coreuse_parse_stat(gap2, &b), 2);
  cJSON *busy = coreuse_busy_json(&a, &b);
  assert_int_equal(cJSON_GetArraySize(busy), 3);
  assert_true(item(busy, 0) > 0.099 && item(busy, 0) < 0.101);
  assert_true(cJSON_IsNull(cJSON_GetArrayItem(busy, 1)));
  assert_true(item(busy, 2) == 1.0);
  cJSON_Delete(busy);
}

static void rejects_malformed(void **state) {
  (void)state;
  coreuse_stat s;
  assert_true(coreuse_parse_stat("", &s) < 0);
  assert_true(coreuse_parse_stat("cpu  1 2 3 4\nintr 5\n", &s) <
              0);                                          /* no cpuN */
  assert_true(coreuse_parse_stat("cpu0 1 2\n", &s) < 0);   /* too few fields */
  assert_true(coreuse_parse_stat("cpu0 1 2 x\n", &s) < 0); /* not a number */
  /* Old kernels (before 2.6.11) gave fewer than eight fields: fine. */
  assert_int_equal(coreuse_parse_stat("cpu0 1 2 3 4\n", &s), 1);
}

/* The machine's own /proc/stat parses, with every online CPU. */
static void reads_this_machine(void **state) {
  (void)state;
  coreuse_stat s;
  int n = coreuse_read_stat(&s);
  assert_true(n >= 1);
  assert_true(s.ncpu >= n);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(parses_per_cpu_lines),
      cmocka_unit_test(busy_fractions_between_reads),
      cmocka_unit_test(offline_cpu_is_null),
      cmocka_unit_test(rejects_malformed),
      cmocka_unit_test(reads_this_machine),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
