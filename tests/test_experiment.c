/* Unit tests for lab/experiment: an experiment file's document (as the
 * runner's tomllib reads it, given here as JSON) turned into `gillab run`
 * options, its errors placed at the key's line and column, and the
 * command line overriding the file. No runner is started. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "experiment.h"
#include "registry.h"
#include "spec.h"

static void assert_contains(const char *text, const char *part) {
  if (!strstr(text, part))
    print_error("'%s' does not contain '%s'\n", text, part);
  assert_non_null(strstr(text, part));
}

/* The runner's answer for a document (JSON text) whose keys sit on lines
 * 1, 2, ... in the order of keys (a comma list of dotted keys). */
static cJSON *answer(const char *doc, const char *keys) {
  cJSON *a = cJSON_CreateObject();
  cJSON *d = cJSON_Parse(doc);
  assert_non_null(d);
  cJSON_AddItemToObject(a, "doc", d);
  cJSON_AddStringToObject(a, "sha256", "ab12");
  cJSON *k = cJSON_AddObjectToObject(a, "keys");
  char buf[1024];
  snprintf(buf, sizeof buf, "%s", keys);
  int line = 1;
  for (char *save, *t = strtok_r(buf, ",", &save); t;
       t = strtok_r(NULL, ",", &save)) {
    int pos[2] = {line++, 1};
    cJSON_AddItemToObject(k, t, cJSON_CreateIntArray(pos, 2));
  }
  return a;
}

/* experiment_from_json on doc; returns its code, err filled in. */
static int load(const char *path, const char *doc, const char *keys,
                experiment **x, char *err, size_t len) {
  cJSON *a = answer(doc, keys);
  err[0] = '\0';
  int rc = experiment_from_json(path, a, x, err, len);
  cJSON_Delete(a);
  return rc;
}

static void expect_error(const char *doc, const char *keys, const char *part) {
  experiment *x;
  char err[1024];
  int rc = load("dir/exp.toml", doc, keys, &x, err, sizeof err);
  if (rc != -EINVAL)
    print_error("rc %d, err '%s'\n", rc, err);
  assert_int_equal(rc, -EINVAL);
  assert_null(x);
  assert_contains(err, part);
}

/* Each kind of value becomes its option's text. */
static void test_option_text(void **state) {
  (void)state;
  char out[256], why[256];
  const experiment_option list = {"k", "--k", EXPERIMENT_LIST, ','};
  const experiment_option semi = {"k", "--k", EXPERIMENT_LIST, ';'};
  const experiment_option num = {"k", "--k", EXPERIMENT_NUMBER, 0};
  const experiment_option word = {"k", "--k", EXPERIMENT_WORD, 0};
  const experiment_option flag = {"k", "--k", EXPERIMENT_FLAG, 0};
  const experiment_option not = {"k", "--no-k", EXPERIMENT_NOT, 0};
  const experiment_option path = {"k", "--k", EXPERIMENT_PATH, 0};
  const experiment_option paths = {"k", "--k", EXPERIMENT_PATHS, ','};
  const experiment_option text = {"k", "--k", EXPERIMENT_TEXT, 0};
  struct {
    const experiment_option *o;
    const char *json, *dir;
    int rc;
    const char *want;
  } cases[] = {
      {&list, "[\"threads\", \"processes\"]", ".", 0, "threads,processes"},
      {&list, "[1, 2, 4]", ".", 0, "1,2,4"},
      {&list, "[0.005, \"1ms\"]", ".", 0, "0.005,1ms"},
      {&list, "\"threads\"", ".", 0, "threads"},
      {&list, "8", ".", 0, "8"},
      {&semi, "[\"compact\", \"pu:0,pu:1\"]", ".", 0, "compact;pu:0,pu:1"},
      {&list, "[]", ".", -EINVAL, "at least one"},
      {&list, "[true]", ".", -EINVAL, "with true or false in it"},
      {&list, "{\"a\": 1}", ".", -EINVAL, "got a table"},
      {&num, "3", ".", 0, "3"},
      {&num, "0.25", ".", 0, "0.25"},
      {&num, "\"3\"", ".", -EINVAL, "expected a number, got a string"},
      {&word, "7", ".", 0, "7"},
      {&word, "\"random\"", ".", 0, "random"},
      {&flag, "true", ".", 0, ""},
      {&flag, "false", ".", 1, ""},
      {&flag, "1", ".", -EINVAL, "expected true or false, got a number"},
      {&not, "false", ".", 0, ""},
      {&not, "true", ".", 1, ""},
      {&text, "\"weak\"", ".", 0, "weak"},
      {&path, "\"out\"", "dir", 0, "dir/out"},
      {&path, "\"out\"", ".", 0, "out"},
      {&path, "\"/abs/out\"", "dir", 0, "/abs/out"},
      {&paths, "\"venv\"", "dir", 0, "dir/venv"},
      {&paths, "{\"3.12\": \"v12\", \"3.13\": \"/v13\"}", "dir", 0,
       "3.12=dir/v12,3.13=/v13"},
      {&paths, "{\"3.12\": 1}", "dir", -EINVAL, "expected a path for 3.12"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    cJSON *v = cJSON_Parse(cases[i].json);
    assert_non_null(v);
    why[0] = '\0';
    int rc = experiment_option_text(cases[i].o, v, cases[i].dir, out,
                                    sizeof out, why, sizeof why);
    cJSON_Delete(v);
    if (rc != cases[i].rc)
      print_error("case %zu (%s): rc %d, why '%s'\n", i, cases[i].json, rc,
                  why);
    assert_int_equal(rc, cases[i].rc);
    if (rc == 0)
      assert_string_equal(out, cases[i].want);
    else if (rc < 0)
      assert_contains(why, cases[i].want);
  }
}

/* Every key stands for a real option of `gillab run`: the parser knows
 * each one (a wrong value at most, never an unknown option). */
static void test_every_key_is_an_option(void **state) {
  (void)state;
  for (size_t i = 0; i < experiment_noptions; i++) {
    const experiment_option *o = &experiment_options[i];
    spec_matrix s;
    char err[512] = "";
    int flag = o->kind == EXPERIMENT_FLAG || o->kind == EXPERIMENT_NOT;
    char *argv[] = {"run", (char *)o->option, "1", NULL};
    spec_from_args(&s, flag ? 2 : 3, argv, err, sizeof err);
    spec_free(&s);
    if (strstr(err, "unknown option"))
      print_error("key %s: %s\n", o->key, err);
    assert_null(strstr(err, "unknown option"));
  }
}

/* A valid document: options in the file's order, -w last, workloads with
 * their units, relative paths against the file's directory. */
static void test_mapping(void **state) {
  (void)state;
  experiment *x;
  char err[1024];
  int rc = load("dir/exp.toml",
                "{\"question\": \"Threads or processes?\", \"reps\": 3,"
                " \"models\": [\"threads\", \"native-threads\"],"
                " \"workers\": [1, 2], \"gil_probe\": false,"
                " \"hiccup\": false, \"quiet\": true, \"output\": \"out\","
                " \"switch_interval\": [\"1ms\", 0.005],"
                " \"workloads\": [\"cpu.sha256\","
                " {\"name\": \"cpu.primes\", \"units\": 20000}]}",
                "question,reps", &x, err, sizeof err);
  if (rc)
    print_error("%s\n", err);
  assert_int_equal(rc, 0);
  static const char *const want[] = {"run",
                                     "--question",
                                     "Threads or processes?",
                                     "--reps",
                                     "3",
                                     "--models",
                                     "threads,native-threads",
                                     "--workers",
                                     "1,2",
                                     "--no-gil-probe",
                                     "--quiet",
                                     "--output",
                                     "dir/out",
                                     "--switch-interval",
                                     "1ms,0.005",
                                     "-w",
                                     "cpu.sha256,cpu.primes"};
  assert_int_equal(x->nargs, (int)(sizeof want / sizeof want[0]));
  for (int i = 0; i < x->nargs; i++)
    assert_string_equal(x->args[i], want[i]);
  assert_null(x->args[x->nargs]);
  assert_string_equal(x->dir, "dir");
  assert_string_equal(x->sha256, "ab12");
  assert_int_equal(x->nworkloads, 2);
  assert_string_equal(x->workloads[1].item, "cpu.primes");
  assert_true(x->workloads[1].units == 20000);
  assert_string_equal(x->workloads[0].key, "workloads[0]");
  assert_string_equal(x->workloads[1].key, "workloads[1].name");
  assert_ptr_equal(x->workloads_arg, x->args[x->nargs - 1]);

  /* The file's spec: its workloads with their units. */
  spec_matrix s;
  char *argv[] = {"run", "dir/exp.toml", NULL};
  assert_int_equal(experiment_spec(x, &s, 2, argv, err, sizeof err), 0);
  assert_int_equal(s.reps, 3);
  assert_int_equal(s.gil_probe, 0);
  assert_int_equal(s.nworkloads, 2);
  assert_true(s.workloads[0]->units_py ==
              registry_find(s.workloads[0]->name)->units_py);
  assert_true(s.workloads[1]->units_py == 20000);
  assert_string_equal(s.question, "Threads or processes?");
  assert_string_equal(s.experiment, "dir/exp.toml");
  assert_string_equal(s.experiment_sha256, "ab12");
  assert_string_equal(s.outdir, "dir/out");
  spec_free(&s);

  /* The command line overrides the file: -r, -o, and -w (whose workloads
   * take their default units). */
  char *over[] = {"run", "-r",        "1", "dir/exp.toml", "-w", "cpu.primes",
                  "-o",  "elsewhere", NULL};
  assert_int_equal(experiment_spec(x, &s, 8, over, err, sizeof err), 0);
  assert_int_equal(s.reps, 1);
  assert_string_equal(s.outdir, "elsewhere");
  assert_int_equal(s.nworkloads, 1);
  assert_ptr_equal(s.workloads[0], registry_find("cpu.primes"));
  assert_int_equal(s.nmodels, 2); /* the file's */
  spec_free(&s);
  experiment_free(x);

  /* A cluster's file: shard = "auto" and a run id reach the spec. */
  rc = load("exp.toml", "{\"shard\": \"auto/4\", \"run_id\": \"nightly\"}",
            "shard,run_id", &x, err, sizeof err);
  assert_int_equal(rc, 0);
  char *bare[] = {"run", "exp.toml", NULL};
  assert_int_equal(experiment_spec(x, &s, 2, bare, err, sizeof err), 0);
  assert_string_equal(s.shard_arg, "auto/4");
  assert_string_equal(s.run_id, "nightly");
  spec_free(&s);
  experiment_free(x);

  /* A bare file name: paths stay as written. */
  rc = load("exp.toml", "{\"output\": \"out\"}", "", &x, err, sizeof err);
  assert_int_equal(rc, 0);
  assert_string_equal(x->dir, ".");
  assert_string_equal(x->args[2], "out");
  experiment_free(x);
}

/* Errors name the file, line and column, the key, and what was
 * expected. */
static void test_errors(void **state) {
  (void)state;
  expect_error("{\"question\": \"q\", \"rep\": 3}", "question,rep",
               "dir/exp.toml:2:1: rep: unknown key (did you mean 'reps'?)");
  expect_error("{\"colour\": 3}", "colour",
               "dir/exp.toml:1:1: colour: unknown key (the keys are");
  expect_error("{\"reps\": \"three\"}", "reps",
               "dir/exp.toml:1:1: reps: 'three' is not a number from 1 to "
               "1000 or auto");
  expect_error("{\"reps\": 0}", "reps",
               "dir/exp.toml:1:1: reps: '0' is not a number from 1 to 1000");
  expect_error("{\"models\": [\"thread\"]}", "models",
               "dir/exp.toml:1:1: models: ");
  expect_error("{\"switch_interval\": \"1ms\", \"switch_intervals\": \"2ms\"}",
               "switch_interval,switch_intervals",
               "dir/exp.toml:2:1: switch_intervals: given twice (also as "
               "switch_interval)");
  expect_error("{\"workloads\": [\"cpu.primes\", \"cpu.prime\"]}",
               "workloads,workloads[0],workloads[1]",
               "dir/exp.toml:3:1: workloads[1]: unknown workload "
               "'cpu.prime'");
  expect_error("{\"workloads\": [\"cpu.prime\"]}", "workloads,workloads[0]",
               "; did you mean 'cpu.primes'?");
  expect_error("{\"workloads\": [{\"name\": \"cpu.primes\", \"unit\": 5}]}",
               "workloads[0],workloads[0].name,workloads[0].unit",
               "dir/exp.toml:3:1: workloads[0].unit: unknown key (did you "
               "mean 'units'?)");
  expect_error("{\"workloads\": [{\"name\": \"cpu.primes\", \"units\": "
               "\"many\"}]}",
               "workloads[0],workloads[0].name,workloads[0].units",
               "dir/exp.toml:3:1: workloads[0].units: expected a number of "
               "units from 1 to 1e15, got a string");
  expect_error("{\"workloads\": [{\"name\": \"cpu.prime\", \"units\": 9}]}",
               "workloads[0],workloads[0].name",
               "dir/exp.toml:2:1: workloads[0].name: unknown workload "
               "'cpu.prime' (see `gillab list` for the workloads; a Python "
               "file of your own is named with its path, e.g. ./cpu.prime.py); "
               "did you mean 'cpu.primes'?");
  expect_error("{\"workloads\": [{\"units\": 5}]}", "workloads[0]",
               "workloads[0]: give either name");
  /* No position for a key the scanner did not see: the nearest around
   * it, else the file alone. */
  expect_error("{\"workloads\": [{\"name\": \"x\", \"twin\": 5}]}",
               "workloads,workloads[0]",
               "dir/exp.toml:2:1: workloads[0].twin: expected a string");
  expect_error(
      "{\"reps\": true}", "",
      "dir/exp.toml: reps: expected a string or a number, got true or false");
  /* A user file is resolved against the file's directory (and refused
   * here: there is no dir/bench.py). */
  expect_error(
      "{\"workloads\": [{\"file\": \"bench.py\", \"func\": \"work\"}]}",
      "workloads[0]", "user workload dir/bench.py: No such file");
  expect_error("{\"workloads\": [\"sub/bench.py\"]}", "workloads[0]",
               "dir/sub/bench.py");
}

/* What the runner says of a file that is not TOML: its position first. */
static void test_invalid(void **state) {
  (void)state;
  experiment *x;
  char err[512];
  cJSON *a = cJSON_Parse("{\"invalid\": {\"message\": \"Invalid value\", "
                         "\"line\": 4, \"column\": 8}}");
  assert_int_equal(experiment_from_json("e.toml", a, &x, err, sizeof err),
                   -EINVAL);
  assert_string_equal(err, "e.toml:4:8: Invalid value");
  cJSON_Delete(a);
  a = cJSON_Parse("{\"invalid\": {\"message\": \"cannot read it\", \"line\": "
                  "0, \"column\": 0}}");
  assert_int_equal(experiment_from_json("e.toml", a, &x, err, sizeof err),
                   -EINVAL);
  assert_string_equal(err, "e.toml: cannot read it");
  cJSON_Delete(a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_option_text),
      cmocka_unit_test(test_every_key_is_an_option),
      cmocka_unit_test(test_mapping),
      cmocka_unit_test(test_errors),
      cmocka_unit_test(test_invalid),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
