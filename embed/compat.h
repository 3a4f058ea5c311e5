/* compat — differences between the CPython versions gillab supports
 * (3.11 and newer), in one place. Include after Python.h. */
#ifndef GILLAB_COMPAT_H
#define GILLAB_COMPAT_H

#include <Python.h>
#include <stdio.h>

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

/* Own-GIL subinterpreters (3.12+: PEP 684, gh-99113; the public
 * Py_NewInterpreterFromConfig, gh-104109). Below 3.12 a subinterpreter
 * shares the main interpreter's GIL. */
#define COMPAT_OWN_GIL (PY_VERSION_HEX >= 0x030C0000)

/* A new subinterpreter for a worker thread that holds the main
 * interpreter's GIL (through its own thread state). 3.12+: own GIL, its own
 * obmalloc, no fork or exec, only extension modules that support multiple
 * interpreters (DESIGN.md: _decimal refuses on 3.12). 3.11:
 * Py_NewInterpreter, the GIL shared. Returns the new interpreter's thread
 * state, now current, or NULL with a sentence in err. */
static inline PyThreadState *compat_new_subinterpreter(char *err,
                                                       size_t errlen) {
  PyThreadState *ts = NULL;
#if COMPAT_OWN_GIL
  PyInterpreterConfig cfg = {
      .use_main_obmalloc = 0,
      .allow_fork = 0,
      .allow_exec = 0,
      .allow_threads = 1,
      .allow_daemon_threads = 0,
      .check_multi_interp_extensions = 1,
      .gil = PyInterpreterConfig_OWN_GIL,
  };
  PyStatus st = Py_NewInterpreterFromConfig(&ts, &cfg);
  if (PyStatus_Exception(st)) {
    snprintf(err, errlen, "cannot create a subinterpreter: %s",
             st.err_msg ? st.err_msg : "unknown error");
    ts = NULL;
  }
#else
  ts = Py_NewInterpreter();
  if (!ts)
    snprintf(err, errlen, "cannot create a subinterpreter");
#endif
  return ts;
}

/* After Py_EndInterpreter, makes mts (a thread state of the main
 * interpreter) current again. With an own GIL (3.12+) the ended
 * interpreter's GIL went with it and the main one must be taken; below 3.12
 * the shared GIL is still held, so a swap is all it takes. */
static inline void compat_resume_main(PyThreadState *mts) {
#if COMPAT_OWN_GIL
  PyEval_RestoreThread(mts);
#else
  PyThreadState_Swap(mts);
#endif
}

/* The slots a builtin module needs to be importable everywhere gillab
 * runs it: in own-GIL subinterpreters (Py_mod_multiple_interpreters, 3.12+,
 * gh-104108) and, in free-threaded builds, without turning the GIL back on
 * (Py_mod_gil, 3.13+, PEP 703, gh-116322). COMPAT_MODULE_SLOTS is the whole
 * array, terminator included. */
#if COMPAT_OWN_GIL
#define COMPAT_SLOT_INTERPRETERS                                               \
  {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
#else
#define COMPAT_SLOT_INTERPRETERS
#endif
#ifdef Py_GIL_DISABLED
#define COMPAT_SLOT_GIL_NOT_USED {Py_mod_gil, Py_MOD_GIL_NOT_USED},
#else
#define COMPAT_SLOT_GIL_NOT_USED
#endif

#define COMPAT_MODULE_SLOTS                                                    \
  {                                                                            \
    COMPAT_SLOT_INTERPRETERS COMPAT_SLOT_GIL_NOT_USED {                        \
      0, NULL                                                                  \
    }                                                                          \
  }

#endif
