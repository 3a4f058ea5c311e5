/* Unit tests for lab/spec (parsing `gillab run` options) and the pieces of
 * core/util it relies on (util_split) or feeds (util_join_argv, which writes
 * the command line into the metadata).
 *
 * spec_from_args uses getopt_long, which permutes argv: each parse gets a
 * fresh argv array built by parse() in the fixture.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "spec.h"
#include "util.h"

#include <unistd.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

typedef struct {
  spec_matrix s;
  char err[1024];
  char *argv[32];
} fixture;

static int setup(void **state) {
  *state = calloc(1, sizeof(fixture));
  return *state ? 0 : -1;
}

static int teardown(void **state) {
  spec_free(&((fixture *)*state)->s);
  free(*state);
  return 0;
}

/* Calls spec_from_args on "run" followed by the NULL-terminated options. */
static int parse(fixture *fx, ...) {
  va_list ap;
  int argc = 0;
  const char *a;

  fx->argv[argc++] = "run";
  va_start(ap, fx);
  while ((a = va_arg(ap, const char *)) != NULL) {
    assert_true(argc < (int)ARRAY_LEN(fx->argv) - 1);
    fx->argv[argc++] = (char *)a;
  }
  va_end(ap);
  fx->argv[argc] = NULL;
  fx->err[0] = '\0';
  spec_free(&fx->s); /* the rows of the last parse */
  return spec_from_args(&fx->s, argc, fx->argv, fx->err, sizeof fx->err);
}

#define PARSE(fx, ...) parse((fx), __VA_ARGS__, (const char *)NULL)

static void assert_contains(const char *text, const char *part) {
  if (!strstr(text, part))
    print_error("'%s' does not contain '%s'\n", text, part);
  assert_non_null(strstr(text, part));
}

/* Asserts that a parse failed with -EINVAL and an error mentioning part. */
static void assert_einval(const fixture *fx, int rc, const char *part) {
  if (rc != -EINVAL)
    print_error("rc %d (want -EINVAL), err '%s'\n", rc, fx->err);
  assert_int_equal(rc, -EINVAL);
  assert_contains(fx->err, part);
}

#define EXPECT_EINVAL(fx, part, ...)                                           \
  assert_einval((fx), PARSE((fx), __VA_ARGS__), (part))

static void assert_workers(const spec_matrix *s, const unsigned *want,
                           size_t n) {
  assert_int_equal(s->nworkers, n);
  for (size_t i = 0; i < n; i++)
    assert_int_equal(s->workers[i], want[i]);
}

/* With no options the spec is the documented default matrix. */
static void test_defaults(void **state) {
  fixture *fx = *state;

  assert_int_equal(parse(fx, (const char *)NULL), 0);

  const spec_matrix *s = &fx->s;
  assert_int_equal(s->default_experiment, 1);
  assert_int_equal(s->nworkloads, 4);
  assert_ptr_equal(s->workloads[0], registry_find("cpu.primes"));
  assert_ptr_equal(s->workloads[3], registry_find("mixed.convoy"));
  assert_int_equal(s->nmodels, 6);
  assert_int_equal(s->models[0], MODEL_THREADS);
  assert_int_equal(s->models[5], MODEL_NATIVE_PROCS);
  char want[64];
  spec_default_workers(util_ncpus(), want, sizeof want);
  char got[64] = "";
  for (size_t i = 0; i < s->nworkers; i++)
    snprintf(got + strlen(got), sizeof got - strlen(got), "%s%u", i ? "," : "",
             s->workers[i]);
  assert_string_equal(got, want);
  assert_int_equal(s->added_one_worker, 0);
  assert_int_equal(s->nplacements, 1);
  assert_string_equal(s->placements[0], "none");
  assert_int_equal(s->reps, 3);
  assert_true(s->size == 0.4);
  assert_true(s->timeout_s == 120);
  assert_int_equal(s->nruntimes, 1);
  assert_string_equal(s->runtimes[0], GILLAB_DEFAULT_RUNTIME);
  assert_null(s->outdir);
  assert_int_equal(s->quiet, 0);
}

/* 1, 2, 4, ... up to twice the CPUs, which is always included. */
static void test_default_workers(void **state) {
  (void)state;
  char buf[256];
  spec_default_workers(1, buf, sizeof buf);
  assert_string_equal(buf, "1,2");
  spec_default_workers(2, buf, sizeof buf);
  assert_string_equal(buf, "1,2,4");
  spec_default_workers(3, buf, sizeof buf);
  assert_string_equal(buf, "1,2,4,6");
  spec_default_workers(256, buf, sizeof buf);
  assert_string_equal(buf, "1,2,4,8,16,32,64,128,256,512");
}

/* --quick: one repetition at size 0.25, unless -r or --size say
 * otherwise; a workload chosen with -w is not the default experiment and
 * keeps size 1. */
static void test_quick(void **state) {
  fixture *fx = *state;
  assert_int_equal(PARSE(fx, "--quick"), 0);
  assert_int_equal(fx->s.reps, 1);
  assert_true(fx->s.size == 0.25);
  assert_int_equal(PARSE(fx, "--quick", "-r", "2", "--size", "0.5"), 0);
  assert_int_equal(fx->s.reps, 2);
  assert_true(fx->s.size == 0.5);
  assert_int_equal(PARSE(fx, "-w", "cpu.nbody"), 0);
  assert_int_equal(fx->s.default_experiment, 0);
  assert_true(fx->s.size == 1);
  assert_int_equal(fx->s.nmodels, 6);
}

/* -r auto: the cap becomes the plan's repetitions, the rule's options
 * are refused with -r N, and --shard with -r auto (gillab merge checks every
 * shard against its plan). */
static void test_reps_auto(void **state) {
  fixture *fx = *state;
  assert_int_equal(PARSE(fx, "-w", "cpu.primes", "-r", "auto"), 0);
  assert_true(fx->s.auto_reps);
  assert_int_equal(fx->s.reps, 20);
  assert_int_equal(fx->s.min_reps, 5);
  assert_true(fabs(fx->s.precision - 0.05) < 1e-12);
  assert_int_equal(PARSE(fx, "-w", "cpu.primes", "-r", "auto", "--precision",
                         "2.5", "--min-reps", "3", "--max-reps", "9"),
                   0);
  assert_int_equal(fx->s.reps, 9);
  assert_int_equal(fx->s.min_reps, 3);
  assert_true(fabs(fx->s.precision - 0.025) < 1e-12);
  cJSON *j = spec_to_json(&fx->s);
  assert_string_equal(
      cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "reps")),
      "auto");
  assert_int_equal(
      cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(j, "max_reps")), 9);
  cJSON_Delete(j);
  /* The last -r wins. */
  assert_int_equal(PARSE(fx, "-w", "cpu.primes", "-r", "auto", "-r", "4"), 0);
  assert_false(fx->s.auto_reps);
  assert_int_equal(fx->s.reps, 4);
  /* Its options alone mean -r auto (an experiment file's keys are
   * checked one by one); a minimum over the default cap raises it. */
  assert_int_equal(PARSE(fx, "-w", "cpu.primes", "--precision", "5"), 0);
  assert_true(fx->s.auto_reps);
  assert_int_equal(PARSE(fx, "-w", "cpu.primes", "--min-reps", "30"), 0);
  assert_true(fx->s.auto_reps);
  assert_int_equal(fx->s.reps, 30);
  EXPECT_EINVAL(fx, "--max-reps applies to -r auto, and -r N gives", "-w",
                "cpu.primes", "-r", "3", "--max-reps", "5");
  EXPECT_EINVAL(fx, "--min-reps 6 is more than --max-reps 4", "-w",
                "cpu.primes", "-r", "auto", "--min-reps", "6", "--max-reps",
                "4");
  EXPECT_EINVAL(fx, "--shard with -r auto is not supported", "-w", "cpu.primes",
                "-r", "auto", "--shard", "0/2");
  EXPECT_EINVAL(fx, "--precision: '0' is not a number", "-w", "cpu.primes",
                "-r", "auto", "--precision", "0");
}

/* Every long option reaches its field. */
static void test_long_options(void **state) {
  fixture *fx = *state;

  assert_int_equal(PARSE(fx, "--workloads", "debug.crash,cpu.primes",
                         "--models", "native-threads", "--workers", "3",
                         "--placements", "scatter,compact", "--reps", "5",
                         "--runtime", GILLAB_DEFAULT_RUNTIME, "--size", "0.25",
                         "--timeout", "7.5", "--output", "out/dir", "--quiet"),
                   0);

  const spec_matrix *s = &fx->s;
  assert_int_equal(s->nworkloads, 2);
  assert_ptr_equal(s->workloads[0], registry_find("debug.crash"));
  assert_ptr_equal(s->workloads[1], registry_find("cpu.primes"));
  assert_int_equal(s->nmodels, 1);
  assert_int_equal(s->models[0], MODEL_NATIVE_THREADS);
  static const unsigned want[] = {1, 3};
  assert_workers(s, want, ARRAY_LEN(want));
  assert_int_equal(s->added_one_worker, 1);
  assert_int_equal(s->nplacements, 2);
  assert_string_equal(s->placements[0], "scatter");
  assert_string_equal(s->placements[1], "compact");
  assert_int_equal(s->reps, 5);
  assert_int_equal(s->nruntimes, 1);
  assert_string_equal(s->runtimes[0], GILLAB_DEFAULT_RUNTIME);
  assert_true(s->size == 0.25);
  assert_true(s->timeout_s == 7.5);
  assert_string_equal(s->outdir, "out/dir");
  assert_int_equal(s->quiet, 1);
}

/* --switch-interval takes s, ms and us (bare numbers are seconds, as in
 * sys.setswitchinterval); --no-gil-probe turns the probe off. */
static void test_switch_interval(void **state) {
  fixture *fx = *state;
  assert_int_equal(
      PARSE(fx, "--switch-interval", "1ms,0.005,200us,1s", "--no-gil-probe"),
      0);
  assert_int_equal(fx->s.nswitch, 4);
  assert_true(fabs(fx->s.switch_intervals[0] - 0.001) < 1e-12);
  assert_true(fabs(fx->s.switch_intervals[1] - 0.005) < 1e-12);
  assert_true(fabs(fx->s.switch_intervals[2] - 0.0002) < 1e-12);
  assert_true(fabs(fx->s.switch_intervals[3] - 1) < 1e-12);
  assert_int_equal(fx->s.gil_probe, 0);
  assert_int_equal(PARSE(fx, "-q"), 0);
  assert_int_equal(fx->s.nswitch, 1);
  assert_true(fx->s.switch_intervals[0] == 0);
  assert_int_equal(fx->s.gil_probe, 1);
  EXPECT_EINVAL(fx, "from 1us to 10s", "--switch-interval", "5min");
  EXPECT_EINVAL(fx, "from 1us to 10s", "--switch-interval", "0");
  EXPECT_EINVAL(fx, "given twice", "--switch-interval", "1ms,1ms");
}

/* --scaling takes strong or weak. */
static void test_scaling(void **state) {
  fixture *fx = *state;
  assert_int_equal(PARSE(fx, "--scaling", "weak"), 0);
  assert_int_equal(fx->s.weak, 1);
  assert_int_equal(PARSE(fx, "--scaling", "strong"), 0);
  assert_int_equal(fx->s.weak, 0);
  EXPECT_EINVAL(fx, "strong or weak", "--scaling", "linear");
}

/* --start-method takes a list of multiprocessing's start methods. */
static void test_start_methods(void **state) {
  fixture *fx = *state;
  assert_int_equal(PARSE(fx, "--start-method", "fork,spawn,forkserver"), 0);
  assert_int_equal(fx->s.nstart, 3);
  assert_string_equal(fx->s.start_methods[2], "forkserver");
  EXPECT_EINVAL(fx, "not fork, spawn", "--start-method", "thread");
}

/* --cpu-threads is a list of counts, sorted, 0,1 by default; --hiccup is
 * off by default. */
static void test_cpu_threads_hiccup(void **state) {
  fixture *fx = *state;
  assert_int_equal(PARSE(fx, "-w", "mixed.convoy"), 0);
  assert_int_equal(fx->s.ncpu_threads, 2);
  assert_int_equal(fx->s.cpu_threads[0], 0);
  assert_int_equal(fx->s.cpu_threads[1], 1);
  assert_int_equal(fx->s.hiccup, 0);
  assert_int_equal(PARSE(fx, "--cpu-threads", "4,0,2", "--hiccup"), 0);
  assert_int_equal(fx->s.ncpu_threads, 3);
  assert_int_equal(fx->s.cpu_threads[0], 0);
  assert_int_equal(fx->s.cpu_threads[2], 4);
  assert_int_equal(fx->s.hiccup, 1);
  EXPECT_EINVAL(fx, "thread count from 0 to 256", "--cpu-threads", "-1");
  EXPECT_EINVAL(fx, "thread count", "--cpu-threads", "two");
  EXPECT_EINVAL(fx, "given twice", "--cpu-threads", "1,1");
}

/* --msg-size is a list of sizes in bytes, k (KiB) or M (MiB), sorted,
 * 64,4k,64k,1M by default; --payload is bytes and/or object, both by
 * default; sizes outside 16 bytes to 64M and other payloads are refused. */
static void test_msg_size_payload(void **state) {
  fixture *fx = *state;
  assert_int_equal(PARSE(fx, "-w", "ipc.pipe"), 0);
  assert_int_equal(fx->s.nmsg_sizes, 4);
  assert_true(fx->s.msg_sizes[0] == 64);
  assert_true(fx->s.msg_sizes[1] == 4096);
  assert_true(fx->s.msg_sizes[2] == 65536);
  assert_true(fx->s.msg_sizes[3] == 1048576);
  assert_int_equal(fx->s.npayloads, 2);
  assert_string_equal(fx->s.payloads[0], "bytes");
  assert_string_equal(fx->s.payloads[1], "object");
  assert_int_equal(
      PARSE(fx, "--msg-size", "1M,16,2K,100", "--payload", "object"), 0);
  assert_int_equal(fx->s.nmsg_sizes, 4);
  assert_true(fx->s.msg_sizes[0] == 16);
  assert_true(fx->s.msg_sizes[1] == 100);
  assert_true(fx->s.msg_sizes[2] == 2048);
  assert_true(fx->s.msg_sizes[3] == 1048576);
  assert_int_equal(fx->s.npayloads, 1);
  assert_string_equal(fx->s.payloads[0], "object");
  assert_int_equal(PARSE(fx, "--payload", "object,bytes"), 0);
  assert_string_equal(fx->s.payloads[0], "bytes"); /* always in this order */
  assert_int_equal(PARSE(fx, "--msg-size", "64M"), 0);
  EXPECT_EINVAL(fx, "'8' is not a message size from 16 bytes to 64M",
                "--msg-size", "8");
  EXPECT_EINVAL(fx, "'65M' is not a message size", "--msg-size", "65M");
  EXPECT_EINVAL(fx, "'4g' is not a message size", "--msg-size", "4g");
  EXPECT_EINVAL(fx, "'-64' is not a message size", "--msg-size", "-64");
  EXPECT_EINVAL(fx, "'k' is not a message size", "--msg-size", "k");
  EXPECT_EINVAL(fx, "'4096' is the size of another item", "--msg-size",
                "4k,4096");
  EXPECT_EINVAL(fx, "given twice", "--msg-size", "64,64");
  EXPECT_EINVAL(fx, "'json' is not bytes (raw bytes) or object", "--payload",
                "json");
  EXPECT_EINVAL(fx, "given twice", "--payload", "bytes,bytes");
  char name[32];
  assert_string_equal(spec_msg_size_name(64, name, sizeof name), "64");
  assert_string_equal(spec_msg_size_name(4096, name, sizeof name), "4k");
  assert_string_equal(spec_msg_size_name(1 << 20, name, sizeof name), "1M");
  assert_string_equal(spec_msg_size_name(1536, name, sizeof name), "1536");
}

/* The servers' axes: --connections sorted, 1,16,64 by default; --handler
 * built-in names or a file made absolute (":handle" by default); the cpu
 * and sleep costs and the rate; each refused out of range, with the
 * option's name. */
static void test_serve_axes(void **state) {
  fixture *fx = *state;
  assert_int_equal(PARSE(fx, "-w", "net.serve"), 0);
  assert_int_equal(fx->s.nconnections, 3);
  assert_int_equal(fx->s.connections[2], 64);
  assert_int_equal(fx->s.nhandlers, 1);
  assert_string_equal(fx->s.handlers[0], "none");
  assert_int_equal(fx->s.handler_cpu_us, 200);
  assert_int_equal(fx->s.handler_sleep_us, 10000);
  assert_true(fx->s.rate == 0);
  assert_int_equal(PARSE(fx, "--connections", "256,1", "--handler",
                         "sleep,cpu," GILLAB_SOURCE_DIR
                         "/tests/serve/shop_api.py",
                         "--handler-cpu-us", "50", "--handler-sleep-ms", "2.5",
                         "--rate", "1000"),
                   0);
  assert_int_equal(fx->s.connections[0], 1);
  assert_int_equal(fx->s.connections[1], 256);
  assert_int_equal(fx->s.nhandlers, 3);
  assert_string_equal(fx->s.handlers[2],
                      GILLAB_SOURCE_DIR "/tests/serve/shop_api.py:handle");
  assert_int_equal(spec_handler_us(&fx->s, "cpu"), 50);
  assert_int_equal(spec_handler_us(&fx->s, "sleep"), 2500);
  assert_int_equal(spec_handler_us(&fx->s, "hash"), 0);
  assert_true(fx->s.rate == 1000);
  EXPECT_EINVAL(fx, "'0' is not a connection count from 1 to 4096",
                "--connections", "0");
  EXPECT_EINVAL(fx, "'5000' is not a connection count", "--connections",
                "5000");
  EXPECT_EINVAL(fx, "'fast' is not none, cpu, hash, sleep or a Python file",
                "--handler", "fast");
  EXPECT_EINVAL(fx, "--handler: /nonexistent/app.py: No such file", "--handler",
                "/nonexistent/app.py:handle");
  EXPECT_EINVAL(fx, "'cpu' is given twice", "--handler", "cpu,cpu");
  EXPECT_EINVAL(fx, "--handler-cpu-us: '0' is not a number from 1",
                "--handler-cpu-us", "0");
  EXPECT_EINVAL(fx, "--rate: '-5' is not a number from 0", "--rate", "-5");
}

/* --runtime takes this build's runtimes (or all, in the build's order); an
 * unknown one is refused, listing the runtimes there are. */
static void test_runtimes(void **state) {
  fixture *fx = *state;
  char tags[RUNTIME_MAX][RUNTIME_TAG_MAX];
  int n = runtime_list(tags, RUNTIME_MAX);
  assert_true(n >= 1);
  assert_string_equal(tags[0], GILLAB_DEFAULT_RUNTIME);
  assert_int_equal(PARSE(fx, "--runtime", "all"), 0);
  assert_int_equal(fx->s.nruntimes, n);
  for (int i = 0; i < n; i++)
    assert_string_equal(fx->s.runtimes[i], tags[i]);
  EXPECT_EINVAL(fx, "available: " GILLAB_DEFAULT_RUNTIME, "--runtime", "2.7");
  assert_contains(fx->err, "'2.7'");
  EXPECT_EINVAL(fx, "given twice", "--runtime",
                GILLAB_DEFAULT_RUNTIME "," GILLAB_DEFAULT_RUNTIME);
}

/* --venv: one directory for every runtime, or TAG=DIR per runtime, made
 * absolute; --no-site; and what is refused before any runtime is asked
 * whether a venv fits it (that is lab/run.c's, e2e_venv.sh's). */
static void test_venv(void **state) {
  fixture *fx = *state;
  char here[4096], tags[RUNTIME_MAX][RUNTIME_TAG_MAX];
  assert_non_null(realpath(".", here));
  int n = runtime_list(tags, RUNTIME_MAX);
  assert_int_equal(PARSE(fx, "-w", "cpu.primes"), 0);
  assert_null(venv_for(&fx->s.venvs, GILLAB_DEFAULT_RUNTIME));
  assert_int_equal(fx->s.no_site, 0);
  assert_int_equal(PARSE(fx, "--runtime", "all", "--venv", "."), 0);
  for (int i = 0; i < n; i++)
    assert_string_equal(venv_for(&fx->s.venvs, tags[i]), here);
  assert_int_equal(
      PARSE(fx, "--runtime", "all", "--venv", GILLAB_DEFAULT_RUNTIME "=."), 0);
  assert_string_equal(venv_for(&fx->s.venvs, GILLAB_DEFAULT_RUNTIME), here);
  for (int i = 1; i < n; i++)
    assert_null(venv_for(&fx->s.venvs, tags[i]));
  cJSON *j = spec_to_json(&fx->s);
  assert_true(cJSON_IsTrue(cJSON_GetObjectItem(j, "site_packages")));
  cJSON *venvs = cJSON_GetObjectItem(j, "venvs");
  assert_int_equal(cJSON_GetArraySize(venvs), 1);
  assert_string_equal(
      cJSON_GetStringValue(cJSON_GetObjectItem(venvs, GILLAB_DEFAULT_RUNTIME)),
      here);
  cJSON_Delete(j);
  assert_int_equal(PARSE(fx, "--no-site"), 0);
  assert_int_equal(fx->s.no_site, 1);
  EXPECT_EINVAL(fx, "No such file", "--venv", "/nonexistent-gillab-venv");
  EXPECT_EINVAL(fx, "not in this run", "--venv", "9.99=.");
  EXPECT_EINVAL(fx, "given twice", "--venv",
                GILLAB_DEFAULT_RUNTIME "=.," GILLAB_DEFAULT_RUNTIME "=.");
  EXPECT_EINVAL(fx, "is not TAG=DIR", "--venv",
                GILLAB_DEFAULT_RUNTIME "=.,elsewhere");
  EXPECT_EINVAL(fx, "contradict", "--venv", ".", "--no-site");
}

/* The short options, including a group (-qr2) and an attached value. */
static void test_short_options(void **state) {
  fixture *fx = *state;

  assert_int_equal(PARSE(fx, "-w", "cpu.primes", "-m", "threads", "-n2", "-p",
                         "compact", "-o", "d", "-qr2"),
                   0);

  const spec_matrix *s = &fx->s;
  assert_int_equal(s->nmodels, 1);
  assert_int_equal(s->models[0], MODEL_THREADS);
  static const unsigned want[] = {1, 2};
  assert_workers(s, want, ARRAY_LEN(want));
  assert_string_equal(s->placements[0], "compact");
  assert_string_equal(s->outdir, "d");
  assert_int_equal(s->quiet, 1);
  assert_int_equal(s->reps, 2);
}

/* Worker counts are sorted, and 1 is added (and flagged) as the baseline
 * when it was not asked for. */
static void test_workers_add_one(void **state) {
  fixture *fx = *state;

  assert_int_equal(PARSE(fx, "-n", "4,2"), 0);

  static const unsigned want[] = {1, 2, 4};
  assert_workers(&fx->s, want, ARRAY_LEN(want));
  assert_int_equal(fx->s.added_one_worker, 1);
}

/* Duplicate worker counts are merged; an explicit 1 is not "added". */
static void test_workers_dedup(void **state) {
  fixture *fx = *state;

  assert_int_equal(PARSE(fx, "-n", "2,2,1"), 0);

  static const unsigned want[] = {1, 2};
  assert_workers(&fx->s, want, ARRAY_LEN(want));
  assert_int_equal(fx->s.added_one_worker, 0);
}

/* An unknown workload is refused, naming it and pointing at `gillab list`. */
static void test_unknown_workload(void **state) {
  EXPECT_EINVAL(*state, "'nope'", "-w", "cpu.primes,nope");
  assert_contains(((fixture *)*state)->err, "gillab list");
}

/* Which items of -w are files, and where a file's function is named. */
static void test_file_items(void **state) {
  (void)state;
  char file[64], func[16];
  assert_false(wl_is_file_item("cpu.primes"));
  assert_false(wl_is_file_item("io.sleep"));
  assert_true(wl_is_file_item("bench.py"));
  assert_true(wl_is_file_item("bench.py:run"));
  assert_true(wl_is_file_item("./bench"));
  assert_true(wl_is_file_item("/abs/x.py"));
  assert_false(wl_is_file_item("bench.pyc"));
  assert_int_equal(
      wl_split_file_item("a/b.py", file, sizeof file, func, sizeof func), 0);
  assert_string_equal(file, "a/b.py");
  assert_string_equal(func, "work");
  assert_int_equal(wl_split_file_item("a/b.py:count_2", file, sizeof file, func,
                                      sizeof func),
                   0);
  assert_string_equal(file, "a/b.py");
  assert_string_equal(func, "count_2");
  /* A ':' that no identifier follows is part of the path. */
  assert_int_equal(
      wl_split_file_item("c:/b.py", file, sizeof file, func, sizeof func), 0);
  assert_string_equal(file, "c:/b.py");
  assert_string_equal(func, "work");
  assert_int_equal(
      wl_split_file_item("x.py:2nd", file, sizeof file, func, sizeof func), 0);
  assert_string_equal(file, "x.py:2nd");
  assert_int_equal(wl_split_file_item("x.py:a_very_long_function_name", file,
                                      sizeof file, func, sizeof func),
                   -ENAMETOOLONG);
}

/* --units: the Python units, in a row of the spec's own (a built-in C
 * twin's scaled alike); without it the registry's row. */
static void test_units(void **state) {
  fixture *fx = *state;
  assert_int_equal(PARSE(fx, "-w", "cpu.primes,io.sleep", "--units", "5000"),
                   0);
  assert_int_equal(fx->s.nworkloads, 2);
  const wl_workload *p = fx->s.workloads[0], *reg = registry_find("cpu.primes");
  assert_ptr_not_equal(p, reg);
  assert_string_equal(p->name, "cpu.primes");
  assert_ptr_equal(p->native, reg->native);
  assert_true(p->units_py == 5000);
  assert_true(p->units_native ==
              (uint64_t)llround(5000.0 * (double)reg->units_native /
                                (double)reg->units_py));
  assert_true(fx->s.workloads[1]->per_worker); /* the rest of the row */
  assert_true(fx->s.units == 5000);
  assert_int_equal(PARSE(fx, "-w", "cpu.primes"), 0);
  assert_ptr_equal(fx->s.workloads[0], reg);
  EXPECT_EINVAL(fx, "--units: '1.5' is not a whole number", "--units", "1.5");
  EXPECT_EINVAL(fx, "--units: '0' is not a number from 1", "--units", "0");
}

/* What the orchestrator checks of a user workload itself, before a runner
 * is asked: the file, the twin, and which workload a twin goes with. */
static void test_user_files(void **state) {
  fixture *fx = *state;
  EXPECT_EINVAL(fx, "no_such_bench.py: No such file", "-w",
                "/nonexistent/no_such_bench.py", "-m", "threads");
  assert_contains(fx->err, "check the path");
  EXPECT_EINVAL(fx, "is not a file", "-w", "/tmp/", "-m", "threads");
  EXPECT_EINVAL(fx, "not a .py file", "-w", "/etc/hostname");
  char dotted[] = "/tmp/gillab_test_my.benchXXXXXX.py";
  int fd = mkstemps(dotted, 3);
  assert_true(fd >= 0);
  close(fd);
  EXPECT_EINVAL(fx, "as a package; rename the file", "-w", dotted);
  unlink(dotted);
  char bench[] = "/tmp/gillab_test_benchXXXXXX.py";
  fd = mkstemps(bench, 3);
  assert_true(fd >= 0);
  close(fd);
  EXPECT_EINVAL(fx, "-w names 0: add the file", "-w", "cpu.primes", "--twin",
                "/tmp/libtwin.so");
  assert_int_equal(spec_add_workload(&fx->s, "cpu.nbody", 0, "/tmp/t.so",
                                     fx->err, sizeof fx->err),
                   -EINVAL);
  assert_contains(fx->err, "--twin is for a workload of your own");
  EXPECT_EINVAL(fx, "-w names 2: run them one at a time", "-w", "a.py,b.py",
                "--twin", "/tmp/libtwin.so");
  EXPECT_EINVAL(fx, "-w names 0", "--twin", "/tmp/libtwin.so");
  EXPECT_EINVAL(fx, "--twin /nonexistent/libtwin.so: No such file", "-w", bench,
                "--twin", "/nonexistent/libtwin.so");
  unlink(bench);
}

/* spec_add_workload, as experiment files use it: a name given twice is
 * refused; units apply to the one workload added. */
static void test_add_workload(void **state) {
  fixture *fx = *state;
  spec_matrix *s = &fx->s;
  assert_int_equal(PARSE(fx, "-w", "cpu.primes"), 0);
  assert_int_equal(
      spec_add_workload(s, "cpu.nbody", 42, NULL, fx->err, sizeof fx->err), 0);
  assert_int_equal(s->nworkloads, 2);
  assert_true(s->workloads[1]->units_py == 42);
  assert_true(s->workloads[0]->units_py ==
              registry_find("cpu.primes")->units_py);
  assert_int_equal(
      spec_add_workload(s, "cpu.nbody", 0, NULL, fx->err, sizeof fx->err),
      -EINVAL);
  assert_contains(fx->err, "'cpu.nbody' is given twice");
  assert_int_equal(
      spec_add_workload(s, "cpu.nope", 0, NULL, fx->err, sizeof fx->err),
      -EINVAL);
  assert_contains(fx->err, "unknown workload 'cpu.nope'");
  assert_int_equal(
      spec_add_workload(s, "cpu.zlib", 2.5, NULL, fx->err, sizeof fx->err),
      -EINVAL);
  assert_contains(fx->err, "must be a whole number");
  spec_free(s);
  assert_int_equal(s->nworkloads, 0);
  assert_int_equal(s->nowned, 0);
}

/* An unknown model is refused, naming it and listing the models. */
static void test_unknown_model(void **state) {
  fixture *fx = *state;
  EXPECT_EINVAL(fx, "'fibers'", "-m", "fibers");
  assert_contains(fx->err, "threads");
  assert_contains(fx->err, "native-threads");
}

/* Worker lists that are not counts from 1 to 4096 are refused. */
static void test_bad_workers(void **state) {
  static const char *const bad[] = {"0",  "x", "1,,2", "-1", "4097",
                                    "2x", "",  ",1",   "1,"};
  for (size_t i = 0; i < ARRAY_LEN(bad); i++)
    EXPECT_EINVAL(*state, "-n", "-n", bad[i]);
}

/* An unknown placement is refused, naming it and listing the choices. */
static void test_bad_placement(void **state) {
  fixture *fx = *state;
  EXPECT_EINVAL(fx, "'bogus'", "-p", "bogus");
  assert_contains(fx->err, "-p");
  assert_contains(fx->err, "compact");
  EXPECT_EINVAL(fx, "-p", "-p", "none,,compact");
}

/* Repetitions must be whole numbers from 1 to 1000. */
static void test_bad_reps(void **state) {
  static const char *const bad[] = {"0", "1.5", "x", "1001", "-2", ""};
  for (size_t i = 0; i < ARRAY_LEN(bad); i++)
    EXPECT_EINVAL(*state, "-r", "-r", bad[i]);
}

/* --size and --timeout must be finite numbers in range. */
static void test_bad_size_and_timeout(void **state) {
  static const char *const bad_size[] = {"-1", "0", "abc", "nan", "inf", "1e7"};
  for (size_t i = 0; i < ARRAY_LEN(bad_size); i++)
    EXPECT_EINVAL(*state, "--size", "--size", bad_size[i]);
  static const char *const bad_timeout[] = {"0", "-5", "x", "86401"};
  for (size_t i = 0; i < ARRAY_LEN(bad_timeout); i++)
    EXPECT_EINVAL(*state, "--timeout", "--timeout", bad_timeout[i]);
}

/* Unknown options are refused, naming the option. */
static void test_unknown_option(void **state) {
  EXPECT_EINVAL(*state, "--bogus", "--bogus");
  EXPECT_EINVAL(*state, "-x", "-x");
  EXPECT_EINVAL(*state, "--bogus", "-q", "--bogus=1");
}

/* An option missing its value is refused, naming the option. */
static void test_missing_value(void **state) {
  fixture *fx = *state;
  EXPECT_EINVAL(fx, "needs a value", "-r");
  assert_contains(fx->err, "-r");
  EXPECT_EINVAL(fx, "needs a value", "-q", "--timeout");
  assert_contains(fx->err, "--timeout");
}

/* One argument is the experiment file (read by lab/experiment, not
 * here); a second is refused, even after options getopt moved it past. */
static void test_stray_argument(void **state) {
  fixture *fx = *state;
  assert_int_equal(PARSE(fx, "-q", "exp.toml", "-r", "2"), 0);
  assert_string_equal(fx->s.experiment, "exp.toml");
  assert_int_equal(fx->s.reps, 2);
  EXPECT_EINVAL(fx, "'extra'", "exp.toml", "extra");
  EXPECT_EINVAL(fx, "'extra'", "-q", "exp.toml", "-r", "2", "extra");
}

/* --question is one line; --dry-run is a flag; both reach the spec, and
 * the question its JSON. */
static void test_question_and_dry_run(void **state) {
  fixture *fx = *state;
  assert_int_equal(PARSE(fx, "--question", "Threads or processes?", "--dry-run",
                         "-w", "cpu.primes"),
                   0);
  assert_string_equal(fx->s.question, "Threads or processes?");
  assert_int_equal(fx->s.dry_run, 1);
  assert_null(fx->s.experiment);
  cJSON *j = spec_to_json(&fx->s);
  assert_string_equal(
      cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "question")),
      "Threads or processes?");
  assert_null(cJSON_GetObjectItemCaseSensitive(j, "experiment"));
  assert_null(cJSON_GetObjectItemCaseSensitive(j, "workload_units"));
  cJSON_Delete(j);
  assert_int_equal(spec_add_workload(&fx->s, "cpu.sha256", 70, NULL, fx->err,
                                     sizeof fx->err),
                   0);
  j = spec_to_json(&fx->s);
  const cJSON *units = cJSON_GetObjectItemCaseSensitive(j, "workload_units");
  assert_int_equal(cJSON_GetArraySize(units), 1);
  assert_true(
      cJSON_GetObjectItemCaseSensitive(units, "cpu.sha256")->valuedouble == 70);
  cJSON_Delete(j);
  EXPECT_EINVAL(fx, "one line", "--question", "two\nlines");
}

/* spec_add_workload with units: a built-in's row copied with its units
 * (the C twin's scaled alike); a missing user file refused with its path;
 * -w goes through it. */
static void test_add_workload_units(void **state) {
  fixture *fx = *state;
  assert_int_equal(PARSE(fx, "-w", "cpu.primes"), 0);
  spec_matrix *s = &fx->s;
  assert_string_equal(s->workloads_arg, "cpu.primes");
  assert_ptr_equal(s->workloads[0], registry_find("cpu.primes"));
  assert_int_equal(
      spec_add_workload(s, "cpu.sha256", 70, NULL, fx->err, sizeof fx->err), 0);
  assert_int_equal(s->nworkloads, 2);
  /* Units of its own: a copy of the row, the C twin's units scaled alike. */
  const wl_workload *sha = registry_find("cpu.sha256");
  assert_string_equal(s->workloads[1]->name, "cpu.sha256");
  assert_true(s->workloads[1]->units_py == 70);
  assert_true(s->workloads[1]->units_native ==
              (uint64_t)llround(70.0 * (double)sha->units_native /
                                (double)sha->units_py));
  /* (Names given twice and unknown names: test_add_workload.) */
  assert_int_equal(spec_add_workload(s, "dir/bench.py:work", 0, NULL, fx->err,
                                     sizeof fx->err),
                   -EINVAL);
  assert_contains(fx->err, "dir/bench.py: No such file");
  assert_int_equal(s->nworkloads, 2);
  EXPECT_EINVAL(fx, "-w: unknown workload 'nope'", "-w", "cpu.primes,nope");
}

/* --help and -h return 1 (usage goes to stdout). */
static void test_help(void **state) {
  assert_int_equal(PARSE(*state, "--help"), 1);
  assert_int_equal(PARSE(*state, "-h"), 1);
  assert_non_null(strstr(spec_run_usage, "usage: gillab run"));
}

/* A parse after a failed one starts afresh (optind is reset). */
static void test_parse_again(void **state) {
  fixture *fx = *state;
  assert_int_equal(PARSE(fx, "-q", "-r", "x"), -EINVAL);
  assert_int_equal(PARSE(fx, "-r", "4"), 0);
  assert_int_equal(fx->s.reps, 4);
  assert_int_equal(fx->s.quiet, 0);
}

static void assert_json_equal(const cJSON *got, const char *want_text) {
  cJSON *want = cJSON_Parse(want_text);
  assert_non_null(want);
  if (!cJSON_Compare(got, want, 1)) {
    char *text = cJSON_PrintUnformatted(got);
    print_error("got %s, want %s\n", text, want_text);
    cJSON_free(text);
  }
  assert_true(cJSON_Compare(got, want, 1));
  cJSON_Delete(want);
}

/* spec_to_json holds the axes as lists and the settings as numbers. */
static void test_to_json(void **state) {
  fixture *fx = *state;
  assert_int_equal(PARSE(fx, "-n", "4,2", "-p", "compact,none", "--runtime",
                         GILLAB_DEFAULT_RUNTIME, "-r", "2", "--size", "0.5"),
                   0);

  cJSON *j = spec_to_json(&fx->s);
  assert_non_null(j);
  assert_json_equal(j,
                    "{\"workloads\":[\"cpu.primes\",\"cpu.sha256\","
                    "\"io.sleep\",\"mixed.convoy\"],"
                    "\"models\":[\"threads\",\"processes\",\"asyncio\","
                    "\"subinterpreters\",\"native-threads\","
                    "\"native-procs\"],"
                    "\"workers\":[1,2,4],"
                    "\"placements\":[\"compact\",\"none\"],"
                    "\"runtimes\":[\"" GILLAB_DEFAULT_RUNTIME "\"],"
                    "\"switch_intervals_s\":[null],\"gil_probe\":true,"
                    "\"hash_seed\":\"per-rep\",\"scaling\":\"strong\","
                    "\"start_methods\":[\"default\"],"
                    "\"cpu_threads\":[0,1],"
                    "\"msg_sizes\":[64,4096,65536,1048576],"
                    "\"payloads\":[\"bytes\",\"object\"],"
                    "\"connections\":[1,16,64],\"handlers\":[\"none\"],"
                    "\"handler_cpu_us\":200,\"handler_sleep_us\":10000,"
                    "\"rate\":0,\"hiccup\":false,"
                    "\"default_experiment\":false,\"worker_warmup_s\":0.2,"
                    "\"site_packages\":true,\"venvs\":{},"
                    "\"units\":null,"
                    "\"reps\":2,\"warmup\":0,\"size\":0.5,\"timeout_s\":120}");
  cJSON_Delete(j);
}

/* util_split returns the items of a comma list, in order. */
static void test_split_items(void **state) {
  (void)state;
  char buf[64], *items[4];

  assert_int_equal(util_split("a,bc,d", buf, sizeof buf, items, 4), 3);
  assert_string_equal(items[0], "a");
  assert_string_equal(items[1], "bc");
  assert_string_equal(items[2], "d");
  assert_int_equal(util_split("single", buf, sizeof buf, items, 4), 1);
  assert_string_equal(items[0], "single");
  /* Exactly max items is fine. */
  assert_int_equal(util_split("1,2,3,4", buf, sizeof buf, items, 4), 4);
  assert_string_equal(items[3], "4");
}

/* util_split refuses empty items, too many items and a too small buffer. */
static void test_split_errors(void **state) {
  (void)state;
  char buf[64], small[4], *items[4];

  assert_int_equal(util_split("", buf, sizeof buf, items, 4), -1);
  assert_int_equal(util_split("1,,2", buf, sizeof buf, items, 4), -1);
  assert_int_equal(util_split(",1", buf, sizeof buf, items, 4), -1);
  assert_int_equal(util_split("1,", buf, sizeof buf, items, 4), -1);
  assert_int_equal(util_split("1,2,3,4,5", buf, sizeof buf, items, 4), -1);
  assert_int_equal(util_split("abcd", small, sizeof small, items, 4), -1);
  assert_int_equal(util_split("abc", small, sizeof small, items, 4), 1);
}

/* Joins argv with util_join_argv and compares with want. */
static void assert_joined(int argc, char **argv, const char *want) {
  char *got = util_join_argv(argc, argv);
  assert_non_null(got);
  assert_string_equal(got, want);
  free(got);
}

/* Plain arguments are joined as they are. */
static void test_join_plain(void **state) {
  (void)state;
  char *argv[] = {"run", "-w",         "cpu.primes", "-n",
                  "1,2", "--size=0.5", "-o",         "results/a_b@1+2%"};
  assert_joined(ARRAY_LEN(argv), argv,
                "run -w cpu.primes -n 1,2 --size=0.5 -o results/a_b@1+2%");
  assert_joined(0, argv, "");
}

/* Arguments a shell would split or expand are single-quoted, with single
 * quotes written as '\''. */
static void test_join_quotes(void **state) {
  (void)state;
  char *a[] = {"a b"};
  assert_joined(1, a, "'a b'");
  char *b[] = {"it's"};
  assert_joined(1, b, "'it'\\''s'");
  char *c[] = {"run", "-o", "my dir", "", "$HOME", "x;y", "'"};
  assert_joined(ARRAY_LEN(c), c, "run -o 'my dir' '' '$HOME' 'x;y' ''\\'''");
}

/* Regression (was a bug in lab/spec.c, spec_from_args, default case): an
 * unknown option inside a group (-xq) is reported with argv[optind - 1], which
 * is still the previous argument ("run") because getopt has not moved past the
 * group; the message should use optopt. */
static void test_regr_unknown_option_in_group(void **state) {
  EXPECT_EINVAL(*state, "-x", "-xq");
}

/* Regression (was a bug in lab/spec.c, spec_from_args): `optind = 1` does not
 * reset glibc's getopt; a parse that stopped inside a group (-hq returns at h)
 * leaves getopt pointing at the rest of that group, and the next parse
 * reads the stale "q" first. glibc documents `optind = 0` for a full
 * reset. (lab/cli.c resets getopt the same way.) */
static void test_regr_getopt_state_after_help_in_group(void **state) {
  fixture *fx = *state;
  assert_int_equal(PARSE(fx, "-hq"), 1);
  int rc = PARSE(fx, "-r", "2");
  if (rc != 0)
    print_error("second parse: rc %d, err '%s'\n", rc, fx->err);
  assert_int_equal(rc, 0);
  assert_int_equal(fx->s.quiet, 0);
  assert_int_equal(fx->s.reps, 2);
}

/* Regression (was a bug in lab/spec.c, parse_models/parse_placements): the
 * error text promises "a list of distinct models/placements", and worker counts
 * are deduplicated, but a repeated model or placement is accepted as is, so
 * each of its cells would run twice per repetition. */
static void test_regr_duplicate_models_and_placements(void **state) {
  fixture *fx = *state;
  int rc = PARSE(fx, "-m", "threads,threads");
  assert_true(rc == -EINVAL || (rc == 0 && fx->s.nmodels == 1));
  rc = PARSE(fx, "-p", "none,none");
  assert_true(rc == -EINVAL || (rc == 0 && fx->s.nplacements == 1));
}

int main(void) {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
  const struct CMUnitTest tests[] = {
      T(test_defaults),
      T(test_default_workers),
      T(test_quick),
      T(test_reps_auto),
      T(test_long_options),
      T(test_short_options),
      T(test_runtimes),
      T(test_venv),
      T(test_switch_interval),
      T(test_scaling),
      T(test_start_methods),
      T(test_cpu_threads_hiccup),
      T(test_msg_size_payload),
      T(test_serve_axes),
      T(test_workers_add_one),
      T(test_workers_dedup),
      T(test_unknown_workload),
      cmocka_unit_test(test_file_items),
      T(test_units),
      T(test_user_files),
      T(test_add_workload),
      T(test_unknown_model),
      T(test_bad_workers),
      T(test_bad_placement),
      T(test_bad_reps),
      T(test_bad_size_and_timeout),
      T(test_unknown_option),
      T(test_missing_value),
      T(test_stray_argument),
      T(test_question_and_dry_run),
      T(test_add_workload_units),
      T(test_help),
      T(test_parse_again),
      T(test_to_json),
      cmocka_unit_test(test_split_items),
      cmocka_unit_test(test_split_errors),
      cmocka_unit_test(test_join_plain),
      cmocka_unit_test(test_join_quotes),

      T(test_regr_getopt_state_after_help_in_group),
      T(test_regr_duplicate_models_and_placements),
      T(test_regr_unknown_option_in_group),
  };
#undef T
  return cmocka_run_group_tests(tests, NULL, NULL);
}
