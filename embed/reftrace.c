/* reftrace — see reftrace.h. */
#include "reftrace.h"

#include "compat.h"

static _Thread_local uint64_t destroyed;

#if COMPAT_HAVE_REFTRACER
static int tracer(PyObject *obj, PyRefTracerEvent event, void *data) {
  (void)obj, (void)data;
  if (event == PyRefTracer_DESTROY)
    destroyed++;
  return 0;
}
#endif

int reftrace_available(void) {
  return COMPAT_HAVE_REFTRACER;
}

int reftrace_enable(int on) {
#if COMPAT_HAVE_REFTRACER
  return PyRefTracer_SetTracer(on ? tracer : NULL, NULL);
#else
  (void)on;
  PyErr_SetString(PyExc_NotImplementedError,
                  "PyRefTracer needs CPython 3.13 or newer");
  return -1;
#endif
}

uint64_t reftrace_thread_destroyed(void) {
  return destroyed;
}
