/* gil_locate — where an interpreter's GIL is, as plain addresses.
 *
 * The GIL is a `struct _gil_runtime_state` (internal header pycore_gil.h):
 * interval, last_holder, locked, switch_number, cond, mutex, switch_cond,
 * switch_mutex; free-threaded builds put `enabled` first. 3.11 keeps one in
 * the runtime state (interp->runtime->ceval.gil); 3.12+ keep a pointer per
 * interpreter (interp->ceval.gil), so own-GIL subinterpreters have their
 * own. Only gil_locate.c sees the layout (compiled with Py_BUILD_CORE
 * against the runtime's own internal headers); everything else uses this
 * view of addresses. last_holder is a PyThreadState pointer to compare, never
 * to dereference.
 */
#ifndef GILLAB_GIL_LOCATE_H
#define GILLAB_GIL_LOCATE_H

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
} gil_locate_view;

/* Fills *v for the GIL of interpreter interp (a PyInterpreterState *).
 * Returns 0, or -1 if the interpreter has no GIL yet. */
int gil_locate(void *interp, gil_locate_view *v);

/* The calling thread's PyThreadState (it must hold the GIL or be attached),
 * as compared with *last_holder. */
void *gil_locate_current_tstate(void);

/* The main interpreter (PyInterpreterState_Main(); never &_PyRuntime, which
 * in a PIE host would make a copy relocation of the whole runtime). */
void *gil_locate_main_interp(void);

#endif
