/* run — see run.h. */
#include "run.h"

#include "child.h"
#include "meta.h"
#include "method.h"
#include "progress.h"
#include "record.h"
#include "report.h"
#include "runtime.h"
#include "userwl.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static volatile int interrupted;

static void on_signal(int sig) {
  (void)sig;
  interrupted = 1;
}

/* mkdir -p: creates path and its missing parents. */
static int make_dirs(const char *path) {
  char tmp[PATH_MAX];
  snprintf(tmp, sizeof tmp, "%s", path);
  for (char *p = tmp + 1; *p; p++) {
    if (*p != '/')
      continue;
    *p = '\0';
    if (mkdir(tmp, 0777) < 0 && errno != EEXIST)
      return -errno;
    *p = '/';
  }
  if (mkdir(tmp, 0777) < 0 && errno != EEXIST)
    return -errno;
  return 0;
}

/* A cell but for its worker count: the cells that share a speedup
 * baseline (the 1-worker cell of the same key). rt and si index the spec's
 * runtimes and switch intervals. */
typedef struct {
  const wl_workload *wl;
  model_t model;
  size_t rt, si, sm, ct;
  size_t place; /* index in the spec's placements */
  unsigned rep;
} cell_key;

/* Throughput of 1-worker cells, the speedup baselines of their key. */
typedef struct {
  cell_key key;
  double throughput;
} baseline;

typedef struct {
  const spec_matrix *s;
  place_topo *topo;
  char runners[RUNTIME_MAX][PATH_MAX]; /* by index in s->runtimes */
  FILE *out;
  baseline *bases;
  size_t nbases;
  progress *prog;
  unsigned host_slowed; /* cells with cpu_imbalance over METHOD_HOST_SLOW */
  double imbalance_max;
} run_ctx;

static double find_baseline(const run_ctx *c, const cell_key *k) {
  for (size_t i = 0; i < c->nbases; i++) {
    const cell_key *b = &c->bases[i].key;
    if (b->wl == k->wl && b->model == k->model && b->rt == k->rt &&
        b->si == k->si && b->sm == k->sm && b->ct == k->ct &&
        b->place == k->place && b->rep == k->rep)
      return c->bases[i].throughput;
  }
  return NAN;
}

/* Runs one cell (or records why it is skipped) and appends its record.
 * Returns 0, 1 when the user interrupted the cell, or -errno when the
 * record cannot be written. */
static int run_cell(run_ctx *c, const cell_key *k, unsigned workers) {
  const spec_matrix *s = c->s;
  const wl_workload *wl = k->wl;
  model_t m = k->model;
  const char *placement = s->placements[k->place];
  int python = model_is_python(m);
  double switch_interval = python ? s->switch_intervals[k->si] : 0;
  /* Strong scaling splits the same work across the workers; weak scaling
   * gives each worker that much, so the ideal wall time stays flat and the
   * speedup (N t1 / tN) is N. */
  int weak = s->weak || wl->per_worker;
  uint64_t units = (uint64_t)fmax(
      1, round((double)(python ? wl->units_py : wl->units_native) * s->size *
               (weak ? workers : 1)));
  /* Warm-up repetitions come first, numbered 1.. of their own and flagged,
   * so that no report counts them as measurements. */
  int warmup = k->rep < s->warmup;
  unsigned rep = warmup ? k->rep + 1 : k->rep - s->warmup + 1;
  record_id id = {wl->name,  model_name(m),
                  placement, python ? s->runtimes[k->rt] : "native",
                  workers,   rep,
                  units};
  uint64_t t0 = util_now_ns();
  cJSON *rec = record_new(&id);
  if (wl->file) /* a user workload: which file (applied: what ran) */
    cJSON_AddStringToObject(rec, "workload_file", wl->file);
  if (warmup)
    cJSON_AddBoolToObject(rec, "warmup", 1);
  cJSON_AddStringToObject(rec, "scaling", weak ? "weak" : "strong");
  const char *start_method =
      m == MODEL_PROCESSES ? s->start_methods[k->sm] : NULL;
  if (start_method)
    cJSON_AddStringToObject(rec, "start_method", start_method);
  if (switch_interval > 0)
    cJSON_AddNumberToObject(rec, "switch_interval_s", switch_interval);
  else
    cJSON_AddNullToObject(rec, "switch_interval_s");
  unsigned cpu_threads = wl->flags & WL_CPU_THREADS ? s->cpu_threads[k->ct] : 0;
  if (wl->flags & WL_CPU_THREADS)
    cJSON_AddNumberToObject(rec, "cpu_threads", cpu_threads);
  char err[512] = "";
  const char *why = userwl_skip_reason(wl, m);
  if (why)
    snprintf(err, sizeof err, "%s", why);
  else if (!(wl->models & MODEL_BIT(m)))
    snprintf(err, sizeof err, "workload %s does not fit model %s", wl->name,
             model_name(m));
  else if (python && !wl->py_module)
    snprintf(err, sizeof err, "workload %s has no Python version", wl->name);
  else if (!python && !wl->native && !wl->twin)
    snprintf(err, sizeof err, "workload %s has no C twin", wl->name);
  if (err[0]) {
    record_skip(rec, err);
    goto emit;
  }

  place_plan_t plan;
  if (place_plan_named(c->topo, placement, workers, &plan, err, sizeof err) <
      0) {
    record_fail(rec, "failed", err, NULL);
    goto emit;
  }
  /* A worker in a fresh process or interpreter first touches its memory
   * and caches: on these VMs that alone cost a 0.5 s share of cpu.primes
   * 10-40 %, which a long-running pool pays once. The same for warm-up
   * repetitions as for measured ones: a warm-up repetition is a whole
   * cell run first, not a longer worker warm-up. A user workload warms up
   * only when --worker-warmup says so: its code may have side effects. */
  int warms = wl->file ? s->worker_warmup_given : (wl->flags & WL_WARMUP) != 0;
  double fresh_warmup =
      warms && (m == MODEL_PROCESSES || m == MODEL_SUBINTERPRETERS)
          ? s->worker_warmup_s
          : 0;
  /* The same hash seed for every cell of a repetition (see spec.h). */
  long hash_seed = s->hash_seed == SPEC_SEED_PER_REP ? (long)rep : s->hash_seed;
  if (python)
    cJSON_AddNumberToObject(rec, "hash_seed", (double)hash_seed);
  cellspec cell = {
      .workload = wl->name,
      .model = m,
      .workers = workers,
      .units = units,
      .sets = plan.sets,
      .workloads_dir = GILLAB_WORKLOADS_DIR,
      .workload_file = wl->file,
      .func = wl->file ? wl->func : NULL,
      .twin = wl->file && !python ? wl->twin : NULL,
      .gil_probe = s->gil_probe,
      .switch_interval = switch_interval,
      .hash_seed = hash_seed,
      .start_method = start_method && strcmp(start_method, "default") != 0
                          ? start_method
                          : NULL,
      .cpu_threads = cpu_threads,
      .hiccup = s->hiccup,
      .worker_warmup_s = fresh_warmup,
  };
  child_outcome out;
  int rc = child_run_cell(c->runners[k->rt], &cell, s->timeout_s, &interrupted,
                          &out, err, sizeof err);
  place_plan_free(&plan);
  if (rc < 0) {
    record_fail(rec, "failed", err, NULL);
    goto emit;
  }
  if (out.status == CHILD_INTERRUPT) {
    child_outcome_clear(&out);
    cJSON_Delete(rec);
    return 1;
  }
  if (out.status == CHILD_OK) {
    double base = workers == 1 ? -1 : find_baseline(c, k);
    double tput = record_measured(rec, out.result, base);
    double imb = wl->flags & WL_WARMUP ? record_cpu_imbalance(rec) : NAN;
    if (imb > METHOD_HOST_SLOW) {
      c->host_slowed++;
      c->imbalance_max = fmax(c->imbalance_max, imb);
    }
    if (workers == 1) {
      baseline *b = realloc(c->bases, (c->nbases + 1) * sizeof *c->bases);
      if (b) {
        c->bases = b;
        c->bases[c->nbases++] = (baseline){*k, tput};
      }
    }
  } else {
    record_fail(rec, out.status == CHILD_TIMEOUT ? "timeout" : "failed",
                out.reason, out.tail);
  }
  cJSON_AddNumberToObject(rec, "elapsed_s", out.elapsed_s);
  child_outcome_clear(&out);
emit:
  rc = record_append(c->out, rec);
  progress_cell(c->prog, rec, (double)(util_now_ns() - t0) / 1e9);
  cJSON_Delete(rec);
  return rc;
}

static int open_output(const spec_matrix *s, char *outdir, size_t outlen,
                       FILE **out, char *err, size_t errlen) {
  if (s->outdir) {
    snprintf(outdir, outlen, "%s", s->outdir);
  } else {
    char stamp[64];
    meta_timestamp(stamp, sizeof stamp, 1);
    snprintf(outdir, outlen, "results/%s", stamp);
  }
  int rc = make_dirs(outdir);
  if (rc < 0) {
    snprintf(err, errlen, "cannot create results directory %s: %s", outdir,
             strerror(-rc));
    return rc;
  }
  char path[PATH_MAX + 32];
  snprintf(path, sizeof path, "%s/results.jsonl", outdir);
  if (access(path, F_OK) == 0) {
    snprintf(err, errlen,
             "%s already exists; choose another directory with -o, or "
             "remove it",
             path);
    return -EEXIST;
  }
  *out = fopen(path, "w");
  if (!*out) {
    snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
    return -errno;
  }
  return 0;
}

/* Every runtime's runner path and description (for the metadata). */
static int find_runtimes(run_ctx *c, cJSON **infos, char *err, size_t errlen) {
  *infos = cJSON_CreateArray();
  for (size_t i = 0; i < c->s->nruntimes; i++) {
    const char *tag = c->s->runtimes[i];
    int rc = runtime_runner_path(tag, c->runners[i], sizeof c->runners[i], err,
                                 errlen);
    cJSON *info = rc < 0 ? NULL : runtime_info(tag, err, errlen);
    if (!info) {
      cJSON_Delete(*infos);
      *infos = NULL;
      return rc < 0 ? rc : -EIO;
    }
    cJSON_AddItemToArray(*infos, info);
  }
  return 0;
}

/* The variants of a model in the matrix: a Python model runs once per
 * runtime x switch interval (x start method, for processes); a native
 * model runs the same C code whatever those are, so once per repetition,
 * in the first runtime's runner, recorded as runtime "native". */
static size_t variants_of(const spec_matrix *s, model_t m) {
  if (!model_is_python(m))
    return 1;
  return s->nruntimes * s->nswitch * (m == MODEL_PROCESSES ? s->nstart : 1);
}

/* The --cpu-threads axis applies to the workloads that take it; the others
 * run once. */
static size_t cpu_variants(const spec_matrix *s, const wl_workload *wl) {
  return wl->flags & WL_CPU_THREADS ? s->ncpu_threads : 1;
}

/* Variant v of model m into k's runtime, switch interval and start method
 * indexes. */
static void set_variant(const spec_matrix *s, model_t m, size_t v,
                        cell_key *k) {
  size_t nsm = model_is_python(m) && m == MODEL_PROCESSES ? s->nstart : 1;
  size_t nsi = model_is_python(m) ? s->nswitch : 1;
  k->sm = v % nsm;
  k->si = (v / nsm) % nsi;
  k->rt = v / nsm / nsi;
}

int run_execute(const spec_matrix *s, const char *command, char *outdir,
                size_t outlen, char *err, size_t errlen) {
  run_ctx c = {.s = s};
  cJSON *runtimes;
  int rc = find_runtimes(&c, &runtimes, err, errlen);
  if (rc < 0)
    return rc;
  rc = place_topo_open(&c.topo, NULL, err, errlen);
  if (rc < 0) {
    cJSON_Delete(runtimes);
    return rc;
  }
  /* Explicit locations are checked against this machine before any cell
   * runs: a typo should cost nothing. */
  for (size_t p = 0; rc == 0 && p < s->nplacements; p++) {
    place_plan_t plan;
    char sub[256];
    rc = place_plan_named(c.topo, s->placements[p], 1, &plan, sub, sizeof sub);
    if (rc < 0)
      snprintf(err, errlen, "-p %s: %s", s->placements[p], sub);
    else
      place_plan_free(&plan);
  }
  if (rc < 0) {
    cJSON_Delete(runtimes);
    place_topo_close(c.topo);
    return rc;
  }
  rc = open_output(s, outdir, outlen, &c.out, err, errlen);
  if (rc < 0) {
    cJSON_Delete(runtimes);
    place_topo_close(c.topo);
    return rc;
  }
  cJSON *meta = meta_build(c.topo, runtimes, spec_to_json(s), command);
  meta_describe_workloads(meta, s->workloads, s->nworkloads);
  rc = record_append(c.out, meta);
  cJSON_Delete(meta);

  struct sigaction sa = {.sa_handler = on_signal}, old_int, old_term;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);
  interrupted = 0;

  size_t per_wl = 0, cpu_axis = 0;
  for (size_t m = 0; m < s->nmodels; m++)
    per_wl += variants_of(s, s->models[m]);
  for (size_t w = 0; w < s->nworkloads; w++)
    cpu_axis += cpu_variants(s, s->workloads[w]);
  unsigned cells_per_rep =
      (unsigned)(cpu_axis * per_wl * s->nplacements * s->nworkers);
  unsigned total = (s->warmup + s->reps) * cells_per_rep;
  c.prog = progress_new(total, cells_per_rep, s->quiet);
  if (!s->quiet)
    fprintf(stderr, "gillab: %u cells%s into %s/results.jsonl\n", total,
            s->warmup ? " (warm-up included)" : "", outdir);
  for (size_t w = 0; w < s->nworkloads && !s->quiet; w++)
    if (userwl_note(s->workloads[w]))
      fprintf(stderr, "gillab: note: %s\n", userwl_note(s->workloads[w]));
  cell_key k;
  for (k.rep = 0; rc == 0 && k.rep < s->warmup + s->reps; k.rep++)
    for (size_t w = 0; rc == 0 && w < s->nworkloads; w++)
      for (k.ct = 0; rc == 0 && k.ct < cpu_variants(s, s->workloads[w]); k.ct++)
        for (size_t m = 0; rc == 0 && m < s->nmodels; m++)
          for (size_t v = 0; rc == 0 && v < variants_of(s, s->models[m]); v++)
            for (size_t p = 0; rc == 0 && p < s->nplacements; p++)
              for (size_t n = 0; rc == 0 && n < s->nworkers; n++) {
                k.wl = s->workloads[w];
                k.model = s->models[m];
                k.place = p;
                set_variant(s, k.model, v, &k);
                rc = run_cell(&c, &k, s->workers[n]);
              }

  sigaction(SIGINT, &old_int, NULL);
  sigaction(SIGTERM, &old_term, NULL);
  if (c.host_slowed && !s->quiet)
    fprintf(stderr,
            "gillab: in %u cell%s a worker needed up to %.2fx the CPU time of "
            "another for the same work: the host slowed a CPU (another "
            "guest on its core?), so those speedups read low; see "
            "summary.md, and rerun when the machine is quieter.\n",
            c.host_slowed, c.host_slowed == 1 ? "" : "s", c.imbalance_max);
  fclose(c.out);
  free(c.bases);
  progress_free(c.prog);
  place_topo_close(c.topo);
  if (rc < 0) {
    snprintf(err, errlen, "cannot append to %s/results.jsonl: %s", outdir,
             strerror(-rc));
    return rc;
  }
  /* Interrupted or not, the reports show what was measured. */
  int srr = report_write(outdir, NULL, err, errlen);
  if (srr < 0)
    return srr;
  return rc == 1 ? 1 : 0;
}
