/* cellkind — see cellkind.h. */
#include "cellkind.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

cellkind_gil cellkind_gil_of(const cJSON *rec) {
  const char *model = results_str(rec, "model");
  if (results_is_native(rec))
    return CELLKIND_GIL_NONE;
  /* The record's gil.enabled is what the runner's interpreter ran with;
   * false only on a free-threaded build whose GIL stayed off, where no
   * worker of any model takes one. */
  if (cJSON_IsFalse(results_get(rec, "gil.enabled")))
    return CELLKIND_GIL_NONE;
  if (strcmp(model, "processes") == 0)
    return CELLKIND_GIL_OWN;
  if (strcmp(model, "subinterpreters") == 0 &&
      strcmp(results_str(rec, "interpreters"), "own GIL") == 0)
    return CELLKIND_GIL_OWN;
  /* threads, asyncio, subinterpreters sharing the main GIL (3.11), and a
   * model this build does not know: a shared GIL is the case whose figures
   * a report may quote, and the only one that can serialize workers. */
  return CELLKIND_GIL_SHARED;
}

const char *cellkind_gil_words(cellkind_gil g) {
  switch (g) {
  case CELLKIND_GIL_SHARED:
    return "share one GIL";
  case CELLKIND_GIL_OWN:
    return "each have a GIL of their own";
  case CELLKIND_GIL_NONE:
    break;
  }
  return "run without a GIL";
}

int cellkind_gil_contended(const cJSON *rec) {
  return cellkind_gil_of(rec) == CELLKIND_GIL_SHARED;
}

const char *cellkind_gil_na_reason(const cJSON *rec) {
  const char *model = results_str(rec, "model");
  switch (cellkind_gil_of(rec)) {
  case CELLKIND_GIL_SHARED:
    return NULL;
  case CELLKIND_GIL_OWN:
    return strcmp(model, "processes") == 0
               ? "processes have a GIL each: no worker waits for another's"
               : "own-GIL subinterpreters have a GIL each: no worker waits "
                 "for another's";
  case CELLKIND_GIL_NONE:
    break;
  }
  return results_is_native(rec) ? "the C twins run without Python or a GIL"
                                : "the free-threaded build ran with its GIL "
                                  "off";
}

int cellkind_wait_shows_turns(double wait_share, double workers) {
  return workers >= 2 && isfinite(wait_share) &&
         wait_share >= 0.5 * (workers - 1) / workers;
}

int cellkind_gil_turns(const cJSON *rec) {
  return cellkind_gil_contended(rec) &&
         cellkind_wait_shows_turns(results_num(rec, "gil.wait_share"),
                                   results_num(rec, "workers"));
}

int cellkind_one_thread(const cJSON *rec) {
  return strcmp(results_str(rec, "model"), "asyncio") == 0;
}

int cellkind_pause_stalls_all(const cJSON *rec, int stops_world) {
  const char *model = results_str(rec, "model");
  switch (cellkind_gil_of(rec)) {
  case CELLKIND_GIL_SHARED:
    return 1;
  case CELLKIND_GIL_OWN:
    return 0;
  case CELLKIND_GIL_NONE:
    break;
  }
  /* Without a GIL: the C twins have no collector; a free-threaded
   * build's processes and subinterpreters each stop their own
   * interpreter's threads; its threads (and asyncio's one) stop for a
   * stop-the-world collection, not for another's reference counting. */
  return stops_world && !results_is_native(rec) &&
         (strcmp(model, "threads") == 0 || strcmp(model, "asyncio") == 0);
}

double cellkind_runq_share(const cJSON *rec) {
  double runq = 0, span = 0;
  int any = 0;
  const cJSON *w;
  cJSON_ArrayForEach(w, results_get(rec, "per_worker")) {
    double q = results_num(w, "runq_s"), sp = results_num(w, "span_s");
    if (!isfinite(q) || !isfinite(sp) || sp <= 0)
      continue;
    runq += q;
    span += sp;
    any = 1;
  }
  return any ? runq / span : NAN;
}

double cellkind_busy_share(const cJSON *rec) {
  double busy = 0, span = 0;
  const cJSON *w;
  cJSON_ArrayForEach(w, results_get(rec, "per_worker")) {
    double cpu = results_num(w, "cpu_s"), sp = results_num(w, "span_s");
    double runq = results_num(w, "runq_s");
    if (!isfinite(cpu) || !isfinite(sp) || sp <= 0)
      continue;
    /* Time in the run queue was time the worker wanted a CPU. */
    busy += cpu + (isfinite(runq) ? runq : 0);
    span += sp;
  }
  /* A thread waiting for a shared GIL wanted a CPU too. */
  const cJSON *t;
  cJSON_ArrayForEach(t, results_get(rec, "gil.per_thread")) {
    double wait = results_num(t, "wait_s");
    if (isfinite(wait) && span > 0)
      busy += wait;
  }
  return span > 0 ? fmin(busy / span, 1.0) : NAN;
}

/* The busy share of wl's single workers (or, when none ran alone, of every
 * ok cell), over all their repetitions; NAN when no record says. */
static double workload_busy(const results *r, const char *wl) {
  for (int pass = 0; pass < 2; pass++) {
    double sum = 0;
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++) {
      const cJSON *c = r->cells[i];
      if (!results_ok(c) || strcmp(results_str(c, "workload"), wl) != 0 ||
          (pass == 0 && results_num(c, "workers") != 1))
        continue;
      double b = cellkind_busy_share(c);
      if (isfinite(b)) {
        sum += b;
        n++;
      }
    }
    if (n)
      return sum / (double)n;
  }
  return NAN;
}

/* Whether any cell of wl carries a non-empty string at key. */
static int any_str(const results *r, const char *wl, const char *key) {
  return results_has_text(r, wl, key);
}

cellkind_work cellkind_work_of(const results *r, const char *wl) {
  if (results_workload_flag(r, wl, "memory"))
    return CELLKIND_MEMORY;
  /* The records say it too (a file whose metadata lost the workload's
   * description, or renamed it): round trips to the echo server. */
  if (results_workload_flag(r, wl, "latency") ||
      results_workload_flag(r, wl, "echo_server") ||
      results_workload_flag(r, wl, "cpu_threads") ||
      results_has_figure(r, wl, "convoy.round_trips_per_s") ||
      results_has_figure(r, wl, "echo.rtt_us.p99"))
    return CELLKIND_LATENCY;
  if (results_workload_flag(r, wl, "messages") || any_str(r, wl, "payload"))
    return CELLKIND_MESSAGES;
  if (any_str(r, wl, "handler"))
    return CELLKIND_SERVE;
  /* A worker on a CPU less than half its time spent the rest waiting
   * (sleeping, blocked on I/O): such workers overlap on any number of
   * CPUs. */
  double busy = workload_busy(r, wl);
  return isfinite(busy) && busy < 0.5 ? CELLKIND_WAITING : CELLKIND_COMPUTE;
}

int cellkind_per_operation(const results *r, const char *wl) {
  return results_workload_flag(r, wl, "latency");
}

const char *cellkind_work_name(cellkind_work k) {
  static const char *const names[] = {"compute",  "waiting", "latency",
                                      "messages", "memory",  "serve"};
  return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "compute";
}

int cellkind_has_speedup(cellkind_work k) {
  return k == CELLKIND_COMPUTE || k == CELLKIND_WAITING;
}

int cellkind_has_interpreter_cost(cellkind_work k) {
  return k == CELLKIND_COMPUTE;
}

double cellkind_ideal_speedup(cellkind_work k, unsigned w, unsigned pus) {
  if (k == CELLKIND_WAITING || !pus)
    return w;
  return w < pus ? w : pus;
}

/* The p50 at "obj.KIND.figure" of the first kind listed in obj.kinds. */
static double first_kind(const cJSON *rec, const char *obj,
                         const char *figure) {
  char path[160];
  snprintf(path, sizeof path, "%s.kinds", obj);
  const cJSON *kinds = results_get(rec, path);
  const char *kind = cJSON_GetStringValue(cJSON_GetArrayItem(kinds, 0));
  if (!kind)
    return NAN;
  snprintf(path, sizeof path, "%s.%s.%s", obj, kind, figure);
  return results_num(rec, path);
}

double cellkind_headline(const cJSON *rec, const char **what) {
  static const struct {
    const char *path, *name;
  } direct[] = {
      {"serve.load.requests_per_s", "requests per second"},
      {"ipc.bytes_per_s", "bytes per second"},
  };
  const char *name = "throughput";
  double v = NAN;
  for (size_t i = 0; i < sizeof direct / sizeof direct[0]; i++)
    if (results_get(rec, direct[i].path)) {
      name = direct[i].name;
      v = results_num(rec, direct[i].path);
      goto out;
    }
  if (results_get(rec, "spawn.kinds")) {
    name = "creation latency p50";
    v = first_kind(rec, "spawn", "first_us.p50");
  } else if (results_get(rec, "switch.kinds")) {
    name = "round trip p50";
    v = first_kind(rec, "switch", "rtt_us.p50");
  } else {
    v = results_num(rec, "throughput");
  }
out:
  if (what)
    *what = name;
  return v;
}
