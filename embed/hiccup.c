/* hiccup — see hiccup.h. */
#include "hiccup.h"

#include "lat.h"
#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#define PERIOD_NS 1000000ull
#define MAX_CPUS 1024

static pthread_t thread;
static int running;
static atomic_int stop;
static lat_samples woke, late; /* the same index: one sleep */
static uint64_t cpus[MAX_CPUS / 64];

static void *sleeper(void *unused) {
  (void)unused;
  struct timespec period = {0, (long)PERIOD_NS};
  while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
    uint64_t t0 = util_now_ns();
    nanosleep(&period, NULL);
    uint64_t t1 = util_now_ns();
    int cpu = sched_getcpu();
    if (cpu >= 0 && cpu < MAX_CPUS)
      cpus[cpu / 64] |= 1ull << (cpu % 64);
    uint64_t d = t1 - t0;
    if (lat_add(&woke, t0) == 0 &&
        lat_add(&late, d > PERIOD_NS ? d - PERIOD_NS : 0) < 0)
      woke.n--; /* keep the two arrays in step */
  }
  return NULL;
}

int hiccup_start(void) {
  atomic_store(&stop, 0);
  int e = pthread_create(&thread, NULL, sleeper, NULL);
  if (e)
    return -e;
  running = 1;
  return 0;
}

void hiccup_stop(void) {
  if (!running)
    return;
  atomic_store(&stop, 1);
  pthread_join(thread, NULL);
  running = 0;
}

void hiccup_report(cJSON *obj, uint64_t t0_ns, uint64_t t1_ns) {
  lat_samples in = {0};
  for (size_t i = 0; i < woke.n; i++)
    if (woke.ns[i] >= t0_ns && woke.ns[i] <= t1_ns)
      lat_add(&in, late.ns[i]);
  cJSON_AddItemToObject(obj, "native_us", lat_summary(&in));
  cJSON *seen = cJSON_AddArrayToObject(obj, "native_cpus_seen");
  for (int c = 0; c < MAX_CPUS; c++)
    if (cpus[c / 64] & (1ull << (c % 64)))
      cJSON_AddItemToArray(seen, cJSON_CreateNumber(c));
  lat_clear(&in);
  lat_clear(&woke);
  lat_clear(&late);
}
