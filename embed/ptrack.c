/* ptrack — see ptrack.h. */
#include "ptrack.h"

#include "util.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

typedef int (*create_fn)(pthread_t *, const pthread_attr_t *, void *(*)(void *),
                         void *);

static _Atomic(create_fn) real_create;
static _Atomic(ptrack_thread *) head;
static _Atomic unsigned count;
static _Atomic uint64_t untracked;
static pthread_key_t key;
static _Atomic int ready;

static create_fn real(void) {
  create_fn f = atomic_load_explicit(&real_create, memory_order_relaxed);
  if (!f) {
    f = (create_fn)dlsym(RTLD_NEXT, "pthread_create");
    atomic_store(&real_create, f);
  }
  return f;
}

static void push(ptrack_thread *r) {
  ptrack_thread *old = atomic_load(&head);
  do
    r->next = old;
  while (!atomic_compare_exchange_weak(&head, &old, r));
}

static ptrack_thread *record(int tid, uint64_t start) {
  if (atomic_fetch_add(&count, 1) >= PTRACK_MAX) {
    atomic_fetch_add(&untracked, 1);
    return NULL;
  }
  ptrack_thread *r = calloc(1, sizeof *r);
  if (!r) {
    atomic_fetch_add(&untracked, 1);
    return NULL;
  }
  r->tid = tid;
  r->start_ns = start;
  return r;
}

/* At the thread's end (return or pthread_exit). */
static void ended(void *p) {
  ptrack_thread *r = p;
  tstat_read(&r->last);
  atomic_store(&r->end_ns, util_now_ns());
}

void ptrack_init(uint64_t start_ns) {
  pthread_key_create(&key, ended);
  ptrack_thread *r = record(getpid(), start_ns);
  if (r)
    push(r);
  atomic_store(&ready, 1);
}

ptrack_thread *ptrack_head(void) {
  return atomic_load(&head);
}

uint64_t ptrack_untracked(void) {
  return atomic_load(&untracked);
}

void ptrack_atfork_child(uint64_t now_ns) {
  /* The parent's records stay allocated but out of the list. */
  atomic_store(&head, NULL);
  atomic_store(&count, 0);
  atomic_store(&untracked, 0);
  ptrack_thread *r = record((int)syscall(SYS_gettid), now_ns);
  if (r) {
    push(r);
    pthread_setspecific(key, NULL); /* the main thread of the child */
  }
}

typedef struct {
  void *(*fn)(void *);
  void *arg;
} tramp;

static void *start(void *p) {
  tramp t = *(tramp *)p;
  free(p);
  ptrack_thread *r = record((int)syscall(SYS_gettid), util_now_ns());
  if (r) {
    push(r);
    pthread_setspecific(key, r);
  }
  return t.fn(t.arg);
}

int pthread_create(pthread_t *t, const pthread_attr_t *attr,
                   void *(*fn)(void *), void *arg) {
  tramp *tr;
  if (!atomic_load(&ready) || !(tr = malloc(sizeof *tr)))
    return real()(t, attr, fn, arg);
  tr->fn = fn;
  tr->arg = arg;
  int rc = real()(t, attr, start, tr);
  if (rc != 0)
    free(tr);
  return rc;
}

int ptrack_create_untracked(pthread_t *t, const pthread_attr_t *attr,
                            void *(*fn)(void *), void *arg) {
  return real()(t, attr, fn, arg);
}
