/* Unit tests for lab/shard: --shard K/N and auto from a fake environment
 * (Slurm arrays evenly stepped, stepped, sparse and reruns of some
 * shards; Kubernetes Indexed Jobs with and without a count), the run id,
 * and the dealing of rows: every row on one shard, the same partition
 * every time, balanced by cost. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "shard.h"

/* The fake environment: "NAME=value" strings, NULL-terminated. */
static const char *const *fake_env;

static const char *fake_get(const char *name) {
  size_t n = strlen(name);
  for (const char *const *e = fake_env; e && *e; e++)
    if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
      return *e + n + 1;
  return NULL;
}

/* shard_resolve(arg) in env; returns its code, *k and *n set on success. */
static int resolve(const char *arg, const char *const *env, unsigned *k,
                   unsigned *n, char *err, size_t errlen) {
  shard s;
  fake_env = env;
  err[0] = '\0';
  int rc = shard_resolve(arg, fake_get, &s, err, errlen);
  *k = s.index;
  *n = s.count;
  shard_clear(&s);
  return rc;
}

static void assert_contains(const char *text, const char *part) {
  if (!strstr(text, part))
    print_error("'%s' does not contain '%s'\n", text, part);
  assert_non_null(strstr(text, part));
}

static void test_command_line(void **state) {
  (void)state;
  unsigned k, n;
  char err[512];
  assert_int_equal(resolve("2/4", NULL, &k, &n, err, sizeof err), 0);
  assert_int_equal(k, 2);
  assert_int_equal(n, 4);
  assert_int_equal(resolve("0/1", NULL, &k, &n, err, sizeof err), 0);
  static const char *const bad[] = {"4/4", "1",  "-1/4", "a/4",
                                    "1/0", "1/", "/4",   "1/4x"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    assert_int_equal(resolve(bad[i], NULL, &k, &n, err, sizeof err), -EINVAL);
  assert_int_equal(resolve("auto", NULL, &k, &n, err, sizeof err), -EINVAL);
  assert_contains(err, "SLURM_ARRAY_TASK_ID");
}

static void test_slurm(void **state) {
  (void)state;
  unsigned k, n;
  char err[512];
  /* --array=0-3 */
  static const char *const plain[] = {"SLURM_ARRAY_JOB_ID=77",
                                      "SLURM_ARRAY_TASK_ID=2",
                                      "SLURM_ARRAY_TASK_MIN=0",
                                      "SLURM_ARRAY_TASK_MAX=3",
                                      "SLURM_ARRAY_TASK_STEP=1",
                                      "SLURM_ARRAY_TASK_COUNT=4",
                                      NULL};
  assert_int_equal(resolve("auto", plain, &k, &n, err, sizeof err), 0);
  assert_int_equal(k, 2);
  assert_int_equal(n, 4);
  /* --array=1-4: ids are not indexes */
  static const char *const one[] = {
      "SLURM_ARRAY_TASK_ID=4", "SLURM_ARRAY_TASK_MIN=1",
      "SLURM_ARRAY_TASK_MAX=4", "SLURM_ARRAY_TASK_COUNT=4", NULL};
  assert_int_equal(resolve("auto", one, &k, &n, err, sizeof err), 0);
  assert_int_equal(k, 3);
  assert_int_equal(n, 4);
  /* --array=10-22:4, ids 10 14 18 22 */
  static const char *const stepped[] = {
      "SLURM_ARRAY_TASK_ID=18",   "SLURM_ARRAY_TASK_MIN=10",
      "SLURM_ARRAY_TASK_MAX=22",  "SLURM_ARRAY_TASK_STEP=4",
      "SLURM_ARRAY_TASK_COUNT=4", NULL};
  assert_int_equal(resolve("auto", stepped, &k, &n, err, sizeof err), 0);
  assert_int_equal(k, 2);
  assert_int_equal(n, 4);
  assert_int_equal(resolve("auto/4", stepped, &k, &n, err, sizeof err), 0);
  assert_int_equal(k, 2);
  /* --array=1,4,9: not evenly stepped; auto alone cannot tell */
  static const char *const sparse[] = {
      "SLURM_ARRAY_TASK_ID=4",    "SLURM_ARRAY_TASK_MIN=1",
      "SLURM_ARRAY_TASK_MAX=9",   "SLURM_ARRAY_TASK_STEP=1",
      "SLURM_ARRAY_TASK_COUNT=3", NULL};
  assert_int_equal(resolve("auto", sparse, &k, &n, err, sizeof err), -EINVAL);
  assert_contains(err, "auto/N");
  assert_int_equal(resolve("auto/10", sparse, &k, &n, err, sizeof err), 0);
  assert_int_equal(k, 4);
  assert_int_equal(n, 10);
  assert_int_equal(resolve("auto/4", sparse, &k, &n, err, sizeof err), -EINVAL);
  /* a rerun of shards 1 and 3 of 4: --array=1,3 with auto/4 */
  static const char *const rerun[] = {
      "SLURM_ARRAY_TASK_ID=3",    "SLURM_ARRAY_TASK_MIN=1",
      "SLURM_ARRAY_TASK_MAX=3",   "SLURM_ARRAY_TASK_STEP=2",
      "SLURM_ARRAY_TASK_COUNT=2", NULL};
  assert_int_equal(resolve("auto/4", rerun, &k, &n, err, sizeof err), 0);
  assert_int_equal(k, 3);
  assert_int_equal(n, 4);
  /* the same array as a run of its own: 2 shards */
  assert_int_equal(resolve("auto", rerun, &k, &n, err, sizeof err), 0);
  assert_int_equal(k, 1);
  assert_int_equal(n, 2);
}

static void test_kubernetes(void **state) {
  (void)state;
  unsigned k, n;
  char err[512];
  static const char *const bare[] = {"JOB_COMPLETION_INDEX=3", NULL};
  assert_int_equal(resolve("auto", bare, &k, &n, err, sizeof err), -EINVAL);
  assert_contains(err, "GILLAB_SHARD_COUNT");
  assert_int_equal(resolve("auto/5", bare, &k, &n, err, sizeof err), 0);
  assert_int_equal(k, 3);
  assert_int_equal(n, 5);
  assert_int_equal(resolve("auto/3", bare, &k, &n, err, sizeof err), -EINVAL);
  static const char *const counted[] = {"JOB_COMPLETION_INDEX=0",
                                        "GILLAB_SHARD_COUNT=2", NULL};
  assert_int_equal(resolve("auto", counted, &k, &n, err, sizeof err), 0);
  assert_int_equal(k, 0);
  assert_int_equal(n, 2);
}

static void test_run_id(void **state) {
  (void)state;
  char id[SHARD_RUN_ID_MAX + 1], err[512];
  fake_env = NULL;
  assert_int_equal(
      shard_run_id(NULL, fake_get, "0123456789abcdef", id, err, sizeof err), 0);
  assert_string_equal(id, "spec-0123456789ab");
  static const char *const slurm[] = {"SLURM_ARRAY_JOB_ID=4242", NULL};
  fake_env = slurm;
  assert_int_equal(shard_run_id(NULL, fake_get, "ab", id, err, sizeof err), 0);
  assert_string_equal(id, "slurm-4242");
  assert_int_equal(shard_run_id("mine", fake_get, "ab", id, err, sizeof err),
                   0);
  assert_string_equal(id, "mine");
  assert_int_equal(shard_run_id("../x", fake_get, "ab", id, err, sizeof err),
                   -EINVAL);
  assert_int_equal(shard_run_id("", fake_get, "ab", id, err, sizeof err),
                   -EINVAL);
}

static void test_assign(void **state) {
  (void)state;
  enum { ROWS = 37, SHARDS = 4 };
  uint64_t cost[ROWS], load[SHARDS] = {0}, total = 0, top = 0;
  unsigned a[ROWS], b[ROWS];
  for (size_t i = 0; i < ROWS; i++) {
    cost[i] = 1000 + (i * 7919) % 5000;
    total += cost[i];
    top = cost[i] > top ? cost[i] : top;
  }
  assert_int_equal(shard_assign(cost, ROWS, SHARDS, a), 0);
  assert_int_equal(shard_assign(cost, ROWS, SHARDS, b), 0);
  assert_memory_equal(a, b, sizeof a); /* the same every time */
  for (size_t i = 0; i < ROWS; i++) {
    assert_true(a[i] < SHARDS);
    load[a[i]] += cost[i];
  }
  /* Greedy by cost: no shard exceeds the mean by more than a row. */
  for (size_t k = 0; k < SHARDS; k++)
    assert_true(load[k] <= total / SHARDS + top);
  /* Fewer rows than shards: each row alone, the rest empty. */
  uint64_t two[2] = {5, 5};
  assert_int_equal(shard_assign(two, 2, 4, a), 0);
  assert_int_equal(a[0], 0);
  assert_int_equal(a[1], 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_command_line), cmocka_unit_test(test_slurm),
      cmocka_unit_test(test_kubernetes),   cmocka_unit_test(test_run_id),
      cmocka_unit_test(test_assign),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
