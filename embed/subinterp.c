/* subinterp — the `subinterpreters` model; see subinterp.h.
 *
 * Notes about the implementation. Each worker thread first attaches a
 * thread state of the main interpreter (its GIL is needed to create
 * another interpreter), then creates its own interpreter, which becomes its
 * current thread state:
 *   - 3.12+: Py_NewInterpreterFromConfig with PyInterpreterConfig_OWN_GIL
 *     releases the main GIL and returns holding the new one;
 *     Py_EndInterpreter returns holding no GIL, so the worker re-attaches its
 *     main thread state with PyEval_RestoreThread to delete it.
 *   - 3.11: Py_NewInterpreter shares the one GIL and Py_EndInterpreter
 *     returns with it still held (and no thread state), so the worker swaps
 *     its main thread state back in without taking the GIL again.
 * Every worker reaches the start barrier, with its GIL released, even one
 * whose set-up failed, so the others are never left waiting. The worker
 * slots are written by their own thread only and read by subinterp_run after
 * pthread_join.
 */
#define PY_SSIZE_T_CLEAN
#include "subinterp.h"

#include "compat.h"
#include "gilprobe.h"
#include "py.h"
#include "util.h"
#include "workers.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
  const char *dir, *module;
  unsigned n;
  uint64_t units;
  double switch_interval, warmup_s;
  long hash_seed; /* the cell's, for the workers' views */
  int gil_probe;
  PyInterpreterState *main;
  pthread_barrier_t start;
  atomic_uint watched;
} subinterp_shared;

typedef struct {
  unsigned i;
  subinterp_shared *sh;
  uint64_t ops, answer;
  char *view; /* gillab_drive._fresh_view's JSON text (malloc'd) */
  int rc;
  char err[256];
} subinterp_worker;

/* The pending Python exception as text in w->err (and cleared). */
static void take_error(subinterp_worker *w, const char *what) {
  PyObject *exc = compat_take_exception(); /* new */
  PyObject *text = exc ? PyObject_Repr(exc) : NULL;
  const char *s = text ? PyUnicode_AsUTF8(text) : NULL;
  snprintf(w->err, sizeof w->err, "%s: %s", what, s ? s : "unknown error");
  PyErr_Clear();
  Py_XDECREF(text);
  Py_XDECREF(exc);
  w->rc = -1;
}

/* In the worker's own interpreter: its sys.path (the user's environment
 * included), switch interval, GIL watch and the workload's work function
 * (new reference, or NULL). */
static PyObject *prepare(subinterp_worker *w, PyThreadState *ts) {
  subinterp_shared *sh = w->sh;
  if (sh->gil_probe && gilprobe_watch(PyThreadState_GetInterpreter(ts)) == 0)
    atomic_fetch_add(&sh->watched, 1);
  if (py_add_paths(sh->dir) < 0) {
    take_error(w, "cannot put the drivers and workloads on sys.path");
    return NULL;
  }
  /* The user's environment, as the main interpreter has it (py_set_site):
   * each interpreter has a sys.path, sys.prefix and .pth imports of its
   * own. */
  char serr[sizeof w->err - 32];
  if (py_add_site(serr, sizeof serr) < 0) {
    snprintf(w->err, sizeof w->err, "the user's environment: %s", serr);
    w->rc = -1;
    return NULL;
  }
  if (sh->switch_interval > 0) {
    PyObject *sys = PyImport_ImportModule("sys");
    PyObject *r = sys ? PyObject_CallMethod(sys, "setswitchinterval", "d",
                                            sh->switch_interval)
                      : NULL;
    Py_XDECREF(sys);
    if (!r) {
      take_error(w, "setswitchinterval");
      return NULL;
    }
    Py_DECREF(r);
  }
  PyObject *mod = PyImport_ImportModule(sh->module);
  PyObject *work = mod ? PyObject_GetAttrString(mod, "work") : NULL;
  Py_XDECREF(mod);
  if (!work)
    take_error(w, "importing the workload in a subinterpreter");
  return work;
}

/* In the worker's own interpreter, once bound: gillab_drive._fresh_view
 * runs work() untimed for sh->warmup_s, as it does for worker processes
 * (the new interpreter's own allocator touches its memory and fills the
 * caches there, not in the timed region), and says what the worker sees
 * of itself; its JSON text is kept in w->view. */
static void fresh_view(subinterp_worker *w, PyObject *work) {
  subinterp_shared *sh = w->sh;
  PyObject *drive = PyImport_ImportModule("gillab_drive");
  PyObject *r =
      drive ? PyObject_CallMethod(drive, "_fresh_view", "OIIKdl", work, w->i,
                                  sh->n, (unsigned long long)sh->units,
                                  sh->warmup_s, sh->hash_seed)
            : NULL;
  const char *text = r ? PyUnicode_AsUTF8(r) : NULL;
  if (!text)
    take_error(w, "warming up");
  else if (!(w->view = strdup(text)))
    snprintf(w->err, sizeof w->err, "out of memory"), w->rc = -1;
  Py_XDECREF(r);
  Py_XDECREF(drive);
}

/* Calls work(i, n, units) and keeps (ops, answer). */
static void run_work(subinterp_worker *w, PyObject *work) {
  subinterp_shared *sh = w->sh;
  PyObject *r = PyObject_CallFunction(work, "IIK", w->i, sh->n,
                                      (unsigned long long)sh->units);
  if (!r) {
    take_error(w, "work()");
    return;
  }
  PyObject *ops = PyTuple_Check(r) && PyTuple_GET_SIZE(r) >= 2
                      ? PyTuple_GET_ITEM(r, 0)
                      : NULL; /* borrowed */
  if (ops) {
    w->ops = PyLong_AsUnsignedLongLong(ops);
    w->answer = PyLong_AsUnsignedLongLong(PyTuple_GET_ITEM(r, 1));
  }
  Py_DECREF(r);
  if (!ops)
    snprintf(w->err, sizeof w->err, "work() must return (ops, answer)"),
        w->rc = -1;
  else if (PyErr_Occurred())
    take_error(w, "work() result");
}

static void *worker_main(void *arg) {
  subinterp_worker *w = arg;
  subinterp_shared *sh = w->sh;
  PyThreadState *mts = PyThreadState_New(sh->main), *ts = NULL;
  PyEval_RestoreThread(mts);
  ts = compat_new_subinterpreter(w->err, sizeof w->err);
  PyObject *work = NULL;
  if (!ts) {
    w->rc = -1;
  } else {
    work = prepare(w, ts);
    if (work && workers_enter(w->i, ts, w->err, sizeof w->err) < 0)
      w->rc = -1;
    if (work && w->rc == 0)
      fresh_view(w, work);
  }
  /* The span starts before the GIL is taken again: on 3.11, where the
   * interpreters share it, that first take is the first GIL wait. */
  Py_BEGIN_ALLOW_THREADS;
  pthread_barrier_wait(&sh->start);
  workers_begin(w->i);
  Py_END_ALLOW_THREADS;
  if (w->rc == 0 && work)
    run_work(w, work);
  workers_leave(w->i);
  Py_XDECREF(work);
  if (ts) {
    Py_EndInterpreter(ts);
    compat_resume_main(mts);
  }
  PyThreadState_Clear(mts);
  PyThreadState_DeleteCurrent();
  return NULL;
}

void subinterp_result_clear(subinterp_result *r) {
  for (unsigned i = 0; r->views && i < r->n; i++)
    free(r->views[i]);
  free(r->views);
  r->views = NULL;
  r->n = 0;
}

int subinterp_run(const char *workloads_dir, const char *module, unsigned n,
                  uint64_t units, double switch_interval, double warmup_s,
                  long hash_seed, int gil_probe, subinterp_result *out,
                  char *err, size_t errlen) {
  subinterp_shared sh = {
      .dir = workloads_dir,
      .module = module,
      .n = n,
      .units = units,
      .switch_interval = switch_interval,
      .warmup_s = warmup_s,
      .hash_seed = hash_seed,
      .gil_probe = gil_probe,
      .main = PyInterpreterState_Main(),
  };
  subinterp_worker *ws = calloc(n, sizeof *ws);
  pthread_t *tids = calloc(n, sizeof *tids);
  int rc = 0;
  unsigned started = 0;
  memset(out, 0, sizeof *out);
  out->views = calloc(n, sizeof *out->views);
  if (!ws || !tids || !out->views) {
    free(ws);
    free(tids);
    free(out->views);
    out->views = NULL;
    snprintf(err, errlen, "out of memory");
    return -ENOMEM;
  }
  pthread_barrier_init(&sh.start, NULL, n + 1);
  Py_BEGIN_ALLOW_THREADS;
  for (; started < n; started++) {
    ws[started] = (subinterp_worker){.i = started, .sh = &sh};
    int e = pthread_create(&tids[started], NULL, worker_main, &ws[started]);
    if (e) {
      snprintf(err, errlen, "cannot start subinterpreter worker %u: %s",
               started, strerror(e));
      rc = -e;
      break;
    }
  }
  if (rc == 0) {
    pthread_barrier_wait(&sh.start);
    out->start_ns = util_now_ns();
    for (unsigned i = 0; i < n; i++)
      pthread_join(tids[i], NULL);
    out->wall_s = (double)(util_now_ns() - out->start_ns) / 1e9;
  }
  Py_END_ALLOW_THREADS;
  /* A worker that could not start leaves the barrier one short: the
   * started ones are still waiting there and cannot be released, so the
   * process must end (the orchestrator records the cell as failed). */
  if (rc < 0) {
    fprintf(stderr, "gillab-runner: %s\n", err);
    _exit(1);
  }
  pthread_barrier_destroy(&sh.start);
  for (unsigned i = 0; i < n && rc == 0; i++) {
    if (ws[i].rc < 0) {
      snprintf(err, errlen, "subinterpreter worker %u: %s", i, ws[i].err);
      rc = -1;
    }
    out->ops += ws[i].ops;
    out->answer += ws[i].answer;
  }
  /* The views pass to out whatever happened (subinterp_result_clear). */
  for (unsigned i = 0; i < n; i++)
    out->views[i] = ws[i].view;
  out->n = n;
  out->own_gil = COMPAT_OWN_GIL;
  out->watched = atomic_load(&sh.watched);
  free(ws);
  free(tids);
  return rc;
}
