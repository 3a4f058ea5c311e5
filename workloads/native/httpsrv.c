/* httpsrv — see httpsrv.h. */
#include "httpsrv.h"

#include "loadgen.h"
#include "place.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
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
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define HTTPSRV_MAX_THREADS 256
#define HTTPSRV_REQ_MAX 4096
#define HTTPSRV_HASH_BYTES 65536

enum { H_NONE, H_CPU, H_HASH, H_SLEEP };

typedef struct {
  int fd;
  size_t len;
  char buf[HTTPSRV_REQ_MAX];
} hconn;

typedef struct {
  struct httpsrv *s;
  unsigned i;
  int listen_fd, ep;
  pthread_t thread;
  int started;
  _Atomic pid_t tid;
  char set[64];
  char bound[256];
  _Atomic uint64_t cpus, conns, requests;
} hthread;

struct httpsrv {
  int port, stop_fd, handler;
  unsigned handler_us, n;
  int udp;
  uint64_t cpu_loops;
  _Atomic uint64_t sink; /* keeps the loop's result alive */
  httpsrv_thread_fn on_thread;
  void *arg;
  unsigned char *hash_buf;
  hthread t[HTTPSRV_MAX_THREADS];
};

/* us microseconds of this thread's CPU time (CLOCK_THREAD_CPUTIME_ID, not
 * the wall clock): the same CPU cost per request as the Python cpu
 * handler's loop, calibrated to us microseconds alone, however often the
 * thread is preempted meanwhile (by the generator, on two CPUs). */
static void spin_us(unsigned us) {
  struct timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  uint64_t end = (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec +
                 (uint64_t)us * 1000;
  for (;;) {
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    if ((uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec >= end)
      break;
  }
}

static void handle(struct httpsrv *s) {
  switch (s->handler) {
  case H_CPU:
    if (s->cpu_loops) { /* net_serve.py's _cpu_loop, in C */
      uint64_t x = 0;
      for (uint64_t i = 0; i < s->cpu_loops; i++)
        x = (x + i * i) % 1000003;
      atomic_store_explicit(&s->sink, x, memory_order_relaxed);
    } else {
      spin_us(s->handler_us);
    }
    break;
  case H_SLEEP: {
    struct timespec ts = {s->handler_us / 1000000,
                          (long)(s->handler_us % 1000000) * 1000};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
      ;
    break;
  }
  case H_HASH: {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned mdlen;
    EVP_Digest(s->hash_buf, HTTPSRV_HASH_BYTES, md, &mdlen, EVP_sha256(), NULL);
    break;
  }
  default:
    break;
  }
}

/* Answers every whole request in c->buf; -1 when the peer is gone or the
 * request is malformed (the connection is then closed). */
static int serve(hthread *t, hconn *c) {
  for (;;) {
    char *end = memmem(c->buf, c->len, "\r\n\r\n", 4);
    if (!end)
      return c->len >= sizeof c->buf ? -1 : 0;
    size_t used = (size_t)(end - c->buf) + 4;
    char *sp1 = memchr(c->buf, ' ', used), *sp2;
    if (!sp1 || strncmp(c->buf, "GET ", 4) != 0 ||
        !(sp2 = memchr(sp1 + 1, ' ', used - (size_t)(sp1 + 1 - c->buf))))
      return -1;
    size_t plen = (size_t)(sp2 - sp1 - 1);
    handle(t->s);
    char out[HTTPSRV_REQ_MAX + 128];
    int h = snprintf(out, sizeof out,
                     "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", plen);
    memcpy(out + h, sp1 + 1, plen);
    size_t left = (size_t)h + plen;
    /* Counted before the reply leaves, so that a report taken once the
     * client has its replies counts every one of them. */
    atomic_fetch_add_explicit(&t->requests, 1, memory_order_relaxed);
    const char *p = out;
    while (left) {
      ssize_t w = send(c->fd, p, left, MSG_NOSIGNAL);
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0 && errno == EAGAIN) { /* a tiny reply: wait for room */
        sched_yield();
        continue;
      }
      if (w <= 0)
        return -1;
      p += w;
      left -= (size_t)w;
    }
    memmove(c->buf, c->buf + used, c->len - used);
    c->len -= used;
  }
}

/* Answers every request datagram waiting on the thread's UDP socket. */
static void serve_datagrams(hthread *t) {
  char in[HTTPSRV_REQ_MAX], out[HTTPSRV_REQ_MAX + 128];
  for (;;) {
    struct sockaddr_storage from;
    socklen_t flen = sizeof from;
    ssize_t n = recvfrom(t->listen_fd, in, sizeof in, 0,
                         (struct sockaddr *)&from, &flen);
    if (n <= 0)
      return;
    char *sp1 = memchr(in, ' ', (size_t)n), *sp2;
    if (!sp1 || strncmp(in, "GET ", 4) != 0 ||
        !(sp2 = memchr(sp1 + 1, ' ', (size_t)n - (size_t)(sp1 + 1 - in))))
      continue;
    size_t plen = (size_t)(sp2 - sp1 - 1);
    handle(t->s);
    int h = snprintf(out, sizeof out,
                     "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", plen);
    memcpy(out + h, sp1 + 1, plen);
    atomic_fetch_add_explicit(&t->requests, 1, memory_order_relaxed);
    sendto(t->listen_fd, out, (size_t)h + plen, 0, (struct sockaddr *)&from,
           flen);
  }
}

static void *thread_main(void *arg) {
  hthread *t = arg;
  atomic_store(&t->tid, (pid_t)syscall(SYS_gettid));
  if (t->s->on_thread)
    t->s->on_thread(t->i, 1, t->s->arg);
  loadgen_bind_list(t->set);
  place_affinity_self(t->bound, sizeof t->bound);
  struct epoll_event evs[64];
  for (;;) {
    int n = epoll_wait(t->ep, evs, 64, -1);
    int cpu = sched_getcpu();
    if (cpu >= 0 && cpu < 64)
      atomic_fetch_or_explicit(&t->cpus, 1ull << cpu, memory_order_relaxed);
    for (int k = 0; k < n; k++) {
      void *ptr = evs[k].data.ptr;
      if (ptr == NULL) { /* the stop eventfd */
        if (t->s->on_thread)
          t->s->on_thread(t->i, 0, t->s->arg);
        return NULL;
      }
      if (ptr == t && t->s->udp) {
        serve_datagrams(t);
        continue;
      }
      if (ptr == t) {
        int fd =
            accept4(t->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
          continue;
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        hconn *c = calloc(1, sizeof *c);
        if (!c) {
          close(fd);
          continue;
        }
        c->fd = fd;
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        if (epoll_ctl(t->ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
          close(fd);
          free(c);
          continue;
        }
        atomic_fetch_add_explicit(&t->conns, 1, memory_order_relaxed);
        continue;
      }
      hconn *c = ptr;
      ssize_t r = recv(c->fd, c->buf + c->len, sizeof c->buf - c->len, 0);
      if (r < 0 && (errno == EAGAIN || errno == EINTR))
        continue;
      if (r > 0)
        c->len += (size_t)r;
      if (r <= 0 || serve(t, c) < 0) {
        epoll_ctl(t->ep, EPOLL_CTL_DEL, c->fd, NULL);
        close(c->fd);
        free(c);
      }
    }
  }
}

static int listener(int port, int *out_port, int udp) {
  int fd = socket(
      AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC,
      0);
  if (fd < 0)
    return -errno;
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {.sin_family = AF_INET,
                          .sin_port = htons((uint16_t)port),
                          .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t alen = sizeof a;
  if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 ||
      (!udp && listen(fd, 4096) < 0) ||
      getsockname(fd, (struct sockaddr *)&a, &alen) < 0) {
    int e = errno;
    close(fd);
    return -e;
  }
  *out_port = ntohs(a.sin_port);
  return fd;
}

int httpsrv_start(httpsrv **out, unsigned nthreads, char *const *sets,
                  const char *handler, unsigned handler_us, uint64_t cpu_loops,
                  int udp, httpsrv_thread_fn on_thread, void *arg, char *err,
                  size_t errlen) {
  *out = NULL;
  int h = strcmp(handler, "none") == 0    ? H_NONE
          : strcmp(handler, "cpu") == 0   ? H_CPU
          : strcmp(handler, "hash") == 0  ? H_HASH
          : strcmp(handler, "sleep") == 0 ? H_SLEEP
                                          : -1;
  if (h < 0 || nthreads < 1 || nthreads > HTTPSRV_MAX_THREADS) {
    snprintf(err, errlen,
             "the C twin of net.serve has the handlers none, cpu, hash and "
             "sleep and 1 to %d threads, not %s with %u",
             HTTPSRV_MAX_THREADS, handler, nthreads);
    return -EINVAL;
  }
  httpsrv *s = calloc(1, sizeof *s);
  if (!s) {
    snprintf(err, errlen, "out of memory");
    return -ENOMEM;
  }
  s->handler = h;
  s->handler_us = handler_us;
  s->cpu_loops = cpu_loops;
  s->udp = udp;
  s->n = nthreads;
  s->on_thread = on_thread;
  s->arg = arg;
  s->hash_buf = malloc(HTTPSRV_HASH_BYTES);
  s->stop_fd = eventfd(0, EFD_CLOEXEC);
  int rc = 0;
  if (!s->hash_buf || s->stop_fd < 0) {
    rc = -ENOMEM;
    snprintf(err, errlen, "out of memory or descriptors");
    goto fail;
  }
  for (size_t i = 0; i < HTTPSRV_HASH_BYTES; i++)
    s->hash_buf[i] = (unsigned char)(i * 131 + 7);
  for (unsigned i = 0; i < nthreads; i++) {
    hthread *t = &s->t[i];
    t->s = s;
    t->i = i;
    t->ep = -1;
    snprintf(t->set, sizeof t->set, "%s", sets && sets[i] ? sets[i] : "");
    t->listen_fd = listener(s->port, &s->port, udp);
    if (t->listen_fd < 0) {
      rc = t->listen_fd;
      snprintf(err, errlen, "C server: cannot listen: %s", strerror(-rc));
      goto fail;
    }
    t->ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = t};
    struct epoll_event stop = {.events = EPOLLIN, .data.ptr = NULL};
    if (t->ep < 0 || epoll_ctl(t->ep, EPOLL_CTL_ADD, t->listen_fd, &ev) < 0 ||
        epoll_ctl(t->ep, EPOLL_CTL_ADD, s->stop_fd, &stop) < 0) {
      rc = -errno;
      snprintf(err, errlen, "C server: epoll: %s", strerror(-rc));
      goto fail;
    }
    int e = pthread_create(&t->thread, NULL, thread_main, t);
    if (e) {
      rc = -e;
      snprintf(err, errlen, "C server: no thread: %s", strerror(e));
      goto fail;
    }
    t->started = 1;
  }
  *out = s;
  return 0;
fail:
  httpsrv_stop(s);
  return rc;
}

int httpsrv_port(const httpsrv *s) {
  return s->port;
}

void httpsrv_stop(httpsrv *s) {
  if (!s)
    return;
  uint64_t one = 1;
  if (s->stop_fd >= 0 && write(s->stop_fd, &one, sizeof one) < 0)
    perror("httpsrv: eventfd");
  for (unsigned i = 0; i < s->n; i++) {
    hthread *t = &s->t[i];
    if (t->started)
      pthread_join(t->thread, NULL);
    if (t->listen_fd > 0)
      close(t->listen_fd);
    if (t->ep >= 0)
      close(t->ep);
  }
  /* Connections still open are closed with the process; the cell ends. */
  if (s->stop_fd >= 0)
    close(s->stop_fd);
  free(s->hash_buf);
  free(s);
}

cJSON *httpsrv_report(httpsrv *s) {
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "server", "c-epoll");
  cJSON *arr = cJSON_AddArrayToObject(o, "threads");
  uint64_t conns = 0, reqs = 0;
  for (unsigned i = 0; i < s->n; i++) {
    hthread *t = &s->t[i];
    cJSON *j = cJSON_CreateObject();
    cJSON_AddNumberToObject(j, "thread", i);
    cJSON_AddNumberToObject(j, "tid", atomic_load(&t->tid));
    cJSON_AddStringToObject(j, "bound", t->bound);
    cJSON *seen = cJSON_AddArrayToObject(j, "cpus_seen");
    uint64_t cpus = atomic_load(&t->cpus);
    for (int c = 0; c < 64; c++)
      if (cpus >> c & 1)
        cJSON_AddItemToArray(seen, cJSON_CreateNumber(c));
    uint64_t cn = atomic_load(&t->conns), rq = atomic_load(&t->requests);
    cJSON_AddNumberToObject(j, "conns", (double)cn);
    cJSON_AddNumberToObject(j, "requests", (double)rq);
    conns += cn;
    reqs += rq;
    cJSON_AddItemToArray(arr, j);
  }
  cJSON_AddNumberToObject(o, "conns", (double)conns);
  cJSON_AddNumberToObject(o, "requests", (double)reqs);
  return o;
}
