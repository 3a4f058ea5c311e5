/* modgillab — the _gillab builtin module; see modgillab.h.
 *
 * The module has no state, so it declares support for own-GIL
 * subinterpreters (3.12+) and for running without the GIL (free-threaded
 * 3.13+ builds): without Py_mod_gil = Py_MOD_GIL_NOT_USED, importing it
 * would turn the GIL back on in a free-threaded build.
 */
#define PY_SSIZE_T_CLEAN
#include "modgillab.h"

#include "compat.h"

#include "gcprobe.h"
#include "gilprobe.h"
#include "internal.h"
#include "loadgen.h"
#include "memuse.h"
#include "place.h"
#include "reftrace.h"
#include "subinterp.h"
#include "tstat.h"
#include "util.h"
#include "workers.h"

#include <errno.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

static PyObject *modgillab_now_ns(PyObject *self, PyObject *unused) {
  (void)self, (void)unused;
  return PyLong_FromUnsignedLongLong(util_now_ns());
}

static PyObject *modgillab_native_tid(PyObject *self, PyObject *unused) {
  (void)self, (void)unused;
  return PyLong_FromLong((long)gettid());
}

/* Spins in C for `seconds` without releasing the GIL: any other thread that
 * wants to run Python meanwhile must wait that long, which makes it the
 * ground truth for measuring GIL waits. Returns the seconds actually held. */
static PyObject *modgillab_hold_gil(PyObject *self, PyObject *arg) {
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
static PyObject *modgillab_worker_enter(PyObject *self, PyObject *arg) {
  (void)self;
  unsigned i;
  char err[256];
  if (worker_index(arg, &i) < 0)
    return NULL;
  int rc = workers_enter(i, PyThreadState_Get(), err, sizeof err);
  if (rc < 0) {
    errno = -rc;
    PyErr_Format(PyExc_OSError, "worker %u: %s", i, err);
    return NULL;
  }
  Py_RETURN_NONE;
}

/* Worker i's timed span starts (called right after the start barrier). */
static PyObject *modgillab_worker_begin(PyObject *self, PyObject *arg) {
  (void)self;
  unsigned i;
  if (worker_index(arg, &i) < 0)
    return NULL;
  workers_begin(i);
  Py_RETURN_NONE;
}

static PyObject *modgillab_worker_leave(PyObject *self, PyObject *arg) {
  (void)self;
  unsigned i;
  if (worker_index(arg, &i) < 0)
    return NULL;
  workers_leave(i);
  Py_RETURN_NONE;
}

/* Turns the GIL probe's counting on or off (gillab_drive.overhead). */
static PyObject *modgillab_probe_enable(PyObject *self, PyObject *arg) {
  (void)self;
  int on = PyObject_IsTrue(arg);
  if (on < 0)
    return NULL;
  gilprobe_set_enabled(on);
  Py_RETURN_NONE;
}

/* --- worker processes (model processes) -------------------------------
 * A child process binds itself and reports its own time split and GIL
 * counters; the parent adopts each child into the cell's worker table so
 * the sampler follows it, and hands back what the child reported. */

/* This process's topology, opened on first use (a spawned child has no
 * cell of its own). */
static place_topo *own_topo(char *err, size_t errlen) {
  static place_topo *topo;
  if (!topo && place_topo_open(&topo, NULL, err, errlen) < 0)
    topo = NULL;
  return topo;
}

/* bind(cpuset): binds the calling thread (hwloc list syntax; "" = no). */
static PyObject *modgillab_bind(PyObject *self, PyObject *arg) {
  (void)self;
  char err[256];
  const char *set = PyUnicode_AsUTF8(arg);
  if (!set)
    return NULL;
  place_topo *t = *set ? own_topo(err, sizeof err) : NULL;
  int rc = *set && !t ? -EIO : place_bind_self(t, set, err, sizeof err);
  if (rc < 0) {
    errno = -rc;
    PyErr_Format(PyExc_OSError, "bind: %s", err);
    return NULL;
  }
  Py_RETURN_NONE;
}

/* thread_stats(): the calling thread's time split so far, and its CPU. */
static PyObject *modgillab_thread_stats(PyObject *self, PyObject *unused) {
  (void)self, (void)unused;
  tstat t;
  tstat_read(&t);
  return Py_BuildValue(
      "{s:K,s:K,s:K,s:K,s:K,s:i}", "wall_ns", (unsigned long long)t.wall_ns,
      "cpu_ns", (unsigned long long)t.cpu_ns, "runq_ns",
      (unsigned long long)t.runq_ns, "vcsw", (unsigned long long)t.vcsw,
      "ivcsw", (unsigned long long)t.ivcsw, "cpu", sched_getcpu());
}

/* probe_watch(): count waits on this process's main GIL (a spawned child
 * starts without). */
static PyObject *modgillab_probe_watch(PyObject *self, PyObject *unused) {
  (void)self, (void)unused;
  gilprobe_watch(internal_main_interp());
  Py_RETURN_NONE;
}

#define GP_FIELDS(X)                                                           \
  X(waits);                                                                    \
  X(wait_ns);                                                                  \
  X(cond_waits);                                                               \
  X(cond_wait_ns);                                                             \
  X(drop_requests);                                                            \
  X(switch_waits);                                                             \
  X(switch_wait_ns);                                                           \
  X(mutex_waits);                                                              \
  X(mutex_wait_ns)

/* gil_counts(): the calling thread's GIL counters so far. */
static PyObject *modgillab_gil_counts(PyObject *self, PyObject *unused) {
  (void)self, (void)unused;
  gilprobe_counts c;
  gilprobe_thread_snapshot(&c);
  PyObject *d = PyDict_New(), *v;
#define GP_PUT(f)                                                              \
  v = PyLong_FromUnsignedLongLong(c.f);                                        \
  if (!v || PyDict_SetItemString(d, #f, v) < 0)                                \
    goto fail;                                                                 \
  Py_DECREF(v);
  if (!d)
    return NULL;
  GP_FIELDS(GP_PUT);
#undef GP_PUT
  return d;
fail:
  Py_XDECREF(v);
  Py_DECREF(d);
  return NULL;
}

/* worker_set(i): worker i's planned cpuset ("" = unbound). */
static PyObject *modgillab_worker_set(PyObject *self, PyObject *arg) {
  (void)self;
  unsigned i;
  if (worker_index(arg, &i) < 0)
    return NULL;
  return PyUnicode_FromString(workers_set(i));
}

/* worker_adopt(i, pid): worker i is process pid; the sampler follows it. */
static PyObject *modgillab_worker_adopt(PyObject *self, PyObject *args) {
  (void)self;
  unsigned i;
  int pid;
  if (!PyArg_ParseTuple(args, "Ii", &i, &pid))
    return NULL;
  workers_adopt(i, (pid_t)pid);
  Py_RETURN_NONE;
}

static int stats_from(PyObject *d, tstat *t, int *cpu) {
  PyObject *v;
  memset(t, 0, sizeof *t);
#define GET(f)                                                                 \
  if (!(v = PyDict_GetItemString(d, #f)) ||                                    \
      (t->f = PyLong_AsUnsignedLongLong(v), PyErr_Occurred()))                 \
    return -1;
  GET(wall_ns);
  GET(cpu_ns);
  GET(runq_ns);
  GET(vcsw);
  GET(ivcsw);
#undef GET
  v = PyDict_GetItemString(d, "cpu");
  *cpu = v ? (int)PyLong_AsLong(v) : -1;
  return PyErr_Occurred() ? -1 : 0;
}

/* worker_adopted_done(i, t0, t1, gil[, cpus]): worker process i finished;
 * t0/t1 are its thread_stats() at the start and end of its span, gil the
 * difference of its gil_counts() over the span, cpus its affinity() after
 * binding. */
static PyObject *modgillab_worker_adopted_done(PyObject *self, PyObject *args) {
  (void)self;
  unsigned i;
  PyObject *d0, *d1, *dg;
  const char *cpus = NULL;
  tstat t0, t1;
  int cpu0, cpu1;
  gilprobe_counts g;
  if (!PyArg_ParseTuple(args, "IO!O!O!|z", &i, &PyDict_Type, &d0, &PyDict_Type,
                        &d1, &PyDict_Type, &dg, &cpus))
    return NULL;
  if (stats_from(d0, &t0, &cpu0) < 0 || stats_from(d1, &t1, &cpu1) < 0) {
    if (!PyErr_Occurred())
      PyErr_SetString(PyExc_ValueError, "thread_stats dict expected");
    return NULL;
  }
  memset(&g, 0, sizeof g);
  PyObject *v;
#define GP_GET(f)                                                              \
  if ((v = PyDict_GetItemString(dg, #f)))                                      \
    g.f = PyLong_AsUnsignedLongLong(v);
  GP_FIELDS(GP_GET);
#undef GP_GET
  if (PyErr_Occurred())
    return NULL;
  workers_adopted_done(i, &t0, &t1, cpu0, cpu1, &g, cpus);
  Py_RETURN_NONE;
}

/* --- memory (embed/memuse.h) -------------------------------------------
 * The drivers mark the reading before the workers exist and, for worker
 * processes, the region's end and each worker's own reading. The reads
 * walk the process's page tables: the GIL is released meanwhile. */

/* mem_baseline(): reads the cell's process before its workers exist. */
static PyObject *modgillab_mem_baseline(PyObject *self, PyObject *unused) {
  (void)self, (void)unused;
  Py_BEGIN_ALLOW_THREADS;
  memuse_baseline();
  Py_END_ALLOW_THREADS;
  Py_RETURN_NONE;
}

/* mem_end(): the timed region has ended; reads the cell's process. */
static PyObject *modgillab_mem_end(PyObject *self, PyObject *unused) {
  (void)self, (void)unused;
  Py_BEGIN_ALLOW_THREADS;
  memuse_end();
  Py_END_ALLOW_THREADS;
  Py_RETURN_NONE;
}

/* mem_self() -> {"rss_kb", "pss_kb", "uss_kb"} of this process, or None
 * when smaps_rollup cannot be read. */
static PyObject *modgillab_mem_self(PyObject *self, PyObject *unused) {
  (void)self, (void)unused;
  memuse_sample m;
  int rc;
  Py_BEGIN_ALLOW_THREADS;
  rc = smaps_read(0, &m);
  Py_END_ALLOW_THREADS;
  if (rc < 0)
    Py_RETURN_NONE;
  return Py_BuildValue("{sKsKsK}", "rss_kb", (unsigned long long)m.rss_kb,
                       "pss_kb", (unsigned long long)m.pss_kb, "uss_kb",
                       (unsigned long long)m.uss_kb);
}

/* mem_worker_end(i, pid, d): worker process i's mem_self() at its end. */
static PyObject *modgillab_mem_worker_end(PyObject *self, PyObject *args) {
  (void)self;
  unsigned i;
  int pid;
  PyObject *d, *v;
  if (!PyArg_ParseTuple(args, "IiO!", &i, &pid, &PyDict_Type, &d))
    return NULL;
  memuse_sample m = {0, 0, 0};
#define MEM_GET(f)                                                             \
  if (!(v = PyDict_GetItemString(d, #f)) ||                                    \
      (m.f = PyLong_AsUnsignedLongLong(v), PyErr_Occurred()))                  \
    return PyErr_Occurred() ? NULL                                             \
                            : (PyErr_SetString(PyExc_KeyError, #f), NULL);
  MEM_GET(rss_kb);
  MEM_GET(pss_kb);
  MEM_GET(uss_kb);
#undef MEM_GET
  memuse_worker_end(i, (pid_t)pid, &m);
  Py_RETURN_NONE;
}

/* run_subinterpreters(module, workers, units, workloads_dir,
 * switch_interval, warmup_s, hash_seed, func, module_dir, setup_params,
 * shared): the subinterpreters model (embed/subinterp.c; func, module_dir
 * and setup_params for a user workload, None otherwise; shared the pickled
 * share(state) of a workload that shares what its begin made, else None).
 * Returns {wall_s, start_ns, ops, answer (None when a work function
 * returned ops alone), own_gil, gils_watched, views, extras}, views each
 * worker's gillab_drive._fresh_view (JSON text), extras each worker's extra
 * pickled (bytes, or None when it returned none). */
static PyObject *modgillab_run_subinterpreters(PyObject *self, PyObject *args) {
  (void)self;
  subinterp_cell c = {.hash_seed = -1};
  unsigned long long units;
  char err[SUBINTERP_ERR_LEN + 64];
  subinterp_result r;
  Py_ssize_t shared_len = 0;
  if (!PyArg_ParseTuple(args, "sIKs|ddlzzzz#", &c.module, &c.n, &units,
                        &c.workloads_dir, &c.switch_interval, &c.warmup_s,
                        &c.hash_seed, &c.func, &c.module_dir, &c.setup_params,
                        &c.shared, &shared_len))
    return NULL;
  c.shared_len = (size_t)shared_len;
  c.units = units;
  c.gil_probe = gilprobe_enabled();
  unsigned workers = c.n;
  if (workers < 1 || workers > WORKERS_MAX_WORKERS) {
    PyErr_SetString(PyExc_ValueError, "workers out of range");
    return NULL;
  }
  if (subinterp_run(&c, &r, err, sizeof err) < 0) {
    subinterp_result_clear(&r);
    PyErr_SetString(PyExc_RuntimeError, err);
    return NULL;
  }
  PyObject *views = PyList_New(workers);  /* new */
  PyObject *extras = PyList_New(workers); /* new */
  for (unsigned i = 0; views && extras && i < workers; i++) {
    PyObject *v = PyUnicode_FromString(r.views[i] ? r.views[i] : "null");
    PyObject *e = r.extras[i] ? PyBytes_FromStringAndSize(
                                    r.extras[i], (Py_ssize_t)r.extra_lens[i])
                              : Py_NewRef(Py_None);
    if (!v || !e) {
      Py_XDECREF(v);
      Py_XDECREF(e);
      Py_CLEAR(views);
      break;
    }
    PyList_SET_ITEM(views, i, v);  /* steals v */
    PyList_SET_ITEM(extras, i, e); /* steals e */
  }
  if (!views)
    Py_CLEAR(extras);
  PyObject *answer = views ? (r.answered ? PyLong_FromUnsignedLongLong(r.answer)
                                         : Py_NewRef(Py_None))
                           : NULL; /* new */
  PyObject *d =
      answer && extras
          ? Py_BuildValue("{s:d,s:K,s:K,s:N,s:O,s:I,s:N,s:N}", "wall_s",
                          r.wall_s, "start_ns", (unsigned long long)r.start_ns,
                          "ops", (unsigned long long)r.ops, "answer", answer,
                          "own_gil", r.own_gil ? Py_True : Py_False,
                          "gils_watched", r.watched, "views", views, "extras",
                          extras)
          : NULL;           /* new; steals answer, views and extras */
  if (!answer || !extras) { /* Py_BuildValue was not called */
    Py_XDECREF(answer);
    Py_XDECREF(views);
    Py_XDECREF(extras);
  }
  subinterp_result_clear(&r);
  return d;
}

/* affinity() -> str: the CPUs the calling thread may run on, read back
 * from the kernel (list syntax, "0-1"). */
static PyObject *modgillab_affinity(PyObject *self, PyObject *unused) {
  (void)self, (void)unused;
  char cpus[WORKERS_CPUS_LEN];
  int rc = place_affinity_self(cpus, sizeof cpus);
  if (rc < 0) {
    errno = -rc;
    return PyErr_SetFromErrno(PyExc_OSError);
  }
  return PyUnicode_FromString(cpus);
}

/* probe_state() -> dict: the GIL probe as it is in this process: counting
 * or not, whether the calling interpreter's GIL is watched, how many GILs
 * are. */
static PyObject *modgillab_probe_state(PyObject *self, PyObject *unused) {
  (void)self, (void)unused;
  return Py_BuildValue("{s:O,s:O,s:i}", "enabled",
                       gilprobe_enabled() ? Py_True : Py_False, "gil_watched",
                       gilprobe_watching(PyInterpreterState_Get()) ? Py_True
                                                                   : Py_False,
                       "gils_watched", gilprobe_watched());
}

/* hash_secret_is(seed) -> bool: this process hashes str with the secret
 * PYTHONHASHSEED=seed gives (embed/internal.h). */
static PyObject *modgillab_hash_secret_is(PyObject *self, PyObject *arg) {
  (void)self;
  long long seed = PyLong_AsLongLong(arg);
  if (seed == -1 && PyErr_Occurred())
    return NULL;
  if (seed < 0 || seed > 4294967295LL)
    Py_RETURN_FALSE;
  return PyBool_FromLong(internal_hashseed_in_effect((unsigned long)seed));
}

/* cpu() -> int: the CPU the calling thread runs on (sched_getcpu). */
static PyObject *modgillab_cpu(PyObject *self, PyObject *unused) {
  (void)self, (void)unused;
  return PyLong_FromLong(sched_getcpu());
}

/* gc_probe_child_begin(): a worker process starts its GC probe span. */
static PyObject *modgillab_gc_probe_child_begin(PyObject *self,
                                                PyObject *unused) {
  (void)self, (void)unused;
  char err[256];
  if (gcprobe_child_begin(err, sizeof err) < 0) {
    PyErr_SetString(PyExc_RuntimeError, err);
    return NULL;
  }
  Py_RETURN_NONE;
}

/* gc_probe_child_take() -> dict: what a worker process's probe saw. */
static PyObject *modgillab_gc_probe_child_take(PyObject *self,
                                               PyObject *unused) {
  (void)self, (void)unused;
  return gcprobe_child_take();
}

/* gc_probe_merge(d): the parent adds a worker process's report. */
static PyObject *modgillab_gc_probe_merge(PyObject *self, PyObject *arg) {
  (void)self;
  if (gcprobe_merge(arg) < 0)
    return NULL;
  Py_RETURN_NONE;
}

/* dealloc_trace(on) -> bool: installs or removes the destroyed-object
 * counter (PyRefTracer, 3.13+); False when the runtime has none. */
static PyObject *modgillab_dealloc_trace(PyObject *self, PyObject *arg) {
  (void)self;
  int on = PyObject_IsTrue(arg);
  if (on < 0)
    return NULL;
  if (!reftrace_available())
    Py_RETURN_FALSE;
  if (reftrace_enable(on) < 0)
    return NULL;
  Py_RETURN_TRUE;
}

/* dealloc_objects() -> int | None: objects the calling thread destroyed
 * while the tracer was installed; None without PyRefTracer. */
static PyObject *modgillab_dealloc_objects(PyObject *self, PyObject *unused) {
  (void)self, (void)unused;
  if (!reftrace_available())
    Py_RETURN_NONE;
  return PyLong_FromUnsignedLongLong(reftrace_thread_destroyed());
}

/* loadgen(port, connections, duration_s, rate, timeout_s, check_body,
 * cpuset, udp=False) -> str: net.serve's load generator
 * (workloads/native/loadgen.h) run with the GIL released, on a thread of its
 * own bound to cpuset; the record's `serve.load` as JSON text, with "start_ns"
 * and "wall_s". */
static PyObject *modgillab_loadgen(PyObject *self, PyObject *args) {
  (void)self;
  loadgen_opts o = {0};
  unsigned connections;
  int check_body, udp = 0;
  if (!PyArg_ParseTuple(args, "iIdddps|p", &o.port, &connections, &o.duration_s,
                        &o.rate, &o.timeout_s, &check_body, &o.cpuset, &udp))
    return NULL;
  o.udp = udp;
  o.connections = connections;
  o.check_body = check_body;
  loadgen_result r;
  char err[256];
  int rc;
  Py_BEGIN_ALLOW_THREADS rc = loadgen_run(&o, &r, err, sizeof err);
  Py_END_ALLOW_THREADS if (rc < 0) {
    loadgen_result_clear(&r);
    errno = -rc;
    PyErr_Format(PyExc_OSError, "%s", err);
    return NULL;
  }
  cJSON *rep = loadgen_report(&r, &o);
  cJSON_AddNumberToObject(rep, "start_ns", (double)r.start_ns);
  cJSON_AddNumberToObject(rep, "wall_s", r.wall_s);
  loadgen_result_clear(&r);
  char *text = cJSON_PrintUnformatted(rep);
  cJSON_Delete(rep);
  if (!text)
    return PyErr_NoMemory();
  PyObject *out = PyUnicode_FromString(text);
  free(text);
  return out;
}

static PyMethodDef modgillab_methods[] = {
    {"loadgen", modgillab_loadgen, METH_VARARGS,
     "loadgen(port, connections, duration_s, rate, timeout_s, check_body, "
     "cpuset) -> JSON text: net.serve's native load generator."},
    {"now_ns", modgillab_now_ns, METH_NOARGS,
     "now_ns() -> int: CLOCK_MONOTONIC in nanoseconds."},
    {"native_tid", modgillab_native_tid, METH_NOARGS,
     "native_tid() -> int: the Linux thread id of the calling thread."},
    {"hold_gil", modgillab_hold_gil, METH_O,
     "hold_gil(seconds) -> float: spin in C holding the GIL; returns the "
     "seconds held."},
    {"worker_enter", modgillab_worker_enter, METH_O,
     "worker_enter(i): register the calling thread as worker i and bind it."},
    {"probe_enable", modgillab_probe_enable, METH_O,
     "probe_enable(on): count GIL waits (True) or only forward (False)."},
    {"worker_begin", modgillab_worker_begin, METH_O,
     "worker_begin(i): worker i starts its timed work (after the barrier)."},
    {"worker_leave", modgillab_worker_leave, METH_O,
     "worker_leave(i): worker i has finished its work."},
    {"bind", modgillab_bind, METH_O,
     "bind(cpuset): bind the calling thread (hwloc list syntax)."},
    {"thread_stats", modgillab_thread_stats, METH_NOARGS,
     "thread_stats() -> dict: the calling thread's time split and CPU."},
    {"probe_watch", modgillab_probe_watch, METH_NOARGS,
     "probe_watch(): count GIL waits in this process."},
    {"gil_counts", modgillab_gil_counts, METH_NOARGS,
     "gil_counts() -> dict: the calling thread's GIL counters."},
    {"worker_set", modgillab_worker_set, METH_O,
     "worker_set(i) -> str: worker i's planned cpuset."},
    {"worker_adopt", modgillab_worker_adopt, METH_VARARGS,
     "worker_adopt(i, pid): worker i is process pid."},
    {"worker_adopted_done", modgillab_worker_adopted_done, METH_VARARGS,
     "worker_adopted_done(i, t0, t1, gil): worker process i's report."},
    {"run_subinterpreters", modgillab_run_subinterpreters, METH_VARARGS,
     "run_subinterpreters(module, workers, units, workloads_dir[, "
     "switch_interval[, warmup_s[, hash_seed[, func[, module_dir[, "
     "setup_params[, shared]]]]]]]]) -> dict: run the work function in "
     "one "
     "subinterpreter per worker."},
    {"affinity", modgillab_affinity, METH_NOARGS,
     "affinity() -> str: the CPUs the calling thread may run on (kernel)."},
    {"probe_state", modgillab_probe_state, METH_NOARGS,
     "probe_state() -> dict: the GIL probe's state in this process."},
    {"hash_secret_is", modgillab_hash_secret_is, METH_O,
     "hash_secret_is(seed) -> bool: str hashing uses PYTHONHASHSEED=seed."},
    {"cpu", modgillab_cpu, METH_NOARGS,
     "cpu() -> int: the CPU the calling thread runs on."},
    {"gc_probe_child_begin", modgillab_gc_probe_child_begin, METH_NOARGS,
     "gc_probe_child_begin(): a worker process starts its GC probe span."},
    {"gc_probe_child_take", modgillab_gc_probe_child_take, METH_NOARGS,
     "gc_probe_child_take() -> dict: the worker process's GC pauses."},
    {"gc_probe_merge", modgillab_gc_probe_merge, METH_O,
     "gc_probe_merge(d): add a worker process's GC pauses to the cell's."},
    {"mem_baseline", modgillab_mem_baseline, METH_NOARGS,
     "mem_baseline(): read the cell's process before its workers exist."},
    {"mem_end", modgillab_mem_end, METH_NOARGS,
     "mem_end(): the timed region has ended; read the cell's process."},
    {"mem_self", modgillab_mem_self, METH_NOARGS,
     "mem_self() -> dict | None: this process's RSS, PSS and USS in kB."},
    {"mem_worker_end", modgillab_mem_worker_end, METH_VARARGS,
     "mem_worker_end(i, pid, d): worker process i's own end reading."},
    {"dealloc_trace", modgillab_dealloc_trace, METH_O,
     "dealloc_trace(on) -> bool: count destroyed objects (3.13+)."},
    {"dealloc_objects", modgillab_dealloc_objects, METH_NOARGS,
     "dealloc_objects() -> int | None: objects this thread destroyed."},
    {NULL, NULL, 0, NULL},
};

static PyModuleDef_Slot modgillab_slots[] = COMPAT_MODULE_SLOTS;

static struct PyModuleDef modgillab_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_gillab",
    .m_doc = "gillab's builtin helpers for workloads and drivers.",
    .m_size = 0,
    .m_methods = modgillab_methods,
    .m_slots = modgillab_slots,
};

PyObject *modgillab_init(void) {
  return PyModuleDef_Init(&modgillab_def);
}
