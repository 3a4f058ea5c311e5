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
/* The worker processes' own gc.get_stats() deltas, merged in (model
 * processes): [gen][collections, collected, uncollectable]. */
static long long merged_delta[GENS][3];
static int merged_children;

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

static long stat_of(PyObject *stats, int gen, const char *key);

/* Empties the samples and reads gc.get_stats() anew: the span starts. */
static void reset(void) {
  for (int g = 0; g < GENS; g++) {
    lat_clear(&pauses[g]);
    collected[g] = 0;
    merged_delta[g][0] = merged_delta[g][1] = merged_delta[g][2] = 0;
  }
  merged_children = 0;
  start_gen = -1;
  Py_XDECREF(stats_before);
  stats_before = get_stats();
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
  reset();
  return 0;
}

int gcprobe_child_begin(char *err, size_t errlen) {
  /* A forked child inherits the parent's callback (and its samples); a
   * spawned one starts without. */
  if (!callback)
    return gcprobe_install(err, errlen);
  reset();
  return 0;
}

PyObject *gcprobe_child_take(void) {
  PyObject *after = get_stats(), *d = PyDict_New(), *v;
  if (!d)
    goto fail;
  for (int g = 0; g < GENS; g++) {
    PyObject *list = PyList_New((Py_ssize_t)pauses[g].n);
    if (!list)
      goto fail;
    for (size_t i = 0; i < pauses[g].n; i++) {
      v = PyLong_FromUnsignedLongLong(pauses[g].ns[i]);
      if (!v) {
        Py_DECREF(list);
        goto fail;
      }
      PyList_SET_ITEM(list, (Py_ssize_t)i, v);
    }
    v = Py_BuildValue("{s:N,s:K,s:l,s:l,s:l}", "pauses_ns", list, "collected",
                      (unsigned long long)collected[g], "collections",
                      stat_of(after, g, "collections") -
                          stat_of(stats_before, g, "collections"),
                      "stat_collected",
                      stat_of(after, g, "collected") -
                          stat_of(stats_before, g, "collected"),
                      "uncollectable",
                      stat_of(after, g, "uncollectable") -
                          stat_of(stats_before, g, "uncollectable"));
    char key[8];
    snprintf(key, sizeof key, "%d", g);
    if (!v || PyDict_SetItemString(d, key, v) < 0) {
      Py_XDECREF(v);
      goto fail;
    }
    Py_DECREF(v);
  }
  Py_XDECREF(after);
  return d;
fail:
  Py_XDECREF(after);
  Py_XDECREF(d);
  return NULL;
}

/* An unsigned number at key of dict d; 0 when absent. */
static unsigned long long dict_u64(PyObject *d, const char *key) {
  PyObject *v = PyDict_GetItemString(d, key); /* borrowed */
  unsigned long long n = v ? PyLong_AsUnsignedLongLong(v) : 0;
  if (PyErr_Occurred()) {
    PyErr_Clear();
    n = 0;
  }
  return n;
}

static long long dict_ll(PyObject *d, const char *key) {
  PyObject *v = PyDict_GetItemString(d, key); /* borrowed */
  long long n = v ? PyLong_AsLongLong(v) : 0;
  if (PyErr_Occurred()) {
    PyErr_Clear();
    n = 0;
  }
  return n;
}

int gcprobe_merge(PyObject *child) {
  if (!callback || !PyDict_Check(child)) {
    PyErr_SetString(PyExc_ValueError,
                    "gc_probe_merge: no probe here, or not a child's report");
    return -1;
  }
  for (int g = 0; g < GENS; g++) {
    char key[8];
    snprintf(key, sizeof key, "%d", g);
    PyObject *gd = PyDict_GetItemString(child, key); /* borrowed */
    PyObject *list = gd && PyDict_Check(gd)
                         ? PyDict_GetItemString(gd, "pauses_ns")
                         : NULL; /* borrowed */
    if (!list || !PyList_Check(list)) {
      PyErr_SetString(PyExc_ValueError, "gc_probe_merge: malformed report");
      return -1;
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(list); i++) {
      unsigned long long ns =
          PyLong_AsUnsignedLongLong(PyList_GET_ITEM(list, i));
      if (PyErr_Occurred())
        return -1;
      lat_add(&pauses[g], ns);
    }
    collected[g] += dict_u64(gd, "collected");
    merged_delta[g][0] += dict_ll(gd, "collections");
    merged_delta[g][1] += dict_ll(gd, "stat_collected");
    merged_delta[g][2] += dict_ll(gd, "uncollectable");
  }
  merged_children++;
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
                                       stat_of(stats_before, g, keys[k]) +
                                       merged_delta[g][k]));
    cJSON_AddItemToArray(delta, j);
  }
  cJSON_AddStringToObject(o, "scope", scope);
  cJSON_AddNumberToObject(o, "processes", 1 + merged_children);
  Py_XDECREF(after);
  Py_CLEAR(stats_before);
  for (int g = 0; g < GENS; g++)
    lat_clear(&pauses[g]);
  return o;
}
