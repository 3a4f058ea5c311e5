/* loadgen — see loadgen.h. */
#include "loadgen.h"

#include "place.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct {
  int fd;
  unsigned id;
  uint64_t seq;      /* the request in flight, or the next one */
  int in_flight;     /* a request was sent, its reply not complete */
  uint64_t due_ns;   /* open loop: when the next request is due */
  uint64_t start_ns; /* the request in flight: its latency's origin */
  char path[48];     /* its path, which a built-in handler echoes */
  size_t plen;
  char buf[LOADGEN_MAX_REPLY];
  size_t len;
  int served; /* got a 200 */
} conn;

typedef struct {
  const loadgen_opts *o;
  loadgen_result *r;
  conn *conns;
  int ep;
  int rc;
  char err[160];
} gen;

static void note_error(gen *g, const char *fmt, const char *detail) {
  if (!g->r->first_error[0])
    snprintf(g->r->first_error, sizeof g->r->first_error, fmt, detail);
}

int loadgen_bind_list(const char *set) {
  if (!set || !*set)
    return 0;
  cpu_set_t cs;
  CPU_ZERO(&cs);
  const char *p = set;
  while (*p) {
    char *end;
    long a = strtol(p, &end, 10), b = a;
    if (end == p || a < 0 || a >= CPU_SETSIZE)
      return -EINVAL;
    p = end;
    if (*p == '-') {
      b = strtol(p + 1, &end, 10);
      if (end == p + 1 || b < a || b >= CPU_SETSIZE)
        return -EINVAL;
      p = end;
    }
    for (long c = a; c <= b; c++)
      CPU_SET((int)c, &cs);
    if (*p == ',')
      p++;
    else if (*p)
      return -EINVAL;
  }
  return sched_setaffinity(0, sizeof cs, &cs) < 0 ? -errno : 0;
}

static int open_conn(gen *g, conn *c) {
  c->fd =
      socket(AF_INET, (g->o->udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
  if (c->fd < 0)
    return -errno;
  int one = 1;
  if (!g->o->udp)
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  struct sockaddr_in a = {.sin_family = AF_INET,
                          .sin_port = htons((uint16_t)g->o->port),
                          .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  /* A blocking connect: on loopback it completes once the SYN is in the
   * listener's backlog, whether or not the server has accepted yet (UDP:
   * it only fixes the peer). */
  if (connect(c->fd, (struct sockaddr *)&a, sizeof a) < 0) {
    int e = errno;
    close(c->fd);
    c->fd = -1;
    return -e;
  }
  struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
  if (epoll_ctl(g->ep, EPOLL_CTL_ADD, c->fd, &ev) < 0) {
    int e = errno;
    close(c->fd);
    c->fd = -1;
    return -e;
  }
  c->len = 0;
  c->in_flight = 0;
  return 0;
}

static void close_conn(gen *g, conn *c) {
  if (c->fd >= 0) {
    epoll_ctl(g->ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
  }
  c->fd = -1;
  c->in_flight = 0;
  c->len = 0;
}

/* Sends connection c's next request, whose latency counts from origin_ns. */
static void send_request(gen *g, conn *c, uint64_t origin_ns) {
  if (c->fd < 0 && open_conn(g, c) < 0) {
    g->r->conn_errors++;
    note_error(g, "%s", "connect to the server failed");
    return;
  }
  char req[128];
  c->plen = (size_t)snprintf(c->path, sizeof c->path, "/c%u/%llu", c->id,
                             (unsigned long long)c->seq);
  int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: gillab\r\n\r\n",
                   c->path);
  c->start_ns = origin_ns;
  ssize_t w = send(c->fd, req, (size_t)n, MSG_NOSIGNAL);
  if (w != n) { /* a fresh request is tiny: the buffer always has room */
    g->r->conn_errors++;
    note_error(g, "%s", "a request could not be sent (connection reset)");
    close_conn(g, c);
    return;
  }
  c->in_flight = 1;
}

/* Parses c->buf: 1 when one whole reply is there (its status and body
 * checked and counted), 0 when more bytes are needed, -1 when malformed. */
static int take_reply(gen *g, conn *c, uint64_t now) {
  char *head_end = memmem(c->buf, c->len, "\r\n\r\n", 4);
  if (!head_end)
    return c->len >= sizeof c->buf ? -1 : 0;
  size_t head = (size_t)(head_end - c->buf) + 4;
  int status;
  if (sscanf(c->buf, "HTTP/1.1 %d ", &status) != 1)
    return -1;
  long clen = -1;
  for (char *p = c->buf; p < head_end;) {
    char *eol = memmem(p, (size_t)(head_end + 2 - p), "\r\n", 2);
    if (!eol)
      break;
    if ((size_t)(eol - p) > 15 && strncasecmp(p, "Content-Length:", 15) == 0)
      clen = strtol(p + 15, NULL, 10);
    p = eol + 2;
  }
  if (clen < 0 || head + (size_t)clen > sizeof c->buf)
    return -1;
  if (c->len < head + (size_t)clen)
    return 0;
  loadgen_result *r = g->r;
  r->requests++;
  lat_add(&r->lat, now - c->start_ns);
  if (status != 200) {
    r->status_errors++;
    char s[16];
    snprintf(s, sizeof s, "%d", status);
    note_error(g, "the server answered status %s", s);
  } else if (g->o->check_body && ((size_t)clen != c->plen ||
                                  memcmp(c->buf + head, c->path, c->plen))) {
    r->bad_replies++;
    note_error(g, "the body of a reply is not its request's path (%s)",
               c->path);
  } else {
    r->ok++;
    c->served = 1;
  }
  /* One request in flight: nothing may follow the reply. */
  if (c->len != head + (size_t)clen)
    return -1;
  c->len = 0;
  c->in_flight = 0;
  c->seq++;
  return 1;
}

/* UDP: one datagram is one whole reply; a reply to a request that timed
 * out (nothing in flight, or the body of an earlier request) is stale and
 * dropped. */
static void on_datagram(gen *g, conn *c, uint64_t now) {
  ssize_t n = recv(c->fd, c->buf, sizeof c->buf, MSG_DONTWAIT);
  if (n < 0) {
    if (errno != EAGAIN && errno != EINTR) { /* ICMP: port unreachable */
      g->r->conn_errors++;
      note_error(g, "%s", "a datagram was refused (no server on the port)");
      c->in_flight = 0;
      c->seq++;
    }
    return;
  }
  if (!c->in_flight) {
    g->r->stale_replies++;
    return;
  }
  c->len = (size_t)n;
  if (g->o->check_body) {
    char *head = memmem(c->buf, c->len, "\r\n\r\n", 4);
    if (head && (size_t)(c->buf + c->len - (head + 4)) == c->plen &&
        memcmp(head + 4, c->path, c->plen) != 0 &&
        memmem(head + 4, c->plen, "/c", 2)) {
      g->r->stale_replies++; /* another request's reply */
      c->len = 0;
      return;
    }
  }
  if (take_reply(g, c, now) <= 0) {
    g->r->bad_replies++;
    note_error(g, "%s", "a malformed reply datagram");
    c->len = 0;
    c->in_flight = 0;
    c->seq++;
  }
}

static void on_readable(gen *g, conn *c, uint64_t now) {
  if (g->o->udp) {
    on_datagram(g, c, now);
    return;
  }
  ssize_t n = recv(c->fd, c->buf + c->len, sizeof c->buf - c->len, 0);
  if (n <= 0) {
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
      return;
    g->r->conn_errors++;
    note_error(g, "%s", "the server closed a connection");
    close_conn(g, c);
    return;
  }
  c->len += (size_t)n;
  int rc = take_reply(g, c, now);
  if (rc < 0) {
    g->r->bad_replies++;
    note_error(g, "%s", "a malformed reply");
    close_conn(g, c);
  }
}

static void *gen_main(void *arg) {
  gen *g = arg;
  const loadgen_opts *o = g->o;
  loadgen_result *r = g->r;
  int rc = loadgen_bind_list(o->cpuset);
  if (rc < 0) {
    g->rc = rc;
    snprintf(g->err, sizeof g->err, "load generator: cannot bind to '%s': %s",
             o->cpuset, strerror(-rc));
    return NULL;
  }
  place_affinity_self(r->bound, sizeof r->bound);
  unsigned nc = o->connections;
  for (unsigned i = 0; i < nc; i++)
    if (open_conn(g, &g->conns[i]) < 0)
      r->conn_errors++;
  uint64_t t0 = util_now_ns(), dur = (uint64_t)(o->duration_s * 1e9),
           tmo = (uint64_t)(o->timeout_s * 1e9);
  uint64_t end = t0 + dur;
  r->start_ns = t0;
  for (unsigned i = 0; i < nc; i++) {
    conn *c = &g->conns[i];
    c->due_ns = o->rate > 0 ? t0 + (uint64_t)(i * 1e9 / o->rate) : t0;
  }
  struct epoll_event evs[256];
  uint64_t spin = 0;
  for (;;) {
    uint64_t now = util_now_ns();
    if (now >= end)
      break;
    if ((spin++ & 63) == 0) {
      int cpu = sched_getcpu();
      if (cpu >= 0 && cpu < 64)
        r->cpus_seen |= 1ull << cpu;
    }
    /* Send what is due; the earliest future due time bounds the wait. */
    uint64_t next = end;
    for (unsigned i = 0; i < nc; i++) {
      conn *c = &g->conns[i];
      if (c->in_flight) {
        if (now - c->start_ns > tmo) {
          r->timeouts++;
          note_error(g, "%s", "a reply did not come within the timeout");
          if (o->udp)
            c->in_flight = 0; /* the same socket sends the next one */
          else
            close_conn(g, c);
          c->seq++;
        } else if (c->start_ns + tmo < next) {
          next = c->start_ns + tmo;
        }
        if (c->in_flight)
          continue;
      }
      if (o->rate <= 0) {
        send_request(g, c, now);
        if (c->in_flight)
          continue;
        if (now + 10000000 < next) /* retry a refused connect in 10 ms */
          next = now + 10000000;
      } else if (c->due_ns <= now) {
        if (now - c->due_ns > 1000000)
          r->late_sends++;
        send_request(g, c, c->due_ns);
        c->due_ns += (uint64_t)(nc * 1e9 / o->rate);
      } else if (c->due_ns < next) {
        next = c->due_ns;
      }
    }
    now = util_now_ns();
    int wait_ms = next > now ? (int)((next - now + 999999) / 1000000) : 0;
    int n = epoll_wait(g->ep, evs, 256, wait_ms);
    now = util_now_ns();
    for (int k = 0; k < n; k++) {
      conn *c = evs[k].data.ptr;
      if (c->fd >= 0 && (c->in_flight || o->udp))
        on_readable(g, c, now);
      else if (c->fd >= 0) { /* bytes nobody asked for */
        r->bad_replies++;
        note_error(g, "%s", "bytes arrived with no request in flight");
        close_conn(g, c);
      }
    }
  }
  r->wall_s = (double)(util_now_ns() - t0) / 1e9;
  for (unsigned i = 0; i < nc; i++) {
    r->in_flight_at_end += g->conns[i].in_flight;
    r->conns_served += g->conns[i].served;
    close_conn(g, &g->conns[i]);
  }
  return NULL;
}

int loadgen_run(const loadgen_opts *opts, loadgen_result *out, char *err,
                size_t errlen) {
  memset(out, 0, sizeof *out);
  if (opts->connections < 1 || opts->connections > LOADGEN_MAX_CONNECTIONS ||
      opts->port <= 0 || opts->duration_s <= 0 || opts->timeout_s <= 0 ||
      opts->rate < 0) {
    snprintf(err, errlen, "load generator: bad options");
    return -EINVAL;
  }
  gen g = {.o = opts, .r = out};
  g.conns = calloc(opts->connections, sizeof *g.conns);
  g.ep = epoll_create1(EPOLL_CLOEXEC);
  if (!g.conns || g.ep < 0) {
    free(g.conns);
    if (g.ep >= 0)
      close(g.ep);
    snprintf(err, errlen, "load generator: out of memory or descriptors");
    return -ENOMEM;
  }
  for (unsigned i = 0; i < opts->connections; i++) {
    g.conns[i].fd = -1;
    g.conns[i].id = i;
  }
  pthread_t t;
  int rc = pthread_create(&t, NULL, gen_main, &g);
  if (rc == 0)
    pthread_join(t, NULL);
  else
    snprintf(err, errlen, "load generator: no thread: %s", strerror(rc));
  if (rc == 0 && g.rc < 0) {
    rc = -g.rc;
    snprintf(err, errlen, "%s", g.err);
  }
  close(g.ep);
  free(g.conns);
  return -rc;
}

void loadgen_result_clear(loadgen_result *r) {
  lat_clear(&r->lat);
}

cJSON *loadgen_report(loadgen_result *r, const loadgen_opts *opts) {
  cJSON *o = cJSON_CreateObject();
  uint64_t errors =
      r->status_errors + r->bad_replies + r->timeouts + r->conn_errors;
  cJSON_AddStringToObject(
      o, "protocol",
      opts->udp ? "HTTP/1.1 GET in UDP datagrams, one request in flight per "
                  "socket, loopback"
                : "HTTP/1.1 GET, keep-alive, one request in flight per "
                  "connection, loopback TCP");
  cJSON_AddStringToObject(o, "loop", opts->rate > 0 ? "open" : "closed");
  if (opts->rate > 0)
    cJSON_AddNumberToObject(o, "rate", opts->rate);
  else
    cJSON_AddNullToObject(o, "rate");
  cJSON_AddNumberToObject(o, "connections", opts->connections);
  cJSON_AddNumberToObject(o, "duration_s", r->wall_s);
  cJSON_AddNumberToObject(o, "requests", (double)r->requests);
  cJSON_AddNumberToObject(o, "ok", (double)r->ok);
  cJSON_AddNumberToObject(o, "requests_per_s",
                          r->wall_s > 0 ? (double)r->ok / r->wall_s : 0);
  cJSON_AddNumberToObject(o, "errors", (double)errors);
  double tried = (double)(r->requests + r->timeouts + r->conn_errors);
  cJSON_AddNumberToObject(o, "error_rate", tried > 0 ? errors / tried : 0);
  cJSON_AddNumberToObject(o, "status_errors", (double)r->status_errors);
  cJSON_AddNumberToObject(o, "bad_replies", (double)r->bad_replies);
  cJSON_AddNumberToObject(o, "timeouts", (double)r->timeouts);
  cJSON_AddNumberToObject(o, "conn_errors", (double)r->conn_errors);
  cJSON_AddNumberToObject(o, "in_flight_at_end", (double)r->in_flight_at_end);
  cJSON_AddNumberToObject(o, "late_sends", (double)r->late_sends);
  cJSON_AddNumberToObject(o, "stale_replies", (double)r->stale_replies);
  cJSON_AddNumberToObject(o, "conns_served", r->conns_served);
  cJSON_AddBoolToObject(o, "body_checked", opts->check_body);
  cJSON_AddItemToObject(o, "latency_us", lat_summary(&r->lat));
  cJSON_AddItemToObject(o, "latency_hist", lat_hist(&r->lat));
  cJSON *gen = cJSON_AddObjectToObject(o, "generator");
  cJSON_AddStringToObject(gen, "bound", r->bound);
  cJSON *seen = cJSON_AddArrayToObject(gen, "cpus_seen");
  for (int i = 0; i < 64; i++)
    if (r->cpus_seen >> i & 1)
      cJSON_AddItemToArray(seen, cJSON_CreateNumber(i));
  if (r->first_error[0])
    cJSON_AddStringToObject(o, "first_error", r->first_error);
  else
    cJSON_AddNullToObject(o, "first_error");
  return o;
}
