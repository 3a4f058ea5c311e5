/* tstat — where a thread's time went, from the kernel's accounting:
 * on-CPU and run-queue wait from /proc/thread-self/schedstat, voluntary and
 * involuntary context switches from /proc/thread-self/status. The rest of a
 * span's wall time the thread was blocked (for a CPU-bound Python thread:
 * waiting for the GIL, which cross-checks the GIL probe). */
#ifndef GILLAB_TSTAT_H
#define GILLAB_TSTAT_H

#include <stdint.h>

typedef struct {
  uint64_t wall_ns; /* CLOCK_MONOTONIC when read */
  uint64_t cpu_ns;  /* time on a CPU */
  uint64_t runq_ns; /* time runnable, waiting for a CPU */
  uint64_t vcsw;    /* voluntary context switches (blocked) */
  uint64_t ivcsw;   /* involuntary ones (preempted) */
} tstat;

/* Reads the calling thread's counters. Returns 0, or -1 if /proc could not
 * be read (the fields then hold what could be read, others 0). */
int tstat_read(tstat *out);

/* The same for thread tid of this process (/proc/self/task/TID/...). */
int tstat_read_task(int tid, tstat *out);

#endif
