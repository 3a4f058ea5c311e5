/* os.switch, the C twin of workloads/python/os_switch.py: the hand-off
 * latency between two workers that take turns (ping-pong).
 *
 * The cell's workers pair up (2i serves, 2i + 1 returns; a lone last
 * worker plays against itself: the mechanism's cost without a hand-off).
 * Each mechanism gets an equal slice of `units` milliseconds, one after the
 * other; the server times every round trip:
 *   futex    one shared word; a side stores the turn's number and
 *            FUTEX_WAKEs, the other FUTEX_WAITs until it sees it (no
 *            spinning: every turn is an OS wake-up)
 *   condvar  a process-shared pthread mutex and condition variable, and a
 *            turn word
 *   pipe     two pipes, 8 bytes each way
 * native-threads runs all three, native-procs (the workers are forked
 * processes) the futex and the pipe. Placement (-p one-core, compact,
 * scatter) puts the two sides on one CPU or two.
 *
 * Notes about the implementation: the pairs' words, locks and samples live
 * in one MAP_SHARED region, and the pipes are made, by the begin hook
 * before the driver forks native-procs workers, so both kinds of worker
 * reach them. A pair's turn word is written by one side at a time (the one
 * whose turn it is); each server writes only its own samples; end reads
 * them after every worker has been joined or reaped.
 */
#include "lat.h"
#include "native.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SWITCH_MAX 200000 /* round trips per mechanism and pair */
#define SWITCH_STOP UINT32_MAX

enum { MECH_FUTEX, MECH_CONDVAR, MECH_PIPE, MECH_COUNT };
static const char *const mech_names[MECH_COUNT] = {"futex", "condvar", "pipe"};
static const char *const mech_api[MECH_COUNT] = {
    "a shared word: store the turn and FUTEX_WAKE, FUTEX_WAIT for the reply",
    "a process-shared pthread mutex and condition variable: signal the turn, "
    "wait for the reply",
    "write / read of 8 bytes on two pipes"};

typedef struct {
  _Atomic uint32_t word[MECH_COUNT]; /* futex; condvar's turn */
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int serve[2], back[2]; /* pipes: server -> returner, returner -> server */
  uint32_t n[MECH_COUNT], matched;
  int alone, ran[MECH_COUNT];
  uint64_t rtt[MECH_COUNT][SWITCH_MAX];
} pair;

static pair *pairs; /* MAP_SHARED, one per pair */
static unsigned npairs;
static pid_t runner; /* the runner's pid: a worker elsewhere was forked */

static void futex_wake(_Atomic uint32_t *w) {
  syscall(SYS_futex, (uint32_t *)w, FUTEX_WAKE, 1, NULL, NULL, 0);
}

/* Waits until *w == want (FUTEX_WAIT while it holds another value). */
static uint32_t futex_until(_Atomic uint32_t *w, uint32_t want, uint32_t stop) {
  for (;;) {
    uint32_t v = atomic_load(w);
    if (v == want || v == stop)
      return v;
    syscall(SYS_futex, (uint32_t *)w, FUTEX_WAIT, v, NULL, NULL, 0);
  }
}

static uint32_t cond_until(pair *p, uint32_t want, uint32_t stop) {
  pthread_mutex_lock(&p->mu);
  uint32_t v;
  while ((v = atomic_load(&p->word[MECH_CONDVAR])) != want && v != stop)
    pthread_cond_wait(&p->cv, &p->mu);
  pthread_mutex_unlock(&p->mu);
  return v;
}

static void cond_set(pair *p, uint32_t v) {
  pthread_mutex_lock(&p->mu);
  atomic_store(&p->word[MECH_CONDVAR], v);
  pthread_cond_broadcast(&p->cv);
  pthread_mutex_unlock(&p->mu);
}

static int fd_send(int fd, uint64_t v) {
  return write(fd, &v, sizeof v) == (ssize_t)sizeof v ? 0 : -1;
}

static int fd_recv(int fd, uint64_t *v) {
  size_t off = 0;
  while (off < sizeof *v) {
    ssize_t n = read(fd, (char *)v + off, sizeof *v - off);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return -1;
    off += (size_t)n;
  }
  return 0;
}

/* One turn of mechanism m as the server (or alone): sends turn i and
 * waits for its reply; 1 when it matched, 0 when not, -1 on error. The
 * turn words count 2i + 1 (served) and 2i + 2 (returned). */
static int serve_one(pair *p, int m, uint32_t i) {
  uint64_t v;
  switch (m) {
  case MECH_FUTEX:
    atomic_store(&p->word[m], 2 * i + 1);
    futex_wake(&p->word[m]);
    if (p->alone)
      return 1;
    return futex_until(&p->word[m], 2 * i + 2, SWITCH_STOP) == 2 * i + 2;
  case MECH_CONDVAR:
    cond_set(p, 2 * i + 1);
    if (p->alone)
      return 1;
    return cond_until(p, 2 * i + 2, SWITCH_STOP) == 2 * i + 2;
  default:
    if (fd_send(p->serve[1], i) < 0 ||
        fd_recv(p->alone ? p->serve[0] : p->back[0], &v) < 0)
      return -1;
    return v == i;
  }
}

static void serve_stop(pair *p, int m) {
  uint64_t v;
  switch (m) {
  case MECH_FUTEX:
    atomic_store(&p->word[m], SWITCH_STOP);
    futex_wake(&p->word[m]);
    break;
  case MECH_CONDVAR:
    cond_set(p, SWITCH_STOP);
    break;
  default:
    fd_send(p->serve[1], SWITCH_STOP);
    if (p->alone)
      fd_recv(p->serve[0], &v);
  }
}

/* The returner's side of mechanism m, until the server's stop. */
static int give_back(pair *p, int m) {
  for (uint32_t i = 0;; i++) {
    uint64_t v;
    switch (m) {
    case MECH_FUTEX:
      if (futex_until(&p->word[m], 2 * i + 1, SWITCH_STOP) == SWITCH_STOP)
        return 0;
      atomic_store(&p->word[m], 2 * i + 2);
      futex_wake(&p->word[m]);
      break;
    case MECH_CONDVAR:
      if (cond_until(p, 2 * i + 1, SWITCH_STOP) == SWITCH_STOP)
        return 0;
      cond_set(p, 2 * i + 2);
      break;
    default:
      if (fd_recv(p->serve[0], &v) < 0)
        return -1;
      if (v == SWITCH_STOP)
        return 0;
      if (fd_send(p->back[1], v) < 0)
        return -1;
    }
  }
}

int native_switch(unsigned worker, unsigned nworkers, uint64_t units,
                  wl_result *out, char *err, size_t errlen) {
  (void)nworkers;
  if (worker / 2 >= npairs) {
    snprintf(err, errlen, "os.switch: no pair for worker %u", worker);
    return -EINVAL;
  }
  pair *p = &pairs[worker / 2];
  int server = worker % 2 == 0;
  /* Worker processes (native-procs) share no address space but the
   * mapping: the condition variable is process-shared, yet a futex and a
   * pipe are what processes use; threads run all three. */
  int procs = getpid() != runner;
  uint64_t slice = units * 1000000ull / (procs ? 2 : MECH_COUNT);
  uint64_t done = 0;
  for (int m = 0; m < MECH_COUNT; m++) {
    if (procs && m == MECH_CONDVAR)
      continue;
    if (!server) {
      if (give_back(p, m) < 0) {
        snprintf(err, errlen, "os.switch %s: the pipe broke", mech_names[m]);
        return -EIO;
      }
      continue;
    }
    p->ran[m] = 1;
    uint64_t until = util_now_ns() + slice;
    uint32_t i = 0;
    for (; i < SWITCH_MAX; i++) {
      uint64_t t0 = util_now_ns();
      if (i > 0 && t0 >= until)
        break;
      int r = serve_one(p, m, i);
      if (r < 0) {
        snprintf(err, errlen, "os.switch %s: the pipe broke", mech_names[m]);
        return -EIO;
      }
      p->rtt[m][i] = util_now_ns() - t0;
      p->matched += (uint32_t)r;
    }
    p->n[m] = i;
    done += i;
    serve_stop(p, m);
  }
  out->ops = done;
  out->answer = server ? p->matched : 0;
  return 0;
}

static int switch_begin(const wl_ctx *ctx, char *err, size_t errlen) {
  unsigned n = (ctx->workers + 1) / 2;
  size_t len = (size_t)n * sizeof *pairs;
  pairs = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
               -1, 0);
  if (pairs == MAP_FAILED) {
    pairs = NULL;
    snprintf(err, errlen, "os.switch: cannot map %zu bytes: %s", len,
             strerror(errno));
    return -ENOMEM;
  }
  npairs = n;
  runner = getpid();
  for (unsigned i = 0; i < n; i++) {
    pair *p = &pairs[i];
    pthread_mutexattr_t ma;
    pthread_condattr_t ca;
    pthread_mutexattr_init(&ma);
    pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
    pthread_condattr_init(&ca);
    pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
    pthread_mutex_init(&p->mu, &ma);
    pthread_cond_init(&p->cv, &ca);
    pthread_mutexattr_destroy(&ma);
    pthread_condattr_destroy(&ca);
    p->alone = 2 * i + 1 >= ctx->workers;
    p->serve[0] = p->serve[1] = p->back[0] = p->back[1] = -1;
    if (pipe2(p->serve, O_CLOEXEC) < 0 || pipe2(p->back, O_CLOEXEC) < 0) {
      snprintf(err, errlen, "os.switch: pipe: %s", strerror(errno));
      return -errno;
    }
  }
  return 0;
}

/* The record's "switch", as os_switch.py's report. */
static void switch_end(cJSON *out, double wall_s) {
  (void)wall_s;
  if (!pairs)
    return;
  cJSON *sw = cJSON_AddObjectToObject(out, "switch");
  cJSON_AddStringToObject(sw, "partner",
                          pairs[0].alone ? "itself" : "another worker");
  cJSON *kinds = cJSON_AddArrayToObject(sw, "kinds");
  for (int m = 0; m < MECH_COUNT; m++) {
    lat_samples all = {0};
    int ran = 0;
    for (unsigned i = 0; i < npairs; i++) {
      ran |= pairs[i].ran[m];
      for (uint32_t k = 0; k < pairs[i].n[m]; k++)
        lat_add(&all, pairs[i].rtt[m][k]);
    }
    if (ran) {
      cJSON_AddItemToArray(kinds, cJSON_CreateString(mech_names[m]));
      cJSON *o = cJSON_AddObjectToObject(sw, mech_names[m]);
      cJSON_AddStringToObject(o, "api", mech_api[m]);
      cJSON_AddNumberToObject(o, "round_trips", (double)all.n);
      lat_add_pcts(cJSON_AddObjectToObject(o, "rtt_us"), &all);
    }
    lat_clear(&all);
  }
  for (unsigned i = 0; i < npairs; i++) {
    pair *p = &pairs[i];
    for (int k = 0; k < 2; k++) {
      if (p->serve[k] >= 0)
        close(p->serve[k]);
      if (p->back[k] >= 0)
        close(p->back[k]);
    }
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
  }
  munmap(pairs, (size_t)npairs * sizeof *pairs);
  pairs = NULL;
  npairs = 0;
}

const wl_native_hooks native_switch_hooks = {switch_begin, switch_end};
