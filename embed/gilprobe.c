/* gilprobe — the pthread interposer and per-thread GIL counters; see
 * gilprobe.h for what is counted and the rules inside the wrappers.
 *
 * The real functions are resolved with dlvsym(RTLD_NEXT, name, version):
 * the cond functions must be the GLIBC_2.3.2 versions (the default-less
 * older version is a different, legacy implementation), pthread_mutex_lock
 * is GLIBC_2.2.5 and pthread_cond_clockwait GLIBC_2.30.
 */
#include "gilprobe.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define GP_MAX_GILS 64
#define GP_MAX_THREADS 1024

typedef int (*timedwait_fn)(pthread_cond_t *, pthread_mutex_t *,
                            const struct timespec *);
typedef int (*clockwait_fn)(pthread_cond_t *, pthread_mutex_t *, clockid_t,
                            const struct timespec *);
typedef int (*condwait_fn)(pthread_cond_t *, pthread_mutex_t *);
typedef int (*mutexlock_fn)(pthread_mutex_t *);

static _Atomic(timedwait_fn) real_timedwait;
static _Atomic(clockwait_fn) real_clockwait;
static _Atomic(condwait_fn) real_condwait;
static _Atomic(mutexlock_fn) real_mutexlock;

static internal_gil_view gils[GP_MAX_GILS];
static _Atomic int ngils;
/* Held while a GIL is added. Own-GIL subinterpreters add theirs from their
 * own threads at the same time: without it two of them took the same slot
 * and one GIL went unwatched (1 run in 7 with 2 workers on 3.12, seen in
 * the record's applied.workers[].gil_probe). A spin lock, not a mutex:
 * pthread_mutex_lock is one of this module's wrappers, and the section is
 * a few stores. */
static atomic_flag adding = ATOMIC_FLAG_INIT;
static _Atomic int enabled = 1;

typedef struct {
  gilprobe_counts c;
  uint64_t ep_start;    /* when this thread asked for the GIL's mutex */
  uint64_t ep_last_end; /* when its last timed wait on the cond returned */
  int ep_waited;        /* the pending take had to wait */
  /* Hold tracking (gilprobe_track_holds): a take seen and no drop since;
   * inside a timed wait on the cond now. Read by other threads. */
  _Atomic int taking, in_wait;
  int tid;
  /* Trace ring (gilprobe_trace_start): written by the owner only; head
   * counts events ever written; tail and the drop count are the reader's. */
  gilprobe_event *ring;
  _Atomic uint64_t head;
  uint64_t tail;
} gp_slot;

static gp_slot slots[GP_MAX_THREADS];
static _Atomic unsigned nslots;
static _Atomic uint64_t lost;
static __thread gp_slot *me;
static __thread int no_slot;
static void *(*_Atomic self_tstate_fn)(void);
static void (*_Atomic hook_fn)(void);

#define RUN_HOOK()                                                             \
  do {                                                                         \
    void (*h)(void) = atomic_load_explicit(&hook_fn, memory_order_relaxed);    \
    if (h)                                                                     \
      h();                                                                     \
  } while (0)
static _Atomic uint64_t trace_min_ns;
static _Atomic unsigned trace_cap; /* 0: not tracing */

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Idempotent: several threads may race here; they store the same values. */
static void resolve(void) {
  atomic_store_explicit(
      &real_timedwait,
      (timedwait_fn)dlvsym(RTLD_NEXT, "pthread_cond_timedwait", "GLIBC_2.3.2"),
      memory_order_relaxed);
  atomic_store_explicit(
      &real_clockwait,
      (clockwait_fn)dlvsym(RTLD_NEXT, "pthread_cond_clockwait", "GLIBC_2.30"),
      memory_order_relaxed);
  atomic_store_explicit(
      &real_condwait,
      (condwait_fn)dlvsym(RTLD_NEXT, "pthread_cond_wait", "GLIBC_2.3.2"),
      memory_order_relaxed);
  atomic_store_explicit(
      &real_mutexlock,
      (mutexlock_fn)dlvsym(RTLD_NEXT, "pthread_mutex_lock", "GLIBC_2.2.5"),
      memory_order_relaxed);
}

/* The real function behind one of the wrappers, resolved on first use (a
 * library's constructor may call it before gilprobe_init has run). */
#define REAL(ptr)                                                              \
  (atomic_load_explicit(&ptr, memory_order_relaxed)                            \
       ? atomic_load_explicit(&ptr, memory_order_relaxed)                      \
       : (resolve(), atomic_load_explicit(&ptr, memory_order_relaxed)))

/* A fork child keeps only the forking thread: it starts with no counters. */
static void atfork_child(void) {
  atomic_flag_clear(&adding); /* the thread that held it is not here */
  /* The rings stay mapped (the inherited copies are this process's own):
   * each slot starts empty and keeps its ring. */
  for (unsigned i = 0; i < GP_MAX_THREADS; i++) {
    gilprobe_event *ring = slots[i].ring;
    memset(&slots[i], 0, sizeof slots[i]);
    slots[i].ring = ring;
  }
  atomic_store(&nslots, 0);
  atomic_store(&lost, 0);
  me = NULL;
  no_slot = 0;
}

__attribute__((constructor)) static void gilprobe_init(void) {
  resolve();
  pthread_atfork(NULL, NULL, atfork_child);
}

/* The index of the watched GIL whose internal_gil_view member at `offset` (one
 * of cond, mutex, switch_cond) is p, or -1. */
static int find_gil(size_t offset, const void *p) {
  int n = atomic_load_explicit(&ngils, memory_order_acquire);
  for (int i = 0; i < n; i++)
    if (*(void *const *)((const char *)&gils[i] + offset) == p)
      return i;
  return -1;
}
#define FIND_GIL(field, p) find_gil(offsetof(internal_gil_view, field), (p))

static gp_slot *slot(void) {
  if (me || no_slot)
    return me;
  unsigned i = atomic_fetch_add_explicit(&nslots, 1, memory_order_relaxed);
  if (i >= GP_MAX_THREADS) {
    no_slot = 1;
    atomic_fetch_add_explicit(&lost, 1, memory_order_relaxed);
    return NULL;
  }
  me = &slots[i];
  me->tid = (int)syscall(SYS_gettid);
  unsigned cap = atomic_load_explicit(&trace_cap, memory_order_relaxed);
  if (cap && !me->ring) {
    void *p = mmap(NULL, cap * sizeof(gilprobe_event), PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    me->ring = p == MAP_FAILED ? NULL : p;
  }
  return me;
}

void gilprobe_emit(int kind, int arg, uint64_t start_ns, uint64_t dur_ns) {
  unsigned cap = atomic_load_explicit(&trace_cap, memory_order_relaxed);
  if (!cap)
    return;
  if ((kind == GILPROBE_EV_WAIT || kind == GILPROBE_EV_HOLD ||
       kind == GILPROBE_EV_PARK) &&
      dur_ns < atomic_load_explicit(&trace_min_ns, memory_order_relaxed))
    return;
  gp_slot *s = slot();
  if (!s || !s->ring)
    return;
  uint64_t h = atomic_load_explicit(&s->head, memory_order_relaxed);
  gilprobe_event *e = &s->ring[h & (cap - 1)];
  e->start_ns = start_ns;
  e->dur_ns = dur_ns;
  e->kind = kind;
  e->arg = arg;
  atomic_store_explicit(&s->head, h + 1, memory_order_release);
}

unsigned gilprobe_bucket(uint64_t ns) {
  if (ns < 1024)
    return 0;
  unsigned top = 63u - (unsigned)__builtin_clzll(ns); /* floor(log2 ns) */
  unsigned octave = top - 10;
  if (octave >= GILPROBE_OCTAVES)
    return GILPROBE_BUCKETS - 1;
  unsigned sub = (unsigned)(ns >> (top - 3)) & (GILPROBE_SUB - 1);
  return 1 + octave * GILPROBE_SUB + sub;
}

double gilprobe_bucket_upper(unsigned b) {
  if (b == 0)
    return 1024;
  unsigned octave = (b - 1) / GILPROBE_SUB, sub = (b - 1) % GILPROBE_SUB;
  double base = (double)(1ull << (octave + 10));
  return base + (sub + 1) * base / GILPROBE_SUB;
}

/* Closes the thread's pending take of the GIL: if it had to wait, that was
 * one contended acquisition. */
static void finish_episode(gp_slot *s) {
  if (s->ep_waited) {
    uint64_t lat = s->ep_last_end - s->ep_start;
    s->c.waits++;
    s->c.wait_ns += lat;
    s->c.hist[gilprobe_bucket(lat)]++;
    s->ep_waited = 0;
    gilprobe_emit(GILPROBE_EV_WAIT, 0, s->ep_start, lat);
  }
  s->ep_start = 0;
}

int pthread_mutex_lock(pthread_mutex_t *m) {
  mutexlock_fn real = REAL(real_mutexlock);
  if (!atomic_load_explicit(&enabled, memory_order_relaxed) ||
      FIND_GIL(mutex, m) < 0)
    return real(m);
  RUN_HOOK();
  gp_slot *s = slot();
  if (!s)
    return real(m);
  void *(*self)(void) =
      atomic_load_explicit(&self_tstate_fn, memory_order_relaxed);
  if (self) {
    int g = FIND_GIL(mutex, m);
    void *me_ts = self();
    if (me_ts && __atomic_load_n(gils[g].locked, __ATOMIC_RELAXED) == 1 &&
        __atomic_load_n((void **)gils[g].last_holder, __ATOMIC_RELAXED) ==
            me_ts) {
      /* A drop: the hold ends. */
      uint64_t t = now_ns();
      if (atomic_load_explicit(&s->taking, memory_order_relaxed)) {
        uint64_t from = s->ep_waited ? s->ep_last_end : s->ep_start;
        if (from && t > from) {
          s->c.held_ns += t - from;
          gilprobe_emit(GILPROBE_EV_HOLD, 0, from, t - from);
        }
      }
      finish_episode(s);
      atomic_store_explicit(&s->taking, 0, memory_order_relaxed);
      return real(m);
    }
  }
  finish_episode(s);
  s->ep_start = now_ns();
  atomic_store_explicit(&s->taking, 1, memory_order_relaxed);
  if (pthread_mutex_trylock(m) == 0)
    return 0;
  int rc = real(m);
  s->c.mutex_waits++;
  s->c.mutex_wait_ns += now_ns() - s->ep_start;
  return rc;
}

/* A timed wait on GIL g's cond, in two halves around the real call. The
 * caller holds the GIL's mutex, so the switch number read before and after
 * is stable against takers. */
typedef struct {
  gp_slot *s; /* NULL: not counted (no slot) */
  unsigned long saved_switch;
  uint64_t t0;
} wait_mark;

static wait_mark wait_begin(int g) {
  wait_mark w = {slot(), 0, 0};
  if (w.s) {
    w.saved_switch = *gils[g].switch_number;
    w.t0 = now_ns();
    atomic_store_explicit(&w.s->in_wait, 1, memory_order_relaxed);
  }
  return w;
}

static int wait_end(int g, const wait_mark *w, int rc) {
  gp_slot *s = w->s;
  if (!s)
    return rc;
  uint64_t t1 = now_ns();
  atomic_store_explicit(&s->in_wait, 0, memory_order_relaxed);
  s->c.cond_waits++;
  s->c.cond_wait_ns += t1 - w->t0;
  if (!s->ep_waited) {
    s->ep_waited = 1;
    if (s->ep_start == 0) /* no mutex request seen (probe just enabled) */
      s->ep_start = w->t0;
  }
  s->ep_last_end = t1;
  if (rc == ETIMEDOUT &&
      __atomic_load_n(gils[g].locked, __ATOMIC_RELAXED) == 1 &&
      *gils[g].switch_number == w->saved_switch) {
    s->c.drop_requests++;
    gilprobe_emit(GILPROBE_EV_DROP, 0, t1, 0);
  }
  return rc;
}

int pthread_cond_timedwait(pthread_cond_t *restrict c,
                           pthread_mutex_t *restrict m,
                           const struct timespec *restrict t) {
  timedwait_fn real = REAL(real_timedwait);
  int g;
  if (!atomic_load_explicit(&enabled, memory_order_relaxed) ||
      (g = FIND_GIL(cond, c)) < 0)
    return real(c, m, t);
  wait_mark w = wait_begin(g);
  return wait_end(g, &w, real(c, m, t));
}

int pthread_cond_clockwait(pthread_cond_t *c, pthread_mutex_t *m,
                           clockid_t clock, const struct timespec *t) {
  clockwait_fn real = REAL(real_clockwait);
  int g;
  if (!atomic_load_explicit(&enabled, memory_order_relaxed) ||
      (g = FIND_GIL(cond, c)) < 0)
    return real(c, m, clock, t);
  wait_mark w = wait_begin(g);
  return wait_end(g, &w, real(c, m, clock, t));
}

int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m) {
  condwait_fn real = REAL(real_condwait);
  gp_slot *s;
  if (!atomic_load_explicit(&enabled, memory_order_relaxed) ||
      FIND_GIL(switch_cond, c) < 0 || !(s = slot()))
    return real(c, m);
  uint64_t t0 = now_ns();
  int rc = real(c, m);
  s->c.switch_waits++;
  s->c.switch_wait_ns += now_ns() - t0;
  return rc;
}

int gilprobe__add(const internal_gil_view *v) {
  int rc = 0;
  while (atomic_flag_test_and_set_explicit(&adding, memory_order_acquire))
    ;
  int n = atomic_load(&ngils);
  for (int i = 0; i < n; i++)
    if (gils[i].gil == v->gil)
      goto out;
  if (n == GP_MAX_GILS) {
    rc = -1;
    goto out;
  }
  gils[n] = *v;
  atomic_store_explicit(&ngils, n + 1, memory_order_release);
out:
  atomic_flag_clear_explicit(&adding, memory_order_release);
  return rc;
}

int gilprobe__watching_gil(const void *gil) {
  int n = atomic_load_explicit(&ngils, memory_order_acquire);
  for (int i = 0; i < n; i++)
    if (gils[i].gil == gil)
      return 1;
  return 0;
}

int gilprobe_watched(void) {
  return atomic_load_explicit(&ngils, memory_order_acquire);
}

void gilprobe_set_enabled(int on) {
  atomic_store(&enabled, on);
}

int gilprobe_enabled(void) {
  return atomic_load_explicit(&enabled, memory_order_relaxed);
}

const internal_gil_view *gilprobe_main_gil(void) {
  return atomic_load_explicit(&ngils, memory_order_acquire) ? &gils[0] : NULL;
}

void gilprobe_thread_snapshot(gilprobe_counts *out) {
  gp_slot *s = me;
  if (!s) {
    memset(out, 0, sizeof *out);
    return;
  }
  finish_episode(s);
  *out = s->c;
}

void gilprobe_counts_sub(gilprobe_counts *a, const gilprobe_counts *b) {
  uint64_t *x = (uint64_t *)a;
  const uint64_t *y = (const uint64_t *)b;
  for (size_t i = 0; i < sizeof *a / sizeof(uint64_t); i++)
    x[i] -= y[i];
}

void gilprobe_counts_add(gilprobe_counts *a, const gilprobe_counts *b) {
  uint64_t *x = (uint64_t *)a;
  const uint64_t *y = (const uint64_t *)b;
  for (size_t i = 0; i < sizeof *a / sizeof(uint64_t); i++)
    x[i] += y[i];
}

double gilprobe_percentile(const gilprobe_counts *c, double q) {
  uint64_t total = 0;
  for (unsigned b = 0; b < GILPROBE_BUCKETS; b++)
    total += c->hist[b];
  if (total == 0)
    return 0;
  uint64_t rank = (uint64_t)(q * (double)total + 0.999999), seen = 0;
  if (rank == 0)
    rank = 1;
  for (unsigned b = 0; b < GILPROBE_BUCKETS; b++) {
    seen += c->hist[b];
    if (seen >= rank)
      return gilprobe_bucket_upper(b);
  }
  return gilprobe_bucket_upper(GILPROBE_BUCKETS - 1);
}

double gilprobe_max(const gilprobe_counts *c) {
  for (unsigned b = GILPROBE_BUCKETS; b-- > 0;)
    if (c->hist[b])
      return gilprobe_bucket_upper(b);
  return 0;
}

uint64_t gilprobe_lost(void) {
  return atomic_load(&lost);
}

int gilprobe_sample(void **holder) {
  const internal_gil_view *g = gilprobe_main_gil();
  if (!g)
    return -1;
  *holder = __atomic_load_n((void **)g->last_holder, __ATOMIC_RELAXED);
  return __atomic_load_n(g->locked, __ATOMIC_RELAXED) == 1;
}

void gilprobe_track_holds(void *(*self_tstate)(void)) {
  atomic_store(&self_tstate_fn, self_tstate);
}

void gilprobe_trace_start(uint64_t min_ns, unsigned capacity) {
  unsigned cap = 1;
  while (cap < capacity && cap < (1u << 24))
    cap <<= 1;
  atomic_store(&trace_min_ns, min_ns);
  atomic_store(&trace_cap, cap);
}

void gilprobe_park(uint64_t start_ns, uint64_t dur_ns) {
  if (!atomic_load_explicit(&enabled, memory_order_relaxed))
    return;
  RUN_HOOK();
  gp_slot *s = slot();
  if (!s)
    return;
  s->c.parks++;
  s->c.park_ns += dur_ns;
  s->c.park_hist[gilprobe_bucket(dur_ns)]++;
  gilprobe_emit(GILPROBE_EV_PARK, 0, start_ns, dur_ns);
}

int gilprobe_slots(void) {
  unsigned n = atomic_load_explicit(&nslots, memory_order_relaxed);
  return (int)(n < GP_MAX_THREADS ? n : GP_MAX_THREADS);
}

int gilprobe_slot_read(int i, int *tid, gilprobe_counts *out, uint64_t now) {
  if (i < 0 || i >= gilprobe_slots())
    return -1;
  gp_slot *s = &slots[i];
  *tid = s->tid;
  *out = s->c;
  /* A hold in progress: a take seen, no drop since, not waiting now. */
  if (atomic_load_explicit(&s->taking, memory_order_relaxed) &&
      !atomic_load_explicit(&s->in_wait, memory_order_relaxed) &&
      atomic_load_explicit(&self_tstate_fn, memory_order_relaxed)) {
    uint64_t from = s->ep_waited ? s->ep_last_end : s->ep_start;
    if (from && now > from)
      out->held_ns += now - from;
  }
  return 0;
}

size_t gilprobe_slot_drain(int i, gilprobe_event *buf, size_t max,
                           uint64_t *dropped) {
  unsigned cap = atomic_load_explicit(&trace_cap, memory_order_relaxed);
  if (i < 0 || i >= gilprobe_slots() || !cap || !slots[i].ring)
    return 0;
  gp_slot *s = &slots[i];
  uint64_t h = atomic_load_explicit(&s->head, memory_order_acquire);
  if (h - s->tail > cap) {
    *dropped += h - s->tail - cap;
    s->tail = h - cap;
  }
  size_t n = 0;
  uint64_t from = s->tail;
  while (s->tail < h && n < max)
    buf[n++] = s->ring[s->tail++ & (cap - 1)];
  /* The owner may have lapped the copy: events it overwrote meanwhile are
   * not trusted. */
  uint64_t h2 = atomic_load_explicit(&s->head, memory_order_acquire);
  if (h2 > cap && h2 - cap > from) {
    size_t bad = (size_t)(h2 - cap - from);
    if (bad > n)
      bad = n;
    memmove(buf, buf + bad, (n - bad) * sizeof *buf);
    n -= bad;
    *dropped += bad;
  }
  return n;
}

int gilprobe_gil_state(int g, unsigned long *switches, int *enabled_out) {
  if (g < 0 || g >= atomic_load_explicit(&ngils, memory_order_acquire))
    return -1;
  *switches = __atomic_load_n(gils[g].switch_number, __ATOMIC_RELAXED);
  *enabled_out =
      gils[g].enabled ? __atomic_load_n(gils[g].enabled, __ATOMIC_RELAXED) : -1;
  return 0;
}

void gilprobe_set_hook(void (*hook)(void)) {
  atomic_store(&hook_fn, hook);
}
