/* Unit tests for embed/memuse: the smaps_rollup parser on a captured text
 * and malformed ones, and the record's `mem` object from real readings:
 * memory touched in this process after the baseline is what its workers
 * added (in-process models), and a forked child that touches memory of its
 * own holds it privately (worker processes). The module has no Python in
 * it, so the test links its source directly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "memuse.h"

/* python3's /proc/self/smaps_rollup on this VM (kernel 6.18). */
static const char ROLLUP[] =
    "5643eb077000-7ffcbf262000 ---p 00000000 00:00 0                  "
    "        [rollup]\n"
    "Rss:              187016 kB\n"
    "Pss:              185611 kB\n"
    "Pss_Dirty:        180380 kB\n"
    "Pss_Anon:         180380 kB\n"
    "Pss_File:           5231 kB\n"
    "Pss_Shmem:             0 kB\n"
    "Shared_Clean:       1632 kB\n"
    "Shared_Dirty:          0 kB\n"
    "Private_Clean:      5004 kB\n"
    "Private_Dirty:    180380 kB\n"
    "Referenced:       187016 kB\n"
    "Anonymous:        180380 kB\n"
    "Swap:                  0 kB\n";

static void parses_rollup(void **state) {
  (void)state;
  memuse_sample s;
  assert_int_equal(smaps_parse_rollup(ROLLUP, &s), 0);
  assert_int_equal(s.rss_kb, 187016);
  /* Pss, not Pss_Dirty, Pss_Anon or Pss_File (same prefix). */
  assert_int_equal(s.pss_kb, 185611);
  assert_int_equal(s.uss_kb, 5004 + 180380); /* Private_Clean + _Dirty */
}

static void refuses_incomplete_rollups(void **state) {
  (void)state;
  memuse_sample s;
  /* A zombie's file is empty; a kernel without the field lacks a line. */
  assert_int_equal(smaps_parse_rollup("", &s), -22);
  assert_int_equal(smaps_parse_rollup("Rss: 10 kB\nPss: 5 kB\n"
                                       "Private_Clean: 1 kB\n",
                                       &s),
                   -22);
  assert_int_equal(smaps_parse_rollup("Rss: x kB\nPss: 5 kB\n"
                                       "Private_Clean: 1 kB\n"
                                       "Private_Dirty: 1 kB\n",
                                       &s),
                   -22);
}

static void reads_this_process(void **state) {
  (void)state;
  memuse_sample s;
  assert_int_equal(smaps_read(0, &s), 0);
  assert_true(s.rss_kb > 0);
  assert_true(s.uss_kb <= s.pss_kb && s.pss_kb <= s.rss_kb);
}

static double num(const cJSON *o, const char *a, const char *b) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, a);
  if (b)
    v = cJSON_GetObjectItemCaseSensitive(v, b);
  return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

/* Touches kb of fresh anonymous memory, one write a page. */
static char *touch(size_t kb) {
  char *p = mmap(NULL, kb * 1024, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  assert_true(p != MAP_FAILED);
  for (size_t off = 0; off < kb * 1024; off += 4096)
    p[off] = 1;
  return p;
}

/* Two workers in this process (threads, in effect) that add 8 MB between
 * them: 4 MB each, give or take this process's own noise. */
static void in_process_workers_add_their_growth(void **state) {
  (void)state;
  memuse_reset(2);
  memuse_baseline();
  memuse_begin();
  char *p = touch(8192);
  pid_t none[2] = {0, 0};
  memuse_round(none, 2);
  memuse_end();
  cJSON *m = memuse_report(0);
  assert_non_null(m);
  double uss = num(m, "per_worker_kb", "uss");
  double pss = num(m, "per_worker_kb", "pss");
  assert_true(uss > 3800 && uss < 4600);
  assert_true(pss > 3800 && pss < 4600);
  assert_int_equal(
      cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(m, "workers")), 0);
  assert_int_equal(num(m, "cell", "samples"), 2); /* the round and the end */
  assert_true(num(m, "cell", "uss_end_kb") >= num(m, "cell", "uss_base_kb"));
  cJSON_Delete(m);
  munmap(p, 8192 * 1024);
}

/* A forked worker process that touches 16 MB of its own: read by the
 * round while it lives and by itself at its end, its USS holds them. */
static void worker_process_holds_its_memory(void **state) {
  (void)state;
  int go[2], done[2];
  assert_int_equal(pipe(go), 0);
  assert_int_equal(pipe(done), 0);
  memuse_reset(1);
  memuse_baseline();
  pid_t pid = fork();
  if (pid == 0) {
    char c;
    touch(16384);
    memuse_sample s = {0, 0, 0};
    smaps_read(0, &s);
    if (write(done[1], &s, sizeof s) != sizeof s)
      _exit(1);
    if (read(go[0], &c, 1) < 0) /* until the parent has read it */
      _exit(1);
    _exit(0);
  }
  memuse_sample end;
  assert_int_equal(read(done[0], &end, sizeof end), sizeof end);
  memuse_begin();
  pid_t pids[1] = {pid};
  memuse_round(pids, 1);
  memuse_end();
  memuse_worker_end(0, pid, &end);
  assert_int_equal(write(go[1], "g", 1), 1);
  waitpid(pid, NULL, 0);
  cJSON *m = memuse_report(1);
  assert_non_null(m);
  const cJSON *w =
      cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(m, "workers"), 0);
  assert_non_null(w);
  assert_int_equal(num(w, "pid", NULL), pid);
  assert_int_equal(num(w, "samples", NULL), 2);
  assert_true(num(w, "uss_end_kb", NULL) >= 16384);
  assert_true(num(m, "per_worker_kb", "uss") >= 16384);
  assert_true(num(m, "per_worker_kb", "pss") >= 16384);
  /* The total's end is the cell's end plus the worker's. */
  assert_int_equal(num(m, "total", "uss_end_kb"),
                   num(m, "cell", "uss_end_kb") + num(w, "uss_end_kb", NULL));
  cJSON_Delete(m);
}

/* A region without readings says so with nulls, not zeros. */
static void nothing_read_is_null(void **state) {
  (void)state;
  memuse_reset(1);
  assert_null(memuse_report(0));
  memuse_baseline();
  cJSON *m = memuse_report(1); /* a baseline, then the cell failed */
  const cJSON *per = cJSON_GetObjectItemCaseSensitive(m, "per_worker_kb");
  assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(per, "uss")));
  assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(per, "pss")));
  cJSON_Delete(m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(parses_rollup),
      cmocka_unit_test(refuses_incomplete_rollups),
      cmocka_unit_test(reads_this_process),
      cmocka_unit_test(in_process_workers_add_their_growth),
      cmocka_unit_test(worker_process_holds_its_memory),
      cmocka_unit_test(nothing_read_is_null),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
