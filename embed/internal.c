/* internal — see internal.h. The only file compiled with Py_BUILD_CORE: it
 * reads internal layouts, which is why each runtime's runner is compiled
 * against that runtime's own headers and Py_Version is checked at start. */
#define Py_BUILD_CORE 1
#include <Python.h>

#include "internal/pycore_interp.h"
#if PY_VERSION_HEX < 0x030C0000
#include "internal/pycore_runtime.h" /* 3.11: the GIL is in the runtime */
#endif
/* From 3.13 _Py_HashSecret is declared in an internal header only; 3.11
 * and 3.12 declare it in pyhash.h. */
#if PY_VERSION_HEX >= 0x030D0000
#include "internal/pycore_pyhash.h"
#endif

#include "internal.h"

#include <string.h>

/* no_sanitize("alignment"): CPython 3.13t declares PyInterpreterState
 * 64-byte aligned (its free-threaded members are) but allocates
 * subinterpreters with PyMem_RawCalloc, which aligns to 16; reading
 * interp->ceval.gil then is a misaligned access by the letter, which UBSan
 * (./scripts/test --sanitize) reports in every 3.13t subinterpreter cell.
 * The read itself is an ordinary aligned pointer load. */
__attribute__((no_sanitize("alignment"))) int
internal_gil_locate(void *interp_, internal_gil_view *v) {
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

void *internal_current_tstate(void) {
  return PyThreadState_Get();
}

long internal_switch_interval_us(void) {
  PyObject *f = PySys_GetObject("getswitchinterval"); /* borrowed */
  PyObject *r = f ? PyObject_CallNoArgs(f) : NULL;
  double s = r ? PyFloat_AsDouble(r) : -1.0;
  Py_XDECREF(r);
  if (PyErr_Occurred())
    PyErr_Clear();
  return s < 0 ? -1 : (long)(s * 1e6 + 0.5);
}

void *internal_main_interp(void) {
  return PyInterpreterState_Main();
}

int internal_hashseed_in_effect(unsigned long seed) {
  unsigned char want[sizeof _Py_HashSecret];
  unsigned int x = (unsigned int)seed;
  if (seed > 0xFFFFFFFFul)
    return 0;
  if (seed == 0) {
    memset(want, 0, sizeof want);
  } else {
    for (size_t i = 0; i < sizeof want; i++) {
      x = x * 214013u + 2531011u;
      want[i] = (unsigned char)((x >> 16) & 0xff);
    }
  }
  return memcmp(want, &_Py_HashSecret, sizeof want) == 0;
}
