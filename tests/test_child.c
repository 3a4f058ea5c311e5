/* Unit tests for lab/child: child_run on real /bin/sh processes — results
 * on fd 3, exit statuses and signals, time limits, the stop flag, leftover
 * grandchildren, and the tail of the output.
 *
 * Time bounds are generous (SLACK_S): the machine running the tests may be
 * busy, and what matters is that child_run returns long before the 30 s the
 * child processes would otherwise live.
 *
 * Core dumps are turned off in main(): one test makes a shell kill itself
 * with SIGSEGV, and core files in the build tree help nobody.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "child.h"

/* How much later than asked child_run may return on a busy machine. */
#define SLACK_S 4.5

/* One test's outcome and a file a child's shell writes a grandchild's pid
 * to (to check that the grandchild was killed). */
typedef struct {
  child_outcome out;
  char pidfile[64];
  char script[1024];
} fixture;

static int setup(void **state) {
  fixture *fx = calloc(1, sizeof *fx);
  if (!fx)
    return -1;
  snprintf(fx->pidfile, sizeof fx->pidfile, "/tmp/gillab-test-child-XXXXXX");
  int fd = mkstemp(fx->pidfile);
  if (fd < 0) {
    free(fx);
    return -1;
  }
  close(fd);
  *state = fx;
  return 0;
}

/* The pid the child's shell wrote to the pid file, or 0. */
static pid_t read_pidfile(const fixture *fx) {
  FILE *f = fopen(fx->pidfile, "r");
  long pid = 0;
  if (f) {
    if (fscanf(f, "%ld", &pid) != 1)
      pid = 0;
    fclose(f);
  }
  return (pid_t)pid;
}

static int teardown(void **state) {
  fixture *fx = *state;
  /* If a test failed before its grandchild was killed, do not leave the
   * grandchild (a `sleep 30` this test started) behind. */
  pid_t pid = read_pidfile(fx);
  if (pid > 1)
    kill(pid, SIGKILL);
  unlink(fx->pidfile);
  child_outcome_clear(&fx->out);
  free(fx);
  return 0;
}

/* Runs `/bin/sh -c script` and asserts that child_run could start it. */
static child_outcome *run_sh(fixture *fx, const char *script, double timeout_s,
                             volatile int *stop) {
  char *argv[] = {"/bin/sh", "-c", (char *)script, NULL};
  char err[256] = "";
  int rc = child_run(argv, timeout_s, stop, &fx->out, err, sizeof err);
  if (rc != 0)
    print_error("child_run: %d %s\n", rc, err);
  assert_int_equal(rc, 0);
  return &fx->out;
}

static void assert_contains(const char *text, const char *part) {
  if (!strstr(text, part))
    print_error("'%s' does not contain '%s'\n", text, part);
  assert_non_null(strstr(text, part));
}

static void assert_status(const child_outcome *out, child_status want) {
  if (out->status != want)
    print_error("status %d (want %d), reason '%s', tail '%s'\n", out->status,
                want, out->reason, out->tail);
  assert_int_equal(out->status, want);
}

/* Non-zero when pid no longer runs. A process killed after its parent died
 * is reparented to PID 1; if that init never reaps, the pid stays as a
 * zombie, which is gone for our purpose (it holds no pipe, uses no CPU). */
static int pid_gone(pid_t pid) {
  if (kill(pid, 0) < 0 && errno == ESRCH)
    return 1;
  char path[64], stat[256];
  snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
  FILE *f = fopen(path, "r");
  if (!f)
    return 1;
  size_t n = fread(stat, 1, sizeof stat - 1, f);
  fclose(f);
  stat[n] = '\0';
  const char *paren = strrchr(stat, ')');
  return paren && paren[1] == ' ' && paren[2] == 'Z';
}

/* Waits up to 2 s for pid to be gone; returns non-zero if it is. */
static int wait_gone(pid_t pid) {
  for (int i = 0; i < 100; i++) {
    if (pid_gone(pid))
      return 1;
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  return pid_gone(pid);
}

/* A child that writes a JSON object to fd 3 and exits 0 is CHILD_OK with
 * the object parsed. */
static void test_ok_result(void **state) {
  child_outcome *out = run_sh(*state, "printf '{\"ok\":1}' >&3", 10, NULL);

  assert_status(out, CHILD_OK);
  assert_non_null(out->result);
  const cJSON *ok = cJSON_GetObjectItemCaseSensitive(out->result, "ok");
  assert_true(cJSON_IsNumber(ok));
  assert_int_equal(ok->valueint, 1);
  assert_true(out->elapsed_s >= 0 && out->elapsed_s < SLACK_S);
}

/* elapsed_s covers the child's whole run. */
static void test_elapsed_measured(void **state) {
  child_outcome *out =
      run_sh(*state, "sleep 0.3; printf '{\"ok\":1}' >&3", 10, NULL);

  assert_status(out, CHILD_OK);
  assert_true(out->elapsed_s >= 0.3);
  assert_true(out->elapsed_s < 0.3 + SLACK_S);
}

/* A non-zero exit is CHILD_FAILED with the status in the reason and the
 * output written before the exit in the tail. */
static void test_exit_status(void **state) {
  child_outcome *out =
      run_sh(*state, "echo 'something went wrong' >&2; exit 3", 10, NULL);

  assert_status(out, CHILD_FAILED);
  assert_contains(out->reason, "status 3");
  assert_contains(out->tail, "something went wrong");
}

/* stdout and stderr are captured together, in the order written. */
static void test_tail_has_stdout_and_stderr(void **state) {
  child_outcome *out =
      run_sh(*state, "echo to-stdout; echo to-stderr >&2; exit 2", 10, NULL);

  assert_status(out, CHILD_FAILED);
  assert_string_equal(out->tail, "to-stdout\nto-stderr");
}

/* A child killed by a signal is CHILD_FAILED naming the signal. */
static void test_killed_by_signal(void **state) {
  child_outcome *out = run_sh(*state, "kill -SEGV $$", 10, NULL);

  assert_status(out, CHILD_FAILED);
  assert_contains(out->reason, "signal 11");
}

/* An "error" in the result is the reason of a CHILD_FAILED, whatever the
 * exit status says. */
static void test_error_in_result(void **state) {
  child_outcome *out =
      run_sh(*state, "printf '{\"error\":\"boom\"}' >&3; exit 1", 10, NULL);

  assert_status(out, CHILD_FAILED);
  assert_string_equal(out->reason, "boom");
  assert_non_null(out->result);
}

/* Exiting 0 without writing a result is a failure, not a success. */
static void test_exit_zero_without_result(void **state) {
  child_outcome *out = run_sh(*state, "exit 0", 10, NULL);

  assert_status(out, CHILD_FAILED);
  assert_null(out->result);
  assert_contains(out->reason, "without a readable result");
}

/* A result that is not JSON is a failure with no parsed result. */
static void test_unreadable_result(void **state) {
  child_outcome *out = run_sh(*state, "printf '{\"ok\":' >&3", 10, NULL);

  assert_status(out, CHILD_FAILED);
  assert_null(out->result);
  assert_contains(out->reason, "without a readable result");
}

/* A child still running at the limit is killed: CHILD_TIMEOUT, soon after
 * the limit and long before the child would have ended. */
static void test_timeout(void **state) {
  child_outcome *out = run_sh(*state, "sleep 30", 0.5, NULL);

  assert_status(out, CHILD_TIMEOUT);
  assert_contains(out->reason, "timed out");
  assert_true(out->elapsed_s >= 0.5);
  assert_true(out->elapsed_s < 0.5 + SLACK_S);
}

/* On a timeout the whole process group goes: a background grandchild that
 * holds the pipes neither delays child_run nor survives it. */
static void test_timeout_kills_grandchild(void **state) {
  fixture *fx = *state;
  snprintf(fx->script, sizeof fx->script, "sleep 30 & echo $! > %s; sleep 30",
           fx->pidfile);
  child_outcome *out = run_sh(fx, fx->script, 0.5, NULL);

  assert_status(out, CHILD_TIMEOUT);
  assert_true(out->elapsed_s < 0.5 + SLACK_S);
  pid_t pid = read_pidfile(fx);
  assert_true(pid > 1);
  assert_true(wait_gone(pid));
}

/* A child that exits 0 but leaves a grandchild holding the pipes is
 * CHILD_OK at once, and the grandchild is killed. */
static void test_exit_leaves_grandchild(void **state) {
  fixture *fx = *state;
  snprintf(fx->script, sizeof fx->script,
           "sleep 30 & echo $! > %s; echo '{\"ok\":1}' >&3; exit 0",
           fx->pidfile);
  child_outcome *out = run_sh(fx, fx->script, 60, NULL);

  assert_status(out, CHILD_OK);
  assert_non_null(out->result);
  assert_true(out->elapsed_s < SLACK_S);
  pid_t pid = read_pidfile(fx);
  assert_true(pid > 1);
  assert_true(wait_gone(pid));
}

/* A stop flag already set interrupts the child at once: CHILD_INTERRUPT. */
static void test_stop_flag(void **state) {
  static volatile int stop = 1;
  child_outcome *out = run_sh(*state, "sleep 30", 60, &stop);

  assert_status(out, CHILD_INTERRUPT);
  assert_contains(out->reason, "interrupted");
  assert_true(out->elapsed_s < SLACK_S);
}

/* A stop flag left at 0 changes nothing. */
static void test_stop_flag_clear(void **state) {
  static volatile int stop = 0;
  child_outcome *out = run_sh(*state, "printf '{\"ok\":1}' >&3", 10, &stop);

  assert_status(out, CHILD_OK);
}

/* A missing executable is an ordinary failed cell: status 127 and the
 * exec error in the tail. */
static void test_missing_binary(void **state) {
  fixture *fx = *state;
  char *argv[] = {"/nonexistent/gillab-test-no-such-runner", NULL};
  char err[256] = "";

  assert_int_equal(child_run(argv, 10, NULL, &fx->out, err, sizeof err), 0);

  assert_status(&fx->out, CHILD_FAILED);
  assert_string_equal(fx->out.reason, "exited with status 127");
  assert_contains(fx->out.tail, "cannot execute");
  assert_contains(fx->out.tail, "/nonexistent/gillab-test-no-such-runner");
}

/* A script writing about 205 KB of 50-byte lines to stderr, then a last
 * line, then failing. */
static const char BIG_OUTPUT[] =
    "i=0; while [ $i -lt 4100 ]; do "
    "printf 'line %05d abcdefghijklmnopqrstuvwxyz0123456789AB\\n' $i; "
    "i=$((i+1)); done >&2; echo 'the last line' >&2; exit 1";

/* Big output keeps only a bounded tail, which ends with the last line. */
static void test_big_output_tail(void **state) {
  child_outcome *out = run_sh(*state, BIG_OUTPUT, 30, NULL);

  assert_status(out, CHILD_FAILED);
  size_t len = strlen(out->tail);
  assert_true(len < CHILD_TAIL_MAX);
  assert_true(len > CHILD_TAIL_MAX / 2);
  static const char last[] = "\nthe last line";
  assert_true(len >= sizeof last - 1);
  assert_string_equal(out->tail + len - (sizeof last - 1), last);
  assert_contains(out->tail, "line 04099 abcdefghijklmnopqrstuvwxyz");
}

/* Regression (was a bug in lab/child.c, tidy_tail): a full tail should start at
 * a whole line, but tidy_tail strips the trailing newline before testing
 * whether the buffer is full, so output ending in '\n' (nearly all output)
 * keeps a partial first line. */
static void test_regr_tail_starts_with_whole_line(void **state) {
  child_outcome *out = run_sh(*state, BIG_OUTPUT, 30, NULL);

  assert_status(out, CHILD_FAILED);
  if (strncmp(out->tail, "line ", 5) != 0)
    print_error("tail starts with '%.60s'\n", out->tail);
  assert_int_equal(strncmp(out->tail, "line ", 5), 0);
}

/* Regression (was a bug in lab/child.c, child_run): with gillab's stdin closed,
 * pipe2 hands out fd 0 and 3, so the result pipe's write end already is fd 3;
 * dup2(3, 3) then does nothing and leaves O_CLOEXEC set, and exec closes
 * the result fd. The child cannot report its result. */
static void test_regr_result_fd_with_stdin_closed(void **state) {
  fixture *fx = *state;
  /* Park fd 0 and fd 3 (ctest may pass one down) far away and close them,
   * so they are the lowest free descriptors, as in a gillab whose stdin
   * was closed; put them back afterwards. */
  static const int parked_fds[] = {STDIN_FILENO, CHILD_RESULT_FD};
  int saved[2];
  for (int i = 0; i < 2; i++) {
    saved[i] = -1;
    if (fcntl(parked_fds[i], F_GETFD) >= 0) {
      saved[i] = fcntl(parked_fds[i], F_DUPFD_CLOEXEC, 100);
      assert_true(saved[i] >= 0);
      close(parked_fds[i]);
    }
  }
  char *argv[] = {"/bin/sh", "-c", "printf '{\"ok\":1}' >&3", NULL};
  char err[256] = "";
  int rc = child_run(argv, 10, NULL, &fx->out, err, sizeof err);
  for (int i = 0; i < 2; i++) {
    if (saved[i] >= 0) {
      dup2(saved[i], parked_fds[i]);
      close(saved[i]);
    }
  }

  assert_int_equal(rc, 0);
  assert_status(&fx->out, CHILD_OK);
}

/* Runs `/bin/sh -c script` under lim. */
static child_outcome *run_sh_limited(fixture *fx, const char *script,
                                     double timeout_s,
                                     const child_limits *lim) {
  char *argv[] = {"/bin/sh", "-c", (char *)script, NULL};
  char err[256] = "";
  int rc =
      child_run_limited(argv, timeout_s, NULL, lim, &fx->out, err, sizeof err);
  if (rc != 0)
    print_error("child_run_limited: %d %s\n", rc, err);
  assert_int_equal(rc, 0);
  return &fx->out;
}

/* A child whose processes hold more than the memory limit is killed,
 * and says so; one under it is not. */
static void test_memory_limit(void **state) {
  fixture *fx = *state;
  child_limits lim = {.memory_bytes = 64ull << 20};
  /* 200 MiB touched in a grandchild (python3 -c, as a worker would). */
  child_outcome *out = run_sh_limited(
      fx,
      "python3 -c 'import time; b = bytearray(200 << 20); time.sleep(30)'; "
      "echo '{}' >&3",
      20, &lim);
  assert_status(out, CHILD_FAILED);
  assert_contains(out->reason, "killed: memory limit");
  assert_true(out->elapsed_s < 10);
  child_outcome_clear(&fx->out);
  out = run_sh_limited(fx, "echo '{\"ok\":1}' >&3", 20, &lim);
  assert_status(out, CHILD_OK);
}

/* A result over the cap is not kept: the child is killed, saying so. */
static void test_result_cap(void **state) {
  fixture *fx = *state;
  child_limits lim = {.result_bytes = 1 << 20};
  child_outcome *out = run_sh_limited(
      fx, "head -c 8000000 /dev/zero | tr '\\0' x >&3; sleep 30", 20, &lim);
  assert_status(out, CHILD_FAILED);
  assert_contains(out->reason, "killed: result larger than 1 MiB");
  assert_null(out->result);
  assert_true(out->elapsed_s < 10);
}

/* A grandchild that left the process group (setsid) and outlived the
 * child is killed when the child ends, and the tail says so. */
static void test_setsid_escapee_killed(void **state) {
  fixture *fx = *state;
  snprintf(fx->script, sizeof fx->script,
           "setsid sh -c 'echo $$ > %s; exec sleep 30' & sleep 0.3; "
           "echo '{\"ok\":1}' >&3",
           fx->pidfile);
  child_outcome *out = run_sh(fx, fx->script, 20, NULL);
  assert_status(out, CHILD_OK);
  pid_t pid = read_pidfile(fx);
  assert_true(pid > 1);
  assert_true(wait_gone(pid));
  assert_contains(out->tail, "outside its process group");
}

/* The child's TMPDIR is its own, and gone after it, with what it holds,
 * even when it timed out. */
static void test_private_tmpdir(void **state) {
  fixture *fx = *state;
  snprintf(fx->script, sizeof fx->script,
           "echo \"$TMPDIR\" > %s; head -c 100000 /dev/zero > "
           "\"$TMPDIR/big\"; sleep 30",
           fx->pidfile);
  child_outcome *out = run_sh(fx, fx->script, 0.5, NULL);
  assert_status(out, CHILD_TIMEOUT);
  char dir[256] = "";
  FILE *f = fopen(fx->pidfile, "r");
  assert_non_null(f);
  assert_non_null(fgets(dir, sizeof dir, f));
  fclose(f);
  dir[strcspn(dir, "\n")] = '\0';
  assert_non_null(strstr(dir, "gillab-cell-"));
  assert_int_equal(access(dir, F_OK), -1);
  assert_int_equal(truncate(fx->pidfile, 0), 0); /* no pid for teardown */
}

int main(void) {
  struct rlimit no_core = {0, 0};
  setrlimit(RLIMIT_CORE, &no_core);

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
  const struct CMUnitTest tests[] = {
      T(test_ok_result),
      T(test_elapsed_measured),
      T(test_exit_status),
      T(test_tail_has_stdout_and_stderr),
      T(test_killed_by_signal),
      T(test_error_in_result),
      T(test_exit_zero_without_result),
      T(test_unreadable_result),
      T(test_timeout),
      T(test_timeout_kills_grandchild),
      T(test_exit_leaves_grandchild),
      T(test_stop_flag),
      T(test_stop_flag_clear),
      T(test_missing_binary),
      T(test_big_output_tail),
      T(test_regr_tail_starts_with_whole_line),
      T(test_regr_result_fd_with_stdin_closed),
      T(test_memory_limit),
      T(test_result_cap),
      T(test_setsid_escapee_killed),
      T(test_private_tmpdir),
  };
#undef T
  return cmocka_run_group_tests(tests, NULL, NULL);
}
