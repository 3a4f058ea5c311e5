/* workers — binding, tracking and accounting for a cell's workers; see
 * workers.h. */
#include "workers.h"

#include "coreuse.h"
#include "gilprobe.h"
#include "memuse.h"
#include "tstat.h"
#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define WORKERS_MAX_CPUS 4096
/* The sampler wakes every 2.5 to 7.5 ms (5 ms on average), at random: a
 * fixed period could lock onto the GIL's 5 ms switch interval and always see
 * the same phase of the hand-off cycle. The period does not depend on the
 * probe, so turning the probe on adds no wake-ups. */
#define WORKERS_TICK_MIN_US 2500
#define WORKERS_TICK_SPAN_US 5000
/* At most this many workers' CPUs are read per tick, round-robin: a read
 * of /proc/TID/stat costs ~3 us here, so 200 workers (io.sleep) read every
 * tick would cost the 2-core VM ~6 % of its time; capped, a worker is seen
 * every 7 ticks (~35 ms), plenty for where it ran, and the cost stays below
 * 1 %. */
#define WORKERS_SAMPLE_MAX 32

typedef struct {
  char *set;                   /* planned cpuset, "" = unbound */
  char cpus[WORKERS_CPUS_LEN]; /* read back after binding */
  _Atomic pid_t tid;           /* 0 until the worker entered */
  _Atomic int active;          /* between begin and leave */
  _Atomic int proc;            /* tid is a worker process's pid (adopted) */
  void *tstate;                /* its PyThreadState, NULL for native workers */
  tstat t0, t1;                /* at begin and leave */
  gilprobe_counts g0, g1;      /* GIL counters at begin and leave */
  uint64_t held;               /* GIL samples in which it was the holder */
  _Atomic uint64_t seen[WORKERS_MAX_CPUS / 64];
} workers_slot;

static struct {
  place_topo *topo;
  unsigned n;
  workers_slot *slots;
  pid_t *pids; /* the sampler's: the worker processes to read memory of */
  pthread_t sampler;
  int sampler_running;
  _Atomic int stop;
  int gil; /* sample the GIL (while the probe counts) */

  _Atomic unsigned begun, left;
  unsigned long switch0, switch1; /* GIL hand-offs at first begin, last leave */
  uint64_t samples, locked;       /* GIL samples while workers ran */
} wk;

static void mark_cpu(workers_slot *s, int cpu) {
  if (cpu >= 0 && cpu < WORKERS_MAX_CPUS)
    atomic_fetch_or_explicit(&s->seen[cpu / 64], (uint64_t)1 << (cpu % 64),
                             memory_order_relaxed);
}

static unsigned long gil_switches(void) {
  const internal_gil_view *g = gilprobe_main_gil();
  return g ? __atomic_load_n(g->switch_number, __ATOMIC_RELAXED) : 0;
}

int workers_setup(place_topo *topo, unsigned n, char *const *sets, char *err,
                  size_t errlen) {
  if (n == 0 || n > WORKERS_MAX_WORKERS) {
    snprintf(err, errlen, "worker count %u out of range 1..%d", n,
             WORKERS_MAX_WORKERS);
    return -EINVAL;
  }
  memset(&wk, 0, sizeof wk);
  coreuse_reset();
  memuse_reset(n);
  wk.slots = calloc(n, sizeof *wk.slots);
  wk.pids = calloc(n, sizeof *wk.pids);
  if (!wk.slots || !wk.pids)
    goto nomem;
  wk.n = n;
  wk.topo = topo;
  for (unsigned i = 0; i < n; i++) {
    wk.slots[i].set = strdup(sets && sets[i] ? sets[i] : "");
    if (!wk.slots[i].set)
      goto nomem;
  }
  return 0;
nomem:
  workers_teardown();
  snprintf(err, errlen, "out of memory for %u workers", n);
  return -ENOMEM;
}

int workers_enter(unsigned i, void *tstate, char *err, size_t errlen) {
  if (i >= wk.n) {
    snprintf(err, errlen, "worker %u entered, but the cell has %u workers", i,
             wk.n);
    return -EINVAL;
  }
  workers_slot *s = &wk.slots[i];
  int rc = place_bind_self(wk.topo, s->set, err, errlen);
  if (rc < 0)
    return rc;
  rc = place_affinity_self(s->cpus, sizeof s->cpus);
  if (rc < 0) {
    snprintf(err, errlen, "cannot read worker %u's CPUs back: %s", i,
             strerror(-rc));
    return rc;
  }
  s->tstate = tstate;
  atomic_store_explicit(&s->tid, gettid(), memory_order_release);
  mark_cpu(s, sched_getcpu());
  return 0;
}

void workers_begin(unsigned i) {
  if (i >= wk.n)
    return;
  workers_slot *s = &wk.slots[i];
  if (atomic_fetch_add(&wk.begun, 1) == 0) {
    coreuse_begin();
    memuse_begin();
    wk.switch0 = gil_switches();
  }
  gilprobe_thread_snapshot(&s->g0);
  tstat_read(&s->t0);
  atomic_store_explicit(&s->active, 1, memory_order_release);
}

void workers_leave(unsigned i) {
  if (i >= wk.n)
    return;
  workers_slot *s = &wk.slots[i];
  tstat_read(&s->t1);
  gilprobe_thread_snapshot(&s->g1);
  mark_cpu(s, sched_getcpu());
  atomic_store_explicit(&s->active, 0, memory_order_release);
  if (atomic_fetch_add(&wk.left, 1) + 1 == wk.n) {
    wk.switch1 = gil_switches();
    coreuse_end();
    /* One read of this process, after the work and before the driver
     * stops its clock (memuse.h). */
    memuse_end();
  }
}

const char *workers_set(unsigned i) {
  return i < wk.n ? wk.slots[i].set : "";
}

const char *workers_cpus(unsigned i) {
  return i < wk.n ? wk.slots[i].cpus : "";
}

void workers_adopt(unsigned i, pid_t pid) {
  if (i >= wk.n)
    return;
  workers_slot *s = &wk.slots[i];
  if (atomic_fetch_add(&wk.begun, 1) == 0) {
    coreuse_begin();
    memuse_begin();
  }
  atomic_store_explicit(&s->proc, 1, memory_order_relaxed);
  atomic_store_explicit(&s->tid, pid, memory_order_release);
  atomic_store_explicit(&s->active, 1, memory_order_release);
}

void workers_adopted_done(unsigned i, const tstat *t0, const tstat *t1,
                          int cpu0, int cpu1, const gilprobe_counts *gil,
                          const char *cpus) {
  if (i >= wk.n)
    return;
  workers_slot *s = &wk.slots[i];
  if (cpus)
    snprintf(s->cpus, sizeof s->cpus, "%s", cpus);
  s->t0 = *t0;
  s->t1 = *t1;
  memset(&s->g0, 0, sizeof s->g0);
  if (gil)
    s->g1 = *gil;
  mark_cpu(s, cpu0);
  mark_cpu(s, cpu1);
  atomic_store_explicit(&s->active, 0, memory_order_release);
  if (atomic_fetch_add(&wk.left, 1) + 1 == wk.n)
    coreuse_end();
}

/* One GIL sample, counted only while some worker is in its timed span. */
static void sample_gil(void) {
  int running = 0;
  for (unsigned i = 0; i < wk.n && !running; i++)
    running = atomic_load_explicit(&wk.slots[i].active, memory_order_acquire);
  void *holder;
  int locked;
  if (!running || (locked = gilprobe_sample(&holder)) < 0)
    return;
  wk.samples++;
  if (!locked)
    return;
  wk.locked++;
  for (unsigned i = 0; i < wk.n; i++)
    if (holder && wk.slots[i].tstate == holder) {
      wk.slots[i].held++;
      break;
    }
}

static void *sampler_main(void *arg) {
  (void)arg;
  uint64_t x = 0x9E3779B97F4A7C15ull ^ (uint64_t)gettid(); /* xorshift64 */
  unsigned next = 0; /* the next worker whose CPU to read */
  while (!atomic_load_explicit(&wk.stop, memory_order_relaxed)) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    struct timespec tick = {
        0, (long)(WORKERS_TICK_MIN_US + x % WORKERS_TICK_SPAN_US) * 1000};
    /* The probe can be switched on and off while the cell runs
     * (gillab_drive.overhead). */
    if (wk.gil && gilprobe_enabled())
      sample_gil();
    unsigned count = wk.n < WORKERS_SAMPLE_MAX ? wk.n : WORKERS_SAMPLE_MAX;
    for (unsigned k = 0; k < count; k++, next = (next + 1) % wk.n) {
      workers_slot *s = &wk.slots[next];
      pid_t tid = atomic_load_explicit(&s->tid, memory_order_acquire);
      if (tid && atomic_load_explicit(&s->active, memory_order_relaxed))
        mark_cpu(s, place_last_cpu(wk.topo, tid));
    }
    if (memuse_due(util_now_ns())) {
      for (unsigned i = 0; i < wk.n; i++) {
        workers_slot *s = &wk.slots[i];
        pid_t pid = atomic_load_explicit(&s->tid, memory_order_acquire);
        wk.pids[i] =
            atomic_load_explicit(&s->proc, memory_order_relaxed) &&
                    atomic_load_explicit(&s->active, memory_order_relaxed)
                ? pid
                : 0;
      }
      memuse_round(wk.pids, wk.n);
    }
    nanosleep(&tick, NULL);
  }
  return NULL;
}

int workers_sampler_start(int gil) {
  wk.gil = gil;
  atomic_store(&wk.stop, 0);
  int rc = pthread_create(&wk.sampler, NULL, sampler_main, NULL);
  if (rc)
    return -rc;
  wk.sampler_running = 1;
  return 0;
}

void workers_sampler_stop(void) {
  if (!wk.sampler_running)
    return;
  atomic_store(&wk.stop, 1);
  pthread_join(wk.sampler, NULL);
  wk.sampler_running = 0;
}

/* The time split of worker s over its span, into obj. */
static void add_time_split(cJSON *obj, const workers_slot *s) {
  double wall = (double)(s->t1.wall_ns - s->t0.wall_ns) / 1e9;
  double cpu = (double)(s->t1.cpu_ns - s->t0.cpu_ns) / 1e9;
  double runq = (double)(s->t1.runq_ns - s->t0.runq_ns) / 1e9;
  cJSON_AddNumberToObject(obj, "span_s", wall);
  cJSON_AddNumberToObject(obj, "cpu_s", cpu);
  cJSON_AddNumberToObject(obj, "runq_s", runq);
  cJSON_AddNumberToObject(obj, "blocked_s", wall - cpu - runq);
  cJSON_AddNumberToObject(obj, "vcsw", (double)(s->t1.vcsw - s->t0.vcsw));
  cJSON_AddNumberToObject(obj, "ivcsw", (double)(s->t1.ivcsw - s->t0.ivcsw));
}

cJSON *workers_report(void) {
  cJSON *arr = cJSON_CreateArray();
  for (unsigned i = 0; arr && i < wk.n; i++) {
    workers_slot *s = &wk.slots[i];
    cJSON *w = cJSON_CreateObject(), *seen = cJSON_CreateArray();
    cJSON_AddItemToArray(arr, w);
    cJSON_AddNumberToObject(w, "worker", i);
    cJSON_AddNumberToObject(w, "tid", atomic_load(&s->tid));
    cJSON_AddStringToObject(w, "bound", s->set);
    for (int cpu = 0; cpu < WORKERS_MAX_CPUS; cpu++)
      if (atomic_load_explicit(&s->seen[cpu / 64], memory_order_relaxed) &
          ((uint64_t)1 << (cpu % 64)))
        cJSON_AddItemToArray(seen, cJSON_CreateNumber(cpu));
    cJSON_AddItemToObject(w, "cpus_seen", seen);
    add_time_split(w, s);
  }
  return arr;
}

cJSON *workers_applied(void) {
  cJSON *arr = cJSON_CreateArray();
  for (unsigned i = 0; arr && i < wk.n; i++) {
    cJSON *w = cJSON_CreateObject();
    cJSON_AddItemToArray(arr, w);
    cJSON_AddNumberToObject(w, "worker", i);
    cJSON_AddStringToObject(w, "cpus", wk.slots[i].cpus);
    cJSON_AddNumberToObject(w, "warmup_s", 0);
  }
  return arr;
}

/* The time a thread could not run Python because of the GIL: waiting to
 * acquire it, and, after dropping it on request, waiting for the hand-off
 * to complete (FORCE_SWITCHING). */
static uint64_t blocked_by_gil(const gilprobe_counts *c) {
  return c->wait_ns + c->switch_wait_ns;
}

void workers_gil_report(cJSON *gil) {
  gilprobe_counts total, d;
  uint64_t spans = 0;
  memset(&total, 0, sizeof total);
  cJSON *per = cJSON_CreateArray();
  for (unsigned i = 0; i < wk.n; i++) {
    workers_slot *s = &wk.slots[i];
    d = s->g1;
    gilprobe_counts_sub(&d, &s->g0);
    spans += s->t1.wall_ns - s->t0.wall_ns;
    gilprobe_counts_add(&total, &d);
    cJSON *t = cJSON_CreateObject();
    cJSON_AddItemToArray(per, t);
    cJSON_AddNumberToObject(t, "tid", atomic_load(&s->tid));
    cJSON_AddNumberToObject(t, "wait_s", (double)blocked_by_gil(&d) / 1e9);
    cJSON_AddNumberToObject(t, "acq_wait_s", (double)d.wait_ns / 1e9);
    cJSON_AddNumberToObject(t, "waits", (double)d.waits);
    cJSON_AddNumberToObject(t, "drop_requests", (double)d.drop_requests);
    cJSON_AddNumberToObject(t, "held_frac",
                            wk.samples ? (double)s->held / wk.samples : 0);
    add_time_split(t, s);
  }
  cJSON_AddNumberToObject(gil, "wait_s", (double)blocked_by_gil(&total) / 1e9);
  cJSON_AddNumberToObject(gil, "acq_wait_s", (double)total.wait_ns / 1e9);
  cJSON_AddNumberToObject(gil, "wait_share",
                          spans ? (double)blocked_by_gil(&total) / (double)spans
                                : 0);
  cJSON_AddNumberToObject(gil, "waits", (double)total.waits);
  cJSON_AddNumberToObject(gil, "drop_requests", (double)total.drop_requests);
  cJSON_AddNumberToObject(gil, "switches", (double)(wk.switch1 - wk.switch0));
  cJSON_AddNumberToObject(gil, "held_frac",
                          wk.samples ? (double)wk.locked / wk.samples : 0);
  cJSON_AddNumberToObject(gil, "samples", (double)wk.samples);
  cJSON *acq = cJSON_AddObjectToObject(gil, "acq_us");
  cJSON_AddNumberToObject(acq, "p50", gilprobe_percentile(&total, 0.5) / 1e3);
  cJSON_AddNumberToObject(acq, "p90", gilprobe_percentile(&total, 0.9) / 1e3);
  cJSON_AddNumberToObject(acq, "p99", gilprobe_percentile(&total, 0.99) / 1e3);
  cJSON_AddNumberToObject(acq, "max", gilprobe_max(&total) / 1e3);
  /* The whole histogram, non-empty buckets only, as [upper edge in us,
   * count] pairs: what an acquisition-latency CDF in a report needs. */
  cJSON *hist = cJSON_AddArrayToObject(gil, "acq_hist");
  for (unsigned b = 0; b < GILPROBE_BUCKETS; b++) {
    if (!total.hist[b])
      continue;
    cJSON *pair = cJSON_CreateArray();
    cJSON_AddItemToArray(pair,
                         cJSON_CreateNumber(gilprobe_bucket_upper(b) / 1e3));
    cJSON_AddItemToArray(pair, cJSON_CreateNumber((double)total.hist[b]));
    cJSON_AddItemToArray(hist, pair);
  }
  cJSON_AddNumberToObject(gil, "cond_waits", (double)total.cond_waits);
  cJSON_AddNumberToObject(gil, "switch_waits", (double)total.switch_waits);
  cJSON_AddNumberToObject(gil, "switch_wait_s",
                          (double)total.switch_wait_ns / 1e9);
  cJSON_AddNumberToObject(gil, "mutex_waits", (double)total.mutex_waits);
  cJSON_AddNumberToObject(gil, "mutex_wait_s",
                          (double)total.mutex_wait_ns / 1e9);
  cJSON_AddNumberToObject(gil, "lost_threads", (double)gilprobe_lost());
  cJSON_AddItemToObject(gil, "per_thread", per);
}

void workers_teardown(void) {
  workers_sampler_stop();
  for (unsigned i = 0; wk.slots && i < wk.n; i++)
    free(wk.slots[i].set);
  free(wk.slots);
  free(wk.pids);
  wk.slots = NULL;
  wk.pids = NULL;
  wk.n = 0;
}
