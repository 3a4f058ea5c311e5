/* internal — what gillab reads of CPython's internal state, in the only
 * file compiled with Py_BUILD_CORE (internal.c), against the exact
 * runtime's internal headers: the runner checks Py_Version at start, and
 * every layout difference between versions is here, with the version.
 *
 * Where an interpreter's GIL is, as plain addresses.
 *
 * The GIL is a `struct _gil_runtime_state` (internal header pycore_gil.h):
 * interval, last_holder, locked, switch_number, cond, mutex, switch_cond,
 * switch_mutex; free-threaded builds put `enabled` first. 3.11 keeps one in
 * the runtime state (interp->runtime->ceval.gil); 3.12+ keep a pointer per
 * interpreter (interp->ceval.gil), so own-GIL subinterpreters have their
 * own. Only internal.c sees the layout (compiled with Py_BUILD_CORE
 * against the runtime's own internal headers); everything else uses this
 * view of addresses. last_holder is a PyThreadState pointer to compare, never
 * to dereference.
 */
#ifndef GILLAB_INTERNAL_H
#define GILLAB_INTERNAL_H

typedef struct {
  void *gil;          /* the struct itself */
  void *cond;         /* pthread_cond_t: waiters for the GIL */
  void *mutex;        /* pthread_mutex_t: guards the GIL's fields */
  void *switch_cond;  /* pthread_cond_t: FORCE_SWITCHING hand-off */
  void *switch_mutex; /* pthread_mutex_t */
  const int *locked;  /* 1 while held (read with relaxed atomic loads) */
  const unsigned long *switch_number; /* hand-offs so far */
  void *const *last_holder;           /* PyThreadState *, compare only */
  const int *enabled; /* free-threaded builds: 0 when disabled; else NULL */
  const unsigned long *interval; /* the switch interval, microseconds */
} internal_gil_view;

/* Fills *v for the GIL of interpreter interp (a PyInterpreterState *).
 * Returns 0, or -1 if the interpreter has no GIL yet. */
int internal_gil_locate(void *interp, internal_gil_view *v);

/* The calling thread's PyThreadState (it must hold the GIL or be attached),
 * as compared with *last_holder. */
void *internal_current_tstate(void);

/* sys.getswitchinterval() in microseconds (rounded), or -1 with no
 * exception set. The caller holds the GIL. */
long internal_switch_interval_us(void);

/* The main interpreter (PyInterpreterState_Main(); never &_PyRuntime, which
 * in a PIE host would make a copy relocation of the whole runtime). */
void *internal_main_interp(void);

/* Which PYTHONHASHSEED this process hashes with, told from the
 * hash secret in memory rather than from what the runner was asked for.
 *
 * At start CPython fills its str/bytes hash secret (_Py_HashSecret, 24
 * bytes) from the seed: zeros for seed 0; for any other fixed seed, bytes of
 * a linear congruential generator started at the seed (lcg_urandom in
 * Python/bootstrap_hash.c, 3.11 to 3.13, checked against each runtime of
 * this machine with ctypes); from the OS's random source without one. So the
 * secret says whether a given seed is in effect. 1 when this process's hash
 * secret is the one seed (0 .. 4294967295) gives, else 0. The interpreter must
 * have started. */
int internal_hashseed_in_effect(unsigned long seed);

#endif
