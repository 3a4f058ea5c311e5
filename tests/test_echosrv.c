/* Unit tests for workloads/native/echosrv: the echo server answers what it
 * is sent, counts it, says where it ran, delays its replies by the service
 * time when asked, and stops. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "native/echosrv.h"
#include "util.h"

static int connect_to(int port) {
  struct sockaddr_in a = {.sin_family = AF_INET,
                          .sin_port = htons((uint16_t)port),
                          .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  assert_true(fd >= 0);
  assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
  return fd;
}

/* One round trip of msg; returns its time in ns. */
static uint64_t round_trip(int fd, const char *msg) {
  char reply[64] = "";
  size_t len = strlen(msg), got = 0;
  uint64_t t0 = util_now_ns();
  assert_int_equal(write(fd, msg, len), (ssize_t)len);
  while (got < len) {
    ssize_t n = read(fd, reply + got, len - got);
    assert_true(n > 0);
    got += (size_t)n;
  }
  uint64_t t = util_now_ns() - t0;
  assert_memory_equal(reply, msg, len);
  return t;
}

static double field(const cJSON *o, const char *key) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
  assert_true(cJSON_IsNumber(v));
  return v->valuedouble;
}

static void test_echo(void **state) {
  (void)state;
  echosrv *s;
  char err[256];
  assert_int_equal(echosrv_start(&s, 0, err, sizeof err), 0);
  assert_true(echosrv_port(s) > 0);
  int a = connect_to(echosrv_port(s)), b = connect_to(echosrv_port(s));
  round_trip(a, "gillab 000000001");
  round_trip(b, "hello");
  round_trip(a, "gillab 000000002");
  close(a);
  close(b);
  cJSON *r = echosrv_report(s);
  /* The server counts what it has read by the time the client has its
   * reply, so the counts are exact once the round trips are done. */
  assert_true(field(r, "conns") == 2);
  assert_true(field(r, "reads") == 3);
  assert_true(field(r, "bytes") == 16 + 5 + 16);
  assert_true(field(r, "service_us") == 0);
  assert_true(field(r, "tid") > 0);
  assert_true(cJSON_GetArraySize(cJSON_GetObjectItem(r, "cpus_seen")) >= 1);
  cJSON_Delete(r);
  echosrv_stop(s);
}

/* With a service time of 3 ms every reply takes at least that long (a
 * lower bound only: an upper one would depend on the machine's load). */
static void test_service_time(void **state) {
  (void)state;
  echosrv *s;
  char err[256];
  assert_int_equal(echosrv_start(&s, 3000, err, sizeof err), 0);
  int fd = connect_to(echosrv_port(s));
  for (int i = 0; i < 3; i++)
    assert_true(round_trip(fd, "gillab 000000003") >= 3000000);
  close(fd);
  echosrv_stop(s);
}

/* After stop nothing listens on the port any more. */
static void test_stop(void **state) {
  (void)state;
  echosrv *s;
  char err[256];
  assert_int_equal(echosrv_start(&s, 0, err, sizeof err), 0);
  int port = echosrv_port(s);
  echosrv_stop(s);
  struct sockaddr_in a = {.sin_family = AF_INET,
                          .sin_port = htons((uint16_t)port),
                          .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  assert_true(connect(fd, (struct sockaddr *)&a, sizeof a) < 0);
  close(fd);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_echo),
      cmocka_unit_test(test_service_time),
      cmocka_unit_test(test_stop),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
