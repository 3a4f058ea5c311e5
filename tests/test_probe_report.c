/* Unit tests for gillab probe's results and reports over the crafted
 * sample (tests/data/probe/procs, made by make_sample.py; its docstring
 * says what each process is):
 *
 * - lab/probe_store: the process files merged into results.jsonl (lines
 *   tagged with their file and pid, the torn line left out and counted),
 *   and which existing directories it reuses or refuses;
 * - lab/report/probe_data: differences of the cumulative counters, and
 *   percentiles of the histograms;
 * - lab/report/probe_findings: every finding sentence against what the
 *   sample was crafted to hold, and the sentences that change when the
 *   figures change (a check of meaning, not of rendering): a thread
 *   blocked for more than the GIL, a process whose GIL was not verified;
 * - no GIL figure for an unprobed process in summary.md, results.csv or
 *   the trace.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "probe_csv.h"
#include "probe_data.h"
#include "probe_findings.h"
#include "probe_store.h"
#include "probe_summary.h"
#include "probe_trace.h"
#include "results.h"

#include <errno.h>
#include <math.h>
#include <sys/stat.h>

/* The sample's CLOCK_MONOTONIC at the command's start (make_sample.py). */
#define T0 1000000000000.0

static const char *const sample[] = {
    "proc-1000-1000000000000.jsonl", "proc-1001-1000100000000.jsonl",
    "proc-1004-1000200000000.jsonl", "proc-1006-1000300000000.jsonl",
    "proc-1008-1002500000000.jsonl"};
#define NSAMPLE (sizeof sample / sizeof sample[0])

typedef struct {
  char dir[64];
  results r;
  probe_data d;
} fixture;

static void copy(const char *from, const char *to) {
  FILE *in = fopen(from, "r"), *out = fopen(to, "w");
  assert_non_null(in);
  assert_non_null(out);
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, in)) > 0)
    assert_int_equal(fwrite(buf, 1, n, out), n);
  fclose(in);
  fclose(out);
}

/* A probe directory made of the sample, as gillab probe would make it
 * after a command that exited 0. */
static void make_dir(char *dir) {
  char procs[256], path[512], err[512];
  assert_non_null(mkdtemp(dir));
  assert_int_equal(
      probe_store_prepare(dir, procs, sizeof procs, err, sizeof err), 0);
  for (size_t i = 0; i < NSAMPLE; i++) {
    char from[512];
    snprintf(from, sizeof from, "%s/probe/procs/%s", GILLAB_TESTS_DATA_DIR,
             sample[i]);
    snprintf(path, sizeof path, "%s/%s", procs, sample[i]);
    copy(from, path);
  }
  cJSON *meta = cJSON_Parse(
      "{\"type\":\"meta\",\"kind\":\"probe\",\"command\":\"gillab probe -- "
      "python3 app.py\",\"argv\":[\"python3\",\"app.py\"],"
      "\"start_ns\":1000000000000,\"elapsed_s\":3.1,"
      "\"options\":{\"interval_s\":1,\"trace\":\"t.json\",\"trace_min_us\":"
      "100},\"exit\":{\"ran\":true,\"code\":0,\"signal\":null,\"status\":0},"
      "\"stopped_by\":null}");
  assert_non_null(meta);
  assert_int_equal(probe_store_merge(dir, meta, err, sizeof err), 0);
  cJSON_Delete(meta);
}

static void rm_rf(const char *dir) {
  char cmd[256];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  assert_int_equal(system(cmd), 0);
}

static void load(fixture *fx) {
  char path[256], err[512];
  snprintf(path, sizeof path, "%s/results.jsonl", fx->dir);
  assert_int_equal(results_load(path, &fx->r, err, sizeof err), 0);
  assert_int_equal(probe_data_build(&fx->r, &fx->d), 0);
}

static int setup(void **state) {
  fixture *fx = calloc(1, sizeof *fx);
  snprintf(fx->dir, sizeof fx->dir, "/tmp/gillab-test-probe-XXXXXX");
  make_dir(fx->dir);
  load(fx);
  *state = fx;
  return 0;
}

static int teardown(void **state) {
  fixture *fx = *state;
  probe_data_free(&fx->d);
  results_free(&fx->r);
  rm_rf(fx->dir);
  free(fx);
  return 0;
}

/* The text fn writes for d, in a new string. */
static char *render(const probe_data *d,
                    void (*fn)(const probe_data *, FILE *)) {
  /* The stream's buffer pointer on the heap: GCC 12 takes a pointer into
   * a local written by open_memstream for a dangling one. */
  char **buf = calloc(1, sizeof *buf);
  size_t len;
  FILE *f = open_memstream(buf, &len);
  fn(d, f);
  fclose(f);
  char *text = *buf;
  free(buf);
  return text;
}

static void findings(const probe_data *d, FILE *f) {
  probe_findings_write(f, d);
}

static const probe_data_proc *proc(const probe_data *d, long pid) {
  for (size_t i = 0; i < d->nprocs; i++)
    if (d->procs[i].pid == pid)
      return &d->procs[i];
  fail_msg("no process %ld", pid);
  return NULL;
}

static void assert_has(const char *text, const char *want) {
  if (!strstr(text, want))
    fail_msg("missing: %s\n--- in:\n%s", want, text);
}

static void assert_lacks(const char *text, const char *unwanted) {
  if (strstr(text, unwanted))
    fail_msg("should not say: %s\n--- in:\n%s", unwanted, text);
}

static void merged(void **state) {
  fixture *fx = *state;
  const cJSON *m = fx->r.meta;
  assert_int_equal(results_num(m, "procs.files"), 5);
  /* 11 lines of the first three files, 4 whole of 1006's, 3 of 1008's. */
  assert_int_equal(results_num(m, "procs.records"), 18);
  assert_int_equal(fx->r.n, 18);
  const cJSON *sk = results_get(m, "procs.skipped");
  assert_int_equal(cJSON_GetArraySize(sk), 1);
  assert_string_equal(results_str(cJSON_GetArrayItem(sk, 0), "file"),
                      "proc-1006-1000300000000.jsonl");
  assert_int_equal(results_num(cJSON_GetArrayItem(sk, 0), "line"), 5);
  for (size_t i = 0; i < fx->r.n; i++) {
    const char *file = results_str(fx->r.cells[i], "file");
    long pid = (long)results_num(fx->r.cells[i], "pid");
    char want[64];
    snprintf(want, sizeof want, "proc-%ld-", pid);
    assert_true(strncmp(file, want, strlen(want)) == 0);
  }
  /* In the order the processes started. */
  assert_int_equal(fx->d.nprocs, 5);
  assert_int_equal(fx->d.procs[0].pid, 1000);
  assert_int_equal(fx->d.procs[3].pid, 1006);
  assert_int_equal(fx->d.procs[4].pid, 1008);
  assert_true(fx->d.t0_ns == T0);
}

static void deltas_and_hist(void **state) {
  fixture *fx = *state;
  const probe_data_proc *p = proc(&fx->d, 1000);
  probe_data_change c;
  /* worker-a: no wait in [0,1] s, then half of each second. */
  assert_int_equal(probe_data_delta(p, 0, 1002, &c), 0);
  assert_true(c.gil_wait_ns == 0 && c.wall_ns == 1e9);
  assert_int_equal(probe_data_delta(p, 1, 1002, &c), 0);
  assert_true(fabs(c.gil_wait_ns / c.wall_ns - 0.5) < 1e-9);
  assert_true(c.start_ns == T0 + 1e9);
  assert_int_equal(probe_data_delta(p, 2, 1002, &c), 0);
  assert_true(fabs(c.gil_wait_ns / c.wall_ns - 0.5) < 1e-9);
  assert_int_equal(probe_data_delta(p, 2, 4242, &c), -1);

  cJSON *h = cJSON_Parse("[[1000,1],[2000,98],[4000,1]]");
  assert_true(probe_data_hist_pct(h, 0.5) == 2000);
  assert_true(probe_data_hist_pct(h, 0.99) == 2000);
  assert_true(probe_data_hist_pct(h, 1.0) == 4000);
  assert_true(probe_data_hist_pct(h, 0.01) == 1000);
  assert_true(probe_data_hist_count(h) == 100);
  cJSON_Delete(h);
  h = cJSON_Parse("[]");
  assert_true(isnan(probe_data_hist_pct(h, 0.5)));
  cJSON_Delete(h);
}

/* Each finding against what make_sample.py crafted. */
static void findings_of_the_sample(void **state) {
  fixture *fx = *state;
  char *text = render(&fx->d, findings);
  /* worker-a and worker-b: gil_wait = 0 in the first second, then 0.5 s
   * of each second; cpu = wall - wait: CPU-bound. */
  assert_has(text, "- **GIL contention** in process 1000 "
                   "(/usr/bin/python3.11): worker-a and worker-b each waited "
                   "50 % of their time for the GIL from t=1 s: two CPU-bound "
                   "threads take turns.\n");
  /* blocked = 3 s - 2 s cpu - 1 ms runq = 0.999 s; waited = 0.996 s of
   * acquisition waits + 4 ms of forced-switch waits (200 waits x 20 us) =
   * 1 s: 1 ms of 3 s apart, 0.0 %. */
  assert_has(text, "- blocked time agrees with GIL wait within 3 % for "
                   "worker-a and worker-b (process 1000; the largest "
                   "difference is 0.0 % of wall time): they blocked for the "
                   "GIL and nothing else.\n");
  /* MainThread's park_ns equals its wall (a join). */
  assert_has(text, "- MainThread (process 1000) was parked 100 % of its "
                   "time, in 1 park:");
  /* pool-1 parks a quarter of its time, in parks of 1 ms. */
  assert_has(text, "- pool-1 (process 1006) was parked 25 % of its time, in "
                   "500 parks:");
  assert_has(text, "- process 1006 (/opt/python3.13t/bin/python3.13t) is "
                   "free-threaded: its GIL was off until t=1.5 s, then on "
                   "after importing legacy\\_ext");
  /* The largest max_ns: 1006's gen 0 (150 us) over 1000's gen 2 (80 us);
   * 1006's pause_ns at its last line: 600 us over its 2 s. */
  assert_has(text, "- the longest GC pause was 150 µs, of generation 0 in "
                   "process 1006 (/opt/python3.13t/bin/python3.13t); the GC "
                   "paused that process 600 µs in all, 0.03 % of its run.\n");
  assert_has(text, "- one process is not CPython and ran unprobed: sleep "
                   "(see \"Processes not probed\").\n");
  assert_has(text, "- process 1004 (/opt/python3.15/bin/python3.15) is "
                   "CPython 3.15.0a1 but ran unprobed: no known GIL layout "
                   "for CPython 3.15 (debug offsets version 0x30f00a1 "
                   "unknown); no GIL figure is shown for it.\n");
  assert_has(text, "- process 1006 (/opt/python3.13t/bin/python3.13t) wrote "
                   "no final line: it was killed, or still ran when gillab "
                   "read its file; its figures end at t=2.3 s.\n");
  assert_has(text, "- 1 line of the process files left out: "
                   "proc-1006-1000300000000.jsonl line 5, torn last line");
  /* Nothing about the others: the fork child and 1004 have no contention,
   * 1008 and 1000 ended normally. */
  assert_lacks(text, "process 1008 (/usr/bin/python3.11) wrote no final");
  assert_lacks(text, "process 1004 (/opt/python3.15/bin/python3.15) wrote");
  /* One contention: the free-threaded and fork processes waited for none. */
  assert_null(strstr(strstr(text, "GIL contention") + 1, "GIL contention"));
  free(text);
}

/* The figures changed, the sentences change: worker-a's on-CPU time cut
 * by 20 % of its wall (it also slept), process 1004 made CPython 3.11
 * probed but 1000 unverified. */
static void findings_follow_the_figures(void **state) {
  fixture *fx = *state;
  probe_data_free(&fx->d);
  for (size_t i = 0; i < fx->r.n; i++) {
    cJSON *rec = fx->r.cells[i];
    if (results_num(rec, "pid") == 1000 &&
        strcmp(results_str(rec, "type"), "interval") == 0) {
      const cJSON *t;
      cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(rec, "threads")) {
        if (results_num(t, "tid") != 1002)
          continue;
        double wall = results_num(t, "last_ns") - results_num(t, "first_ns");
        cJSON_SetNumberValue(cJSON_GetObjectItemCaseSensitive(t, "cpu_ns"),
                             results_num(t, "cpu_ns") - 0.2 * wall);
      }
    }
  }
  assert_int_equal(probe_data_build(&fx->r, &fx->d), 0);
  char *text = render(&fx->d, findings);
  /* blocked 1.6 s of 3 s (53 %), waited 1 s (33 %). */
  assert_has(text, "- worker-a (process 1000) was blocked 53 % of its time "
                   "but waited 33 % for the GIL or parked on a lock: it also "
                   "blocked on something else");
  assert_has(text, "- blocked time agrees with GIL wait within 3 % for "
                   "worker-b (process 1000;");
  free(text);

  /* Other load on the CPUs: worker-b, woken for the GIL, spent 20 % of
   * its wall runnable before it ran (inside the probe's wait, out of the
   * OS's blocked time): the OS sees it blocked less than the probe's
   * wait, by the run-queue time. */
  probe_data_free(&fx->d);
  for (size_t i = 0; i < fx->r.n; i++) {
    cJSON *rec = fx->r.cells[i];
    if (results_num(rec, "pid") == 1000 &&
        strcmp(results_str(rec, "type"), "interval") == 0) {
      const cJSON *t;
      cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(rec, "threads")) {
        if (results_num(t, "tid") != 1003)
          continue;
        double wall = results_num(t, "last_ns") - results_num(t, "first_ns");
        cJSON_SetNumberValue(cJSON_GetObjectItemCaseSensitive(t, "runq_ns"),
                             results_num(t, "runq_ns") + 0.2 * wall);
      }
    }
  }
  assert_int_equal(probe_data_build(&fx->r, &fx->d), 0);
  text = render(&fx->d, findings);
  /* wall 3 s, waited 1 s (33 %); cpu 2 s, runq 0.601 s: blocked 0.399 s
   * (13 %), run queue 20 %. */
  assert_has(text, "- worker-b (process 1000) waited 33 % of its time for "
                   "the GIL or a lock, and the OS saw it blocked 13 % and "
                   "runnable but not running 20 %: other load kept it off "
                   "the CPUs, also after each wait ended.\n");
  free(text);

  /* Process 1000's GIL not verified: no contention said of it, and it is
   * listed as unprobed with the reason. */
  probe_data_free(&fx->d);
  for (size_t i = 0; i < fx->r.n; i++) {
    cJSON *rec = fx->r.cells[i];
    if (results_num(rec, "pid") == 1000 &&
        strcmp(results_str(rec, "type"), "runtime") == 0) {
      /* results_load's records live in its arena, which no
       * cJSON_Delete may free from: changed in place. */
      static char reason[] = "the GIL was not locked while held";
      cJSON *reason_item = cJSON_GetObjectItemCaseSensitive(rec, "reason");
      cJSON_GetObjectItemCaseSensitive(rec, "probed")->type = cJSON_False;
      reason_item->type = cJSON_String;
      reason_item->valuestring = reason;
    }
  }
  assert_int_equal(probe_data_build(&fx->r, &fx->d), 0);
  text = render(&fx->d, findings);
  assert_lacks(text, "worker-a");
  assert_lacks(text, "MainThread (process 1000)");
  assert_has(text, "- process 1000 (/usr/bin/python3.11) is CPython 3.11.2 "
                   "but ran unprobed: the GIL was not locked while held; no "
                   "GIL figure is shown for it.\n");
  free(text);
  char *md = render(&fx->d, probe_summary_render);
  /* Process 1000's section: the OS's figures only. */
  const char *sec = strstr(md, "## Process 1000");
  const char *next = strstr(sec + 1, "## Process");
  char *part = strndup(sec, (size_t)(next - sec));
  assert_has(part, "| thread | wall | on CPU | run queue | blocked |");
  assert_lacks(part, "GIL wait");
  assert_lacks(part, "GC pauses");
  assert_lacks(part, "Timeline");
  free(part);
  free(md);
}

/* No GIL figure of an unprobed process anywhere. */
static void nothing_of_unprobed(void **state) {
  fixture *fx = *state;
  char *md = render(&fx->d, probe_summary_render);
  const char *sec = strstr(md, "## Process 1004");
  assert_non_null(sec);
  const char *next = strstr(sec + 1, "## Process");
  char *part = strndup(sec, (size_t)(next - sec));
  assert_has(part, "not probed: no known GIL layout");
  assert_has(part, "| tid 1004 | 1.8 s | 94% | 0% | 5% | 2 / 5 |");
  assert_lacks(part, "GIL wait");
  assert_lacks(part, "hand-offs");
  free(part);
  /* The timeline of process 1000 shows when contention started. */
  assert_has(md, "| 0–1 | 0% | 0% | 0% |\n| 1–2 | 50% | 50% | 0% |\n"
                 "| 2–3 | 50% | 50% | 0% |\n");
  assert_has(md, "- GIL: on since t=1.5 s, turned on after importing "
                 "legacy\\_ext\n");
  assert_has(md, "forked from process 1000 (the same program)");
  free(md);

  char *csv = render(&fx->d, probe_csv_render);
  /* 1004's row: its GIL and park columns (15 to 28) empty. */
  const char *row = strstr(csv, "\n1004,");
  assert_non_null(row);
  assert_has(row, ",1004,\"\",true,1.8,,,,,,,,,,,,,,,1.7,0.002,");
  free(csv);

  cJSON *trace = probe_trace_build(&fx->d);
  const cJSON *e;
  size_t x = 0;
  cJSON_ArrayForEach(e,
                     cJSON_GetObjectItemCaseSensitive(trace, "traceEvents")) {
    double pid = results_num(e, "pid");
    if (strcmp(results_str(e, "ph"), "M") != 0)
      x++;
    if (pid == 1001 || pid == 1004)
      assert_string_equal(results_str(e, "ph"), "M");
  }
  /* 1000's two trace lines of 5 events each. */
  assert_int_equal(x, 10);
  assert_true(results_num(trace, "otherData.dropped_total") == 0);
  cJSON_Delete(trace);
}

/* Which existing directories probe_store_prepare takes. */
static void reuse_and_refuse(void **state) {
  fixture *fx = *state;
  char procs[256], err[1024], path[512];
  /* A previous probe directory: taken, its outputs and procs removed. */
  snprintf(path, sizeof path, "%s/summary.md", fx->dir);
  FILE *f = fopen(path, "w");
  fclose(f);
  assert_int_equal(
      probe_store_prepare(fx->dir, procs, sizeof procs, err, sizeof err), 0);
  assert_int_equal(access(path, F_OK), -1);
  snprintf(path, sizeof path, "%s/%s", procs, sample[0]);
  assert_int_equal(access(path, F_OK), -1);
  snprintf(path, sizeof path, "%s/results.jsonl", fx->dir);
  assert_int_equal(access(path, F_OK), -1);

  /* A file of the user's: refused, and left. */
  snprintf(path, sizeof path, "%s/notes.txt", fx->dir);
  f = fopen(path, "w");
  fclose(f);
  assert_int_equal(
      probe_store_prepare(fx->dir, procs, sizeof procs, err, sizeof err),
      -EEXIST);
  assert_has(err, "holds notes.txt");
  assert_int_equal(access(path, F_OK), 0);
  unlink(path);

  /* A symbolic link where an output goes: refused, its target untouched. */
  char target[512];
  snprintf(target, sizeof target, "%s-target", fx->dir);
  f = fopen(target, "w");
  fputs("keep", f);
  fclose(f);
  snprintf(path, sizeof path, "%s/summary.md", fx->dir);
  assert_int_equal(symlink(target, path), 0);
  assert_int_equal(
      probe_store_prepare(fx->dir, procs, sizeof procs, err, sizeof err),
      -EEXIST);
  assert_has(err, "a symbolic link");
  unlink(path);
  struct stat st;
  assert_int_equal(stat(target, &st), 0);
  assert_int_equal(st.st_size, 4);
  unlink(target);

  /* A run's results: refused. */
  snprintf(path, sizeof path, "%s/results.jsonl", fx->dir);
  f = fopen(path, "w");
  fputs("{\"type\":\"meta\",\"command\":\"gillab run\"}\n", f);
  fclose(f);
  assert_int_equal(
      probe_store_prepare(fx->dir, procs, sizeof procs, err, sizeof err),
      -EEXIST);
  assert_has(err, "gillab probe did not write");
  unlink(path);
  /* Empty again: taken. */
  assert_int_equal(
      probe_store_prepare(fx->dir, procs, sizeof procs, err, sizeof err), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(merged, setup, teardown),
      cmocka_unit_test_setup_teardown(deltas_and_hist, setup, teardown),
      cmocka_unit_test_setup_teardown(findings_of_the_sample, setup, teardown),
      cmocka_unit_test_setup_teardown(findings_follow_the_figures, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(nothing_of_unprobed, setup, teardown),
      cmocka_unit_test_setup_teardown(reuse_and_refuse, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
