/* Unit tests for lab/report/answers (the answers page) and
 * lab/report/runtimes (the runtimes side by side), over crafted records
 * whose figures are known, against the golden page in
 * tests/data/answers/answers.md and, case by case, against what each
 * sentence must and must not say:
 *  - a compute workload where processes win clearly: the choice, its
 *    speedup and interval, and threads' GIL wait as the reason;
 *  - one where the intervals of the two best overlap: no choice made;
 *  - a waiting workload: the advice does not talk about cores or CPUs;
 *  - a convoy: round trips alone and beside CPU-bound threads;
 *  - a free-threaded runtime with its GIL off: threads win, and no GIL is
 *    blamed;
 *  - memory per worker where the records have it, and no column at all
 *    when none has;
 *  - the runtimes section with two runtimes, one built without PGO.
 *
 * Set GILLAB_UPDATE_GOLDEN=1 to rewrite the golden file from the output
 * (then read its diff).
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

#include "answers.h"
#include "results.h"
#include "runtimes.h"

typedef struct {
  const char *wl, *model, *rt;
  int workers;
  double tput, speedup, wait, busy; /* wait: NAN for no GIL figure */
  int gil;                          /* gil.enabled */
  double cpu_threads;               /* NAN: not a convoy cell */
  double rtt_per_s;                 /* convoy round trips per second */
  double uss_kb;                    /* mem.total.uss_peak_kb; NAN: none */
} rec;

/* Three repetitions of r: its throughput and speedup at 0.98, 1 and 1.02
 * of its figure (the median is the figure), the rest as given. */
static void cell(FILE *f, const rec *r) {
  static const double k[] = {0.98, 1.0, 1.02};
  for (int rep = 1; rep <= 3; rep++) {
    fprintf(f,
            "{\"type\":\"cell\",\"workload\":\"%s\",\"model\":\"%s\","
            "\"placement\":\"none\",\"runtime\":\"%s\",\"workers\":%d,"
            "\"rep\":%d,\"units\":1000,\"scaling\":\"strong\",%s"
            "\"switch_interval_s\":null,\"status\":\"ok\",\"ops\":1,"
            "\"wall_s\":1,\"throughput\":%g,\"speedup\":%g,",
            r->wl, r->model, r->rt, r->workers, rep,
            strcmp(r->model, "processes") ? "" : "\"start_method\":\"fork\",",
            r->tput * k[rep - 1], r->speedup * k[rep - 1]);
    if (!isnan(r->cpu_threads))
      fprintf(f, "\"cpu_threads\":%g,\"convoy\":{\"round_trips_per_s\":%g},",
              r->cpu_threads, r->rtt_per_s * k[rep - 1]);
    if (!isnan(r->uss_kb))
      fprintf(f, "\"mem\":{\"total\":{\"uss_peak_kb\":%g,\"pss_peak_kb\":%g}},",
              r->uss_kb, r->uss_kb);
    fprintf(f, "\"gil\":{\"enabled\":%s", r->gil ? "true" : "false");
    if (!isnan(r->wait))
      fprintf(f, ",\"wait_share\":%g", r->wait);
    fprintf(f,
            "},\"per_worker\":[{\"worker\":0,\"cpu_s\":%g,\"span_s\":1}]}"
            "\n",
            r->busy);
  }
}

#define NO NAN
static const rec RECS[] = {
    /* cpu.win: processes 2.00x, threads 0.99x waiting 49 % for the GIL;
     * the C twin at 1 worker 17.4x the fastest Python model; memory:
     * processes 10 MiB more with each worker. */
    {"cpu.win", "threads", "3.11", 1, 100, 1, 0.01, 1, 1, NO, 0, NO},
    {"cpu.win", "threads", "3.11", 2, 99, 0.99, 0.49, 1, 1, NO, 0, NO},
    {"cpu.win", "processes", "3.11", 1, 100, 1, NO, 1, 1, NO, 0, 30720},
    {"cpu.win", "processes", "3.11", 2, 200, 2, NO, 1, 1, NO, 0, 40960},
    {"cpu.win", "native-threads", "native", 1, 1740, 1, NO, 1, 0, NO, 0, NO},
    /* cpu.tie: processes 150, threads 148 at 2 workers: overlapping
     * intervals. */
    {"cpu.tie", "threads", "3.11", 1, 80, 1, 0.01, 1, 1, NO, 0, NO},
    {"cpu.tie", "threads", "3.11", 2, 148, 1.85, 0.05, 1, 1, NO, 0, NO},
    {"cpu.tie", "processes", "3.11", 1, 80, 1, NO, 1, 1, NO, 0, NO},
    {"cpu.tie", "processes", "3.11", 2, 150, 1.88, NO, 1, 1, NO, 0, NO},
    /* io.wait: workers on a CPU 1 % of their time. */
    {"io.wait", "threads", "3.11", 1, 100, 1, 0.001, 0.01, 1, NO, 0, NO},
    {"io.wait", "threads", "3.11", 2, 200, 2, 0.001, 0.01, 1, NO, 0, NO},
    {"io.wait", "processes", "3.11", 1, 100, 1, NO, 0.01, 1, NO, 0, NO},
    {"io.wait", "processes", "3.11", 2, 150, 1.5, NO, 0.01, 1, NO, 0, NO},
    /* mixed.convoy: threads 5000 -> 250 round trips per second beside 2
     * CPU-bound threads, processes 5000 -> 4900. */
    {"mixed.convoy", "threads", "3.11", 1, 5000, 1, NO, 0.2, 1, 0, 5000, NO},
    {"mixed.convoy", "threads", "3.11", 1, 250, 1, NO, 0.2, 1, 2, 250, NO},
    {"mixed.convoy", "processes", "3.11", 1, 5000, 1, NO, 0.2, 1, 0, 5000, NO},
    {"mixed.convoy", "processes", "3.11", 1, 4900, 1, NO, 0.2, 1, 2, 4900, NO},
    /* cpu.ft: 3.13t with its GIL off, threads 195 (1.95x) against
     * processes 180; 3.11's threads share a GIL. 3.13t's single thread is
     * half as fast as 3.11's. */
    {"cpu.ft", "threads", "3.11", 1, 100, 1, 0.01, 1, 1, NO, 0, NO},
    {"cpu.ft", "threads", "3.11", 2, 99, 0.99, 0.49, 1, 1, NO, 0, NO},
    {"cpu.ft", "threads", "3.13t", 1, 50, 1, NO, 1, 0, NO, 0, NO},
    {"cpu.ft", "threads", "3.13t", 2, 195, 1.95, NO, 1, 0, NO, 0, NO},
    {"cpu.ft", "processes", "3.13t", 1, 50, 1, NO, 1, 0, NO, 0, NO},
    {"cpu.ft", "processes", "3.13t", 2, 180, 1.8, NO, 1, 0, NO, 0, NO},
};

static const char META[] =
    "{\"type\":\"meta\",\"machine\":{\"pus\":2},"
    "\"runtimes\":[{\"tag\":\"3.11\",\"free_threaded\":false,\"prefix\":"
    "\"/opt/py\",\"config_args\":\"'--enable-optimizations' '--with-lto'\"},"
    "{\"tag\":\"3.13t\",\"free_threaded\":true,\"prefix\":\"/opt/pyt\","
    "\"config_args\":\"'--disable-gil' '--enable-shared'\"}],"
    "\"workloads\":{\"mixed.convoy\":{\"flags\":[\"cpu_threads\"]}}}\n";

static char path[] = "/tmp/test_answers_XXXXXX";

/* The answers page and the runtimes section of RECS (with_mem: with the
 * memory figures; question: the experiment file's, or NULL) as a new
 * string. */
static char *render_q(int with_mem, const char *question) {
  memcpy(path + strlen(path) - 6, "XXXXXX", 6);
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  FILE *f = fdopen(fd, "w");
  if (question)
    fprintf(f, "%.*s,\"spec\":{\"question\":\"%s\"}}\n",
            (int)(strlen(META) - 2), META, question);
  else
    fputs(META, f);
  for (size_t i = 0; i < sizeof RECS / sizeof RECS[0]; i++) {
    rec r = RECS[i];
    if (!with_mem)
      r.uss_kb = NAN;
    cell(f, &r);
  }
  fclose(f);
  results res;
  char err[256];
  assert_int_equal(results_load(path, &res, err, sizeof err), 0);
  unlink(path);
  char *out = NULL;
  size_t len;
  FILE *m = open_memstream(&out, &len);
  answers_write(m, &res);
  runtimes_write(m, &res);
  fclose(m);
  assert_int_equal(answers_sections(&res), 2);
  assert_int_equal(runtimes_sections(&res), 1);
  results_free(&res);
  return out;
}

static char *render(int with_mem) {
  return render_q(with_mem, NULL);
}

/* The line of s that starts with start, as a new string ("" when none). */
static char *line_of(const char *s, const char *start) {
  for (const char *p = s; p; p = strchr(p, '\n')) {
    if (*p == '\n')
      p++;
    if (strncmp(p, start, strlen(start)) == 0) {
      const char *e = strchr(p, '\n');
      return strndup(p, e ? (size_t)(e - p) : strlen(p));
    }
  }
  return strdup("");
}

static char *slurp(const char *p) {
  FILE *f = fopen(p, "r");
  if (!f)
    return NULL;
  char *buf = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&buf, &len);
  char chunk[4096];
  size_t got;
  while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
    fwrite(chunk, 1, got, m);
  fclose(m);
  fclose(f);
  return buf;
}

static void golden(void **state) {
  (void)state;
  char *out = render(1);
  const char *gold = GILLAB_TESTS_DATA_DIR "/answers/answers.md";
  if (getenv("GILLAB_UPDATE_GOLDEN")) {
    FILE *f = fopen(gold, "w");
    assert_non_null(f);
    fputs(out, f);
    fclose(f);
  }
  char *want = slurp(gold);
  assert_non_null(want);
  assert_string_equal(out, want);
  free(want);
  free(out);
}

static void processes_win_clearly(void **state) {
  (void)state;
  char *out = render(1);
  char *a = line_of(out, "- On 2 CPUs, for work like cpu.win:");
  assert_non_null(strstr(a, "processes fork (3.11), 2.00× [1.96–2.04]"));
  assert_non_null(strstr(a, "threads 0.99× — they share one GIL: each "
                            "thread waited 49 %"));
  char *row = line_of(out, "| cpu.win |");
  assert_non_null(strstr(row, "| 17.4× |"));
  assert_non_null(strstr(row, "processes fork 10.00 MiB"));
  free(row);
  free(a);
  free(out);
}

static void overlap_does_not_choose(void **state) {
  (void)state;
  char *out = render(1);
  char *a = line_of(out, "- On 2 CPUs, for work like cpu.tie:");
  assert_non_null(strstr(a, "within the noise of each other"));
  assert_non_null(strstr(a, "does not settle the choice"));
  assert_null(strstr(a, "the most work"));
  free(a);
  free(out);
}

static void waiting_does_not_talk_of_cores(void **state) {
  (void)state;
  char *out = render(1);
  char *a = line_of(out, "- With 2 workers, for waiting work like io.wait:");
  assert_true(strlen(a) > 0);
  assert_null(strstr(a, "core"));
  assert_null(strstr(a, "CPU"));
  assert_non_null(strstr(a, "threads (3.11), 2.00×"));
  char *row = line_of(out, "| io.wait |");
  assert_non_null(strstr(row, "| waiting (2) |"));
  free(row);
  free(a);
  free(out);
}

static void convoy_headline(void **state) {
  (void)state;
  char *out = render(1);
  char *row = line_of(out, "| mixed.convoy |");
  assert_non_null(strstr(row, "| latency (1) |"));
  assert_non_null(strstr(row, "3.11 threads 5k → 250 (0.05×)"));
  assert_null(strstr(row, "speedup"));
  char *a = line_of(out, "- For round trips beside 2 CPU-bound threads");
  assert_non_null(strstr(a, "3.11 processes fork keeps 0.98×"));
  assert_non_null(strstr(a, "3.11 threads 0.05× — its threads share one GIL"));
  free(a);
  free(row);
  free(out);
}

static void free_threaded_blames_no_gil(void **state) {
  (void)state;
  char *out = render(1);
  char *a = line_of(out, "- On 2 CPUs, for work like cpu.ft:");
  assert_non_null(strstr(a, ": threads (3.13t), 1.95×"));
  assert_null(strstr(a, "share one GIL"));
  assert_null(strstr(a, "waited"));
  char *row = line_of(out, "| cpu.ft |");
  /* The GIL's cost is 3.11's only. */
  assert_non_null(strstr(row, "3.11: threads 0.99×, waited 49 %"));
  assert_null(strstr(row, "3.13t: threads 1.95×, waited"));
  free(row);
  free(a);
  free(out);
}

static void memory_column_only_when_measured(void **state) {
  (void)state;
  char *with = render(1), *without = render(0);
  assert_non_null(strstr(with, "memory per worker |"));
  assert_null(strstr(without, "memory per worker"));
  /* cpu.tie has no memory figure: a dash in its cell. */
  char *row = line_of(with, "| cpu.tie |");
  assert_non_null(strstr(row, "| – |"));
  free(row);
  free(with);
  free(without);
}

static void runtimes_side_by_side(void **state) {
  (void)state;
  char *out = render(1);
  assert_non_null(strstr(out, "## Runtimes side by side"));
  char *base = line_of(out, "| cpu.ft | 3.11 |");
  char *ft = line_of(out, "| cpu.ft | 3.13t |");
  /* 3.11 was built with PGO and LTO: no caveat. */
  assert_non_null(strstr(base, "threads 1 (the reference) |"));
  assert_non_null(strstr(base, "threads share one GIL"));
  assert_non_null(strstr(ft, "threads 0.50× (lower) — no PGO or LTO in "
                             "configure; free-threaded"));
  assert_non_null(strstr(ft, "threads 1.95× [1.91–1.99]"));
  assert_non_null(strstr(ft, "threads run without a GIL"));
  /* Only the workloads measured on both runtimes. */
  assert_null(strstr(out, "| cpu.win | 3.11 |"));
  free(base);
  free(ft);
  free(out);
}

/* The experiment file's question titles the page. */
static void question_is_the_title(void **state) {
  (void)state;
  char *out = render_q(1, "Threads or processes?");
  assert_int_equal(strncmp(out, "## Answers: Threads or processes?\n", 34), 0);
  free(out);
  out = render(1);
  assert_int_equal(strncmp(out, "## Answers\n", 11), 0);
  free(out);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(golden),
      cmocka_unit_test(processes_win_clearly),
      cmocka_unit_test(overlap_does_not_choose),
      cmocka_unit_test(waiting_does_not_talk_of_cores),
      cmocka_unit_test(convoy_headline),
      cmocka_unit_test(free_threaded_blames_no_gil),
      cmocka_unit_test(memory_column_only_when_measured),
      cmocka_unit_test(runtimes_side_by_side),
      cmocka_unit_test(question_is_the_title),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
