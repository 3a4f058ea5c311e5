/* Unit tests for lab/report/servetable, summary.md's section on the
 * server workloads, on crafted records whose figures are known, so that
 * what is checked is the meaning, not only that something renders:
 *  - the GIL finding quotes the ratio of the medians and names the GIL as
 *    the cause only on a runtime whose records say the GIL was on and
 *    where the ratio shows it (a free-threaded runtime's near-equal
 *    figures get the opposite sentence);
 *  - the event loop is called saturated only when its thread's CPU time
 *    over its span says so;
 *  - a blocking handler under asyncio: the serialization is stated only
 *    when asyncio's requests per second are about one per handler time,
 *    and the p99 ratio against the pool of 16 is the medians' ratio;
 *  - SO_REUSEPORT scaling and memory per worker; asyncio against threads
 *    on pure I/O with the memory per connection;
 *  - records of other workloads get no server section.
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

#include "results.h"
#include "servetable.h"

typedef struct {
  const char *wl, *model, *rt, *kind, *handler;
  int workers, conns, hus;
  double rps, p99, busy, uss_base, uss_peak, uss_worker;
  int gil;
} rec;

/* Three repetitions of r: rps at 0.98, 1 and 1.02 of its figure (the
 * median is the figure), the other figures as given. */
static void cell(FILE *f, const rec *r) {
  static const double k[] = {0.98, 1.0, 1.02};
  for (int rep = 1; rep <= 3; rep++)
    fprintf(f,
            "{\"type\":\"cell\",\"workload\":\"%s\",\"model\":\"%s\","
            "\"placement\":\"none\",\"runtime\":\"%s\",\"workers\":%d,"
            "\"rep\":%d,\"units\":1000,\"scaling\":\"strong\",%s"
            "\"switch_interval_s\":null,\"connections\":%d,\"handler\":\"%s\","
            "\"handler_us\":%d,\"rate\":0,\"status\":\"ok\",\"ops\":1,"
            "\"wall_s\":1,\"gil\":{\"enabled\":%s},"
            "\"serve\":{\"server\":\"%s\",\"load\":{\"requests_per_s\":%g,"
            "\"error_rate\":0,\"latency_us\":{\"p99\":%g}}},"
            "\"mem\":{\"cell\":{\"uss_base_kb\":%g,\"uss_peak_kb\":%g},"
            "\"per_worker_kb\":{\"uss\":%g}},"
            "\"per_worker\":[{\"worker\":0,\"cpu_s\":%g,\"span_s\":1}]}\n",
            r->wl, r->model, r->rt, r->workers, rep,
            strcmp(r->model, "processes") ? "" : "\"start_method\":\"fork\",",
            r->conns, r->handler, r->hus, r->gil ? "true" : "false", r->kind,
            r->rps * k[rep - 1], r->p99, r->uss_base, r->uss_peak,
            r->uss_worker, r->busy);
}

static const rec RECS[] = {
    /* The GIL: 3.11 (on), 4.8k against 2 processes' 7.6k = 1.58x; the C
     * twin 9k. 3.13t (off): 7k against 7.2k. */
    {"net.serve", "threads", "3.11", "per_conn", "cpu", 1, 64, 200, 4800, 9000,
     0.1, 1e4, 1.1e4, 0, 1},
    {"net.serve", "processes", "3.11", "reuseport", "cpu", 2, 64, 200, 7600,
     5000, 0.1, 1e4, 1e4, 6500, 1},
    {"net.serve", "native-threads", "native", "c-epoll", "cpu", 2, 64, 200,
     9000, 3000, 0.9, 1e3, 1e3, 0, 0},
    {"net.serve", "threads", "3.13t", "per_conn", "cpu", 1, 64, 200, 7000, 5000,
     0.1, 1e4, 1.1e4, 0, 0},
    {"net.serve", "processes", "3.13t", "reuseport", "cpu", 2, 64, 200, 7200,
     5000, 0.1, 1e4, 1e4, 9000, 0},
    /* The loop: busy 95% at 256 on 3.11, 40% on 3.12. Pure I/O at 256 on
     * 3.11: asyncio 39k and 29.5 kB a connection, threads 40k and
     * 63.5 kB. */
    {"net.serve", "asyncio", "3.11", "asyncio", "none", 1, 1, 0, 6000, 300, 0.5,
     1e4, 1.2e4, 0, 1},
    {"net.serve", "asyncio", "3.11", "asyncio", "none", 1, 256, 0, 39000, 20000,
     0.95, 1e4, 1e4 + 29.5 * 256, 0, 1},
    {"net.serve", "threads", "3.11", "per_conn", "none", 1, 256, 0, 40000,
     15000, 0.05, 1e4, 1e4 + 63.5 * 256, 0, 1},
    {"net.serve", "threads", "3.11", "per_conn", "none", 1, 1, 0, 9000, 100,
     0.05, 1e4, 1.1e4, 0, 1},
    {"net.serve", "asyncio", "3.12", "asyncio", "none", 1, 1, 0, 6000, 300, 0.2,
     1e4, 1.2e4, 0, 1},
    {"net.serve", "asyncio", "3.12", "asyncio", "none", 1, 256, 0, 9000, 300,
     0.40, 1e4, 1.2e4, 0, 1},
    /* A blocking 10 ms handler at 64: 3.11's asyncio serializes (98/s,
     * p99 650 ms) against a pool of 16 (p99 42 ms): 15.5x. 3.12's asyncio
     * did 1500/s: no serialization to state. */
    {"net.serve", "asyncio", "3.11", "asyncio", "sleep", 1, 64, 10000, 98,
     650000, 0.02, 1e4, 1e4, 0, 1},
    {"net.serve_pool", "threads", "3.11", "pool", "sleep", 16, 64, 10000, 1580,
     42000, 0.01, 1e4, 1e4, 0, 1},
    {"net.serve", "asyncio", "3.12", "asyncio", "sleep", 1, 64, 10000, 1500,
     45000, 0.3, 1e4, 1e4, 0, 1},
    /* SO_REUSEPORT scaling at 16, pure I/O: 10k with 1, 18k with 2, 6.3
     * MiB each. */
    {"net.serve", "processes", "3.11", "reuseport", "none", 1, 16, 0, 10000,
     900, 0.5, 1e4, 1e4, 6400, 1},
    {"net.serve", "processes", "3.11", "reuseport", "none", 2, 16, 0, 18000,
     700, 0.5, 1e4, 1e4, 6451.2, 1},
    /* TCP or UDP at 16: the C twin 100k over TCP, 150k over UDP. */
    {"net.serve", "native-threads", "native", "c-epoll", "none", 2, 16, 0,
     100000, 400, 0.9, 1e3, 1e3, 0, 0},
    {"net.serve_udp", "native-threads", "native", "c-udp", "none", 2, 16, 0,
     150000, 300, 0.9, 1e3, 1e3, 0, 0},
};

static char path[] = "/tmp/test_servetable_XXXXXX";

static char *render(int with_serve) {
  memcpy(path + strlen(path) - 6, "XXXXXX", 6);
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  FILE *f = fdopen(fd, "w");
  fprintf(f, "{\"type\":\"meta\"}\n");
  if (with_serve)
    for (size_t i = 0; i < sizeof RECS / sizeof RECS[0]; i++)
      cell(f, &RECS[i]);
  /* The convoy: a thread per connection with 0 and 1 CPU-bound threads
   * beside it, 3.11 (GIL: p99 150 -> 7500 us, 60k -> 6k req/s) and 3.13t
   * (no GIL: 150 -> 200 us, 60k -> 50k). */
  for (int rt = 0; with_serve && rt < 2; rt++)
    for (int k = 0; k < 2; k++)
      for (int rep = 1; rep <= 3; rep++)
        fprintf(f,
                "{\"type\":\"cell\",\"workload\":\"net.serve\",\"model\":"
                "\"threads\",\"placement\":\"none\",\"runtime\":\"%s\","
                "\"workers\":1,\"rep\":%d,\"units\":1000,\"scaling\":"
                "\"strong\",\"switch_interval_s\":null,\"cpu_threads\":%d,"
                "\"connections\":4,\"handler\":\"hash\",\"handler_us\":0,"
                "\"rate\":0,\"status\":\"ok\",\"ops\":1,\"wall_s\":1,"
                "\"gil\":{\"enabled\":%s},\"serve\":{\"server\":"
                "\"per_conn\",\"load\":{\"requests_per_s\":%g,"
                "\"error_rate\":0,\"latency_us\":{\"p50\":%g,\"p99\":%g}}}}"
                "\n",
                rt ? "3.13t" : "3.11", rep, k, rt ? "false" : "true",
                k ? (rt ? 50000.0 : 6000.0) : 60000.0, k ? 52.0 : 50.0,
                k ? (rt ? 200.0 : 7500.0) : 150.0);
  fprintf(f, "{\"type\":\"cell\",\"workload\":\"cpu.primes\",\"model\":"
             "\"threads\",\"runtime\":\"3.11\",\"workers\":1,\"rep\":1,"
             "\"status\":\"ok\",\"ops\":10,\"wall_s\":1}\n");
  fclose(f);
  results r;
  char err[256];
  assert_int_equal(results_load(path, &r, err, sizeof err), 0);
  unlink(path);
  char *text = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&text, &len);
  servetable_write(m, &r);
  fclose(m);
  assert_int_equal(servetable_is_serve(&r, "net.serve"), with_serve);
  assert_int_equal(servetable_is_serve(&r, "cpu.primes"), 0);
  results_free(&r);
  return text;
}

/* The sentence (up to its ".\n") of text that contains all of want[], or
 * NULL. */
static const char *finding(const char *text, const char *const *want,
                           size_t n) {
  static char buf[2048];
  for (const char *p = strstr(text, "**Finding:**"); p;
       p = strstr(p + 1, "**Finding:**")) {
    const char *end = strstr(p, ".\n");
    size_t len = end ? (size_t)(end - p) : strlen(p);
    snprintf(buf, sizeof buf, "%.*s", (int)len, p);
    size_t k = 0;
    while (k < n && strstr(buf, want[k]))
      k++;
    if (k == n)
      return buf;
  }
  return NULL;
}
#define FINDING(text, ...)                                                     \
  finding(text, (const char *const[]){__VA_ARGS__},                            \
          sizeof((const char *const[]){__VA_ARGS__}) / sizeof(char *))

static void test_gil(void **state) {
  (void)state;
  char *t = render(1);
  const char *s = FINDING(t, "pure-Python work", "(3.11)");
  assert_non_null(s);
  assert_non_null(strstr(s, "2 SO_REUSEPORT processes serve 1.58×"));
  assert_non_null(strstr(s, "7.6k against 4.8k req/s"));
  assert_non_null(strstr(s, "share one GIL"));
  assert_non_null(strstr(s, "the C twin (2 threads, the same CPU per "
                            "request) serves 9k req/s"));
  s = FINDING(t, "pure-Python work", "(3.13t)");
  assert_non_null(s);
  assert_non_null(strstr(s, "serve 1.03×"));
  assert_null(strstr(s, "GIL,"));
  assert_null(strstr(s, "share one GIL"));
  assert_non_null(strstr(s, "without a GIL the threads run the work in "
                            "parallel too"));
  free(t);
}

static void test_loop(void **state) {
  (void)state;
  char *t = render(1);
  const char *s = FINDING(t, "asyncio (3.11, handler none) at 256");
  assert_non_null(s);
  assert_non_null(strstr(s, "on a CPU or waiting for one 95% of the time"));
  assert_non_null(strstr(s, "6k req/s at 1 connections and 39k at 256"));
  assert_non_null(strstr(s, "saturated its core"));
  s = FINDING(t, "asyncio (3.12, handler none) at 256");
  assert_non_null(s);
  assert_non_null(strstr(s, "40% of the time"));
  assert_null(strstr(s, "saturated"));
  assert_non_null(strstr(s, "had CPU to spare"));
  free(t);
}

static void test_blocking(void **state) {
  (void)state;
  char *t = render(1);
  const char *s = FINDING(t, "blocks 10 ms", "served 98 req/s");
  assert_non_null(s);
  assert_non_null(strstr(s, "about one request per 10 ms (100/s)"));
  assert_non_null(strstr(s, "its p99 latency is 15.5× that of a pool of "
                            "threads with 16 workers (650kµs against "
                            "42kµs)"));
  s = FINDING(t, "blocks 10 ms", "served 1500 req/s");
  assert_non_null(s);
  assert_null(strstr(s, "holds the loop's only thread"));
  free(t);
}

static void test_reuseport_and_io(void **state) {
  (void)state;
  char *t = render(1);
  const char *s = FINDING(t, "SO_REUSEPORT processes (3.11, handler none, 16 "
                             "connections)");
  assert_non_null(s);
  assert_non_null(strstr(s, "2 workers serve 1.80× the requests per second "
                            "of 1 (18k against 10k req/s)"));
  assert_non_null(strstr(s, "6.3 MiB of its own"));
  s = FINDING(t, "pure I/O at 256 connections (3.11)");
  assert_non_null(s);
  assert_non_null(strstr(s, "asyncio serves 0.97×"));
  /* 1 and 256 connections of both: the slope, fixed costs cancelled:
   * asyncio (10000 + 29.5 x 256 - 12000) / 255, threads from 11000. */
  assert_non_null(strstr(s, "each connection from 1 to 256 added 21.8 kB to "
                            "its process against 59.8 kB for the threads "
                            "(each thread has a stack"));
  s = FINDING(t, "TCP or UDP (native, handler none, 16 connections)");
  assert_non_null(s);
  assert_non_null(strstr(s, "UDP: the C twin with 2 workers serve 1.50× the "
                            "requests per second of the C twin (epoll) over "
                            "TCP (150k against 100k req/s"));
  assert_null(strstr(s, "lost"));
  /* The tables: a row per server and a column per connection count. */
  assert_non_null(strstr(t, "### Handler sleep"));
  assert_non_null(strstr(t, "| a pool of threads | 3.11 | threads | 16 |"));
  free(t);
}

static void test_convoy(void **state) {
  (void)state;
  char *t = render(1);
  const char *s = FINDING(t, "the convoy effect (3.11, handler hash");
  assert_non_null(s);
  assert_non_null(strstr(s, "with 1 CPU-bound thread beside it, a thread per "
                            "connection (1 worker) answered with a median "
                            "latency 1.0× as long"));
  assert_non_null(strstr(s, "a p99 50.0× (7.5kµs against 150µs)"));
  assert_non_null(strstr(s, "serving 0.10× the requests per second"));
  assert_non_null(strstr(s, "shares the server's GIL"));
  s = FINDING(t, "the convoy effect (3.13t, handler hash");
  assert_non_null(s);
  assert_non_null(strstr(s, "a p99 1.3×"));
  assert_null(strstr(s, "GIL"));
  free(t);
}

static void test_none_without_servers(void **state) {
  (void)state;
  char *t = render(0);
  assert_string_equal(t, "");
  free(t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_gil),
      cmocka_unit_test(test_loop),
      cmocka_unit_test(test_blocking),
      cmocka_unit_test(test_reuseport_and_io),
      cmocka_unit_test(test_convoy),
      cmocka_unit_test(test_none_without_servers),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
