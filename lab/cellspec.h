/* cellspec — the JSON that tells a runner which cell to run, and running a
 * runner on it. Shared by `gillab run` (run.c) and `gillab calibrate`. */
#ifndef GILLAB_CELLSPEC_H
#define GILLAB_CELLSPEC_H

#include "child.h"
#include "model.h"
#include "place.h"
#include "registry.h"

#include <cjson/cJSON.h>
#include <stdint.h>

/* How a cell runs, beyond its workload and workers (the first three for
 * Python cells only). */
typedef struct {
  int gil_probe;          /* count GIL waits */
  double switch_interval; /* seconds; 0: the runtime's */
  long hash_seed;         /* PYTHONHASHSEED; -1: random */
  unsigned cpu_threads;   /* beside the workers (WL_CPU_THREADS); 0: none */
  int hiccup;             /* run the hiccup sleepers */
  double worker_warmup_s; /* untimed work of each fresh worker (WL_WARMUP) */
} cellspec_python;

/* A new cell spec (free with cJSON_Delete): the workload, model, workers
 * and units, each worker's cpuset from plan (NULL: unbound), and py. */
cJSON *cellspec_new(const wl_workload *wl, model_t m, unsigned workers,
                    uint64_t units, const place_plan_t *plan,
                    const cellspec_python *py);

/* Runs the cell in the runner at path runner, with a time limit; see
 * child_run for the outcome and for stop. */
int cellspec_run(const char *runner, const cJSON *spec, double timeout_s,
                 volatile int *stop, child_outcome *out, char *err,
                 size_t errlen);

#endif
