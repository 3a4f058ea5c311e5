/* compat — differences between the CPython versions gillab supports
 * (3.11 and newer), in one place. Include after Python.h. */
#ifndef GILLAB_COMPAT_H
#define GILLAB_COMPAT_H

#include <Python.h>

/* 3.12 deprecated PyErr_Fetch/PyErr_NormalizeException in favour of
 * PyErr_GetRaisedException (gh-101578); with -Werror the old pair no longer
 * compiles there. Returns a new reference to the raised exception (or NULL)
 * and clears the error indicator. */
static inline PyObject *compat_take_exception(void) {
#if PY_VERSION_HEX >= 0x030C0000
  return PyErr_GetRaisedException();
#else
  PyObject *type, *value, *tb;
  PyErr_Fetch(&type, &value, &tb);
  if (!type)
    return NULL;
  PyErr_NormalizeException(&type, &value, &tb);
  if (tb && value)
    PyException_SetTraceback(value, tb);
  Py_XDECREF(type);
  Py_XDECREF(tb);
  return value;
#endif
}

/* PyRefTracer (3.13+, gh-115952): a process-wide hook called on every
 * object's creation and destruction; mem.dealloc counts destructions with
 * it. COMPAT_HAVE_REFTRACER is 0 below 3.13, where the count is null. */
#if PY_VERSION_HEX >= 0x030D0000
#define COMPAT_HAVE_REFTRACER 1
#else
#define COMPAT_HAVE_REFTRACER 0
#endif

#endif
