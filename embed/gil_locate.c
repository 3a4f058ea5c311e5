/* gil_locate — see gil_locate.h. Compiled with Py_BUILD_CORE (as is
 * hashseed.c, for one declaration): it reads internal layouts, which is why
 * each runtime's runner is compiled against that runtime's own headers and
 * Py_Version is checked at start. */
#define Py_BUILD_CORE 1
#include <Python.h>

#include "internal/pycore_interp.h"
#if PY_VERSION_HEX < 0x030C0000
#include "internal/pycore_runtime.h" /* 3.11: the GIL is in the runtime */
#endif

#include "gil_locate.h"

int gil_locate(void *interp_, gil_locate_view *v) {
  PyInterpreterState *interp = interp_;
  struct _gil_runtime_state *gil;
#if PY_VERSION_HEX >= 0x030C0000
  gil = interp->ceval.gil;
#else
  gil = &interp->runtime->ceval.gil;
#endif
  if (!gil)
    return -1;
  v->gil = gil;
  v->cond = &gil->cond;
  v->mutex = &gil->mutex;
#ifdef FORCE_SWITCHING
  v->switch_cond = &gil->switch_cond;
  v->switch_mutex = &gil->switch_mutex;
#else
  v->switch_cond = v->switch_mutex = NULL;
#endif
  /* 3.11's _Py_atomic_int and _Py_atomic_address wrap one member. */
  v->locked = (const int *)&gil->locked;
  v->switch_number = &gil->switch_number;
  v->last_holder = (void *const *)&gil->last_holder;
  v->interval = &gil->interval;
#ifdef Py_GIL_DISABLED
  v->enabled = &gil->enabled;
#else
  v->enabled = NULL;
#endif
  return 0;
}

void *gil_locate_current_tstate(void) {
  return PyThreadState_Get();
}

void *gil_locate_main_interp(void) {
  return PyInterpreterState_Main();
}
