/* Unit tests for lab/record: the identity of a cell record, the measured,
 * failed and skipped shapes, and results.jsonl lines written by
 * record_append and read back with cJSON.
 *
 * Each test gets a fresh record from the setup (state) and the teardown
 * deletes it, so a failing assertion does not leak into the next test.
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

#include "record.h"

static const record_id ID = {
    .workload = "cpu.primes",
    .model = "threads",
    .placement = "compact",
    .runtime = "3.11",
    .workers = 2,
    .rep = 3,
    .units = 300000,
};

/* A result shaped like the one a runner writes for a 2-worker cell. */
static const char RESULT_JSON[] =
    "{\"ops\":1000,\"wall_s\":0.5,\"answer\":7,\"setup_s\":0.01,"
    "\"workers\":[{\"worker\":0,\"tid\":1,\"bound\":\"0\",\"cpus_seen\":[0,3]},"
    "{\"worker\":1,\"tid\":2,\"bound\":\"1\",\"cpus_seen\":[1,3]}],"
    "\"python\":{\"version\":\"3.11.2\"}}";

static int setup_record(void **state) {
  *state = record_new(&ID);
  return *state ? 0 : -1;
}

static int teardown_record(void **state) {
  cJSON_Delete(*state);
  return 0;
}

static const cJSON *field(const cJSON *obj, const char *key) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
  if (!v)
    print_error("field '%s' is missing\n", key);
  assert_non_null(v);
  return v;
}

static void assert_string_field(const cJSON *obj, const char *key,
                                const char *want) {
  const cJSON *v = field(obj, key);
  assert_true(cJSON_IsString(v));
  assert_string_equal(v->valuestring, want);
}

static void assert_number_field(const cJSON *obj, const char *key,
                                double want) {
  const cJSON *v = field(obj, key);
  assert_true(cJSON_IsNumber(v));
  if (v->valuedouble != want)
    print_error("field '%s' is %.17g, want %.17g\n", key, v->valuedouble, want);
  assert_true(v->valuedouble == want);
}

static void assert_null_field(const cJSON *obj, const char *key) {
  assert_true(cJSON_IsNull(field(obj, key)));
}

/* Parses text with cJSON, failing the test when it is not JSON. */
static cJSON *parse(const char *text) {
  cJSON *j = cJSON_Parse(text);
  if (!j)
    print_error("not JSON: %s\n", text);
  assert_non_null(j);
  return j;
}

/* record_new writes every identity field with its JSON type. */
static void test_new_has_identity(void **state) {
  const cJSON *rec = *state;
  assert_string_field(rec, "type", "cell");
  assert_string_field(rec, "workload", "cpu.primes");
  assert_string_field(rec, "model", "threads");
  assert_string_field(rec, "placement", "compact");
  assert_string_field(rec, "runtime", "3.11");
  assert_number_field(rec, "workers", 2);
  assert_number_field(rec, "rep", 3);
  assert_number_field(rec, "units", 300000);
  assert_null(cJSON_GetObjectItemCaseSensitive(rec, "status"));
}

/* A full runner result gives throughput, speedup, the CPU union, and moves
 * per-worker data and the Python version into the record. */
static void test_measured_full_result(void **state) {
  cJSON *rec = *state, *result = parse(RESULT_JSON);

  double tput = record_measured(rec, result, 1000);

  assert_true(tput == 2000);
  assert_string_field(rec, "status", "ok");
  assert_null_field(rec, "error");
  assert_number_field(rec, "ops", 1000);
  assert_number_field(rec, "wall_s", 0.5);
  assert_number_field(rec, "throughput", 2000);
  assert_number_field(rec, "speedup", 2);
  assert_number_field(rec, "answer", 7);
  assert_number_field(rec, "setup_s", 0.01);

  cJSON *want_cpus = parse("[0,1,3]");
  assert_true(cJSON_Compare(field(rec, "cpus_seen"), want_cpus, 1));
  cJSON_Delete(want_cpus);

  const cJSON *per_worker = field(rec, "per_worker");
  assert_true(cJSON_IsArray(per_worker));
  assert_int_equal(cJSON_GetArraySize(per_worker), 2);
  const cJSON *w1 = cJSON_GetArrayItem(per_worker, 1);
  assert_number_field(w1, "worker", 1);
  assert_number_field(w1, "tid", 2);
  assert_string_field(w1, "bound", "1");

  assert_string_field(field(rec, "python"), "version", "3.11.2");

  /* Moved, not copied: the result no longer holds what the record took. */
  assert_null(cJSON_GetObjectItemCaseSensitive(result, "workers"));
  assert_null(cJSON_GetObjectItemCaseSensitive(result, "python"));
  assert_null(cJSON_GetObjectItemCaseSensitive(result, "ops"));
  cJSON_Delete(result);
}

/* A negative baseline marks the baseline cell itself: speedup exactly 1. */
static void test_measured_baseline_self(void **state) {
  cJSON *rec = *state;
  /* 1000 / 0.3 is not a round number, so "exactly 1" means x / x. */
  cJSON *result = parse("{\"ops\":1000,\"wall_s\":0.3,\"answer\":1}");

  double tput = record_measured(rec, result, -1);

  assert_true(tput == 1000 / 0.3);
  assert_number_field(rec, "speedup", 1.0);
  cJSON_Delete(result);
}

/* An unknown baseline (NAN) keeps the throughput but makes speedup null. */
static void test_measured_baseline_unknown(void **state) {
  cJSON *rec = *state, *result = parse(RESULT_JSON);

  record_measured(rec, result, NAN);

  assert_number_field(rec, "throughput", 2000);
  assert_null_field(rec, "speedup");
  assert_string_field(rec, "status", "ok");
  cJSON_Delete(result);
}

/* wall_s 0 cannot give a throughput: throughput and speedup are null and
 * the return value is not finite. */
static void test_measured_zero_wall(void **state) {
  cJSON *rec = *state;
  cJSON *result = parse("{\"ops\":1000,\"wall_s\":0,\"answer\":7}");

  double tput = record_measured(rec, result, 1000);

  assert_false(isfinite(tput));
  assert_null_field(rec, "throughput");
  assert_null_field(rec, "speedup");
  assert_number_field(rec, "wall_s", 0);
  cJSON_Delete(result);
}

/* A result without the expected fields still gives a complete record:
 * nulls and empty arrays, and no python field. */
static void test_measured_empty_result(void **state) {
  cJSON *rec = *state, *result = parse("{}");

  double tput = record_measured(rec, result, -1);

  assert_false(isfinite(tput));
  assert_string_field(rec, "status", "ok");
  assert_null_field(rec, "ops");
  assert_null_field(rec, "wall_s");
  assert_null_field(rec, "throughput");
  assert_null_field(rec, "speedup");
  assert_null_field(rec, "answer");
  assert_null_field(rec, "setup_s");
  assert_true(cJSON_IsArray(field(rec, "cpus_seen")));
  assert_int_equal(cJSON_GetArraySize(field(rec, "cpus_seen")), 0);
  assert_true(cJSON_IsArray(field(rec, "per_worker")));
  assert_int_equal(cJSON_GetArraySize(field(rec, "per_worker")), 0);
  assert_null(cJSON_GetObjectItemCaseSensitive(rec, "python"));
  cJSON_Delete(result);
}

/* record_fail keeps the status it is given, the reason and the tail. */
static void test_fail_keeps_fields(void **state) {
  cJSON *rec = *state;

  record_fail(rec, "timeout", "timed out after 0.5 s", "line 1\nline 2");

  assert_string_field(rec, "status", "timeout");
  assert_string_field(rec, "error", "timed out after 0.5 s");
  assert_string_field(rec, "stderr_tail", "line 1\nline 2");
  assert_string_field(rec, "workload", "cpu.primes");
}

/* record_fail without a tail adds no stderr_tail field. */
static void test_fail_without_tail(void **state) {
  cJSON *rec = *state;

  record_fail(rec, "failed", "exited with status 3", NULL);

  assert_string_field(rec, "status", "failed");
  assert_string_field(rec, "error", "exited with status 3");
  assert_null(cJSON_GetObjectItemCaseSensitive(rec, "stderr_tail"));
}

/* record_skip marks the cell "skipped" with its reason. */
static void test_skip(void **state) {
  cJSON *rec = *state;

  record_skip(rec, "no C twin for this workload");

  assert_string_field(rec, "status", "skipped");
  assert_string_field(rec, "error", "no C twin for this workload");
}

/* Reads all of f from the start into a new string (free()). */
static char *slurp(FILE *f) {
  assert_int_equal(fseek(f, 0, SEEK_END), 0);
  long size = ftell(f);
  assert_true(size >= 0);
  rewind(f);
  char *text = malloc((size_t)size + 1);
  assert_non_null(text);
  assert_int_equal(fread(text, 1, (size_t)size, f), (size_t)size);
  text[size] = '\0';
  return text;
}

/* Splits text at '\n' in place; returns the number of lines, each of which
 * must end with '\n' (no partial last line). */
static size_t split_lines(char *text, char **lines, size_t max) {
  size_t n = 0;
  char *p = text;
  while (*p) {
    char *nl = strchr(p, '\n');
    assert_non_null(nl);
    assert_true(n < max);
    *nl = '\0';
    lines[n++] = p;
    p = nl + 1;
  }
  return n;
}

/* record_append writes one line per record (even for a measured record
 * with nested arrays), and each line parses back equal to its record. */
static void test_append_lines_round_trip(void **state) {
  cJSON *measured = *state, *result = parse(RESULT_JSON);
  record_measured(measured, result, 1000);
  cJSON_Delete(result);

  cJSON *failed = record_new(&ID);
  record_fail(failed, "failed", "crashed: killed by signal 11",
              "Traceback (most recent call last):\n  boom\n");
  cJSON *skipped = record_new(&ID);
  record_skip(skipped, "not available");

  const cJSON *recs[] = {measured, failed, skipped};
  FILE *f = tmpfile();
  assert_non_null(f);
  for (size_t i = 0; i < 3; i++)
    assert_int_equal(record_append(f, recs[i]), 0);

  char *text = slurp(f), *lines[8];
  assert_int_equal(split_lines(text, lines, 8), 3);
  for (size_t i = 0; i < 3; i++) {
    cJSON *back = parse(lines[i]);
    assert_true(cJSON_Compare(back, recs[i], 1));
    cJSON_Delete(back);
  }
  free(text);
  fclose(f);
  cJSON_Delete(failed);
  cJSON_Delete(skipped);
}

/* A workload name with quotes, a backslash, a newline, shell and markdown
 * characters and UTF-8 stays on one line and comes back byte for byte. */
static void test_append_escapes_round_trip(void **state) {
  (void)state;
  static const char name[] = "we\"ird\\name\nwith <html> | pipe "
                             "\xc3\xa9t\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x90\x8d";
  record_id id = ID;
  id.workload = name;
  cJSON *rec = record_new(&id);
  record_skip(rec, "reason with \"quotes\"\tand a tab");

  FILE *f = tmpfile();
  assert_non_null(f);
  assert_int_equal(record_append(f, rec), 0);

  char *text = slurp(f), *lines[4];
  assert_int_equal(split_lines(text, lines, 4), 1);
  cJSON *back = parse(lines[0]);
  assert_string_field(back, "workload", name);
  assert_string_field(back, "error", "reason with \"quotes\"\tand a tab");
  assert_true(cJSON_Compare(back, rec, 1));

  cJSON_Delete(back);
  free(text);
  fclose(f);
  cJSON_Delete(rec);
}

/* record_append on a stream that cannot be written reports an error
 * instead of claiming the cell is saved. */
static void test_append_write_error(void **state) {
  cJSON *rec = *state;
  FILE *f = fopen("/dev/full", "w");
  if (!f)
    skip(); /* no /dev/full in this sandbox */
  assert_true(record_append(f, rec) < 0);
  fclose(f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_new_has_identity, setup_record,
                                      teardown_record),
      cmocka_unit_test_setup_teardown(test_measured_full_result, setup_record,
                                      teardown_record),
      cmocka_unit_test_setup_teardown(test_measured_baseline_self, setup_record,
                                      teardown_record),
      cmocka_unit_test_setup_teardown(test_measured_baseline_unknown,
                                      setup_record, teardown_record),
      cmocka_unit_test_setup_teardown(test_measured_zero_wall, setup_record,
                                      teardown_record),
      cmocka_unit_test_setup_teardown(test_measured_empty_result, setup_record,
                                      teardown_record),
      cmocka_unit_test_setup_teardown(test_fail_keeps_fields, setup_record,
                                      teardown_record),
      cmocka_unit_test_setup_teardown(test_fail_without_tail, setup_record,
                                      teardown_record),
      cmocka_unit_test_setup_teardown(test_skip, setup_record, teardown_record),
      cmocka_unit_test_setup_teardown(test_append_lines_round_trip,
                                      setup_record, teardown_record),
      cmocka_unit_test(test_append_escapes_round_trip),
      cmocka_unit_test_setup_teardown(test_append_write_error, setup_record,
                                      teardown_record),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
