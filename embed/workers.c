/* workers — binding and tracking a cell's workers; see workers.h. */
#include "workers.h"

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

#define WK_MAX_CPUS 4096

typedef struct {
  char *set;          /* planned cpuset, "" = unbound */
  _Atomic pid_t tid;  /* 0 until the worker entered */
  _Atomic int active; /* between enter and leave */
  _Atomic uint64_t seen[WK_MAX_CPUS / 64];
} wk_slot;

static struct {
  place_topo *topo;
  unsigned n;
  wk_slot *slots;
  pthread_t sampler;
  int sampler_running;
  _Atomic int stop;
  unsigned period_us;
} wk;

static void mark_cpu(wk_slot *s, int cpu) {
  if (cpu >= 0 && cpu < WK_MAX_CPUS)
    atomic_fetch_or_explicit(&s->seen[cpu / 64], (uint64_t)1 << (cpu % 64),
                             memory_order_relaxed);
}

int wk_setup(place_topo *topo, unsigned n, char *const *sets, char *err,
             size_t errlen) {
  if (n == 0 || n > WK_MAX_WORKERS) {
    snprintf(err, errlen, "worker count %u out of range 1..%d", n,
             WK_MAX_WORKERS);
    return -EINVAL;
  }
  wk.slots = calloc(n, sizeof *wk.slots);
  if (!wk.slots)
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
  wk_teardown();
  snprintf(err, errlen, "out of memory for %u workers", n);
  return -ENOMEM;
}

int wk_enter(unsigned i, char *err, size_t errlen) {
  if (i >= wk.n) {
    snprintf(err, errlen, "worker %u entered, but the cell has %u workers", i,
             wk.n);
    return -EINVAL;
  }
  wk_slot *s = &wk.slots[i];
  int rc = place_bind_self(wk.topo, s->set, err, errlen);
  if (rc < 0)
    return rc;
  atomic_store_explicit(&s->active, 1, memory_order_relaxed);
  atomic_store_explicit(&s->tid, gettid(), memory_order_release);
  mark_cpu(s, sched_getcpu());
  return 0;
}

void wk_leave(unsigned i) {
  if (i >= wk.n)
    return;
  mark_cpu(&wk.slots[i], sched_getcpu());
  atomic_store_explicit(&wk.slots[i].active, 0, memory_order_relaxed);
}

static void *sampler_main(void *arg) {
  (void)arg;
  struct timespec period = {wk.period_us / 1000000,
                            (long)(wk.period_us % 1000000) * 1000};
  while (!atomic_load_explicit(&wk.stop, memory_order_relaxed)) {
    for (unsigned i = 0; i < wk.n; i++) {
      wk_slot *s = &wk.slots[i];
      pid_t tid = atomic_load_explicit(&s->tid, memory_order_acquire);
      if (tid && atomic_load_explicit(&s->active, memory_order_relaxed))
        mark_cpu(s, place_last_cpu(wk.topo, tid));
    }
    nanosleep(&period, NULL);
  }
  return NULL;
}

int wk_sampler_start(unsigned period_us) {
  wk.period_us = period_us ? period_us : 5000;
  atomic_store(&wk.stop, 0);
  int rc = pthread_create(&wk.sampler, NULL, sampler_main, NULL);
  if (rc)
    return -rc;
  wk.sampler_running = 1;
  return 0;
}

void wk_sampler_stop(void) {
  if (!wk.sampler_running)
    return;
  atomic_store(&wk.stop, 1);
  pthread_join(wk.sampler, NULL);
  wk.sampler_running = 0;
}

cJSON *wk_report(void) {
  cJSON *arr = cJSON_CreateArray();
  for (unsigned i = 0; arr && i < wk.n; i++) {
    wk_slot *s = &wk.slots[i];
    cJSON *w = cJSON_CreateObject(), *seen = cJSON_CreateArray();
    cJSON_AddItemToArray(arr, w);
    cJSON_AddNumberToObject(w, "worker", i);
    cJSON_AddNumberToObject(w, "tid", atomic_load(&s->tid));
    cJSON_AddStringToObject(w, "bound", s->set);
    for (int cpu = 0; cpu < WK_MAX_CPUS; cpu++)
      if (atomic_load_explicit(&s->seen[cpu / 64], memory_order_relaxed) &
          ((uint64_t)1 << (cpu % 64)))
        cJSON_AddItemToArray(seen, cJSON_CreateNumber(cpu));
    cJSON_AddItemToObject(w, "cpus_seen", seen);
  }
  return arr;
}

void wk_teardown(void) {
  wk_sampler_stop();
  for (unsigned i = 0; wk.slots && i < wk.n; i++)
    free(wk.slots[i].set);
  free(wk.slots);
  wk.slots = NULL;
  wk.n = 0;
}
