/* parkprobe — see parkprobe.h. The real functions come from
 * dlsym(RTLD_NEXT): on x86_64 glibc each has one implementation (the
 * GLIBC_2.34 and older version names point at the same code). */
#include "parkprobe.h"

#include "gilprobe.h"
#include "util.h"

#include <dlfcn.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <time.h>

typedef int (*semwait_fn)(sem_t *);
typedef int (*semtimed_fn)(sem_t *, const struct timespec *);
typedef int (*semclock_fn)(sem_t *, clockid_t, const struct timespec *);

static _Atomic(semwait_fn) real_wait;
static _Atomic(semtimed_fn) real_timed;
static _Atomic(semclock_fn) real_clock;
static _Atomic int enabled = 1;

void parkprobe_set_enabled(int on) {
  atomic_store(&enabled, on);
}

#define REAL(var, name, type)                                                  \
  (atomic_load_explicit(&var, memory_order_relaxed)                            \
       ? atomic_load_explicit(&var, memory_order_relaxed)                      \
       : (atomic_store(&var, (type)dlsym(RTLD_NEXT, name)),                    \
          atomic_load_explicit(&var, memory_order_relaxed)))

/* Times the wait `call` (which returns an int) if it blocks: counting
 * off, forward; the semaphore free (sem_trywait takes it), done; else time
 * the real wait and count it as a park. */
#define PARK(s, call)                                                          \
  do {                                                                         \
    if (!atomic_load_explicit(&enabled, memory_order_relaxed))                 \
      return call;                                                             \
    if (sem_trywait(s) == 0)                                                   \
      return 0;                                                                \
    uint64_t t0 = util_now_ns();                                               \
    int rc = call;                                                             \
    gilprobe_park(t0, util_now_ns() - t0);                                     \
    return rc;                                                                 \
  } while (0)

int sem_wait(sem_t *s) {
  semwait_fn real = REAL(real_wait, "sem_wait", semwait_fn);
  PARK(s, real(s));
}

int sem_timedwait(sem_t *s, const struct timespec *abs) {
  semtimed_fn real = REAL(real_timed, "sem_timedwait", semtimed_fn);
  PARK(s, real(s, abs));
}

int sem_clockwait(sem_t *s, clockid_t clock, const struct timespec *abs) {
  semclock_fn real = REAL(real_clock, "sem_clockwait", semclock_fn);
  PARK(s, real(s, clock, abs));
}
