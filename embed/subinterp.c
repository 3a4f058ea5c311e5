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
 *
 * Objects do not cross interpreters, bytes do: what the main interpreter's
 * begin shares (cell.shared) comes in as pickled bytes, read by every
 * worker without the main GIL (the buffer is immutable and the main thread,
 * which owns it, waits in pthread_join meanwhile), and a worker's extra goes
 * back as pickled bytes copied into malloc'd memory while its interpreter
 * still lives, after workers_leave (so outside the worker's span, though
 * inside the cell's wall time, as Py_EndInterpreter is).
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
  subinterp_cell c;
  PyInterpreterState *main;
  pthread_barrier_t start;
  atomic_uint watched;
} subinterp_shared;

typedef struct {
  unsigned i;
  subinterp_shared *sh;
  uint64_t ops, answer;
  int answered;    /* work() returned an answer, not ops alone */
  char *view;      /* gillab_drive._fresh_view's JSON text (malloc'd) */
  PyObject *drive; /* gillab_drive in the worker's interpreter (new ref) */
  PyObject *extra; /* work()'s extra, in the worker's interpreter (new ref;
                      NULL when it returned none) */
  char *pickled;   /* extra, pickled (malloc'd; NULL: none) */
  size_t pickled_len;
  int rc;
  char err[SUBINTERP_ERR_LEN];
} subinterp_worker;

/* The pending Python exception, with the end of its traceback, as text in
 * w->err (and cleared). */
static void take_error(subinterp_worker *w, const char *what) {
  PyObject *exc = compat_take_exception(); /* new */
  PyObject *tb = exc ? PyImport_ImportModule("traceback") : NULL;
  PyObject *lines =
      tb ? PyObject_CallMethod(tb, "format_exception", "O", exc) : NULL;
  PyObject *empty = lines ? PyUnicode_FromString("") : NULL;
  PyObject *text = empty ? PyUnicode_Join(empty, lines) : NULL;
  if (!text && exc) {
    PyErr_Clear();
    text = PyObject_Repr(exc);
  }
  const char *s = text ? PyUnicode_AsUTF8(text) : NULL;
  size_t len = s ? strlen(s) : 0, room = sizeof w->err - strlen(what) - 8;
  while (len && s[len - 1] == '\n')
    len--;
  if (!s)
    snprintf(w->err, sizeof w->err, "%s: unknown error", what);
  else if (len > room) /* the end holds the exception's own message */
    snprintf(w->err, sizeof w->err, "%s: ...%.*s", what, (int)room,
             s + len - room);
  else
    snprintf(w->err, sizeof w->err, "%s: %.*s", what, (int)len, s);
  PyErr_Clear();
  Py_XDECREF(text);
  Py_XDECREF(empty);
  Py_XDECREF(lines);
  Py_XDECREF(tb);
  Py_XDECREF(exc);
  w->rc = -1;
}

/* In the worker's own interpreter: its sys.path (the user's environment
 * included), switch interval, GIL watch and gillab_drive (kept in
 * w->drive); 0, or -1 with w->err. */
static int prepare(subinterp_worker *w, PyThreadState *ts) {
  subinterp_shared *sh = w->sh;
  if (sh->c.gil_probe && gilprobe_watch(PyThreadState_GetInterpreter(ts)) == 0)
    atomic_fetch_add(&sh->watched, 1);
  if (py_add_paths(sh->c.workloads_dir) < 0) {
    take_error(w, "cannot put the drivers and workloads on sys.path");
    return -1;
  }
  /* The user's environment, as the main interpreter has it (py_set_site):
   * each interpreter has a sys.path, sys.prefix and .pth imports of its
   * own. */
  char serr[sizeof w->err - 32];
  if (py_add_site(serr, sizeof serr) < 0) {
    snprintf(w->err, sizeof w->err, "the user's environment: %s", serr);
    w->rc = -1;
    return -1;
  }
  if (sh->c.switch_interval > 0) {
    PyObject *sys = PyImport_ImportModule("sys");
    PyObject *r = sys ? PyObject_CallMethod(sys, "setswitchinterval", "d",
                                            sh->c.switch_interval)
                      : NULL;
    Py_XDECREF(sys);
    if (!r) {
      take_error(w, "setswitchinterval");
      return -1;
    }
    Py_DECREF(r);
  }
  w->drive = PyImport_ImportModule("gillab_drive");
  if (!w->drive) {
    take_error(w, "importing gillab_drive in a subinterpreter");
    return -1;
  }
  return 0;
}

/* In the worker's own interpreter, once bound: gillab_drive._fresh_view
 * imports the workload (a user's from its directory) and calls its setup
 * when it has one, runs work() untimed for warmup_s, as it does for worker
 * processes (the new interpreter's own allocator touches its memory and
 * fills the caches there, not in the timed region), and says what the
 * worker sees of itself; its JSON text is kept in w->view. Returns the
 * work function (new reference), or NULL with w->err. */
static PyObject *fresh_view(subinterp_worker *w) {
  const subinterp_cell *c = &w->sh->c;
  /* y# of a NULL pointer is None: nothing shared. */
  PyObject *r = PyObject_CallMethod(
      w->drive, "_fresh_view", "sszIIKdlzy#", c->module, c->func, c->module_dir,
      w->i, c->n, (unsigned long long)c->units, c->warmup_s, c->hash_seed,
      c->setup_params, c->shared, (Py_ssize_t)c->shared_len);
  PyObject *work = NULL;
  const char *text = NULL;
  if (r && PyTuple_Check(r) && PyTuple_GET_SIZE(r) == 2) {
    work = PyTuple_GET_ITEM(r, 0); /* borrowed */
    text = PyUnicode_AsUTF8(PyTuple_GET_ITEM(r, 1));
  }
  if (!text) {
    take_error(w, "importing and warming up the workload in a "
                  "subinterpreter");
    work = NULL;
  } else if (!(w->view = strdup(text))) {
    snprintf(w->err, sizeof w->err, "out of memory"), w->rc = -1;
    work = NULL;
  }
  Py_XINCREF(work);
  Py_XDECREF(r);
  return work;
}

/* Calls work(i, n, units) and keeps ops, answer and extra (in w->extra,
 * when not None), as gillab_drive._result reads them from what it
 * returned. */
static void run_work(subinterp_worker *w, PyObject *work) {
  const subinterp_cell *c = &w->sh->c;
  PyObject *r = PyObject_CallFunction(work, "IIK", w->i, c->n,
                                      (unsigned long long)c->units);
  PyObject *t =
      r ? PyObject_CallMethod(w->drive, "_result", "Os", r, c->func) : NULL;
  Py_XDECREF(r);
  if (!t) {
    char what[160];
    snprintf(what, sizeof what, "%s()", c->func);
    take_error(w, what);
    return;
  }
  /* (ops, answer or None, extra): ops and answer are below 2^64. */
  w->ops = PyLong_AsUnsignedLongLong(PyTuple_GET_ITEM(t, 0));
  PyObject *answer = PyTuple_GET_ITEM(t, 1); /* borrowed */
  w->answered = answer != Py_None;
  w->answer = w->answered ? PyLong_AsUnsignedLongLong(answer) : 0;
  PyObject *extra = PyTuple_GET_ITEM(t, 2); /* borrowed */
  if (extra != Py_None)
    w->extra = Py_NewRef(extra);
  Py_DECREF(t);
  if (PyErr_Occurred())
    take_error(w, "the work function's result");
}

/* Pickles w->extra (gillab_drive._pickled) into w->pickled, in the
 * worker's interpreter, and drops the object; -1 with w->err when it
 * cannot be pickled. */
static void take_extra(subinterp_worker *w) {
  PyObject *b = PyObject_CallMethod(w->drive, "_pickled", "O", w->extra);
  Py_CLEAR(w->extra);
  char *data;
  Py_ssize_t len;
  if (!b || PyBytes_AsStringAndSize(b, &data, &len) < 0) {
    take_error(w, "pickling the extra work() returned, to hand it to the "
                  "main interpreter");
  } else if (!(w->pickled = malloc(len ? (size_t)len : 1))) {
    snprintf(w->err, sizeof w->err, "out of memory"), w->rc = -1;
  } else {
    memcpy(w->pickled, data, (size_t)len);
    w->pickled_len = (size_t)len;
  }
  Py_XDECREF(b);
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
  } else if (prepare(w, ts) == 0) {
    if (workers_enter(w->i, ts, w->err, sizeof w->err) < 0)
      w->rc = -1;
    else
      work = fresh_view(w);
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
  if (w->extra)
    take_extra(w);
  Py_XDECREF(work);
  Py_CLEAR(w->drive);
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
  for (unsigned i = 0; r->extras && i < r->n; i++)
    free(r->extras[i]);
  free(r->views);
  free(r->extras);
  free(r->extra_lens);
  r->views = r->extras = NULL;
  r->extra_lens = NULL;
  r->n = 0;
}

int subinterp_run(const subinterp_cell *cell, subinterp_result *out, char *err,
                  size_t errlen) {
  subinterp_shared sh = {
      .c = *cell,
      .main = PyInterpreterState_Main(),
  };
  unsigned n = cell->n;
  if (!sh.c.func)
    sh.c.func = "work";
  subinterp_worker *ws = calloc(n, sizeof *ws);
  pthread_t *tids = calloc(n, sizeof *tids);
  int rc = 0;
  unsigned started = 0;
  memset(out, 0, sizeof *out);
  out->views = calloc(n, sizeof *out->views);
  out->extras = calloc(n, sizeof *out->extras);
  out->extra_lens = calloc(n, sizeof *out->extra_lens);
  if (!ws || !tids || !out->views || !out->extras || !out->extra_lens) {
    free(ws);
    free(tids);
    subinterp_result_clear(out);
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
  out->answered = 1;
  for (unsigned i = 0; i < n && rc == 0; i++) {
    if (ws[i].rc < 0) {
      snprintf(err, errlen, "subinterpreter worker %u: %s", i, ws[i].err);
      rc = -1;
    }
    out->ops += ws[i].ops;
    out->answer += ws[i].answer; /* modulo 2^64, as the drivers add up */
    out->answered &= ws[i].answered;
  }
  /* The views and extras pass to out whatever happened
   * (subinterp_result_clear). */
  for (unsigned i = 0; i < n; i++) {
    out->views[i] = ws[i].view;
    out->extras[i] = ws[i].pickled;
    out->extra_lens[i] = ws[i].pickled_len;
  }
  out->n = n;
  out->own_gil = COMPAT_OWN_GIL;
  out->watched = atomic_load(&sh.watched);
  free(ws);
  free(tids);
  return rc;
}
