/* Unit tests for lab/report/cellkind, the rules every report sentence
 * follows, one test per rule, over crafted records:
 *  - the GIL a cell's workers ran under comes from the model and the
 *    record's own figures, never from the parent interpreter alone:
 *    processes own one even where gil.enabled is true (a report once said
 *    "the GIL serializes this workload" of processes), own-GIL
 *    subinterpreters own one, 3.11's share it, a free-threaded build with
 *    the GIL off has none, and the C twins have none;
 *  - a GIL figure is n/a, with a reason, exactly where no GIL is shared;
 *  - the kind of experiment: flags first (memory, latency, the echo
 *    server and the convoy's CPU-bound threads, messages), then servers
 *    by their handler, then what the single workers did: on a CPU under
 *    half their span is waiting (io.sleep once "scaled with the cores");
 *  - the ideal speedup: the CPUs bound compute, not waiting;
 *  - threads take turns at a GIL when they share one and waited at least
 *    half the (n-1)/n of turn-taking (pure-Python threads on a loaded
 *    machine were once called "partial scaling");
 *  - asyncio runs on one thread;
 *  - who waits out a pause: every worker sharing a GIL, a free-threaded
 *    process's threads for a stop-the-world collection only, never
 *    processes (a report once said "every thread waits" of them);
 *  - the run queue's share of the workers' span;
 *  - the interpreter's cost (C against Python at 1 worker) only of
 *    compute (io.sleep and the convoy once had a 1.0x "cost").
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cellkind.h"
#include "results.h"

static cJSON *rec(const char *json) {
  cJSON *j = cJSON_Parse(json);
  assert_non_null(j);
  return j;
}

static void gil_of_model(void **state) {
  (void)state;
  static const struct {
    const char *json;
    cellkind_gil want;
  } cases[] = {
      {"{\"model\":\"threads\",\"gil\":{\"enabled\":true}}",
       CELLKIND_GIL_SHARED},
      {"{\"model\":\"asyncio\",\"gil\":{\"enabled\":true}}",
       CELLKIND_GIL_SHARED},
      /* The parent's gil.enabled is true; the workers still own theirs. */
      {"{\"model\":\"processes\",\"gil\":{\"enabled\":true}}",
       CELLKIND_GIL_OWN},
      {"{\"model\":\"subinterpreters\",\"interpreters\":\"own GIL\","
       "\"gil\":{\"enabled\":true}}",
       CELLKIND_GIL_OWN},
      {"{\"model\":\"subinterpreters\",\"interpreters\":\"shared GIL\","
       "\"gil\":{\"enabled\":true}}",
       CELLKIND_GIL_SHARED},
      {"{\"model\":\"threads\",\"gil\":{\"enabled\":false}}",
       CELLKIND_GIL_NONE},
      {"{\"model\":\"processes\",\"gil\":{\"enabled\":false}}",
       CELLKIND_GIL_NONE},
      /* 3.13t with the GIL turned back on by an import: a GIL build. */
      {"{\"model\":\"threads\",\"gil\":{\"enabled\":true,"
       "\"free_threaded_build\":true,\"reenabled\":true}}",
       CELLKIND_GIL_SHARED},
      {"{\"model\":\"native-threads\",\"runtime\":\"native\"}",
       CELLKIND_GIL_NONE},
      {"{\"model\":\"native-procs\",\"runtime\":\"native\"}",
       CELLKIND_GIL_NONE},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    cJSON *j = rec(cases[i].json);
    cellkind_gil g = cellkind_gil_of(j);
    if (g != cases[i].want)
      fail_msg("case %zu (%s): %d, want %d", i, cases[i].json, g,
               cases[i].want);
    /* n/a exactly where no GIL is shared, with a reason. */
    assert_int_equal(cellkind_gil_contended(j), g == CELLKIND_GIL_SHARED);
    const char *why = cellkind_gil_na_reason(j);
    assert_int_equal(why == NULL, g == CELLKIND_GIL_SHARED);
    cJSON_Delete(j);
  }
  assert_string_equal(cellkind_gil_words(CELLKIND_GIL_OWN),
                      "each have a GIL of their own");
}

static void busy_share(void **state) {
  (void)state;
  /* Two workers on a CPU 0.2 s and 0.4 s of 1 s each, one of them 0.1 s
   * in the run queue, and a GIL wait of 0.3 s: (0.2 + 0.4 + 0.1 + 0.3) /
   * 2. */
  cJSON *j = rec("{\"per_worker\":[{\"cpu_s\":0.2,\"span_s\":1},"
                 "{\"cpu_s\":0.4,\"runq_s\":0.1,\"span_s\":1}],"
                 "\"gil\":{\"per_thread\":[{\"wait_s\":0.3}]}}");
  assert_float_equal(cellkind_busy_share(j), 0.5, 1e-12);
  cJSON_Delete(j);
  j = rec("{\"model\":\"threads\"}");
  assert_true(isnan(cellkind_busy_share(j)));
  cJSON_Delete(j);
}

/* A results file of the given metadata workloads object and records. */
static char path[] = "/tmp/test_cellkind_XXXXXX";

static void load(results *r, const char *workloads, const char *const *lines,
                 size_t n) {
  memcpy(path + strlen(path) - 6, "XXXXXX", 6);
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  FILE *f = fdopen(fd, "w");
  fprintf(f, "{\"type\":\"meta\",\"workloads\":%s}\n", workloads);
  for (size_t i = 0; i < n; i++)
    fprintf(f, "%s\n", lines[i]);
  fclose(f);
  char err[256];
  assert_int_equal(results_load(path, r, err, sizeof err), 0);
  unlink(path);
}

#define CELL(wl, workers, cpu, extra)                                          \
  "{\"type\":\"cell\",\"workload\":\"" wl "\",\"model\":\"threads\","          \
  "\"placement\":\"none\",\"runtime\":\"3.11\",\"workers\":" #workers          \
  ",\"rep\":1,\"units\":100,\"status\":\"ok\",\"ops\":100,\"wall_s\":1,"       \
  "\"throughput\":100" extra ",\"per_worker\":[{\"cpu_s\":" #cpu               \
  ",\"span_s\":1}]}"

static void work_kind(void **state) {
  (void)state;
  static const char *const lines[] = {
      CELL("cpu.primes", 1, 0.98, ""),
      CELL("io.sleep", 1, 0.03, ""),
      /* A user's workload that blocks most of the time, measured only at
       * 4 workers: the busy share of every cell decides. */
      CELL("shop.py:fetch", 4, 0.2, ""),
      CELL("io.echo", 1, 0.2, ""),
      CELL("mixed.convoy", 1, 0.9, ",\"cpu_threads\":1"),
      CELL("os.switch", 1, 0.9, ""),
      CELL("ipc.pipe", 2, 0.9, ",\"payload\":\"bytes\",\"msg_size\":64"),
      CELL("net.serve", 2, 0.5, ",\"handler\":\"cpu\",\"connections\":8"),
      CELL("mem.cow", 2, 0.5, ""),
      /* A convoy the metadata does not describe (renamed, or an older
       * file): its records' round trips say what it is. */
      CELL("renamed", 1, 0.9,
           ",\"cpu_threads\":1,\"convoy\":{\"round_trips_per_s\":100}"),
      /* No per-worker times at all: compute, the default. */
      "{\"type\":\"cell\",\"workload\":\"old.wl\",\"model\":\"threads\","
      "\"placement\":\"none\",\"runtime\":\"3.11\",\"workers\":1,\"rep\":1,"
      "\"units\":1,\"status\":\"ok\",\"ops\":1,\"wall_s\":1}",
  };
  results r;
  load(&r,
       "{\"cpu.primes\":{\"flags\":[\"warmup\"]},\"io.sleep\":{\"flags\":[]},"
       "\"io.echo\":{\"flags\":[\"echo_server\"]},"
       "\"mixed.convoy\":{\"flags\":[\"echo_server\",\"cpu_threads\"]},"
       "\"os.switch\":{\"flags\":[\"latency\"]},"
       "\"ipc.pipe\":{\"flags\":[\"messages\"]},"
       "\"mem.cow\":{\"flags\":[\"memory\",\"fork_only\"]}}",
       lines, sizeof lines / sizeof lines[0]);
  static const struct {
    const char *wl;
    cellkind_work want;
  } cases[] = {
      {"cpu.primes", CELLKIND_COMPUTE},    {"io.sleep", CELLKIND_WAITING},
      {"shop.py:fetch", CELLKIND_WAITING}, {"io.echo", CELLKIND_LATENCY},
      {"mixed.convoy", CELLKIND_LATENCY},  {"os.switch", CELLKIND_LATENCY},
      {"ipc.pipe", CELLKIND_MESSAGES},     {"net.serve", CELLKIND_SERVE},
      {"mem.cow", CELLKIND_MEMORY},        {"old.wl", CELLKIND_COMPUTE},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    cellkind_work k = cellkind_work_of(&r, cases[i].wl);
    if (k != cases[i].want)
      fail_msg("%s: %s, want %s", cases[i].wl, cellkind_work_name(k),
               cellkind_work_name(cases[i].want));
    assert_int_equal(cellkind_has_speedup(k),
                     k == CELLKIND_COMPUTE || k == CELLKIND_WAITING);
  }
  /* Per operation (kinds, no throughput): os.* alone among the latency
   * experiments; the convoy's and the echo's round trips are not. */
  assert_true(cellkind_per_operation(&r, "os.switch"));
  assert_false(cellkind_per_operation(&r, "mixed.convoy"));
  assert_false(cellkind_per_operation(&r, "io.echo"));
  assert_false(cellkind_per_operation(&r, "renamed"));
  assert_false(cellkind_per_operation(&r, "cpu.primes"));
  results_free(&r);
}

static void ideal_speedup(void **state) {
  (void)state;
  /* 200 waiters on 2 CPUs can serve 200x; 200 computing workers 2x. */
  assert_float_equal(cellkind_ideal_speedup(CELLKIND_WAITING, 200, 2), 200, 0);
  assert_float_equal(cellkind_ideal_speedup(CELLKIND_COMPUTE, 200, 2), 2, 0);
  assert_float_equal(cellkind_ideal_speedup(CELLKIND_COMPUTE, 2, 4), 2, 0);
  /* CPUs unknown: the workers. */
  assert_float_equal(cellkind_ideal_speedup(CELLKIND_COMPUTE, 8, 0), 8, 0);
}

static void gil_turns(void **state) {
  (void)state;
  static const struct {
    const char *json;
    int want;
  } cases[] = {
      /* 2 threads: turn-taking waits 50 %; 25 % or more is taking turns. */
      {"{\"model\":\"threads\",\"workers\":2,\"gil\":{\"enabled\":true,"
       "\"wait_share\":0.35}}",
       1},
      {"{\"model\":\"threads\",\"workers\":2,\"gil\":{\"enabled\":true,"
       "\"wait_share\":0.1}}",
       0},
      /* One worker takes no turns; processes wait for no shared GIL. */
      {"{\"model\":\"threads\",\"workers\":1,\"gil\":{\"enabled\":true,"
       "\"wait_share\":0.9}}",
       0},
      {"{\"model\":\"processes\",\"workers\":2,\"gil\":{\"enabled\":"
       "true,\"wait_share\":0.5}}",
       0},
      {"{\"model\":\"threads\",\"workers\":2}", 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    cJSON *j = rec(cases[i].json);
    if (cellkind_gil_turns(j) != cases[i].want)
      fail_msg("case %zu (%s): want %d", i, cases[i].json, cases[i].want);
    cJSON_Delete(j);
  }
  cJSON *j = rec("{\"model\":\"asyncio\"}");
  assert_true(cellkind_one_thread(j));
  cJSON_Delete(j);
  j = rec("{\"model\":\"threads\"}");
  assert_false(cellkind_one_thread(j));
  cJSON_Delete(j);
}

static void pause_stalls(void **state) {
  (void)state;
  static const struct {
    const char *json;
    int gc, dealloc; /* stops the world (the GC), or not (a cascade) */
  } cases[] = {
      {"{\"model\":\"threads\",\"gil\":{\"enabled\":true}}", 1, 1},
      {"{\"model\":\"processes\",\"gil\":{\"enabled\":true}}", 0, 0},
      {"{\"model\":\"subinterpreters\",\"interpreters\":\"own GIL\","
       "\"gil\":{\"enabled\":true}}",
       0, 0},
      /* Free-threaded: a collection stops the threads, a cascade not. */
      {"{\"model\":\"threads\",\"gil\":{\"enabled\":false}}", 1, 0},
      {"{\"model\":\"processes\",\"gil\":{\"enabled\":false}}", 0, 0},
      {"{\"model\":\"native-threads\",\"runtime\":\"native\"}", 0, 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    cJSON *j = rec(cases[i].json);
    if (cellkind_pause_stalls_all(j, 1) != cases[i].gc ||
        cellkind_pause_stalls_all(j, 0) != cases[i].dealloc)
      fail_msg("case %zu (%s)", i, cases[i].json);
    cJSON_Delete(j);
  }
}

static void runq_and_interpreter(void **state) {
  (void)state;
  cJSON *j = rec("{\"per_worker\":[{\"cpu_s\":0.5,\"runq_s\":0.3,"
                 "\"span_s\":1},{\"cpu_s\":0.5,\"runq_s\":0.1,"
                 "\"span_s\":1}]}");
  assert_float_equal(cellkind_runq_share(j), 0.2, 1e-12);
  cJSON_Delete(j);
  j = rec("{\"per_worker\":[{\"cpu_s\":0.5,\"span_s\":1}]}");
  assert_true(isnan(cellkind_runq_share(j)));
  cJSON_Delete(j);
  assert_true(cellkind_has_interpreter_cost(CELLKIND_COMPUTE));
  for (cellkind_work k = CELLKIND_WAITING; k <= CELLKIND_SERVE; k++)
    assert_false(cellkind_has_interpreter_cost(k));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(gil_of_model),
      cmocka_unit_test(busy_share),
      cmocka_unit_test(work_kind),
      cmocka_unit_test(ideal_speedup),
      cmocka_unit_test(gil_turns),
      cmocka_unit_test(pause_stalls),
      cmocka_unit_test(runq_and_interpreter),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
