/* Unit tests for workloads/native/loadgen and httpsrv: the generator
 * against the C server, which serves every connection and answers each
 * request with its own path; its latencies against a server whose handler
 * sleeps a known time; the open loop at a known rate; a server that is not
 * there. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "native/httpsrv.h"
#include "native/loadgen.h"

static void run_on(const char *handler, unsigned us, unsigned threads, int udp,
                   loadgen_opts *o, loadgen_result *r) {
  httpsrv *s;
  char err[256];
  assert_int_equal(httpsrv_start(&s, threads, NULL, handler, us, 0, udp, NULL,
                                 NULL, err, sizeof err),
                   0);
  o->port = httpsrv_port(s);
  assert_int_equal(loadgen_run(o, r, err, sizeof err), 0);
  cJSON *rep = httpsrv_report(s);
  /* The server counted what the generator received, give or take the
   * replies in flight at the end. */
  double served = cJSON_GetObjectItem(rep, "requests")->valuedouble;
  assert_true(served >= (double)r->requests);
  assert_true(served <= (double)(r->requests + o->connections));
  cJSON_Delete(rep);
  httpsrv_stop(s);
}

static void run(const char *handler, unsigned us, unsigned threads,
                loadgen_opts *o, loadgen_result *r) {
  run_on(handler, us, threads, 0, o, r);
}

/* UDP: 8 sockets on 2 server threads, every reply a datagram with its
 * request's path; and the 5 ms delay seen the same way. */
static void test_udp(void **state) {
  (void)state;
  loadgen_opts o = {.connections = 8,
                    .duration_s = 0.3,
                    .timeout_s = 0.2,
                    .check_body = 1,
                    .udp = 1};
  loadgen_result r;
  run_on("none", 0, 2, 1, &o, &r);
  assert_true(r.ok > 100);
  assert_int_equal(r.ok, r.requests);
  assert_int_equal(r.conns_served, 8);
  assert_int_equal(r.bad_replies + r.conn_errors, 0);
  loadgen_result_clear(&r);
  loadgen_opts d = {.connections = 1,
                    .duration_s = 0.3,
                    .timeout_s = 0.2,
                    .check_body = 1,
                    .udp = 1};
  run_on("sleep", 5000, 1, 1, &d, &r);
  uint64_t p50 = lat_pct(&r.lat, 0.5);
  assert_true(p50 >= 5000000 && p50 < 8000000);
  loadgen_result_clear(&r);
}

/* 32 connections on 2 server threads: every connection served, every
 * reply checked and right, nothing lost. */
static void test_every_connection(void **state) {
  (void)state;
  loadgen_opts o = {
      .connections = 32, .duration_s = 0.3, .timeout_s = 2, .check_body = 1};
  loadgen_result r;
  run("none", 0, 2, &o, &r);
  assert_true(r.ok > 100);
  assert_int_equal(r.ok, r.requests);
  assert_int_equal(r.conns_served, 32);
  assert_int_equal(r.status_errors + r.bad_replies + r.timeouts + r.conn_errors,
                   0);
  assert_int_equal(r.lat.n, r.requests);
  loadgen_result_clear(&r);
}

/* A handler that sleeps 5 ms: one connection, closed loop: every latency
 * is at least 5 ms and the median within 5 to 8 ms (a sleep overshoots by
 * tens of microseconds; generous for a loaded VM). */
static void test_known_delay(void **state) {
  (void)state;
  loadgen_opts o = {
      .connections = 1, .duration_s = 0.3, .timeout_s = 2, .check_body = 1};
  loadgen_result r;
  run("sleep", 5000, 1, &o, &r);
  assert_true(r.ok >= 20 && r.ok <= 61);
  assert_true(lat_pct(&r.lat, 0.0001) >= 5000000);
  uint64_t p50 = lat_pct(&r.lat, 0.5);
  assert_true(p50 >= 5000000 && p50 < 8000000);
  /* The histogram's buckets are powers of two of microseconds: 5 ms is in
   * the 8192 us bucket. */
  cJSON *h = lat_hist(&r.lat);
  int found = 0;
  cJSON *b;
  cJSON_ArrayForEach(b, h) {
    if (cJSON_GetArrayItem(b, 0)->valuedouble == 8192)
      found = cJSON_GetArrayItem(b, 1)->valueint >= (int)r.ok / 2;
  }
  assert_true(found);
  cJSON_Delete(h);
  loadgen_result_clear(&r);
}

/* The open loop at 200 requests/s for 0.5 s against a 5 ms server with 4
 * connections: about 100 requests, whatever the server's speed; then at
 * 400/s against one connection that can do only 200/s: the latency, taken
 * from when each request was due, grows with the queue (coordinated
 * omission not hidden). */
static void test_open_loop(void **state) {
  (void)state;
  loadgen_opts o = {.connections = 4,
                    .duration_s = 0.5,
                    .timeout_s = 2,
                    .rate = 200,
                    .check_body = 1};
  loadgen_result r;
  run("sleep", 1000, 1, &o, &r);
  assert_true(r.requests >= 80 && r.requests <= 101);
  assert_int_equal(r.ok, r.requests);
  loadgen_result_clear(&r);
  loadgen_opts slow = {.connections = 1,
                       .duration_s = 0.5,
                       .timeout_s = 2,
                       .rate = 400,
                       .check_body = 1};
  run("sleep", 5000, 1, &slow, &r);
  assert_true(r.requests <= 101);
  assert_true(r.late_sends > 10);
  /* The last requests waited behind the earlier ones: ~0.25 s late. */
  assert_true(lat_pct(&r.lat, 1.0) > 100000000);
  loadgen_result_clear(&r);
}

/* No server: connects refused, counted, and the generator still ends. */
static void test_no_server(void **state) {
  (void)state;
  loadgen_opts o = {
      .port = 1, .connections = 2, .duration_s = 0.1, .timeout_s = 1};
  loadgen_result r;
  char err[128];
  assert_int_equal(loadgen_run(&o, &r, err, sizeof err), 0);
  assert_int_equal(r.requests, 0);
  assert_true(r.conn_errors > 0);
  loadgen_result_clear(&r);
  o.connections = 0;
  assert_int_equal(loadgen_run(&o, &r, err, sizeof err), -EINVAL);
  loadgen_result_clear(&r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_every_connection),
      cmocka_unit_test(test_known_delay),
      cmocka_unit_test(test_open_loop),
      cmocka_unit_test(test_no_server),
      cmocka_unit_test(test_udp),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
