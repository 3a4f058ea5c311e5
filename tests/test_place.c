/* Unit tests for core/place: golden placement plans on hwloc synthetic
 * topologies, counts and summaries, policy names, and binding on the real
 * machine.
 *
 * In synthetic topologies a PU's OS index equals its logical index, so on
 * "pack:2 core:8 pu:2" core c holds PUs 2c and 2c+1, package 0 holds cores
 * 0-7 and package 1 cores 8-15 (checked with lstopo-no-graphics --input).
 */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "place.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const char *const SYN_2PACK = "pack:2 core:8 pu:2";
static const char *const SYN_1PACK = "core:4 pu:2";
static const char *const SYN_NUMA = "pack:2 numa:2 core:4 pu:2";

static int open_synthetic(void **state, const char *desc) {
  place_topo *t;
  char err[256] = "";

  if (place_topo_open(&t, desc, err, sizeof(err)) != 0) {
    print_error("place_topo_open(%s): %s\n", desc, err);
    return -1;
  }
  *state = t;
  return 0;
}

static int setup_2pack(void **state) {
  return open_synthetic(state, SYN_2PACK);
}

static int setup_1pack(void **state) {
  return open_synthetic(state, SYN_1PACK);
}

static int setup_numa(void **state) {
  return open_synthetic(state, SYN_NUMA);
}

static int setup_machine(void **state) {
  return open_synthetic(state, NULL);
}

static int teardown_topo(void **state) {
  place_topo_close(*state);
  return 0;
}

/* Plans p for n workers and asserts the sets equal want[0..n). */
static void check_plan(const place_topo *t, place_policy p, unsigned n,
                       const char *const *want) {
  place_plan_t plan;
  char err[256] = "";

  assert_int_equal(place_plan(t, p, n, &plan, err, sizeof(err)), 0);
  assert_int_equal(plan.n, n);
  for (unsigned i = 0; i < n; i++) {
    assert_non_null(plan.sets[i]);
    if (strcmp(plan.sets[i], want[i]) != 0)
      print_error("%s n=%u: worker %u got '%s', want '%s'\n",
                  place_policy_name(p), n, i, plan.sets[i], want[i]);
    assert_string_equal(plan.sets[i], want[i]);
  }
  place_plan_free(&plan);
}

/* Plans explicit locations for n workers and asserts the sets. */
static void check_locations(const place_topo *t, const char *where, unsigned n,
                            const char *const *want) {
  place_plan_t plan;
  char err[256] = "";

  if (place_plan_locations(t, where, n, &plan, err, sizeof(err)) != 0)
    print_error("%s: %s\n", where, err);
  assert_int_equal(plan.n, n);
  for (unsigned i = 0; i < n; i++) {
    if (strcmp(plan.sets[i], want[i]) != 0)
      print_error("%s n=%u: worker %u got '%s', want '%s'\n", where, n, i,
                  plan.sets[i], want[i]);
    assert_string_equal(plan.sets[i], want[i]);
  }
  place_plan_free(&plan);
}

/* --- "pack:2 core:8 pu:2" ------------------------------------------------ */

static void test_2pack_counts(void **state) {
  place_topo *t = *state;
  char buf[128];

  assert_int_equal(place_topo_npus(t), 32);
  assert_int_equal(place_topo_ncores(t), 16);
  assert_int_equal(place_topo_npackages(t), 2);
  assert_int_equal(place_topo_nnuma(t), 1);
  place_topo_summary(t, buf, sizeof(buf));
  assert_string_equal(buf, "2 packages, 16 cores, 32 PUs, 1 NUMA node");
}

static void test_2pack_compact_4(void **state) {
  static const char *const want[] = {"0", "2", "4", "6"};

  check_plan(*state, PLACE_COMPACT, ARRAY_LEN(want), want);
}

static void test_2pack_compact_17(void **state) {
  static const char *const want[] = {"0",  "2",  "4",  "6",  "8",  "10",
                                     "12", "14", "16", "18", "20", "22",
                                     "24", "26", "28", "30", "1"};

  check_plan(*state, PLACE_COMPACT, ARRAY_LEN(want), want);
}

static void test_2pack_scatter_4(void **state) {
  static const char *const want[] = {"0", "16", "2", "18"};

  check_plan(*state, PLACE_SCATTER, ARRAY_LEN(want), want);
}

static void test_2pack_scatter_32(void **state) {
  static const char *const want[] = {
      "0",  "16", "2",  "18", "4",  "20", "6",  "22", "8",  "24", "10",
      "26", "12", "28", "14", "30", "1",  "17", "3",  "19", "5",  "21",
      "7",  "23", "9",  "25", "11", "27", "13", "29", "15", "31"};

  check_plan(*state, PLACE_SCATTER, ARRAY_LEN(want), want);
}

static void test_2pack_scatter_33_wraps(void **state) {
  static const char *const want[] = {
      "0",  "16", "2",  "18", "4",  "20", "6",  "22", "8",  "24", "10",
      "26", "12", "28", "14", "30", "1",  "17", "3",  "19", "5",  "21",
      "7",  "23", "9",  "25", "11", "27", "13", "29", "15", "31", "0"};

  check_plan(*state, PLACE_SCATTER, ARRAY_LEN(want), want);
}

static void test_2pack_none(void **state) {
  static const char *const want[] = {"", "", ""};

  check_plan(*state, PLACE_NONE, ARRAY_LEN(want), want);
}

/* one-core puts every worker on compact's first PU. */
static void test_2pack_one_core(void **state) {
  static const char *const want[] = {"0", "0", "0", "0", "0"};

  check_plan(*state, PLACE_ONE_CORE, ARRAY_LEN(want), want);
}

/* place_set_has reads hwloc list syntax. */
static void test_set_has(void **state) {
  (void)state;
  assert_true(place_set_has("0-3,8", 2));
  assert_true(place_set_has("0-3,8", 8));
  assert_false(place_set_has("0-3,8", 5));
  assert_false(place_set_has("", 0));
  assert_false(place_set_has("abc", 0));
}

static void test_2pack_zero_workers(void **state) {
  place_plan_t plan;
  char err[256] = "";

  assert_int_equal(
      place_plan(*state, PLACE_COMPACT, 0, &plan, err, sizeof(err)), -EINVAL);
  assert_true(strlen(err) > 0);
  assert_null(plan.sets);
}

static void test_2pack_render(void **state) {
  char *s = place_topo_render(*state);

  assert_non_null(s);
  assert_non_null(strstr(s, "PU"));
  assert_non_null(strstr(s, "Package L#1"));
  assert_non_null(strstr(s, "PU L#31 (P#31)"));
  free(s);
}

/* --- "core:4 pu:2" ------------------------------------------------------- */

static void test_1pack_counts(void **state) {
  place_topo *t = *state;
  char buf[128];

  assert_int_equal(place_topo_npus(t), 8);
  assert_int_equal(place_topo_ncores(t), 4);
  assert_int_equal(place_topo_npackages(t), 1);
  assert_int_equal(place_topo_nnuma(t), 1);
  place_topo_summary(t, buf, sizeof(buf));
  assert_string_equal(buf, "1 package, 4 cores, 8 PUs, 1 NUMA node");
}

static void test_1pack_compact(void **state) {
  static const char *const want4[] = {"0", "2", "4", "6"};
  static const char *const want5[] = {"0", "2", "4", "6", "1"};

  check_plan(*state, PLACE_COMPACT, ARRAY_LEN(want4), want4);
  check_plan(*state, PLACE_COMPACT, ARRAY_LEN(want5), want5);
}

static void test_1pack_scatter(void **state) {
  static const char *const want4[] = {"0", "2", "4", "6"};
  static const char *const want5[] = {"0", "2", "4", "6", "1"};

  check_plan(*state, PLACE_SCATTER, ARRAY_LEN(want4), want4);
  check_plan(*state, PLACE_SCATTER, ARRAY_LEN(want5), want5);
}

/* --- "pack:2 numa:2 core:4 pu:2" ----------------------------------------- */

static void test_numa_counts(void **state) {
  place_topo *t = *state;
  char buf[128];

  assert_int_equal(place_topo_npus(t), 32);
  assert_int_equal(place_topo_ncores(t), 16);
  assert_int_equal(place_topo_npackages(t), 2);
  assert_int_equal(place_topo_nnuma(t), 4);
  place_topo_summary(t, buf, sizeof(buf));
  assert_string_equal(buf, "2 packages, 16 cores, 32 PUs, 4 NUMA nodes");
}

/* Core c of group g of package p is core 8p + 4g + c, with PUs 2x and 2x+1.
 * The first four workers land on the first core of each (package, group)
 * branch: P0G0, P1G0, P0G1, P1G1. */
static void test_numa_scatter_4(void **state) {
  static const char *const want[] = {"0", "16", "8", "24"};

  check_plan(*state, PLACE_SCATTER, ARRAY_LEN(want), want);
}

static void test_numa_scatter_32(void **state) {
  static const char *const want[] = {
      "0",  "16", "8",  "24", "2",  "18", "10", "26", "4",  "20", "12",
      "28", "6",  "22", "14", "30", "1",  "17", "9",  "25", "3",  "19",
      "11", "27", "5",  "21", "13", "29", "7",  "23", "15", "31"};

  check_plan(*state, PLACE_SCATTER, ARRAY_LEN(want), want);
}

static void test_numa_compact_4(void **state) {
  static const char *const want[] = {"0", "2", "4", "6"};

  check_plan(*state, PLACE_COMPACT, ARRAY_LEN(want), want);
}

/* --- policies and errors that need no topology --------------------------- */

/* Explicit locations: one object per worker, in the order given, with
 * logical indexes; a core's set is both its PUs. */
static void test_2pack_locations(void **state) {
  const place_topo *t = *state;
  const char *const cores[] = {"0-1", "2-3", "0-1"};
  check_locations(t, "core:0-1", 3, cores);
  const char *const pus[] = {"5", "0"};
  check_locations(t, "pu:5,pu:0", 2, pus);
  const char *const pack[] = {"16-31", "16-31"};
  check_locations(t, "package:1", 2, pack);
  const char *const socket[] = {"0-15", "16-31"};
  check_locations(t, "socket:all", 2, socket);
}

static void test_numa_locations(void **state) {
  const place_topo *t = *state;
  const char *const numa[] = {"8-15", "16-23"};
  check_locations(t, "numa:1-2", 2, numa);
}

/* Bad locations fail with a sentence naming them. */
static void test_2pack_locations_bad(void **state) {
  const place_topo *t = *state;
  const char *bad[] = {"core:16", "core:1-0", "core:x",
                       "gpu:0",   ":1",       "pu:0,core"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    place_plan_t plan;
    char err[256] = "";
    assert_int_equal(
        place_plan_locations(t, bad[i], 2, &plan, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "'"));
    assert_null(plan.sets);
  }
  assert_int_equal(place_is_location("compact"), 0);
  assert_int_equal(place_is_location("core:0"), 1);
}

static void test_policy_names(void **state) {
  place_policy p = PLACE_NONE;
  char err[256] = "";

  (void)state;
  assert_string_equal(place_policy_name(PLACE_NONE), "none");
  assert_string_equal(place_policy_name(PLACE_COMPACT), "compact");
  assert_string_equal(place_policy_name(PLACE_SCATTER), "scatter");
  for (unsigned i = 0; i < PLACE_POLICY_COUNT; i++) {
    assert_int_equal(place_policy_parse(place_policy_name((place_policy)i), &p,
                                        err, sizeof(err)),
                     0);
    assert_int_equal(p, i);
    assert_true(strlen(place_policy_help((place_policy)i)) > 0);
  }
}

static void test_policy_parse_bad(void **state) {
  place_policy p = PLACE_SCATTER;
  char err[256] = "";

  (void)state;
  assert_int_equal(place_policy_parse("foo", &p, err, sizeof(err)), -EINVAL);
  assert_string_equal(err,
                      "unknown placement 'foo' (choose from none, compact, "
                      "scatter, one-core)");
  assert_int_equal(p, PLACE_SCATTER);
}

static void test_bad_synthetic(void **state) {
  place_topo *t = (place_topo *)1;
  char err[256] = "";

  (void)state;
  assert_true(place_topo_open(&t, "xyz", err, sizeof(err)) < 0);
  assert_null(t);
  assert_non_null(strstr(err, "bad synthetic topology 'xyz'"));
  assert_non_null(strstr(err, "pack:2 core:8 pu:2"));
}

/* --- the real machine ---------------------------------------------------- */

/* Binds to the first CPU this process may use (CPU 0 unless a cpuset
 * excludes it), checks where the thread runs, then restores the original
 * affinity so later tests are not confined to one CPU. */
static void test_machine_bind(void **state) {
  place_topo *t = *state;
  cpu_set_t saved;
  char set[32], err[256] = "";
  int first = -1;

  assert_int_equal(sched_getaffinity(0, sizeof(saved), &saved), 0);
  for (int c = 0; c < CPU_SETSIZE && first < 0; c++)
    if (CPU_ISSET(c, &saved))
      first = c;
  assert_true(first >= 0);
  snprintf(set, sizeof(set), "%d", first);

  assert_int_equal(place_bind_self(t, set, err, sizeof(err)), 0);
  sched_yield();
  assert_int_equal(sched_getcpu(), first);
  assert_int_equal(place_last_cpu(t, gettid()), first);

  assert_int_equal(sched_setaffinity(0, sizeof(saved), &saved), 0);
}

static void test_machine_bind_noop(void **state) {
  char err[256] = "";

  assert_int_equal(place_bind_self(*state, "", err, sizeof(err)), 0);
  assert_int_equal(place_bind_self(*state, NULL, err, sizeof(err)), 0);
}

static void test_machine_bind_bad(void **state) {
  char err[256] = "";

  assert_int_equal(place_bind_self(*state, "abc", err, sizeof(err)), -EINVAL);
  assert_string_equal(
      err, "bad cpuset 'abc': expected hwloc list syntax like 0-3,5");
  /* A CPU the machine does not have is refused by hwloc or the kernel. */
  err[0] = '\0';
  assert_true(place_bind_self(*state, "4000", err, sizeof(err)) < 0);
  assert_non_null(strstr(err, "4000"));
}

static void test_machine_last_cpu(void **state) {
  place_topo *t = *state;
  int cpu = place_last_cpu(t, gettid());

  assert_true(cpu >= 0);
  assert_true((unsigned)cpu < (unsigned)CPU_SETSIZE);
}

static void test_machine_counts(void **state) {
  place_topo *t = *state;
  char buf[128] = "";
  char *s;

  assert_true(place_topo_npus(t) >= 1);
  assert_true(place_topo_ncores(t) >= 1);
  assert_true(place_topo_ncores(t) <= place_topo_npus(t));
  assert_true(place_topo_npackages(t) >= 1);
  assert_true(place_topo_nnuma(t) >= 1);
  place_topo_summary(t, buf, sizeof(buf));
  assert_non_null(strstr(buf, "NUMA node"));
  s = place_topo_render(t);
  assert_non_null(s);
  assert_non_null(strstr(s, "PU"));
  free(s);
}

/* Every output of topology a and b for the same description: counts,
 * summary, tree, each policy's plan for one worker more than the PUs, and
 * the locations of every object type (or the same error). */
static void assert_same_topo(place_topo *a, place_topo *b) {
  static const char *const locs[] = {
      "pu:all",    "core:all",  "package:all", "pack:0", "numa:all",
      "machine:0", "l3cache:0", "group:0",     "pu:0-1", "core:1"};
  char sa[256], sb[256], ea[256] = "", eb[256] = "";
  assert_int_equal(place_topo_npus(a), place_topo_npus(b));
  assert_int_equal(place_topo_ncores(a), place_topo_ncores(b));
  assert_int_equal(place_topo_npackages(a), place_topo_npackages(b));
  assert_int_equal(place_topo_nnuma(a), place_topo_nnuma(b));
  place_topo_summary(a, sa, sizeof sa);
  place_topo_summary(b, sb, sizeof sb);
  assert_string_equal(sa, sb);
  char *ra = place_topo_render(a), *rb = place_topo_render(b);
  assert_non_null(ra);
  assert_non_null(rb);
  assert_string_equal(ra, rb);
  free(ra);
  free(rb);
  unsigned n = place_topo_npus(a) + 1;
  for (int p = 0; p < PLACE_POLICY_COUNT; p++) {
    place_plan_t pa, pb;
    assert_int_equal(place_plan(a, (place_policy)p, n, &pa, ea, sizeof ea), 0);
    assert_int_equal(place_plan(b, (place_policy)p, n, &pb, eb, sizeof eb), 0);
    for (unsigned i = 0; i < n; i++)
      assert_string_equal(pa.sets[i], pb.sets[i]);
    place_plan_free(&pa);
    place_plan_free(&pb);
  }
  for (size_t i = 0; i < ARRAY_LEN(locs); i++) {
    place_plan_t pa, pb;
    int rca = place_plan_locations(a, locs[i], n, &pa, ea, sizeof ea);
    int rcb = place_plan_locations(b, locs[i], n, &pb, eb, sizeof eb);
    assert_int_equal(rca, rcb);
    if (rca < 0) {
      assert_string_equal(ea, eb);
      continue;
    }
    for (unsigned k = 0; k < n; k++)
      assert_string_equal(pa.sets[k], pb.sets[k]);
    place_plan_free(&pa);
    place_plan_free(&pb);
  }
}

/* The plain descriptions place_topo_open lays out itself (issue 18: hwloc's
 * loader is quadratic in the PUs) give what hwloc gives. */
static void test_grid_as_hwloc(void **state) {
  static const char *const descs[] = {"pack:2 core:8 pu:2",
                                      "core:4 pu:2",
                                      "pack:3 pu:2",
                                      "pu:5",
                                      "pack:1 core:1 pu:1",
                                      "package:2 core:3 pu:1",
                                      "socket:4 core:2 pu:4",
                                      " pack:2  core:2 pu:3 ",
                                      "core:1 pu:2",
                                      "pack:1 core:2 pu:1",
                                      "pack:1 pu:2",
                                      "pack:2 core:1 pu:1",
                                      "pu:1",
                                      "pack:1 core:1 pu:2"};
  (void)state;
  for (size_t i = 0; i < ARRAY_LEN(descs); i++) {
    place_topo *a, *b;
    char err[256];
    assert_int_equal(place_topo_open(&a, descs[i], err, sizeof err), 0);
    assert_int_equal(place__topo_open_hwloc(&b, descs[i], err, sizeof err), 0);
    assert_same_topo(a, b);
    place_topo_close(a);
    place_topo_close(b);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_2pack_counts, setup_2pack,
                                      teardown_topo),
      cmocka_unit_test_setup_teardown(test_2pack_compact_4, setup_2pack,
                                      teardown_topo),
      cmocka_unit_test_setup_teardown(test_2pack_compact_17, setup_2pack,
                                      teardown_topo),
      cmocka_unit_test_setup_teardown(test_2pack_scatter_4, setup_2pack,
                                      teardown_topo),
      cmocka_unit_test_setup_teardown(test_2pack_scatter_32, setup_2pack,
                                      teardown_topo),
      cmocka_unit_test_setup_teardown(test_2pack_scatter_33_wraps, setup_2pack,
                                      teardown_topo),
      cmocka_unit_test_setup_teardown(test_2pack_none, setup_2pack,
                                      teardown_topo),
      cmocka_unit_test_setup_teardown(test_2pack_one_core, setup_2pack,
                                      teardown_topo),
      cmocka_unit_test(test_set_has),
      cmocka_unit_test_setup_teardown(test_2pack_locations, setup_2pack,
                                      teardown_topo),
      cmocka_unit_test_setup_teardown(test_2pack_locations_bad, setup_2pack,
                                      teardown_topo),
      cmocka_unit_test_setup_teardown(test_numa_locations, setup_numa,
                                      teardown_topo),
      cmocka_unit_test_setup_teardown(test_2pack_zero_workers, setup_2pack,
                                      teardown_topo),
      cmocka_unit_test_setup_teardown(test_2pack_render, setup_2pack,
                                      teardown_topo),
      cmocka_unit_test_setup_teardown(test_1pack_counts, setup_1pack,
                                      teardown_topo),
      cmocka_unit_test_setup_teardown(test_1pack_compact, setup_1pack,
                                      teardown_topo),
      cmocka_unit_test_setup_teardown(test_1pack_scatter, setup_1pack,
                                      teardown_topo),
      cmocka_unit_test_setup_teardown(test_numa_counts, setup_numa,
                                      teardown_topo),
      cmocka_unit_test_setup_teardown(test_numa_scatter_4, setup_numa,
                                      teardown_topo),
      cmocka_unit_test_setup_teardown(test_numa_scatter_32, setup_numa,
                                      teardown_topo),
      cmocka_unit_test_setup_teardown(test_numa_compact_4, setup_numa,
                                      teardown_topo),
      cmocka_unit_test(test_policy_names),
      cmocka_unit_test(test_policy_parse_bad),
      cmocka_unit_test(test_bad_synthetic),
      cmocka_unit_test(test_grid_as_hwloc),
      cmocka_unit_test_setup_teardown(test_machine_bind, setup_machine,
                                      teardown_topo),
      cmocka_unit_test_setup_teardown(test_machine_bind_noop, setup_machine,
                                      teardown_topo),
      cmocka_unit_test_setup_teardown(test_machine_bind_bad, setup_machine,
                                      teardown_topo),
      cmocka_unit_test_setup_teardown(test_machine_last_cpu, setup_machine,
                                      teardown_topo),
      cmocka_unit_test_setup_teardown(test_machine_counts, setup_machine,
                                      teardown_topo),
  };

  return cmocka_run_group_tests_name("place", tests, NULL, NULL);
}
