/* subinterp — the `subinterpreters` model: one interpreter per worker, each
 * on a host thread of its own.
 *
 * Worker i is a pthread that binds itself (workers_enter), creates an
 * interpreter, imports the workload there (and attaches what the main
 * interpreter's begin made, when the workload shares it), waits at the
 * start barrier, runs work(i, n, units), hands back the extra work()
 * returned, pickled (objects cannot cross interpreters), and ends its
 * interpreter. On 3.12+ each
 * interpreter has its own GIL (PyInterpreterConfig_OWN_GIL), which the GIL
 * probe watches like the main one; on 3.11 all interpreters share the one
 * GIL, so the workers contend exactly as threads do. The result says which.
 */
#ifndef GILLAB_SUBINTERP_H
#define GILLAB_SUBINTERP_H

#include <stddef.h>
#include <stdint.h>

/* The most a worker's error (its exception's traceback, the end kept)
 * takes. */
#define SUBINTERP_ERR_LEN 2048

/* What the workers run. */
typedef struct {
  /* The drivers' and workloads' directory, first on each interpreter's
   * sys.path (py_add_paths). */
  const char *workloads_dir;
  const char *module; /* imported by name in each interpreter */
  const char *func;   /* its work function; NULL: "work" */
  /* A user workload's directory, put before workloads_dir; NULL: none. */
  const char *module_dir;
  /* A user workload with setup(params): the params as JSON text, called
   * with the worker's index added in each interpreter; NULL: no setup. */
  const char *setup_params;
  /* What the workload's share(state) returned in the main interpreter,
   * pickled there (gillab_drive.subinterpreters): each worker unpickles it
   * in its own interpreter and passes it to the module's attach before the
   * barrier. NULL: nothing shared. Borrowed; must outlive subinterp_run. */
  const char *shared;
  size_t shared_len;
  unsigned n;
  uint64_t units;
  double switch_interval; /* > 0: set in each interpreter */
  double warmup_s;        /* untimed work first (WL_WARMUP in core/wl.h) */
  long hash_seed;         /* the cell's, to check against the hash secret */
  int gil_probe;
} subinterp_cell;

typedef struct {
  double wall_s;     /* timed region: barrier release to the last worker */
  uint64_t start_ns; /* when it began (util_now_ns) */
  uint64_t ops, answer;
  int answered;     /* every work() returned an answer (not ops alone) */
  int own_gil;      /* 1: one GIL per interpreter; 0: shared */
  unsigned watched; /* interpreters whose GIL the probe watched */
  /* What worker i saw of itself before the start (gillab_drive._fresh_view,
   * JSON text; NULL when it failed first); n entries, owned: free with
   * subinterp_result_clear. */
  char **views;
  /* Worker i's extra (the third value work() returned), pickled in its
   * interpreter before it ended, extra_lens[i] bytes; NULL when it returned
   * none (or failed). n entries, owned like views. */
  char **extras;
  size_t *extra_lens;
  unsigned n;
} subinterp_result;

/* Runs cell->module's work function (i, n, units) in n subinterpreters,
 * worker i in its own thread and interpreter, as cell says; each worker
 * first runs it untimed for warmup_s seconds and says what it sees of
 * itself. Called from Python with the main interpreter's GIL held (the
 * caller's thread state attached); it is released while the workers run.
 * Returns 0, or a negative code with err (the first failing worker's
 * exception); either way *out must be cleared with subinterp_result_clear. */
int subinterp_run(const subinterp_cell *cell, subinterp_result *out, char *err,
                  size_t errlen);

/* Frees the views and extras of a result. */
void subinterp_result_clear(subinterp_result *r);

#endif
