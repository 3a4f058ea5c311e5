/* gcprobe — see gcprobe.h. */
#define PY_SSIZE_T_CLEAN
#include "gcprobe.h"

#include "compat.h"
#include "lat.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

#define GENS 3

static lat_samples pauses[GENS];
static uint64_t collected[GENS];
static uint64_t start_ns;
static int start_gen = -1;
static PyObject *callback;     /* new reference while installed */
static PyObject *stats_before; /* gc.get_stats() at install, new */

/* gc callback (phase, info): see the header. */
static PyObject *on_gc(PyObject *self, PyObject *args) {
  (void)self;
  uint64_t now = util_now_ns();
  const char *phase;
  PyObject *info;
  if (!PyArg_ParseTuple(args, "sO", &phase, &info))
    return NULL;
  PyObject *g = PyDict_GetItemString(info, "generation"); /* borrowed */
  long gen = g ? PyLong_AsLong(g) : -1;
  if (gen == -1 && PyErr_Occurred())
    PyErr_Clear();
  if (strcmp(phase, "start") == 0) {
    start_gen = (int)gen;
    start_ns = util_now_ns();
  } else if (start_gen >= 0 && start_gen == gen && gen < GENS) {
    lat_add(&pauses[gen], now - start_ns);
    PyObject *c = PyDict_GetItemString(info, "collected"); /* borrowed */
    long n = c ? PyLong_AsLong(c) : 0;
    if (n == -1 && PyErr_Occurred())
      PyErr_Clear();
    else if (n > 0)
      collected[gen] += (uint64_t)n;
    start_gen = -1;
  }
  Py_RETURN_NONE;
}

static PyMethodDef on_gc_def = {"gillab_gc_probe", on_gc, METH_VARARGS,
                                "gillab's GC pause probe (gc.callbacks)."};

/* gc.get_stats(), a new reference or NULL (error cleared). */
static PyObject *get_stats(void) {
  PyObject *gc = PyImport_ImportModule("gc");
  PyObject *st = gc ? PyObject_CallMethod(gc, "get_stats", NULL) : NULL;
  Py_XDECREF(gc);
  if (!st)
    PyErr_Clear();
  return st;
}

int gcprobe_install(char *err, size_t errlen) {
  PyObject *gc = PyImport_ImportModule("gc");
  PyObject *cbs = gc ? PyObject_GetAttrString(gc, "callbacks") : NULL;
  callback = cbs ? PyCFunction_New(&on_gc_def, NULL) : NULL;
  int rc = callback ? PyList_Append(cbs, callback) : -1;
  Py_XDECREF(cbs);
  Py_XDECREF(gc);
  if (rc < 0) {
    PyErr_Clear();
    Py_CLEAR(callback);
    snprintf(err, errlen, "cannot append the GC probe to gc.callbacks");
    return -1;
  }
  for (int g = 0; g < GENS; g++) {
    lat_clear(&pauses[g]);
    collected[g] = 0;
  }
  stats_before = get_stats();
  return 0;
}

static long stat_of(PyObject *stats, int gen, const char *key) {
  PyObject *d = stats && PyList_Check(stats) && PyList_GET_SIZE(stats) > gen
                    ? PyList_GET_ITEM(stats, gen)
                    : NULL;                              /* borrowed */
  PyObject *v = d ? PyDict_GetItemString(d, key) : NULL; /* borrowed */
  long n = v ? PyLong_AsLong(v) : 0;
  if (n == -1 && PyErr_Occurred())
    PyErr_Clear();
  return n;
}

static void add_pcts(cJSON *o, lat_samples *s) {
  cJSON_AddNumberToObject(o, "collections", (double)s->n);
  cJSON_AddNumberToObject(o, "total_s", (double)s->total_ns / 1e9);
  cJSON_AddNumberToObject(o, "p50_us", (double)lat_pct(s, 0.5) / 1e3);
  cJSON_AddNumberToObject(o, "p99_us", (double)lat_pct(s, 0.99) / 1e3);
  cJSON_AddNumberToObject(o, "max_us", (double)lat_pct(s, 1.0) / 1e3);
}

cJSON *gcprobe_report(const char *scope) {
  if (!callback)
    return NULL;
  PyObject *gc = PyImport_ImportModule("gc");
  PyObject *cbs = gc ? PyObject_GetAttrString(gc, "callbacks") : NULL;
  PyObject *r = cbs ? PyObject_CallMethod(cbs, "remove", "O", callback) : NULL;
  if (!r)
    PyErr_Clear();
  Py_XDECREF(r);
  Py_XDECREF(cbs);
  Py_XDECREF(gc);
  Py_CLEAR(callback);
  PyObject *after = get_stats();

  cJSON *o = cJSON_CreateObject();
  cJSON *gens = cJSON_AddArrayToObject(o, "gens");
  lat_samples all = {0};
  for (int g = 0; g < GENS; g++) {
    cJSON *j = cJSON_CreateObject();
    cJSON_AddNumberToObject(j, "gen", g);
    add_pcts(j, &pauses[g]);
    cJSON_AddNumberToObject(j, "collected", (double)collected[g]);
    cJSON_AddItemToArray(gens, j);
    lat_merge(&all, &pauses[g]);
  }
  add_pcts(o, &all);
  cJSON_AddItemToObject(o, "hist", lat_hist(&all));
  lat_clear(&all);
  cJSON *delta = cJSON_AddArrayToObject(o, "get_stats_delta");
  for (int g = 0; g < GENS && stats_before && after; g++) {
    cJSON *j = cJSON_CreateObject();
    cJSON_AddNumberToObject(j, "gen", g);
    static const char *const keys[] = {"collections", "collected",
                                       "uncollectable"};
    for (size_t k = 0; k < 3; k++)
      cJSON_AddNumberToObject(j, keys[k],
                              (double)(stat_of(after, g, keys[k]) -
                                       stat_of(stats_before, g, keys[k])));
    cJSON_AddItemToArray(delta, j);
  }
  cJSON_AddStringToObject(o, "scope", scope);
  Py_XDECREF(after);
  Py_CLEAR(stats_before);
  for (int g = 0; g < GENS; g++)
    lat_clear(&pauses[g]);
  return o;
}
