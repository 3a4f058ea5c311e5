/* modgillab — the _gillab builtin module; see modgillab.h.
 *
 * The module has no state, so it declares support for own-GIL
 * subinterpreters (3.12+) and for running without the GIL (free-threaded
 * 3.13+ builds): without Py_mod_gil = Py_MOD_GIL_NOT_USED, importing it
 * would turn the GIL back on in a free-threaded build.
 */
#define PY_SSIZE_T_CLEAN
#include "modgillab.h"

#include "gilprobe.h"
#include "util.h"
#include "workers.h"

#include <errno.h>
#include <unistd.h>

static PyObject *gl_now_ns(PyObject *self, PyObject *unused) {
  (void)self, (void)unused;
  return PyLong_FromUnsignedLongLong(util_now_ns());
}

static PyObject *gl_native_tid(PyObject *self, PyObject *unused) {
  (void)self, (void)unused;
  return PyLong_FromLong((long)gettid());
}

/* Spins in C for `seconds` without releasing the GIL: any other thread that
 * wants to run Python meanwhile must wait that long, which makes it the
 * ground truth for measuring GIL waits. Returns the seconds actually held. */
static PyObject *gl_hold_gil(PyObject *self, PyObject *arg) {
  (void)self;
  double seconds = PyFloat_AsDouble(arg);
  if (seconds == -1.0 && PyErr_Occurred())
    return NULL;
  if (seconds < 0 || seconds > 3600) {
    PyErr_SetString(PyExc_ValueError,
                    "hold_gil: seconds must be between 0 and 3600");
    return NULL;
  }
  uint64_t start = util_now_ns(), now = start;
  uint64_t span = (uint64_t)(seconds * 1e9);
  while (now - start < span)
    now = util_now_ns();
  return PyFloat_FromDouble((double)(now - start) / 1e9);
}

static int worker_index(PyObject *arg, unsigned *out) {
  long i = PyLong_AsLong(arg);
  if (i == -1 && PyErr_Occurred())
    return -1;
  if (i < 0) {
    PyErr_SetString(PyExc_ValueError, "worker index must be >= 0");
    return -1;
  }
  *out = (unsigned)i;
  return 0;
}

/* Registers the calling thread as worker i of the cell and binds it where
 * the cell's placement says. Raises OSError if the binding fails. */
static PyObject *gl_worker_enter(PyObject *self, PyObject *arg) {
  (void)self;
  unsigned i;
  char err[256];
  if (worker_index(arg, &i) < 0)
    return NULL;
  int rc = wk_enter(i, PyThreadState_Get(), err, sizeof err);
  if (rc < 0) {
    errno = -rc;
    PyErr_Format(PyExc_OSError, "worker %u: %s", i, err);
    return NULL;
  }
  Py_RETURN_NONE;
}

/* Worker i's timed span starts (called right after the start barrier). */
static PyObject *gl_worker_begin(PyObject *self, PyObject *arg) {
  (void)self;
  unsigned i;
  if (worker_index(arg, &i) < 0)
    return NULL;
  wk_begin(i);
  Py_RETURN_NONE;
}

static PyObject *gl_worker_leave(PyObject *self, PyObject *arg) {
  (void)self;
  unsigned i;
  if (worker_index(arg, &i) < 0)
    return NULL;
  wk_leave(i);
  Py_RETURN_NONE;
}

/* Turns the GIL probe's counting on or off (gillab_drive.overhead). */
static PyObject *gl_probe_enable(PyObject *self, PyObject *arg) {
  (void)self;
  int on = PyObject_IsTrue(arg);
  if (on < 0)
    return NULL;
  gilprobe_set_enabled(on);
  Py_RETURN_NONE;
}

static PyMethodDef gl_methods[] = {
    {"now_ns", gl_now_ns, METH_NOARGS,
     "now_ns() -> int: CLOCK_MONOTONIC in nanoseconds."},
    {"native_tid", gl_native_tid, METH_NOARGS,
     "native_tid() -> int: the Linux thread id of the calling thread."},
    {"hold_gil", gl_hold_gil, METH_O,
     "hold_gil(seconds) -> float: spin in C holding the GIL; returns the "
     "seconds held."},
    {"worker_enter", gl_worker_enter, METH_O,
     "worker_enter(i): register the calling thread as worker i and bind it."},
    {"probe_enable", gl_probe_enable, METH_O,
     "probe_enable(on): count GIL waits (True) or only forward (False)."},
    {"worker_begin", gl_worker_begin, METH_O,
     "worker_begin(i): worker i starts its timed work (after the barrier)."},
    {"worker_leave", gl_worker_leave, METH_O,
     "worker_leave(i): worker i has finished its work."},
    {NULL, NULL, 0, NULL},
};

static PyModuleDef_Slot gl_slots[] = {
#if PY_VERSION_HEX >= 0x030C0000
    {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
#endif
#ifdef Py_GIL_DISABLED
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
#endif
    {0, NULL},
};

static struct PyModuleDef gl_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_gillab",
    .m_doc = "gillab's builtin helpers for workloads and drivers.",
    .m_size = 0,
    .m_methods = gl_methods,
    .m_slots = gl_slots,
};

PyObject *modgillab_init(void) {
  return PyModuleDef_Init(&gl_def);
}
