/* ptrack — every thread of a probed process, from its start to its end,
 * for the probe library: it defines pthread_create and starts each new
 * thread through a trampoline that notes its id and start time, and whose
 * thread-specific destructor (run at return and at pthread_exit alike)
 * notes its end and its last kernel counters (tstat), which /proc no longer
 * has once the thread is gone. Records are never freed; past PTRACK_MAX
 * threads, new ones are not tracked (ptrack_untracked counts them).
 */
#ifndef GILLAB_PTRACK_H
#define GILLAB_PTRACK_H

#include "tstat.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#define PTRACK_MAX 65536

typedef struct ptrack_thread {
  int tid;
  uint64_t start_ns;
  _Atomic uint64_t end_ns; /* 0 while the thread runs */
  tstat last;              /* its counters at the end (once end_ns is set) */
  struct ptrack_thread *next;
} ptrack_thread;

/* Starts tracking, with the calling (main) thread as the first record. */
void ptrack_init(uint64_t start_ns);
/* The records, newest first (a stable list: read it from any thread). */
ptrack_thread *ptrack_head(void);
/* Threads not tracked for want of room. */
uint64_t ptrack_untracked(void);
/* In a fork child: the only thread is the calling one, from now. */
void ptrack_atfork_child(uint64_t now_ns);
/* pthread_create itself, not tracked (the library's own thread). */
int ptrack_create_untracked(pthread_t *t, const pthread_attr_t *attr,
                            void *(*fn)(void *), void *arg);

#endif
