/* Unit tests for core/cellspec, the contract between the orchestrator and
 * the runner: a spec with every field set survives cellspec_to_json and
 * cellspec_parse unchanged; a key left out reads as the zero a designated
 * initializer gives; a spec that is incomplete, out of range, of the wrong
 * type or has a key the parser does not know is refused with a message
 * naming the field, and never half-read.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "cellspec.h"

/* The fields of cellspec: a spec with a new field must update FULL below
 * and assert_same_spec, and this count. */
#define CELLSPEC_FIELDS 27

static char *const FULL_SETS[] = {"0", "1-2", "3,5"};

/* Every field set, each to a value other than its zero default. */
static const cellspec FULL = {
    .workload = "cpu.nbody",
    .model = MODEL_PROCESSES,
    .workers = 3,
    .units = 123456789012ull,
    .sets = FULL_SETS,
    .workloads_dir = "/somewhere/workloads",
    .workload_file = "/home/someone/bench/word_count.py",
    .func = "count_words",
    .twin = "/home/someone/bench/libtwin.so",
    .gil_probe = 1,
    .switch_interval = 0.0025,
    .hash_seed = 4294967295L,
    .start_method = "forkserver",
    .cpu_threads = 7,
    .hiccup = 1,
    .worker_warmup_s = 0.75,
    .overhead_pairs = 9,
    .overhead_control = 1,
    .site_packages = 1,
    .venv = "/home/someone/.venv312",
    .msg_size = 1048576,
    .payload = "object",
    .connections = 256,
    .handler = "/home/someone/app.py:handle",
    .handler_us = 200,
    .rate = 5000.5,
    .client_set = "1",
};

static void assert_same_string(const char *a, const char *b) {
  if (!a || !b)
    assert_ptr_equal(a, b);
  else
    assert_string_equal(a, b);
}

static void assert_same_spec(const cellspec *a, const cellspec *b) {
  assert_same_string(a->workload, b->workload);
  assert_int_equal(a->model, b->model);
  assert_int_equal(a->workers, b->workers);
  assert_true(a->units == b->units);
  assert_true((a->sets == NULL) == (b->sets == NULL));
  for (unsigned i = 0; a->sets && i < a->workers; i++)
    assert_string_equal(a->sets[i], b->sets[i]);
  assert_same_string(a->workloads_dir, b->workloads_dir);
  assert_same_string(a->workload_file, b->workload_file);
  assert_same_string(a->func, b->func);
  assert_same_string(a->twin, b->twin);
  assert_int_equal(a->gil_probe, b->gil_probe);
  assert_true(a->switch_interval == b->switch_interval);
  assert_int_equal(a->hash_seed, b->hash_seed);
  assert_same_string(a->start_method, b->start_method);
  assert_int_equal(a->cpu_threads, b->cpu_threads);
  assert_int_equal(a->hiccup, b->hiccup);
  assert_true(a->worker_warmup_s == b->worker_warmup_s);
  assert_int_equal(a->overhead_pairs, b->overhead_pairs);
  assert_int_equal(a->overhead_control, b->overhead_control);
  assert_int_equal(a->site_packages, b->site_packages);
  assert_same_string(a->venv, b->venv);
  assert_true(a->msg_size == b->msg_size);
  assert_same_string(a->payload, b->payload);
  assert_int_equal(a->connections, b->connections);
  assert_same_string(a->handler, b->handler);
  assert_int_equal(a->handler_us, b->handler_us);
  assert_true(a->rate == b->rate);
  assert_same_string(a->client_set, b->client_set);
}

/* spec -> JSON -> spec, checked equal; returns the JSON text (free()). */
static char *round_trip(const cellspec *spec) {
  char err[256] = "";
  char *text = cellspec_to_json(spec, err, sizeof err);
  if (!text)
    print_error("cellspec_to_json: %s\n", err);
  assert_non_null(text);
  cellspec *back = NULL;
  int rc = cellspec_parse(text, &back, err, sizeof err);
  if (rc < 0)
    print_error("cellspec_parse: %s\n", err);
  assert_int_equal(rc, 0);
  assert_same_spec(spec, back);
  cellspec_free(back);
  return text;
}

static void test_round_trip_every_field(void **state) {
  (void)state;
  /* FULL must not leave a field at its default, or the test would not
   * tell a field the JSON drops from one it carries. */
  const cellspec zero = {.workload = "x", .model = MODEL_THREADS};
  assert_int_not_equal(FULL.model, zero.model);
  char *text = round_trip(&FULL);
  cJSON *j = cJSON_Parse(text);
  assert_non_null(j);
  assert_int_equal(cJSON_GetArraySize(j), CELLSPEC_FIELDS);
  cJSON_Delete(j);
  free(text);
}

/* The other values a field may take: NULLs written as null, the random
 * hash seed, the runtime's switch interval. */
static void test_round_trip_defaults(void **state) {
  (void)state;
  const cellspec least = {
      .workload = "cpu.primes",
      .model = MODEL_NATIVE_THREADS,
      .workers = 1,
  };
  free(round_trip(&least));
  const cellspec random_seed = {
      .workload = "cpu.primes",
      .model = MODEL_THREADS,
      .workers = 4096,
      .units = CELLSPEC_MAX_UNITS,
      .hash_seed = CELLSPEC_HASH_RANDOM,
      .switch_interval = 1e-6,
      .worker_warmup_s = 60,
  };
  free(round_trip(&random_seed));
}

/* A key left out reads as zero, as a designated initializer leaves it. */
static void test_missing_means_zero(void **state) {
  (void)state;
  char err[256];
  cellspec *c = NULL;
  assert_int_equal(
      cellspec_parse("{\"workload\":\"cpu.primes\",\"model\":\"threads\","
                     "\"workers\":2,\"units\":10}",
                     &c, err, sizeof err),
      0);
  const cellspec want = {
      .workload = "cpu.primes",
      .model = MODEL_THREADS,
      .workers = 2,
      .units = 10,
  };
  assert_same_spec(c, &want);
  cellspec_free(c);
}

/* Parses text, which must fail with err containing want. */
static void assert_refused(const char *text, const char *want) {
  char err[256] = "";
  cellspec *c = (cellspec *)&FULL; /* must come back NULL */
  int rc = cellspec_parse(text, &c, err, sizeof err);
  if (rc == 0 || !strstr(err, want))
    print_error("%s\n  -> rc %d, err '%s' (wanted '%s')\n", text, rc, err,
                want);
  assert_true(rc < 0);
  assert_null(c);
  assert_non_null(strstr(err, want));
}

#define CELL(rest)                                                             \
  "{\"workload\":\"cpu.primes\",\"model\":\"processes\",\"workers\":2,"        \
  "\"units\":10" rest "}"

static void test_missing_required(void **state) {
  (void)state;
  assert_refused("{\"model\":\"threads\",\"workers\":2,\"units\":10}",
                 "missing field 'workload'");
  assert_refused("{\"workload\":\"cpu.primes\",\"workers\":2,\"units\":10}",
                 "missing field 'model'");
  assert_refused("{\"workload\":\"cpu.primes\",\"model\":\"threads\","
                 "\"units\":10}",
                 "missing field 'workers'");
  assert_refused("{\"workload\":\"cpu.primes\",\"model\":\"threads\","
                 "\"workers\":2}",
                 "missing field 'units'");
  assert_refused("{\"workload\":null,\"model\":\"threads\",\"workers\":2,"
                 "\"units\":10}",
                 "missing field 'workload'");
}

static void test_out_of_range(void **state) {
  (void)state;
  assert_refused("{\"workload\":\"cpu.primes\",\"model\":\"threads\","
                 "\"workers\":0,\"units\":10}",
                 "workers must be 1 to 4096");
  assert_refused("{\"workload\":\"cpu.primes\",\"model\":\"threads\","
                 "\"workers\":4097,\"units\":10}",
                 "workers must be 1 to 4096");
  assert_refused("{\"workload\":\"cpu.primes\",\"model\":\"threads\","
                 "\"workers\":-1,\"units\":10}",
                 "workers must be a whole number");
  assert_refused(CELL(",\"units\":1.5"), "given twice");
  assert_refused("{\"workload\":\"cpu.primes\",\"model\":\"threads\","
                 "\"workers\":2,\"units\":1.5}",
                 "units must be a whole number");
  assert_refused("{\"workload\":\"cpu.primes\",\"model\":\"threads\","
                 "\"workers\":2,\"units\":1e17}",
                 "units must be a whole number");
  assert_refused(CELL(",\"switch_interval\":20"), "switch_interval must be");
  assert_refused(CELL(",\"switch_interval\":-0.001"),
                 "switch_interval must be");
  assert_refused(CELL(",\"switch_interval\":1e-9"), "switch_interval must be");
  assert_refused(CELL(",\"hash_seed\":-2"), "hash_seed must be");
  assert_refused(CELL(",\"hash_seed\":4294967296"), "hash_seed must be");
  assert_refused(CELL(",\"worker_warmup_s\":61"), "worker_warmup_s must be");
  assert_refused(CELL(",\"worker_warmup_s\":-1"), "worker_warmup_s must be");
  assert_refused(CELL(",\"cpu_threads\":5000"), "cpu_threads must be");
  assert_refused(CELL(",\"start_method\":\"vfork\""),
                 "start_method 'vfork' is not");
  assert_refused("{\"workload\":\"cpu.primes\",\"model\":\"threads\","
                 "\"workers\":2,\"units\":10,\"start_method\":\"spawn\"}",
                 "start_method is for the processes model");
  assert_refused(CELL(",\"sets\":[\"0\"]"), "sets must be an array of 2");
  assert_refused(CELL(",\"sets\":[\"0\",1]"), "sets[1] must be a string");
  assert_refused("{\"workload\":\"\",\"model\":\"threads\",\"workers\":2,"
                 "\"units\":10}",
                 "workload must be named");
  assert_refused(CELL(",\"site_packages\":true,\"venv\":\"rel/venv\""),
                 "venv 'rel/venv' must be an absolute path");
  assert_refused(CELL(",\"venv\":\"/abs/venv\""), "venv needs site_packages");
  assert_refused(CELL(",\"msg_size\":8,\"payload\":\"bytes\""),
                 "msg_size must be 0 (no messages) or 16 to");
  assert_refused(CELL(",\"msg_size\":67108865,\"payload\":\"bytes\""),
                 "msg_size must be");
  assert_refused(CELL(",\"msg_size\":64.5,\"payload\":\"bytes\""),
                 "msg_size must be a whole number");
  assert_refused(CELL(",\"msg_size\":64,\"payload\":\"json\""),
                 "payload 'json' is not bytes or object");
  assert_refused(CELL(",\"msg_size\":64"), "msg_size and payload go together");
  assert_refused(CELL(",\"payload\":\"bytes\""),
                 "msg_size and payload go together");
  assert_refused(CELL(",\"connections\":4"),
                 "connections and handler go together");
  assert_refused(CELL(",\"handler\":\"none\""),
                 "connections and handler go together");
  assert_refused(CELL(",\"connections\":4097,\"handler\":\"none\""),
                 "connections must be 0 (no server) or 1 to 4096");
  assert_refused(CELL(",\"connections\":4,\"handler\":\"app.py\""),
                 "handler 'app.py' is not none, cpu, hash, sleep or an "
                 "absolute path");
  assert_refused(CELL(",\"connections\":4,\"handler\":\"none\","
                      "\"rate\":-1"),
                 "rate must be 0 (closed loop)");
  assert_refused(CELL(",\"connections\":4,\"handler\":\"sleep\","
                      "\"handler_us\":10000001"),
                 "handler_us must be 0 to 10000000");
}

/* A user workload's fields: func and twin go with a workload_file, paths
 * are absolute, func is a Python identifier. */
static void test_user_workload(void **state) {
  (void)state;
  const cellspec user = {
      .workload = "bench/wc.py",
      .model = MODEL_THREADS,
      .workers = 2,
      .workload_file = "/tmp/bench/wc.py",
  };
  free(round_trip(&user)); /* func and twin null: work(), no twin */
  assert_refused(CELL(",\"func\":\"work\""),
                 "func and twin are for a user workload");
  assert_refused(CELL(",\"twin\":\"/x/libtwin.so\""),
                 "func and twin are for a user workload");
  assert_refused(CELL(",\"workload_file\":\"bench/wc.py\""),
                 "must be absolute paths");
  assert_refused(CELL(",\"workload_file\":\"/b/wc.py\",\"twin\":\"t.so\""),
                 "must be absolute paths");
  assert_refused(CELL(",\"workload_file\":\"/b/wc.py\",\"func\":\"2fast\""),
                 "func '2fast' is not a Python identifier");
  assert_refused(CELL(",\"workload_file\":\"/b/wc.py\",\"func\":\"a.b\""),
                 "func 'a.b' is not a Python identifier");
  assert_refused(CELL(",\"workload_file\":7"),
                 "workload_file must be a string");
}

static void test_wrong_or_unknown(void **state) {
  (void)state;
  assert_refused("not json", "not valid JSON");
  assert_refused("[1,2]", "not a JSON object");
  assert_refused(CELL(",\"warmup\":1"), "unknown field 'warmup'");
  assert_refused(CELL(",\"gil_probe\":1"), "gil_probe must be true or false");
  assert_refused(CELL(",\"hiccup\":\"yes\""), "hiccup must be true or false");
  assert_refused(CELL(",\"worker_warmup_s\":\"0.2\""),
                 "worker_warmup_s must be a number");
  assert_refused(CELL(",\"workloads_dir\":3"),
                 "workloads_dir must be a string");
  assert_refused(CELL(",\"site_packages\":1"),
                 "site_packages must be true or false");
  assert_refused(CELL(",\"site_packages\":true,\"venv\":[]"),
                 "venv must be a string");
  assert_refused("{\"workload\":\"cpu.primes\",\"model\":\"bogus\","
                 "\"workers\":2,\"units\":10}",
                 "model: ");
}

/* The orchestrator cannot send what a runner would refuse. */
static void test_to_json_checks(void **state) {
  (void)state;
  char err[256] = "";
  const cellspec no_workers = {.workload = "cpu.primes",
                               .model = MODEL_THREADS};
  assert_null(cellspec_to_json(&no_workers, err, sizeof err));
  assert_non_null(strstr(err, "workers must be 1 to 4096"));
  const cellspec threads_spawn = {
      .workload = "cpu.primes",
      .model = MODEL_THREADS,
      .workers = 1,
      .start_method = "spawn",
  };
  assert_null(cellspec_to_json(&threads_spawn, err, sizeof err));
  assert_non_null(strstr(err, "start_method is for the processes model"));
  const cellspec unnamed = {.model = MODEL_THREADS, .workers = 1};
  assert_null(cellspec_to_json(&unnamed, err, sizeof err));
  assert_non_null(strstr(err, "workload must be named"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_round_trip_every_field),
      cmocka_unit_test(test_round_trip_defaults),
      cmocka_unit_test(test_missing_means_zero),
      cmocka_unit_test(test_missing_required),
      cmocka_unit_test(test_out_of_range),
      cmocka_unit_test(test_wrong_or_unknown),
      cmocka_unit_test(test_to_json_checks),
      cmocka_unit_test(test_user_workload),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
