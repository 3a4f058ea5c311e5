/* ipc.pipe, ipc.unix and ipc.shm, C twins of workloads/python/gillab_ipc.py
 * (raw bytes only: the object payload is Python's).
 *
 * Workers come in pairs: worker 2k produces, worker 2k+1 consumes. Pair p
 * moves ipc_messages(units, pairs, p, size) messages of the cell's size;
 * message seq carries seq and its send time (CLOCK_MONOTONIC ns) in its
 * first 16 bytes and tag(seq) in its last, and the consumer's answer is
 * the sum of seq + tag over what it received: the same as Python's.
 *
 *  - pipe: write(2) and read(2) on a pipe (64 KiB kernel buffer);
 *  - unix: a socketpair(AF_UNIX, SOCK_STREAM), the same calls;
 *  - shm: a ring of IPC_SLOTS slots in shared memory; the producer copies a
 *    message into the next free slot and publishes it by advancing head,
 *    the consumer copies it out and advances tail; each side sleeps on the
 *    other's counter with a futex when the ring is full or empty.
 *
 * Notes about the implementation: everything the two sides share (the
 * channel, the ring, each pair's figures and latency samples) lives in one
 * MAP_SHARED anonymous mapping made by begin, before the workers start, so
 * that forked native-procs workers see the same memory as native-threads
 * ones; a pair's figures are written by one side each (t_first, t_prod by
 * the producer; the rest by the consumer) and read by end after every
 * worker is done. head and tail are seq_cst atomics; a side that is about
 * to sleep raises its waiting flag and then re-reads the counter, and the
 * other side advances the counter and then reads the flag, so one of the
 * two always sees the other (no lost wake-up). The futexes are not
 * FUTEX_PRIVATE: the waiters may be in two processes.
 */
#include "lat.h"
#include "native.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#define IPC_SCALE 16384
#define IPC_SLOTS 4

typedef enum { IPC_PIPE, IPC_UNIX, IPC_SHM } ipc_kind;

static const char *const ipc_names[] = {
    "pipe(2): write and read",
    "socketpair(AF_UNIX, SOCK_STREAM): write and read",
    "shared memory (MAP_SHARED), a ring of 4 slots with a futex",
};

/* One pair's part of the shared mapping. */
typedef struct {
  int fds[2]; /* [0] the consumer's end, [1] the producer's (not shm) */
  uint64_t n; /* messages */
  uint64_t t_first, t_prod, t_cons; /* ns: first send, last send, last recv */
  uint64_t received, answer, size_seen;
  _Atomic uint32_t head, tail; /* shm: messages published, consumed */
  _Atomic uint32_t prod_waits, cons_waits;
  size_t lat_off;  /* this pair's latency samples: n of them, at lat_off */
  size_t ring_off; /* shm: IPC_SLOTS slots of msg_size bytes, at ring_off */
} ipc_pair;

static ipc_kind kind;
static unsigned npairs;
static uint64_t msg_size;
static unsigned char *region; /* the shared mapping */
static size_t region_len;

static uint64_t ipc_messages(uint64_t units, unsigned pairs, unsigned pair,
                             uint64_t size) {
  uint64_t share = units * (pair + 1) / pairs - units * pair / pairs;
  uint64_t n = share * IPC_SCALE / (IPC_SCALE + size);
  return n < 4 ? 4 : n;
}

static unsigned char tag(uint64_t seq) {
  return (unsigned char)(seq * 7 + 1);
}

static ipc_pair *pair_at(unsigned p) {
  return (ipc_pair *)region + p;
}

static long futex(_Atomic uint32_t *word, int op, uint32_t val) {
  return syscall(SYS_futex, (uint32_t *)word, op, val, NULL, NULL, 0);
}

static int write_all(int fd, const unsigned char *p, size_t n) {
  while (n) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

static int read_all(int fd, unsigned char *p, size_t n) {
  while (n) {
    ssize_t r = read(fd, p, n);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      return -1;
    p += r;
    n -= (size_t)r;
  }
  return 0;
}

/* shm: waits until *counter differs from seen (the other side moved),
 * sleeping on the futex with *waiting raised. Returns the new value. */
static uint32_t wait_change(_Atomic uint32_t *counter,
                            _Atomic uint32_t *waiting, uint32_t seen,
                            int (*done)(uint32_t now, uint32_t seen)) {
  uint32_t now = atomic_load(counter);
  while (!done(now, seen)) {
    atomic_store(waiting, 1);
    now = atomic_load(counter);
    if (!done(now, seen))
      futex(counter, FUTEX_WAIT, now);
    atomic_store(waiting, 0);
    now = atomic_load(counter);
  }
  return now;
}

/* The producer may write when the ring has a free slot: head - tail <
 * IPC_SLOTS, with head its own count (seen) and now the consumer's tail. */
static int ring_free(uint32_t tail, uint32_t head) {
  return head - tail < IPC_SLOTS;
}
/* The consumer may read when head (now) is past its own count (seen). */
static int ring_full(uint32_t head, uint32_t tail) {
  return head != tail;
}

static void advance(_Atomic uint32_t *counter, _Atomic uint32_t *their_wait) {
  atomic_fetch_add(counter, 1);
  if (atomic_load(their_wait))
    futex(counter, FUTEX_WAKE, 1);
}

static int produce(ipc_pair *pr, char *err, size_t errlen) {
  unsigned char *buf = malloc(msg_size);
  if (!buf) {
    snprintf(err, errlen, "out of memory");
    return -ENOMEM;
  }
  memset(buf, 'x', msg_size);
  unsigned char *ring = region + pr->ring_off;
  pr->t_first = util_now_ns();
  for (uint64_t seq = 0; seq < pr->n; seq++) {
    uint64_t t0 = util_now_ns();
    memcpy(buf, &seq, 8);
    memcpy(buf + 8, &t0, 8);
    buf[msg_size - 1] = tag(seq);
    if (kind == IPC_SHM) {
      uint32_t head = (uint32_t)seq;
      wait_change(&pr->tail, &pr->prod_waits, head, ring_free);
      memcpy(ring + (head % IPC_SLOTS) * msg_size, buf, msg_size);
      advance(&pr->head, &pr->cons_waits);
    } else if (write_all(pr->fds[1], buf, msg_size) < 0) {
      snprintf(err, errlen, "message %llu: write: %s", (unsigned long long)seq,
               strerror(errno));
      free(buf);
      return -EIO;
    }
  }
  pr->t_prod = util_now_ns();
  free(buf);
  return 0;
}

static int consume(ipc_pair *pr, char *err, size_t errlen) {
  unsigned char *buf = malloc(msg_size);
  uint64_t *lat = (uint64_t *)(region + pr->lat_off);
  unsigned char *ring = region + pr->ring_off;
  if (!buf) {
    snprintf(err, errlen, "out of memory");
    return -ENOMEM;
  }
  uint64_t answer = 0;
  for (uint64_t i = 0; i < pr->n; i++) {
    if (kind == IPC_SHM) {
      uint32_t tail = (uint32_t)i;
      wait_change(&pr->head, &pr->cons_waits, tail, ring_full);
      memcpy(buf, ring + (tail % IPC_SLOTS) * msg_size, msg_size);
      advance(&pr->tail, &pr->prod_waits);
    } else if (read_all(pr->fds[0], buf, msg_size) < 0) {
      snprintf(err, errlen, "message %llu: read: %s", (unsigned long long)i,
               errno ? strerror(errno) : "the producer's end closed");
      free(buf);
      return -EIO;
    }
    uint64_t seq, t;
    memcpy(&seq, buf, 8);
    memcpy(&t, buf + 8, 8);
    lat[i] = util_now_ns() - t;
    if (buf[msg_size - 1] != tag(seq)) {
      snprintf(err, errlen, "message %llu: tag %u, expected %u",
               (unsigned long long)seq, buf[msg_size - 1], tag(seq));
      free(buf);
      return -EIO;
    }
    answer += seq + buf[msg_size - 1];
  }
  pr->t_cons = util_now_ns();
  pr->received = pr->n;
  pr->answer = answer;
  pr->size_seen = msg_size;
  free(buf);
  return 0;
}

static int ipc_work(unsigned worker, unsigned nworkers, wl_result *out,
                    char *err, size_t errlen) {
  (void)nworkers;
  if (!region || worker / 2 >= npairs) {
    snprintf(err, errlen,
             "ipc: worker %u has no channel (an odd number of "
             "workers?)",
             worker);
    return -EINVAL;
  }
  ipc_pair *pr = pair_at(worker / 2);
  int rc = worker % 2 ? consume(pr, err, errlen) : produce(pr, err, errlen);
  out->ops = worker % 2 ? pr->n : 0;
  out->answer = worker % 2 ? pr->answer : 0;
  return rc;
}

int native_ipc_pipe(unsigned worker, unsigned nworkers, uint64_t units,
                    wl_result *out, char *err, size_t errlen) {
  (void)units;
  return ipc_work(worker, nworkers, out, err, errlen);
}

int native_ipc_unix(unsigned worker, unsigned nworkers, uint64_t units,
                    wl_result *out, char *err, size_t errlen) {
  (void)units;
  return ipc_work(worker, nworkers, out, err, errlen);
}

int native_ipc_shm(unsigned worker, unsigned nworkers, uint64_t units,
                   wl_result *out, char *err, size_t errlen) {
  (void)units;
  return ipc_work(worker, nworkers, out, err, errlen);
}

static void ipc_free(void) {
  for (unsigned p = 0; region && p < npairs; p++)
    for (int i = 0; i < 2; i++)
      if (pair_at(p)->fds[i] >= 0)
        close(pair_at(p)->fds[i]);
  if (region)
    munmap(region, region_len);
  region = NULL;
  npairs = 0;
}

/* The shared mapping: the pairs, then each pair's samples and ring. */
static int ipc_begin(ipc_kind k, const wl_ctx *ctx, char *err, size_t errlen) {
  kind = k;
  msg_size = ctx->msg_size;
  npairs = ctx->workers / 2;
  if (!ctx->payload || strcmp(ctx->payload, "bytes") != 0 || msg_size < 16 ||
      npairs == 0) {
    snprintf(err, errlen,
             "ipc: the C twins need raw bytes of 16 bytes or more and a "
             "pair of workers (payload %s, msg_size %llu, %u workers)",
             ctx->payload ? ctx->payload : "none", (unsigned long long)msg_size,
             ctx->workers);
    return -EINVAL;
  }
  size_t len = npairs * sizeof(ipc_pair);
  len = (len + 63) & ~(size_t)63;
  size_t lat_off[npairs], ring_off[npairs];
  for (unsigned p = 0; p < npairs; p++) {
    lat_off[p] = len;
    len += ipc_messages(ctx->units, npairs, p, msg_size) * sizeof(uint64_t);
    len = (len + 63) & ~(size_t)63;
    ring_off[p] = len;
    if (k == IPC_SHM)
      len += IPC_SLOTS * msg_size;
    len = (len + 63) & ~(size_t)63;
  }
  void *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                 -1, 0);
  if (m == MAP_FAILED) {
    snprintf(err, errlen, "ipc: cannot map %zu shared bytes: %s", len,
             strerror(errno));
    return -ENOMEM;
  }
  region = m;
  region_len = len;
  for (unsigned p = 0; p < npairs; p++) {
    ipc_pair *pr = pair_at(p);
    pr->fds[0] = pr->fds[1] = -1;
    pr->n = ipc_messages(ctx->units, npairs, p, msg_size);
    pr->lat_off = lat_off[p];
    pr->ring_off = ring_off[p];
    int rc = k == IPC_PIPE ? pipe2(pr->fds, O_CLOEXEC)
             : k == IPC_UNIX
                 ? socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pr->fds)
                 : 0;
    if (rc < 0) {
      snprintf(err, errlen, "ipc: cannot make the channel of pair %u: %s", p,
               strerror(errno));
      ipc_free();
      return -EIO;
    }
  }
  return 0;
}

static int pipe_begin(const wl_ctx *ctx, char *err, size_t errlen) {
  return ipc_begin(IPC_PIPE, ctx, err, errlen);
}
static int unix_begin(const wl_ctx *ctx, char *err, size_t errlen) {
  return ipc_begin(IPC_UNIX, ctx, err, errlen);
}
static int shm_begin(const wl_ctx *ctx, char *err, size_t errlen) {
  return ipc_begin(IPC_SHM, ctx, err, errlen);
}

/* "ipc", as gillab_ipc.end writes it: nothing pickled, so ser_s is 0 and
 * ser_share null. */
static void ipc_end(cJSON *out, double wall_s) {
  (void)wall_s;
  if (!region)
    return;
  uint64_t t_first = UINT64_MAX, t_last = 0, msgs = 0, sides = 0, seen = 0;
  int sizes_agree = 1;
  lat_samples all = {0};
  for (unsigned p = 0; p < npairs; p++) {
    const ipc_pair *pr = pair_at(p);
    if (!pr->received)
      continue;
    t_first = pr->t_first < t_first ? pr->t_first : t_first;
    t_last = pr->t_cons > t_last ? pr->t_cons : t_last;
    msgs += pr->received;
    sides += (pr->t_prod - pr->t_first) + (pr->t_cons - pr->t_first);
    sizes_agree &= !seen || seen == pr->size_seen;
    seen = pr->size_seen;
    const uint64_t *lat = (const uint64_t *)(region + pr->lat_off);
    for (uint64_t i = 0; i < pr->received; i++)
      lat_add(&all, lat[i]);
  }
  cJSON *o = cJSON_AddObjectToObject(out, "ipc");
  double span_s = msgs ? (double)(t_last - t_first) / 1e9 : 0;
  cJSON_AddStringToObject(o, "mechanism", ipc_names[kind]);
  if (msgs && sizes_agree)
    cJSON_AddNumberToObject(o, "msg_size", (double)seen);
  else
    cJSON_AddNullToObject(o, "msg_size");
  cJSON_AddStringToObject(o, "payload", "bytes");
  cJSON_AddNumberToObject(o, "pairs", npairs);
  cJSON_AddNumberToObject(o, "messages", (double)msgs);
  cJSON_AddNumberToObject(o, "bytes", (double)(msgs * msg_size));
  cJSON_AddNumberToObject(o, "wire_bytes_per_msg", (double)msg_size);
  cJSON_AddNumberToObject(o, "span_s", span_s);
  if (span_s > 0) {
    cJSON_AddNumberToObject(o, "bytes_per_s",
                            (double)(msgs * msg_size) / span_s);
    cJSON_AddNumberToObject(o, "msgs_per_s", (double)msgs / span_s);
  } else {
    cJSON_AddNullToObject(o, "bytes_per_s");
    cJSON_AddNullToObject(o, "msgs_per_s");
  }
  cJSON_AddBoolToObject(o, "pickles", 0);
  cJSON_AddNumberToObject(o, "ser_s", 0);
  cJSON_AddNumberToObject(o, "transport_s", (double)sides / 1e9);
  cJSON_AddNullToObject(o, "ser_share");
  cJSON *lat = cJSON_AddObjectToObject(o, "lat_us");
  lat_add_pcts(lat, &all);
  lat_clear(&all);
  ipc_free();
}

const wl_native_hooks native_ipc_pipe_hooks = {pipe_begin, ipc_end};
const wl_native_hooks native_ipc_unix_hooks = {unix_begin, ipc_end};
const wl_native_hooks native_ipc_shm_hooks = {shm_begin, ipc_end};
