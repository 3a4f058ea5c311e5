/* echosrv — see echosrv.h. */
#include "echosrv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define ECHOSRV_MAX_CPUS 1024

struct echosrv {
  int listen_fd, epoll_fd, stop_fd, port;
  unsigned service_us;
  pthread_t thread;
  pid_t tid;
  _Atomic uint64_t conns, reads, bytes;
  _Atomic uint64_t cpus[ECHOSRV_MAX_CPUS / 64];
};

static void note_cpu(echosrv *s) {
  int cpu = sched_getcpu();
  if (cpu >= 0 && cpu < ECHOSRV_MAX_CPUS)
    atomic_fetch_or_explicit(&s->cpus[cpu / 64], 1ull << (cpu % 64),
                             memory_order_relaxed);
}

/* Echoes len bytes back on fd; the client sends one small message and
 * waits for it, so the socket buffer always has room and a blocking write
 * loop never waits long. Returns -1 when the peer is gone. */
static int write_all(int fd, const char *buf, size_t len) {
  while (len) {
    ssize_t n = write(fd, buf, len);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
      continue;
    if (n <= 0)
      return -1;
    buf += n;
    len -= (size_t)n;
  }
  return 0;
}

/* The service time: the reply leaves `us` microseconds after the request
 * was read, as from a server that has work to do. A sleep, not a spin, so
 * the server takes no CPU from the client's process meanwhile. */
static void serve_time(unsigned us) {
  struct timespec due;
  clock_gettime(CLOCK_MONOTONIC, &due);
  due.tv_nsec += (long)us * 1000;
  while (due.tv_nsec >= 1000000000L) {
    due.tv_nsec -= 1000000000L;
    due.tv_sec++;
  }
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, NULL) == EINTR)
    ;
}

static void *serve(void *p) {
  echosrv *s = p;
  struct epoll_event ev[64];
  char buf[65536];
  s->tid = gettid();
  for (;;) {
    int n = epoll_wait(s->epoll_fd, ev, 64, -1);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      break;
    note_cpu(s);
    for (int i = 0; i < n; i++) {
      int fd = ev[i].data.fd;
      if (fd == s->stop_fd)
        return NULL;
      if (fd == s->listen_fd) {
        int c = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK);
        if (c < 0)
          continue;
        int one = 1;
        setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct epoll_event cev = {.events = EPOLLIN, .data.fd = c};
        if (epoll_ctl(s->epoll_fd, EPOLL_CTL_ADD, c, &cev) < 0)
          close(c);
        else
          atomic_fetch_add_explicit(&s->conns, 1, memory_order_relaxed);
        continue;
      }
      ssize_t got = read(fd, buf, sizeof buf);
      if (got < 0 && (errno == EAGAIN || errno == EINTR))
        continue;
      if (got > 0 && s->service_us)
        serve_time(s->service_us);
      if (got > 0) {
        /* Counted before the reply leaves: a client that has its reply
         * finds its request counted. */
        atomic_fetch_add_explicit(&s->reads, 1, memory_order_relaxed);
        atomic_fetch_add_explicit(&s->bytes, (uint64_t)got,
                                  memory_order_relaxed);
      }
      if (got <= 0 || write_all(fd, buf, (size_t)got) < 0) {
        epoll_ctl(s->epoll_fd, EPOLL_CTL_DEL, fd, NULL);
        close(fd);
      }
    }
  }
  return NULL;
}

int echosrv_start(echosrv **out, unsigned service_us, char *err,
                  size_t errlen) {
  echosrv *s = calloc(1, sizeof *s);
  int rc = 0;
  if (!s) {
    snprintf(err, errlen, "echo server: out of memory");
    return -ENOMEM;
  }
  s->service_us = service_us;
  s->listen_fd = s->epoll_fd = s->stop_fd = -1;
  struct sockaddr_in a = {.sin_family = AF_INET,
                          .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t alen = sizeof a;
  s->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s->listen_fd < 0 || bind(s->listen_fd, (struct sockaddr *)&a, alen) < 0 ||
      listen(s->listen_fd, 128) < 0 ||
      getsockname(s->listen_fd, (struct sockaddr *)&a, &alen) < 0) {
    rc = -errno;
    snprintf(err, errlen, "echo server: cannot listen on 127.0.0.1: %s",
             strerror(errno));
    goto fail;
  }
  s->port = ntohs(a.sin_port);
  s->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  s->stop_fd = eventfd(0, EFD_CLOEXEC);
  struct epoll_event lev = {.events = EPOLLIN, .data.fd = s->listen_fd};
  struct epoll_event sev = {.events = EPOLLIN, .data.fd = s->stop_fd};
  if (s->epoll_fd < 0 || s->stop_fd < 0 ||
      epoll_ctl(s->epoll_fd, EPOLL_CTL_ADD, s->listen_fd, &lev) < 0 ||
      epoll_ctl(s->epoll_fd, EPOLL_CTL_ADD, s->stop_fd, &sev) < 0) {
    rc = -errno;
    snprintf(err, errlen, "echo server: epoll: %s", strerror(errno));
    goto fail;
  }
  int e = pthread_create(&s->thread, NULL, serve, s);
  if (e) {
    rc = -e;
    snprintf(err, errlen, "echo server: cannot start its thread: %s",
             strerror(e));
    goto fail;
  }
  *out = s;
  return 0;
fail:
  if (s->listen_fd >= 0)
    close(s->listen_fd);
  if (s->epoll_fd >= 0)
    close(s->epoll_fd);
  if (s->stop_fd >= 0)
    close(s->stop_fd);
  free(s);
  return rc;
}

int echosrv_port(const echosrv *s) {
  return s->port;
}

void echosrv_stop(echosrv *s) {
  if (!s)
    return;
  uint64_t one = 1;
  if (write(s->stop_fd, &one, sizeof one) == (ssize_t)sizeof one)
    pthread_join(s->thread, NULL);
  /* The connections still open are closed with the process; the cell is
   * over. The listening socket goes now so no late client connects. */
  close(s->listen_fd);
  close(s->epoll_fd);
  close(s->stop_fd);
  free(s);
}

cJSON *echosrv_report(const echosrv *s) {
  cJSON *o = cJSON_CreateObject();
  cJSON_AddNumberToObject(o, "port", s->port);
  cJSON_AddNumberToObject(o, "service_us", s->service_us);
  cJSON_AddNumberToObject(o, "tid", s->tid);
  cJSON_AddNullToObject(o, "bound");
  cJSON *cpus = cJSON_AddArrayToObject(o, "cpus_seen");
  for (int c = 0; c < ECHOSRV_MAX_CPUS; c++)
    if (atomic_load_explicit(&s->cpus[c / 64], memory_order_relaxed) &
        (1ull << (c % 64)))
      cJSON_AddItemToArray(cpus, cJSON_CreateNumber(c));
  cJSON_AddNumberToObject(o, "conns", (double)atomic_load(&s->conns));
  cJSON_AddNumberToObject(o, "reads", (double)atomic_load(&s->reads));
  cJSON_AddNumberToObject(o, "bytes", (double)atomic_load(&s->bytes));
  return o;
}
