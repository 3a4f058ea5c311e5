/* Unit tests for core/lat: nearest-rank percentiles, the power-of-two
 * histogram, merging; the same definitions as workloads/python/gillab_lat.py
 * (checked against values worked out by hand). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lat.h"

/* 1..100 us: p50 is the 50th sample, p99 the 99th, max the 100th. */
static void test_percentiles(void **state) {
  (void)state;
  lat_samples s = {0};
  for (uint64_t i = 100; i >= 1; i--)
    assert_int_equal(lat_add(&s, i * 1000), 0);
  assert_int_equal(s.n, 100);
  assert_int_equal(s.total_ns, 5050 * 1000);
  assert_int_equal(lat_pct(&s, 0.5), 50000);
  assert_int_equal(lat_pct(&s, 0.9), 90000);
  assert_int_equal(lat_pct(&s, 0.99), 99000);
  assert_int_equal(lat_pct(&s, 1.0), 100000);
  cJSON *o = lat_summary(&s);
  assert_int_equal(cJSON_GetObjectItem(o, "n")->valueint, 100);
  assert_true(cJSON_GetObjectItem(o, "p50")->valuedouble == 50.0);
  assert_true(cJSON_GetObjectItem(o, "max")->valuedouble == 100.0);
  cJSON_Delete(o);
  lat_clear(&s);
  assert_int_equal(s.n, 0);
}

/* Empty samples: percentiles are null, not zero, in the JSON. */
static void test_empty(void **state) {
  (void)state;
  lat_samples s = {0};
  assert_int_equal(lat_pct(&s, 0.5), 0);
  cJSON *o = lat_summary(&s);
  assert_true(cJSON_IsNull(cJSON_GetObjectItem(o, "p99")));
  cJSON_Delete(o);
  o = lat_hist(&s);
  assert_int_equal(cJSON_GetArraySize(o), 0);
  cJSON_Delete(o);
}

/* Buckets hold samples up to 1, 2, 4, ... us; empty buckets between the
 * first and last non-empty one are listed with 0. */
static void test_hist(void **state) {
  (void)state;
  lat_samples s = {0}, t = {0};
  lat_add(&s, 1500); /* 2 us bucket */
  lat_add(&s, 2000); /* 2 us bucket: upper edges are inclusive */
  lat_add(&t, 7000); /* 8 us bucket */
  assert_int_equal(lat_merge(&s, &t), 0);
  cJSON *h = lat_hist(&s);
  assert_int_equal(cJSON_GetArraySize(h), 3);
  cJSON *b0 = cJSON_GetArrayItem(h, 0), *b1 = cJSON_GetArrayItem(h, 1),
        *b2 = cJSON_GetArrayItem(h, 2);
  assert_true(cJSON_GetArrayItem(b0, 0)->valuedouble == 2);
  assert_int_equal(cJSON_GetArrayItem(b0, 1)->valueint, 2);
  assert_true(cJSON_GetArrayItem(b1, 0)->valuedouble == 4);
  assert_int_equal(cJSON_GetArrayItem(b1, 1)->valueint, 0);
  assert_true(cJSON_GetArrayItem(b2, 0)->valuedouble == 8);
  assert_int_equal(cJSON_GetArrayItem(b2, 1)->valueint, 1);
  cJSON_Delete(h);
  lat_clear(&s);
  lat_clear(&t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_percentiles),
      cmocka_unit_test(test_empty),
      cmocka_unit_test(test_hist),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
