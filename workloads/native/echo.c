/* io.echo and mixed.convoy, C twins of workloads/python/io_echo.py and
 * mixed_convoy.py.
 *
 * io.echo: each worker opens one TCP connection (TCP_NODELAY) to the
 * runner's echo server (echosrv.h) and does its share of `units` round
 * trips of a 16-byte message, timing each one. The answer is the number of
 * replies that matched their request, which must equal ops.
 *
 * mixed.convoy: the same round trips, but for `units` milliseconds on each
 * worker, while cpu_threads C threads spin beside them (started by the
 * begin hook, stopped by end). With no GIL, spinning threads delay a round
 * trip only through the scheduler; the Python version shows the convoy
 * effect (bpo-7946) against this.
 *
 * Notes about the implementation: each worker writes only its own slot of
 * rtts[] (allocated by begin, for ctx->workers); end reads them after every
 * worker has been joined. The spinners read `stop` with relaxed atomics.
 */
#include "lat.h"
#include "native.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MSG_LEN 16

static lat_samples *rtts; /* one per worker */
static unsigned nrtts;
static pthread_t *spinners;
static unsigned nspinners;
static atomic_int stop;
static _Atomic uint64_t spin_loops;

static int echo_connect(char *err, size_t errlen) {
  int port = wl_context()->echo_port;
  if (port <= 0) {
    snprintf(err, errlen, "no echo server runs for this cell");
    return -ENOTCONN;
  }
  struct sockaddr_in a = {.sin_family = AF_INET,
                          .sin_port = htons((uint16_t)port),
                          .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
  if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0 ||
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0) {
    int e = errno;
    snprintf(err, errlen, "cannot connect to the echo server (port %d): %s",
             port, strerror(e));
    if (fd >= 0)
      close(fd);
    return -e;
  }
  return fd;
}

/* One round trip of message i; 1 when the reply matched, 0 when not, -1
 * when the connection failed. */
static int round_trip(int fd, uint64_t i) {
  char msg[MSG_LEN + 1], reply[MSG_LEN];
  snprintf(msg, sizeof msg, "gillab %09llu", (unsigned long long)i);
  if (write(fd, msg, MSG_LEN) != MSG_LEN)
    return -1;
  size_t got = 0;
  while (got < MSG_LEN) {
    ssize_t n = read(fd, reply + got, MSG_LEN - got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return -1;
    got += (size_t)n;
  }
  return memcmp(msg, reply, MSG_LEN) == 0;
}

/* Round trips on one connection: `count` of them, or as many as fit in
 * `until_ns` (util_now_ns's clock) when count is 0. */
static int echo_loop(unsigned worker, uint64_t count, uint64_t until_ns,
                     wl_result *out, char *err, size_t errlen) {
  int fd = echo_connect(err, errlen);
  if (fd < 0)
    return fd;
  lat_samples *mine = worker < nrtts ? &rtts[worker] : NULL;
  uint64_t done = 0, matched = 0;
  for (;;) {
    uint64_t t0 = util_now_ns();
    if (count ? done >= count : t0 >= until_ns)
      break;
    int r = round_trip(fd, done);
    if (r < 0) {
      snprintf(err, errlen, "echo round trip %llu failed: %s",
               (unsigned long long)done, strerror(errno));
      close(fd);
      return -EIO;
    }
    if (mine)
      lat_add(mine, util_now_ns() - t0);
    matched += (uint64_t)r;
    done++;
  }
  close(fd);
  out->ops = done;
  out->answer = matched;
  return 0;
}

int native_echo(unsigned worker, unsigned nworkers, uint64_t units,
                wl_result *out, char *err, size_t errlen) {
  uint64_t first, end;
  wl_share(worker, nworkers, units, &first, &end);
  return echo_loop(worker, end - first, 0, out, err, errlen);
}

int native_convoy(unsigned worker, unsigned nworkers, uint64_t units,
                  wl_result *out, char *err, size_t errlen) {
  (void)nworkers;
  return echo_loop(worker, 0, util_now_ns() + units * 1000000ull, out, err,
                   errlen);
}

static void *spin(void *unused) {
  (void)unused;
  uint64_t loops = 0;
  volatile uint64_t x = 0;
  while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
    for (int i = 0; i < 1000; i++)
      x += (uint64_t)i;
    loops += 1000;
  }
  atomic_fetch_add(&spin_loops, loops);
  return NULL;
}

static int echo_begin(const wl_ctx *ctx, char *err, size_t errlen) {
  rtts = calloc(ctx->workers, sizeof *rtts);
  if (!rtts) {
    snprintf(err, errlen, "out of memory");
    return -ENOMEM;
  }
  nrtts = ctx->workers;
  return 0;
}

static int convoy_begin(const wl_ctx *ctx, char *err, size_t errlen) {
  int rc = echo_begin(ctx, err, errlen);
  if (rc < 0)
    return rc;
  atomic_store(&stop, 0);
  atomic_store(&spin_loops, 0);
  spinners = calloc(ctx->cpu_threads ? ctx->cpu_threads : 1, sizeof *spinners);
  if (!spinners) {
    snprintf(err, errlen, "out of memory");
    return -ENOMEM;
  }
  for (nspinners = 0; nspinners < ctx->cpu_threads; nspinners++) {
    int e = pthread_create(&spinners[nspinners], NULL, spin, NULL);
    if (e) {
      snprintf(err, errlen, "cannot start CPU thread %u: %s", nspinners,
               strerror(e));
      return -e;
    }
  }
  return 0;
}

/* The workers' round trips as {"round_trips", "round_trips_per_s",
 * "rtt_us": {p50, p90, p99, max}}; frees them. */
static cJSON *rtt_report(double wall_s) {
  lat_samples all = {0};
  for (unsigned i = 0; i < nrtts; i++) {
    lat_merge(&all, &rtts[i]);
    lat_clear(&rtts[i]);
  }
  free(rtts);
  rtts = NULL;
  nrtts = 0;
  cJSON *o = cJSON_CreateObject();
  cJSON_AddNumberToObject(o, "round_trips", (double)all.n);
  cJSON_AddNumberToObject(o, "round_trips_per_s",
                          wall_s > 0 ? (double)all.n / wall_s : 0);
  cJSON *rtt = cJSON_AddObjectToObject(o, "rtt_us");
  lat_add_pcts(rtt, &all);
  lat_clear(&all);
  return o;
}

static void echo_end(cJSON *out, double wall_s) {
  cJSON_AddItemToObject(out, "echo", rtt_report(wall_s));
}

static void convoy_end(cJSON *out, double wall_s) {
  atomic_store(&stop, 1);
  for (unsigned i = 0; i < nspinners; i++)
    pthread_join(spinners[i], NULL);
  free(spinners);
  spinners = NULL;
  cJSON *o = rtt_report(wall_s);
  cJSON_AddNumberToObject(o, "cpu_threads", nspinners);
  cJSON_AddNumberToObject(o, "cpu_loops_per_s",
                          wall_s > 0 ? (double)atomic_load(&spin_loops) / wall_s
                                     : 0);
  cJSON_AddStringToObject(o, "cpu_where", "threads");
  nspinners = 0;
  cJSON_AddItemToObject(out, "convoy", o);
}

const wl_native_hooks native_echo_hooks = {echo_begin, echo_end};
const wl_native_hooks native_convoy_hooks = {convoy_begin, convoy_end};
