/* Embedding tests: the interpreter's start and stop, its isolation, the
 * _gillab module and hold_gil, multiprocessing's spawn from the embedded
 * host.
 *
 * As in CPython's Programs/_testembed.c, each case is a name in a table and
 * ctest runs each in a fresh process (`test_embed CASE`), since an
 * interpreter cannot be started twice cleanly in one process. The host
 * dispatches a Python command line first thing, as the runner does, so
 * multiprocessing's children can run it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "py.h"
#include "util.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char err[4096];

static int start(void **state) {
  (void)state;
  /* A fixed seed, as cells have: children must inherit it. */
  const long hash_seed = 7;
  /* Isolation: none of these may reach the interpreter. */
  setenv("PYTHONPATH", "/nonexistent-gillab-test", 1);
  setenv("PYTHONNOUSERSITE", "", 1);
  int rc = py_start(GILLAB_TESTS_PYTHON_DIR, hash_seed, err, sizeof err);
  if (rc < 0)
    fprintf(stderr, "py_start: %s\n", err);
  return rc < 0 ? -1 : 0;
}

static int finish(void **state) {
  (void)state;
  return py_finish(err, sizeof err) < 0 ? -1 : 0;
}

static cJSON *call(const char *func, const char *args_json) {
  cJSON *args = args_json ? cJSON_Parse(args_json) : NULL, *out = NULL;
  int rc = py_call_json("embed_cases", func, args, &out, err, sizeof err);
  cJSON_Delete(args);
  if (rc < 0)
    fail_msg("embed_cases.%s: %s", func, err);
  return out;
}

static double num(const cJSON *o, const char *key) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
  assert_true(cJSON_IsNumber(v));
  return v->valuedouble;
}

/* The interpreter starts isolated (no environment, no site), runs this
 * binary as sys.executable, has workloads/python-style dirs on sys.path and
 * the _gillab builtin module; the loaded libpython matches the headers. */
static void test_start_stop(void **state) {
  (void)state;
  char exe[PATH_MAX];
  assert_int_equal(py_check_version(err, sizeof err), 0);
  cJSON *f = call("facts", NULL);
  assert_int_equal(util_self_exe(exe, sizeof exe), 0);
  assert_string_equal(
      cJSON_GetObjectItemCaseSensitive(f, "executable")->valuestring, exe);
  assert_int_equal(num(f, "isolated"), 1);
  assert_int_equal(num(f, "no_site"), 1);
  assert_int_equal(num(f, "ignore_environment"), 1);
  assert_int_equal(num(f, "tid"), num(f, "os_tid"));
  assert_true(num(f, "now_ns") > 0);
  char *path =
      cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(f, "path"));
  assert_null(strstr(path, "nonexistent-gillab-test"));
  assert_non_null(strstr(path, GILLAB_TESTS_PYTHON_DIR));
  cJSON_free(path);
  cJSON_Delete(f);
}

/* hold_gil is the ground truth for the GIL probes: while the main thread
 * spins in C for 0.3 s with the GIL held, a Python thread that wants to run
 * cannot. Bounds are generous (the VM is noisy): the ticker's longest gap
 * must cover the hold (minus 10 ms for timer slop) and stay under 2 s.
 * Without a GIL (a free-threaded build) the same spin must not stop the
 * ticker: its longest gap stays well under the hold. */
static void test_hold_gil(void **state) {
  (void)state;
  cJSON *r = call("hold_gil", "{\"seconds\": 0.3}");
  double held = num(r, "held"), gap = num(r, "longest_gap");
  int gil = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "gil_enabled"));
  printf("GIL %s: held %.3f s, ticker's longest gap %.3f s\n",
         gil ? "enabled" : "disabled", held, gap);
  assert_true(held >= 0.3 && held < 2.0);
  if (gil) {
    assert_true(gap >= 0.29);
    assert_true(gap < 2.0);
  } else {
    assert_true(gap < 0.15);
  }
  cJSON_Delete(r);
}

/* multiprocessing's spawn start method from the embedded host: children are
 * started as `HOST -I -S -c ... --multiprocessing-fork`, must run as Python
 * (the dispatch in main), find the parent's sys.path and _gillab, and return
 * their results. */
static void run_spawn(const char *method) {
  char args[64], exe[PATH_MAX];
  snprintf(args, sizeof args, "{\"method\": \"%s\"}", method);
  cJSON *r = call("spawn", args);
  assert_int_equal(util_self_exe(exe, sizeof exe), 0);
  const cJSON *results = cJSON_GetObjectItemCaseSensitive(r, "results");
  assert_int_equal(cJSON_GetArraySize(results), 2);
  assert_int_equal(num(cJSON_GetArrayItem(results, 0), "square"), 9);
  assert_int_equal(num(cJSON_GetArrayItem(results, 1), "square"), 16);
  for (int i = 0; i < 2; i++) {
    const cJSON *c = cJSON_GetArrayItem(results, i);
    assert_true(num(c, "pid") != num(r, "parent_pid"));
    /* Children hash like their parent (GILLAB_HASH_SEED, see py.c). */
    assert_true(num(c, "hash") == num(r, "hash"));
    assert_string_equal(
        cJSON_GetObjectItemCaseSensitive(c, "executable")->valuestring, exe);
  }
  cJSON_Delete(r);
}

static void test_spawn(void **state) {
  (void)state;
  run_spawn("spawn");
}

static void test_forkserver(void **state) {
  (void)state;
  run_spawn("forkserver");
}

static const struct {
  const char *name;
  struct CMUnitTest test;
} cases[] = {
    {"start_stop", cmocka_unit_test(test_start_stop)},
    {"hold_gil", cmocka_unit_test(test_hold_gil)},
    {"spawn", cmocka_unit_test(test_spawn)},
    {"forkserver", cmocka_unit_test(test_forkserver)},
};

int main(int argc, char **argv) {
  if (py_is_python_argv(argc, argv))
    return py_main(argc, argv);
  for (size_t i = 0; argc == 2 && i < sizeof cases / sizeof cases[0]; i++) {
    if (strcmp(argv[1], cases[i].name) != 0)
      continue;
    const struct CMUnitTest one[] = {cases[i].test};
    return _cmocka_run_group_tests(cases[i].name, one, 1, start, finish);
  }
  fprintf(stderr, "usage: test_embed CASE\ncases:");
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    fprintf(stderr, " %s", cases[i].name);
  fprintf(stderr, "\n");
  return 2;
}
