/* Unit tests for lab/report/ipctable, summary.md's section on the ipc.*
 * workloads, on crafted records whose figures are known, so that what is
 * checked is the meaning (the ratio the finding computes, the share it
 * quotes, the cells it leaves out), not only that something renders:
 *  - shared memory against multiprocessing.Queue at the largest size: the
 *    ratio of the medians, its interval and verdict;
 *  - the serialization share at the smallest size for every cell that
 *    pickles, and how many it dominates;
 *  - queue.Queue with objects (nothing copied) left out of the "most
 *    bytes per second" finding; skipped cells not reported as failures, a
 *    failed one reported; other workloads untouched.
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

#include "ipctable.h"
#include "results.h"

/* One cell record: workload, model, size, payload, rep and the ipc
 * figures (a negative wire leaves wire_bytes_per_msg out; a negative share
 * writes null). */
static void cell(FILE *f, const char *wl, const char *model, int size,
                 const char *payload, int rep, double bps, double share,
                 double wire) {
  fprintf(f,
          "{\"type\":\"cell\",\"workload\":\"%s\",\"model\":\"%s\","
          "\"placement\":\"none\","
          "\"runtime\":\"%s\",\"workers\":2,\"rep\":%d,\"units\":100,"
          "\"scaling\":\"strong\",%s\"switch_interval_s\":null,"
          "\"msg_size\":%d,\"payload\":\"%s\",\"status\":\"ok\","
          "\"ipc\":{\"bytes_per_s\":%g,\"msgs_per_s\":%g,",
          wl, model, strncmp(model, "native", 6) ? "3.12" : "native", rep,
          strcmp(model, "processes") ? "" : "\"start_method\":\"fork\",", size,
          payload, bps, bps / size);
  if (share >= 0)
    fprintf(f, "\"ser_share\":%g,", share);
  else
    fprintf(f, "\"ser_share\":null,");
  if (wire >= 0)
    fprintf(f, "\"wire_bytes_per_msg\":%g,", wire);
  fprintf(f, "\"lat_us\":{\"p99\":%g}}}\n", 100.0 * rep);
}

static char path[] = "/tmp/test_ipctable_XXXXXX";

static int load(results *r, char **text) {
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  FILE *f = fdopen(fd, "w");
  fprintf(f, "{\"type\":\"meta\"}\n");
  for (int rep = 1; rep <= 3; rep++) {
    static const double shm[] = {10e9, 11e9, 12e9}, q[] = {1e9, 1.1e9, 0.9e9};
    cell(f, "ipc.shm", "processes", 1 << 20, "bytes", rep, shm[rep - 1], -1,
         1 << 20);
    cell(f, "ipc.mp_queue", "processes", 1 << 20, "bytes", rep, q[rep - 1], -1,
         1 << 20);
    static const double qs[] = {0.62, 0.60, 0.64}, ps[] = {0.2, 0.19, 0.21};
    cell(f, "ipc.mp_queue", "processes", 64, "object", rep, 5e6, qs[rep - 1],
         150);
    cell(f, "ipc.pipe", "processes", 64, "object", rep, 9e6, ps[rep - 1], 150);
    cell(f, "ipc.pipe", "processes", 64, "bytes", rep, 20e6, -1, 64);
    /* No copy: a huge nominal figure the findings must not quote. */
    cell(f, "ipc.queue", "threads", 1 << 20, "object", rep, 1e12, -1, -1);
    cell(f, "ipc.queue", "threads", 64, "bytes", rep, 3e7, -1, 64);
  }
  fprintf(
      f, "{\"type\":\"cell\",\"workload\":\"ipc.pipe\",\"model\":\"processes\","
         "\"runtime\":\"3.12\",\"workers\":1,\"rep\":1,\"msg_size\":64,"
         "\"payload\":\"bytes\",\"status\":\"skipped\",\"error\":\"odd "
         "workers\"}\n");
  fprintf(f,
          "{\"type\":\"cell\",\"workload\":\"ipc.tcp\",\"model\":\"threads\","
          "\"runtime\":\"3.12\",\"workers\":2,\"rep\":1,\"msg_size\":64,"
          "\"payload\":\"bytes\",\"status\":\"timeout\",\"error\":\"the "
          "cell took too long\"}\n");
  fprintf(
      f, "{\"type\":\"cell\",\"workload\":\"cpu.primes\",\"model\":\"threads\","
         "\"runtime\":\"3.12\",\"workers\":1,\"rep\":1,\"status\":\"ok\","
         "\"throughput\":5}\n");
  fclose(f);
  char err[256];
  assert_int_equal(results_load(path, r, err, sizeof err), 0);
  if (getenv("KEEP"))
    fprintf(stderr, "%s\n", path);
  else
    unlink(path);
  size_t len;
  FILE *m = open_memstream(text, &len);
  ipctable_write(m, r);
  fclose(m);
  return 0;
}

static void assert_has(const char *text, const char *part) {
  if (!strstr(text, part))
    print_error("the section lacks '%s':\n%s\n", part, text);
  assert_non_null(strstr(text, part));
}

static void test_meaning(void **state) {
  (void)state;
  results r;
  char *text = NULL;
  load(&r, &text);
  assert_true(ipctable_is_ipc(&r, "ipc.shm"));
  assert_false(ipctable_is_ipc(&r, "cpu.primes"));
  /* A column per size, ascending; a row per mechanism, model, payload. */
  assert_has(text, "| mechanism | runtime | model | payload | 64 B | 1M |");
  assert_has(text, "| ipc.shm | 3.12 | processes fork | bytes | – | 11G "
                   "[10G–12G] |");
  /* 11e9 / 1e9, interval [10e9 / 1.1e9, 12e9 / 0.9e9], wholly above. */
  assert_has(text, "at 1M (3.12, processes fork, bytes), shared_memory "
                   "(ipc.shm) moves 11.0× the bytes per second of "
                   "multiprocessing.Queue (ipc.mp_queue): 11GB/s against "
                   "1GB/s, ratio interval 9.1–13.3× (higher)");
  /* The most and fewest bytes per second at 1M with objects: queue.Queue
   * copies nothing and is the only object cell there, so no finding. */
  assert_null(strstr(text, "at 1M with object payloads"));
  assert_has(text, "at 1M with bytes payloads, the most bytes per second in "
                   "Python: ipc.shm (3.12, processes fork, bytes), 11GB/s; "
                   "the fewest: ipc.mp\\_queue (3.12, processes fork, "
                   "bytes), 1GB/s (11.0× fewer)");
  /* The pickling share at 64 B of the two cells that pickle, medians. */
  assert_has(text, "at 64 B, pickling");
  assert_has(text, "62% [60%–64%] for ipc.mp\\_queue (3.12, processes fork, "
                   "object)");
  assert_has(text, "20% [19%–21%] for ipc.pipe (3.12, processes fork, "
                   "object)");
  assert_has(text, "Pickling dominates (over half the time) in 1 of them.");
  /* The share table has only the rows that pickle. */
  const char *ser = strstr(text, "### Serialization");
  const char *lat = strstr(text, "### Latency");
  assert_non_null(ser);
  assert_non_null(lat);
  assert_true(
      strstr(ser, "| ipc.pipe | 3.12 | processes fork | bytes |") == NULL ||
      strstr(ser, "| ipc.pipe | 3.12 | processes fork | bytes |") > lat);
  /* The timeout is listed, the skipped cell is not; cpu.primes is not
   * here at all. */
  assert_has(text, "ipc.tcp (3.12, threads, bytes) at 64 B, rep 1: "
                   "**timeout** — the cell took too long");
  assert_null(strstr(text, "odd workers"));
  assert_null(strstr(text, "cpu.primes"));
  free(text);
  results_free(&r);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_meaning)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
