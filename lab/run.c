/* run — see run.h. */
#include "run.h"

#include "child.h"
#include "digest.h"
#include "gitrev.h"
#include "meta.h"
#include "method.h"
#include "precision.h"
#include "progress.h"
#include "record.h"
#include "registry.h"
#include "report.h"
#include "runtime.h"
#include "shard.h"
#include "userwl.h"
#include "util.h"
#include "venv.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The signal that stopped the run (SIGINT, SIGTERM, SIGHUP), 0 while
 * none has: the cell running is stopped, the cells measured kept. */
static volatile int interrupted;

static void on_signal(int sig) {
  interrupted = sig;
}

/* A cell but for its worker count: the cells that share a speedup
 * baseline (the 1-worker cell of the same key). rt and si index the spec's
 * runtimes and switch intervals. */
typedef struct {
  const wl_workload *wl;
  size_t w; /* wl's index in the spec's workloads */
  model_t model;
  size_t rt, si, sm, ct;
  size_t mv;    /* message size x payload (WL_MESSAGES), msg_variant() */
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
  unsigned seq; /* the cell's place in the run's order (walk_cells) */
  /* --resume: the cells already recorded, by seq (NULL otherwise), and
   * the throughput of those that are speedup baselines (NAN if not). */
  const unsigned char *done;
  const double *done_tput;
  const run_how *how;
  /* -r auto: what each measured cell left (obs[seq - the warm-ups'
   * cells], NULL otherwise), the rule, the cells of a repetition and
   * which of them the repetition under way runs (want[seq % per_rep]). */
  precision_obs *obs;
  precision_rule rule;
  size_t per_rep;
  unsigned char *want;
} run_ctx;

static double find_baseline(const run_ctx *c, const cell_key *k) {
  for (size_t i = 0; i < c->nbases; i++) {
    const cell_key *b = &c->bases[i].key;
    if (b->wl == k->wl && b->model == k->model && b->rt == k->rt &&
        b->si == k->si && b->sm == k->sm && b->ct == k->ct && b->mv == k->mv &&
        b->place == k->place && b->rep == k->rep)
      return c->bases[i].throughput;
  }
  return NAN;
}

/* Keeps tput as the speedup baseline of k. walk_cells runs the
 * repetitions one after another and a baseline serves its own repetition
 * only, so those of an earlier one are dropped: the list stays one
 * repetition's 1-worker cells long, not the run's (issue 18). */
static void add_baseline(run_ctx *c, const cell_key *k, double tput) {
  if (c->nbases && c->bases[c->nbases - 1].key.rep != k->rep)
    c->nbases = 0;
  baseline *b = realloc(c->bases, (c->nbases + 1) * sizeof *c->bases);
  if (b) {
    c->bases = b;
    c->bases[c->nbases++] = (baseline){*k, tput};
  }
}

/* The units of a cell of workload w under model m with that many workers:
 * the workload's default (or the spec's override of its Python units, the
 * C twin's scaled alike) times --size. Strong scaling splits the same work
 * across the workers; weak scaling gives each worker that much, so the
 * ideal wall time stays flat and the speedup (N t1 / tN) is N. */
static uint64_t cell_units(const spec_matrix *s, size_t w, model_t m,
                           unsigned workers) {
  const wl_workload *wl = s->workloads[w];
  int python = model_is_python(m), weak = s->weak || wl->per_worker;
  double base = (double)(python ? wl->units_py : wl->units_native) * s->size;
  return (uint64_t)fmax(1, round(base * (weak ? workers : 1)));
}

/* The untimed warm-up each fresh worker (a process or an interpreter of
 * its own) of workload wl under model m runs before the start barrier:
 * such a worker first touches its memory and caches, which a long-running
 * pool pays once. The same for warm-up repetitions as for measured ones: a
 * warm-up repetition is a whole cell run first, not a longer worker
 * warm-up. A built-in warms up when it is pure computation (WL_WARMUP); a
 * user workload only when --worker-warmup says so: its code may have side
 * effects. */
static double fresh_warmup(const spec_matrix *s, const wl_workload *wl,
                           model_t m) {
  int warms = wl->file ? s->worker_warmup_given : (wl->flags & WL_WARMUP) != 0;
  return warms && (m == MODEL_PROCESSES || m == MODEL_SUBINTERPRETERS)
             ? s->worker_warmup_s
             : 0;
}

/* Whether wl takes the --cpu-threads axis: mixed.convoy always, the
 * servers only when it was given. */
static int takes_cpu(const spec_matrix *s, const wl_workload *wl) {
  return (wl->flags & WL_CPU_THREADS) &&
         (!(wl->flags & WL_SERVE) || s->cpu_threads_given);
}

/* The --msg-size and --payload axes apply to the workloads that move
 * messages (WL_MESSAGES); the others run once. Variant mv is message size
 * mv / npayloads with payload mv % npayloads. */
static size_t msg_variants(const spec_matrix *s, const wl_workload *wl) {
  if (wl->flags & WL_SERVE)
    return s->nconnections * s->nhandlers;
  return wl->flags & WL_MESSAGES ? s->nmsg_sizes * s->npayloads : 1;
}

/* The server workloads (WL_SERVE) take the same variant index over their
 * own axes: connections mv / nhandlers, handler mv % nhandlers (0 and NULL
 * for the other workloads). */
static void serve_variant(const spec_matrix *s, const wl_workload *wl,
                          size_t mv, unsigned *connections,
                          const char **handler) {
  *connections = wl->flags & WL_SERVE ? s->connections[mv / s->nhandlers] : 0;
  *handler = wl->flags & WL_SERVE ? s->handlers[mv % s->nhandlers] : NULL;
}

/* The CPUs of a server cell's load generator: the plan's last slot, which
 * the orchestrator plans beside the server's workers ("" when unbound). */
static const char *client_set(const place_plan_t *plan, unsigned workers) {
  return plan->sets[workers];
}

static void msg_variant(const spec_matrix *s, const wl_workload *wl, size_t mv,
                        uint64_t *size, const char **payload) {
  *size = wl->flags & WL_MESSAGES ? s->msg_sizes[mv / s->npayloads] : 0;
  *payload = wl->flags & WL_MESSAGES ? s->payloads[mv % s->npayloads] : NULL;
}

/* Runs one cell (or records why it is skipped) and appends its record.
 * Returns 0, 1 when the user interrupted the cell, or -errno when the
 * record cannot be written. */
/* A new record (free with cJSON_Delete) with the cell's identity: what
 * the orchestrator asks for, before the cell runs. */
static cJSON *cell_record(const run_ctx *c, const cell_key *k,
                          unsigned workers) {
  const spec_matrix *s = c->s;
  const wl_workload *wl = k->wl;
  model_t m = k->model;
  int python = model_is_python(m);
  double switch_interval = python ? s->switch_intervals[k->si] : 0;
  int weak = s->weak || wl->per_worker;
  /* Warm-up repetitions come first, numbered 1.. of their own and flagged,
   * so that no report counts them as measurements. */
  int warmup = k->rep < s->warmup;
  unsigned rep = warmup ? k->rep + 1 : k->rep - s->warmup + 1;
  record_id id = {wl->name,
                  model_name(m),
                  s->placements[k->place],
                  python ? s->runtimes[k->rt] : "native",
                  workers,
                  rep,
                  cell_units(s, k->w, m, workers)};
  cJSON *rec = record_new(&id);
  if (wl->file) /* a user workload: which file (applied: what ran) */
    cJSON_AddStringToObject(rec, "workload_file", wl->file);
  if (warmup)
    cJSON_AddBoolToObject(rec, "warmup", 1);
  cJSON_AddStringToObject(rec, "scaling", weak ? "weak" : "strong");
  if (m == MODEL_PROCESSES)
    cJSON_AddStringToObject(rec, "start_method", s->start_methods[k->sm]);
  if (switch_interval > 0)
    cJSON_AddNumberToObject(rec, "switch_interval_s", switch_interval);
  else
    cJSON_AddNullToObject(rec, "switch_interval_s");
  if (takes_cpu(s, wl))
    cJSON_AddNumberToObject(rec, "cpu_threads", s->cpu_threads[k->ct]);
  uint64_t msg_size;
  const char *payload;
  msg_variant(s, wl, k->mv, &msg_size, &payload);
  if (payload) { /* what was asked; the workload's "ipc" says what ran */
    cJSON_AddNumberToObject(rec, "msg_size", (double)msg_size);
    cJSON_AddStringToObject(rec, "payload", payload);
  }
  unsigned connections;
  const char *handler;
  serve_variant(s, wl, k->mv, &connections, &handler);
  if (handler) { /* what was asked; serve.load says what ran */
    cJSON_AddNumberToObject(rec, "connections", connections);
    cJSON_AddStringToObject(rec, "handler", handler);
    cJSON_AddNumberToObject(rec, "handler_us", spec_handler_us(s, handler));
    cJSON_AddNumberToObject(rec, "rate", s->rate);
  }
  return rec;
}

static int run_cell(run_ctx *c, const cell_key *k, unsigned workers) {
  const spec_matrix *s = c->s;
  const wl_workload *wl = k->wl;
  model_t m = k->model;
  const char *placement = s->placements[k->place];
  int python = model_is_python(m);
  double switch_interval = python ? s->switch_intervals[k->si] : 0;
  uint64_t units = cell_units(s, k->w, m, workers);
  int warmup = k->rep < s->warmup;
  unsigned rep = warmup ? k->rep + 1 : k->rep - s->warmup + 1;
  uint64_t t0 = util_now_ns();
  cJSON *rec = cell_record(c, k, workers);
  /* Its place in the run's order: what --resume and the reports of an
   * incomplete run go by (the metadata's plan). */
  cJSON_AddNumberToObject(rec, "seq", c->seq);
  const char *start_method =
      m == MODEL_PROCESSES ? s->start_methods[k->sm] : NULL;
  unsigned cpu_threads = takes_cpu(s, wl) ? s->cpu_threads[k->ct] : 0;
  uint64_t msg_size;
  const char *payload;
  msg_variant(s, wl, k->mv, &msg_size, &payload);
  unsigned connections;
  const char *handler;
  serve_variant(s, wl, k->mv, &connections, &handler);
  char err[512] = "";
  const char *why = userwl_skip_reason(wl, m);
  if (why)
    snprintf(err, sizeof err, "%s", why);
  else if (!(wl->models & MODEL_BIT(m)))
    snprintf(err, sizeof err, "workload %s does not fit model %s", wl->name,
             model_name(m));
  else if ((wl->flags & WL_FORK_ONLY) && start_method &&
           strcmp(start_method, "fork") != 0 &&
           strcmp(start_method, "default") != 0)
    snprintf(err, sizeof err,
             "workload %s needs the fork start method: a %s worker starts a "
             "fresh interpreter and inherits nothing the cell's process "
             "built",
             wl->name, start_method);
  else if (python && !wl->py_module)
    snprintf(err, sizeof err, "workload %s has no Python version", wl->name);
  else if (!python && !wl->native && !wl->twin && !(wl->flags & WL_SERVE))
    snprintf(err, sizeof err, "workload %s has no C twin", wl->name);
  else if (payload && workers % 2)
    snprintf(err, sizeof err,
             "workload %s moves messages from a producer to a consumer, a "
             "pair of workers: give an even number of workers (-n 2)",
             wl->name);
  else if (payload && !python && strcmp(payload, "object") == 0)
    snprintf(err, sizeof err,
             "the C twin of %s moves raw bytes; payload object (a dict of "
             "lists, pickled) is for the Python models",
             wl->name);
  else if (handler && workers > 1 &&
           (m == MODEL_ASYNCIO ||
            (m == MODEL_THREADS &&
             !(wl->flags & (WL_SERVE_SHARED | WL_SERVE_UDP)))))
    snprintf(err, sizeof err,
             "%s under %s is %s, whatever the workers: -n 1 (a pool of N "
             "threads is net.serve_pool)",
             wl->name, model_name(m),
             m == MODEL_THREADS ? "a thread per connection" : "one event loop");
  else if (handler && handler[0] == '/' && !python)
    snprintf(err, sizeof err,
             "the C twin of %s runs the built-in handlers only, not %s",
             wl->name, handler);
  if (err[0]) {
    record_skip(rec, err);
    goto emit;
  }

  place_plan_t plan;
  /* A server cell plans one more slot, its load generator's, after the
   * server's workers: the placement puts the two sides apart as it puts
   * workers apart. */
  if (place_plan_named(c->topo, placement, workers + (handler != NULL), &plan,
                       err, sizeof err) < 0) {
    record_fail(rec, "failed", err, NULL);
    goto emit;
  }
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
      .worker_warmup_s = fresh_warmup(s, wl, m),
      .site_packages = python && !s->no_site,
      .venv = python ? venv_for(&s->venvs, s->runtimes[k->rt]) : NULL,
      .msg_size = msg_size,
      .payload = payload,
      .connections = connections,
      .handler = handler,
      .handler_us = handler ? spec_handler_us(s, handler) : 0,
      .rate = handler ? s->rate : 0,
      .client_set = handler ? client_set(&plan, workers) : NULL,
  };
  child_outcome out;
  child_limits lim = {.memory_bytes = s->memory_limit};
  int rc = child_run_cell(c->runners[k->rt], &cell, s->timeout_s, &interrupted,
                          &lim, &out, err, sizeof err);
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
    if (workers == 1)
      add_baseline(c, k, tput);
  } else {
    record_fail(rec, out.status == CHILD_TIMEOUT ? "timeout" : "failed",
                out.reason, out.tail);
  }
  cJSON_AddNumberToObject(rec, "elapsed_s", out.elapsed_s);
  child_outcome_clear(&out);
emit:
  if (c->obs && !warmup)
    c->obs[c->seq - s->warmup * c->per_rep] = precision_observe(rec);
  rc = record_append(c->out, rec);
  progress_cell(c->prog, rec, (double)(util_now_ns() - t0) / 1e9);
  cJSON_Delete(rec);
  return rc;
}

/* The results directory: -o DIR, else results/<timestamp>; a shard's is
 * DIR (or results)/RUN_ID/shard-K-of-N, named so that the shards of one
 * run sit side by side and none overwrites another. */
static int open_output(const spec_matrix *s, const shard *sh,
                       const char *run_id, char *outdir, size_t outlen,
                       FILE **out, char *err, size_t errlen) {
  if (sh) {
    snprintf(outdir, outlen, "%s/%s/shard-%u-of-%u",
             s->outdir ? s->outdir : "results", run_id, sh->index, sh->count);
  } else if (s->outdir) {
    snprintf(outdir, outlen, "%s", s->outdir);
  } else {
    char stamp[64];
    meta_timestamp(stamp, sizeof stamp, 1);
    snprintf(outdir, outlen, "results/%s", stamp);
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
  /* gillab writes only into a directory it creates, or an empty one: a
   * directory of other files would get a summary.md, a report.html, ...
   * over files of the same names. */
  if (!util_dir_is_empty(outdir)) {
    snprintf(err, errlen,
             "%s holds files and no results.jsonl: gillab writes its "
             "results only into a new or empty directory (choose another "
             "with -o)",
             outdir);
    return -EEXIST;
  }
  int rc = util_make_dirs(outdir);
  if (rc < 0) {
    snprintf(err, errlen, "cannot create results directory %s: %s", outdir,
             strerror(-rc));
    return rc;
  }
  int fd =
      open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
  *out = fd >= 0 ? fdopen(fd, "w") : NULL;
  if (!*out) {
    rc = -errno;
    snprintf(err, errlen, "cannot write %s: %s", path, strerror(-rc));
    if (fd >= 0)
      close(fd);
    return rc;
  }
  return 0;
}

/* Whether the runtimes a run found now are those of meta (tag, version,
 * build, runner and environment); when not, why into why. */
static int same_runtimes(const cJSON *meta, const cJSON *now, char *why,
                         size_t len) {
  static const char *const keys[] = {"tag",    "version",     "build",
                                     "runner", "environment", "free_threaded"};
  const cJSON *then = cJSON_GetObjectItemCaseSensitive(meta, "runtimes");
  if (cJSON_GetArraySize(then) != cJSON_GetArraySize(now)) {
    snprintf(why, len, "it ran %d runtimes, this run has %d",
             cJSON_GetArraySize(then), cJSON_GetArraySize(now));
    return 0;
  }
  for (int i = 0; i < cJSON_GetArraySize(now); i++) {
    const cJSON *a = cJSON_GetArrayItem(then, i),
                *b = cJSON_GetArrayItem(now, i);
    for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
      const cJSON *x = cJSON_GetObjectItemCaseSensitive(a, keys[k]);
      const cJSON *y = cJSON_GetObjectItemCaseSensitive(b, keys[k]);
      if ((x || y) && !cJSON_Compare(x, y, 1)) {
        char *tx = x ? cJSON_PrintUnformatted(x) : NULL;
        char *ty = y ? cJSON_PrintUnformatted(y) : NULL;
        snprintf(
            why, len, "runtime %s: its %s was %.200s, now %.200s",
            cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(b, "tag")),
            keys[k], tx ? tx : "absent", ty ? ty : "absent");
        cJSON_free(tx);
        cJSON_free(ty);
        return 0;
      }
    }
  }
  return 1;
}

/* Whether meta's shard is sh (both absent, or the same K of N); when
 * not, why into why. */
static int shard_matches(const cJSON *meta, const shard *sh, char *why,
                         size_t len) {
  const cJSON *j = cJSON_GetObjectItemCaseSensitive(meta, "shard");
  const cJSON *k = cJSON_GetObjectItemCaseSensitive(j, "index");
  const cJSON *n = cJSON_GetObjectItemCaseSensitive(j, "count");
  if (!j && !sh)
    return 1;
  if (!j)
    snprintf(why, len,
             "it is a whole run, not a shard: resume it without --shard");
  else if (!cJSON_IsNumber(k) || !cJSON_IsNumber(n))
    snprintf(why, len, "its metadata's shard is not K of N");
  else if (!sh)
    snprintf(why, len, "it is shard %g of %g: resume it with --shard %g/%g",
             k->valuedouble, n->valuedouble, k->valuedouble, n->valuedouble);
  else if (k->valuedouble != sh->index || n->valuedouble != sh->count)
    snprintf(why, len,
             "it is shard %g of %g, not %u of %u: resume each shard in its "
             "own directory",
             k->valuedouble, n->valuedouble, sh->index, sh->count);
  else
    return 1;
  return 0;
}

/* Why the run of meta cannot be completed by this one (a different spec,
 * build, runtimes or plan), or NULL when it can. */
static const char *resume_refusal(const cJSON *meta, const shard *sh,
                                  const char *hash, const cJSON *runtimes,
                                  unsigned total, char *why, size_t len) {
  const cJSON *g = cJSON_GetObjectItemCaseSensitive(meta, "gillab");
  const char *version =
      cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(g, "version"));
  const char *git =
      cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(g, "git"));
  const char *then = cJSON_GetStringValue(
      cJSON_GetObjectItemCaseSensitive(meta, "spec_sha256"));
  const cJSON *plan = cJSON_GetObjectItemCaseSensitive(meta, "plan");
  const cJSON *cells = cJSON_GetObjectItemCaseSensitive(plan, "cells");
  char rt[512];
  if (!cJSON_IsObject(plan) ||
      !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(meta, "argv")))
    snprintf(why, len,
             "its metadata has no plan: it was run by a gillab without "
             "--resume");
  else if (cJSON_GetObjectItemCaseSensitive(meta, "merged"))
    snprintf(why, len,
             "it is a merge of shards: resume each shard's own directory "
             "(gillab run --resume DIR/RUN_ID/shard-K-of-N), then merge "
             "them again");
  else if (!shard_matches(meta, sh, rt, sizeof rt))
    snprintf(why, len, "%s", rt);
  else if (!version || !git || strcmp(version, GILLAB_VERSION) != 0 ||
           strcmp(git, GILLAB_GIT_REV) != 0)
    snprintf(why, len,
             "it was run by gillab %s (git %s), this is %s (git %s): its "
             "cells and the rest would not be measured alike; resume with "
             "the same build",
             version ? version : "?", git ? git : "?", GILLAB_VERSION,
             GILLAB_GIT_REV);
  else if (!then || strcmp(then, hash) != 0)
    snprintf(why, len,
             "its spec (sha256 %.16s) is not this one (%.16s): an "
             "experiment file, a workload's file or an option changed",
             then ? then : "?", hash);
  else if (!same_runtimes(meta, runtimes, rt, sizeof rt))
    snprintf(why, len, "%s", rt);
  else if (!cJSON_IsNumber(cells) || cells->valuedouble != total)
    snprintf(why, len, "its plan has %g cells, this one %u",
             cJSON_IsNumber(cells) ? cells->valuedouble : 0, total);
  else
    return NULL;
  return why;
}

/* --resume DIR: opens DIR/results.jsonl to append the cells it lacks,
 * after checking that its run is this one (resume_refusal). A torn last
 * line is cut off. Fills done[seq] (a new array of total, free it) for
 * the cells recorded and tput[seq] (new too) with the throughput of the
 * recorded speedup baselines; *ndone counts them. -ECANCELED when
 * refused (exit 1, not a usage error: the directory is not this run's). */
static int open_resume(run_ctx *c, const shard *sh, const char *hash,
                       const cJSON *runtimes, unsigned total, char *outdir,
                       size_t outlen, unsigned char **done, double **tput,
                       unsigned *ndone, char *err, size_t errlen) {
  const char *dir = c->how->resume;
  char path[PATH_MAX + 32], why[1024];
  snprintf(outdir, outlen, "%s", dir);
  snprintf(path, sizeof path, "%s/results.jsonl", dir);
  int fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
  FILE *f = fd >= 0 ? fdopen(fd, "r+") : NULL;
  if (!f) {
    int e = errno;
    snprintf(err, errlen, "cannot resume %s: %s: %s", dir, path, strerror(e));
    if (fd >= 0)
      close(fd);
    return e == ENOENT ? -ECANCELED : -e;
  }
  *done = calloc(total + 1, 1);
  *tput = malloc((total + 1) * sizeof **tput);
  *ndone = 0;
  int rc = *done && *tput ? 0 : -ENOMEM;
  for (unsigned i = 0; rc == 0 && i <= total; i++)
    (*tput)[i] = NAN;
  char *line = NULL;
  size_t cap = 0, lineno = 0;
  cJSON *meta = NULL;
  off_t at = 0;
  ssize_t got;
  while (rc == 0 && (got = getline(&line, &cap, f)) > 0) {
    lineno++;
    if (line[got - 1] != '\n') {
      fprintf(stderr,
              "gillab: %s:%zu: the last line is incomplete (a write cut "
              "short): removed before resuming\n",
              path, lineno);
      if (ftruncate(fd, at) < 0)
        rc = -errno;
      break;
    }
    at += got;
    cJSON *rec = cJSON_Parse(line);
    if (lineno == 1) {
      meta = rec;
      const char *no =
          cJSON_IsObject(meta)
              ? resume_refusal(meta, sh, hash, runtimes, total, why, sizeof why)
              : "its first line is not a metadata record";
      if (no) {
        snprintf(err, errlen, "cannot resume %s: %s", dir, no);
        rc = -ECANCELED;
      }
      continue;
    }
    const cJSON *seq = cJSON_GetObjectItemCaseSensitive(rec, "seq");
    if (cJSON_IsNumber(seq) && seq->valuedouble >= 0 &&
        seq->valuedouble < total && !(*done)[seq->valueint]) {
      (*done)[seq->valueint] = 1;
      (*ndone)++;
      size_t warm_cells = c->s->warmup * c->per_rep;
      if (c->obs && (size_t)seq->valueint >= warm_cells)
        c->obs[(size_t)seq->valueint - warm_cells] = precision_observe(rec);
      const cJSON *w = cJSON_GetObjectItemCaseSensitive(rec, "workers");
      const cJSON *t = cJSON_GetObjectItemCaseSensitive(rec, "throughput");
      if (cJSON_IsNumber(w) && w->valuedouble == 1 && cJSON_IsNumber(t) &&
          strcmp(cJSON_GetStringValue(
                     cJSON_GetObjectItemCaseSensitive(rec, "status"))
                     ?: "",
                 "ok") == 0)
        (*tput)[seq->valueint] = t->valuedouble;
    }
    cJSON_Delete(rec);
  }
  free(line);
  if (rc == 0 && !meta) {
    snprintf(err, errlen, "cannot resume %s: %s is empty", dir, path);
    rc = -ECANCELED;
  }
  cJSON_Delete(meta);
  if (rc == 0 && fseeko(f, 0, SEEK_END) < 0)
    rc = -errno;
  if (rc < 0) {
    if (rc != -EINVAL && rc != -ECANCELED && rc != -ENOMEM)
      snprintf(err, errlen, "cannot resume %s: %s", dir, strerror(-rc));
    else if (rc == -ENOMEM)
      snprintf(err, errlen, "out of memory");
    fclose(f);
    free(*done);
    free(*tput);
    *done = NULL;
    *tput = NULL;
    return rc;
  }
  c->out = f;
  return 0;
}

/* Every runtime's runner path and description with the environment its
 * cells get (for the metadata). A venv that does not fit its runtime is a
 * usage error (-EINVAL), found before any cell runs. */
static int find_runtimes(run_ctx *c, cJSON **infos, char *err, size_t errlen) {
  *infos = cJSON_CreateArray();
  for (size_t i = 0; i < c->s->nruntimes; i++) {
    const char *tag = c->s->runtimes[i];
    const char *venv = venv_for(&c->s->venvs, tag);
    int rc = runtime_runner_path(tag, c->runners[i], sizeof c->runners[i], err,
                                 errlen);
    cJSON *info =
        rc < 0 ? NULL
               : runtime_info_env(tag, !c->s->no_site, venv, err, errlen);
    const cJSON *env = cJSON_GetObjectItemCaseSensitive(info, "environment");
    const char *unfit =
        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(env, "error"));
    if (unfit) {
      snprintf(err, errlen, "--venv for runtime %s: %s", tag, unfit);
      cJSON_Delete(info);
      info = NULL;
      rc = -EINVAL;
    }
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
  return takes_cpu(s, wl) ? s->ncpu_threads : 1;
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

/* The cells of one repetition. */
static unsigned cells_per_rep(const spec_matrix *s) {
  size_t per_wl = 0, cpu_axis = 0;
  for (size_t m = 0; m < s->nmodels; m++)
    per_wl += variants_of(s, s->models[m]);
  for (size_t w = 0; w < s->nworkloads; w++)
    cpu_axis +=
        cpu_variants(s, s->workloads[w]) * msg_variants(s, s->workloads[w]);
  return (unsigned)(cpu_axis * per_wl * s->nplacements * s->nworkers);
}

/* What a cell is expected to cost, in microseconds, for dealing rows to
 * shards: unlike cell_estimate, a guess that does not depend on the
 * machine (every shard must deal the same way, on any machine): a
 * CPU-bound workload halfway between spreading over its workers and not
 * at all, any other spread over its workers. */
static uint64_t shard_cost_us(const spec_matrix *s, size_t w, model_t m,
                              unsigned workers) {
  const wl_workload *wl = s->workloads[w];
  const wl_workload *def = wl->file ? wl : registry_find(wl->name);
  if (!def)
    def = wl;
  int python = model_is_python(m);
  double work = (double)cell_units(s, w, m, workers) /
                (double)(python ? def->units_py : def->units_native);
  double spread =
      wl->flags & WL_WARMUP ? 2.0 / (1.0 + 1.0 / workers) : (double)workers;
  double t = fmin(s->timeout_s,
                  RUN_CELL_START_S + fresh_warmup(s, wl, m) + work / spread);
  return (uint64_t)llround(t * 1e6);
}

/* The rows of the matrix (every axis but workers and repetition), in the
 * order run_execute's loop meets them, with their cost (all workers, one
 * repetition) into a new array *cost (free it). Returns how many. */
static size_t matrix_rows(const spec_matrix *s, uint64_t **cost) {
  size_t n = 0, cap = 0;
  *cost = NULL;
  for (size_t w = 0; w < s->nworkloads; w++)
    for (size_t ct = 0; ct < cpu_variants(s, s->workloads[w]); ct++)
      for (size_t mv = 0; mv < msg_variants(s, s->workloads[w]); mv++)
        for (size_t m = 0; m < s->nmodels; m++)
          for (size_t v = 0; v < variants_of(s, s->models[m]); v++)
            for (size_t p = 0; p < s->nplacements; p++) {
              if (n == cap) {
                cap = cap ? 2 * cap : 64;
                uint64_t *c = realloc(*cost, cap * sizeof *c);
                if (!c) {
                  free(*cost);
                  *cost = NULL;
                  return 0;
                }
                *cost = c;
              }
              uint64_t sum = 0;
              for (size_t k = 0; k < s->nworkers; k++)
                sum += shard_cost_us(s, w, s->models[m], s->workers[k]);
              (*cost)[n++] = sum;
            }
  return n;
}

/* The spec's identity: the SHA-256 of its JSON (as in the metadata) with
 * the experiment file's path left out, which may differ between the
 * machines of one run while its sha256 may not. */
static void spec_sha256(const spec_matrix *s, char hex[DIGEST_HEX_LEN]) {
  cJSON *j = spec_to_json(s);
  cJSON_DeleteItemFromObjectCaseSensitive(
      cJSON_GetObjectItemCaseSensitive(j, "experiment"), "path");
  char *text = cJSON_PrintUnformatted(j);
  if (!text || digest_bytes(text, strlen(text), hex) < 0)
    snprintf(hex, DIGEST_HEX_LEN, "unknown");
  cJSON_free(text);
  cJSON_Delete(j);
}

/* Calls fn on every cell of the run, in the run's order (repetitions,
 * then rows of the matrix, then workers), with c->seq the cell's place in
 * that order; only the rows of shard sh when sh is not NULL; only the first
 * reps repetitions. Stops at the first non-zero fn returns, and returns
 * it. */
typedef int (*cell_visit)(run_ctx *c, const cell_key *k, unsigned workers,
                          void *arg);

static int walk_cells(run_ctx *c, const shard *sh, const unsigned *shard_of,
                      unsigned reps, cell_visit fn, void *arg) {
  const spec_matrix *s = c->s;
  cell_key k;
  size_t row = 0; /* the row of the matrix (see matrix_rows) */
  int rc = 0;
  c->seq = 0;
  for (k.rep = 0; rc == 0 && k.rep < reps; k.rep++, row = 0)
    for (size_t w = 0; rc == 0 && w < s->nworkloads; w++)
      for (k.ct = 0; rc == 0 && k.ct < cpu_variants(s, s->workloads[w]); k.ct++)
        for (k.mv = 0; rc == 0 && k.mv < msg_variants(s, s->workloads[w]);
             k.mv++)
          for (size_t m = 0; rc == 0 && m < s->nmodels; m++)
            for (size_t v = 0; rc == 0 && v < variants_of(s, s->models[m]); v++)
              for (size_t p = 0; rc == 0 && p < s->nplacements; p++, row++)
                for (size_t n = 0; rc == 0 && n < s->nworkers &&
                                   (!sh || shard_of[row] == sh->index);
                     n++, c->seq++) {
                  k.wl = s->workloads[w];
                  k.w = w;
                  k.model = s->models[m];
                  k.place = p;
                  set_variant(s, k.model, v, &k);
                  rc = fn(c, &k, s->workers[n], arg);
                }
  return rc;
}

/* walk_cells' visitor of a run: runs the cell, unless --resume found it
 * recorded (a speedup baseline's throughput is then taken from its
 * record). */
static int visit_run(run_ctx *c, const cell_key *k, unsigned workers,
                     void *arg) {
  (void)arg;
  /* -r auto: at each measured repetition's first cell, the rule says
   * which cells run it, from the repetitions before (recorded by this
   * run or, resumed, by the one before: the same cells either way). */
  if (c->obs && k->rep >= c->s->warmup) {
    size_t i = c->seq % c->per_rep;
    if (i == 0)
      precision_wanted(&c->rule, c->obs, k->rep - c->s->warmup, c->per_rep,
                       c->s->nworkers, c->want);
    if (!c->want[i]) {
      if (!(c->done && c->done[c->seq]))
        progress_skip(c->prog);
      return 0;
    }
  }
  if (c->done && c->done[c->seq]) {
    double tput = c->done_tput[c->seq];
    if (workers == 1 && isfinite(tput))
      add_baseline(c, k, tput);
    return 0;
  }
  return run_cell(c, k, workers);
}

/* walk_cells' visitor for the plan: each row's identity, once (at its
 * first worker count of the first repetition). */
static int visit_plan(run_ctx *c, const cell_key *k, unsigned workers,
                      void *arg) {
  if (workers != c->s->workers[0])
    return 0;
  cJSON *row = cell_record(c, k, workers);
  static const char *const per_cell[] = {"type", "workers", "rep", "units",
                                         "warmup"};
  for (size_t i = 0; i < sizeof per_cell / sizeof *per_cell; i++)
    cJSON_DeleteItemFromObjectCaseSensitive(row, per_cell[i]);
  cJSON_AddItemToArray(arg, row);
  return 0;
}

/* The run's plan, for the metadata: every cell it will run, as rows (the
 * identity of a cell but workers and repetition), worker counts and
 * repetitions; cell seq is repetition seq / (rows x workers) (warm-ups
 * first), row (seq / workers) % rows, worker count seq % workers. */
static cJSON *run_plan_json(run_ctx *c, const shard *sh,
                            const unsigned *shard_of, unsigned total) {
  const spec_matrix *s = c->s;
  cJSON *plan = cJSON_CreateObject();
  cJSON_AddNumberToObject(plan, "cells", total);
  cJSON_AddNumberToObject(plan, "reps", s->reps);
  cJSON_AddNumberToObject(plan, "warmup", s->warmup);
  cJSON *w = cJSON_AddArrayToObject(plan, "workers");
  for (size_t n = 0; n < s->nworkers; n++)
    cJSON_AddItemToArray(w, cJSON_CreateNumber(s->workers[n]));
  walk_cells(c, sh, shard_of, 1, visit_plan,
             cJSON_AddArrayToObject(plan, "rows"));
  return plan;
}

/* Which shard each row of s goes to (a new array, free it; NULL when the
 * run is not sharded), with *cells the cells this shard runs in one
 * repetition. */
static int plan_shard(const spec_matrix *s, const shard *sh,
                      unsigned **shard_of, unsigned *cells) {
  uint64_t *cost;
  size_t nrows = matrix_rows(s, &cost);
  *shard_of = calloc(nrows + 1, sizeof **shard_of);
  if ((nrows && !cost) || !*shard_of ||
      shard_assign(cost, nrows, sh->count, *shard_of) < 0) {
    free(cost);
    free(*shard_of);
    *shard_of = NULL;
    return -ENOMEM;
  }
  *cells = 0;
  for (size_t i = 0; i < nrows; i++)
    if ((*shard_of)[i] == sh->index)
      *cells += (unsigned)s->nworkers;
  free(cost);
  return 0;
}

static int run_execute_shard(run_ctx *cp, const shard *sh,
                             const unsigned *shard_of, unsigned shard_cells,
                             const char *run_id, const char *hash,
                             const char *command, char *outdir, size_t outlen,
                             char *err, size_t errlen);

static const char *env_get(const char *name) {
  return getenv(name);
}

int run_execute(const spec_matrix *s, const char *command, char *outdir,
                size_t outlen, char *err, size_t errlen) {
  return run_execute_how(s, command, NULL, outdir, outlen, err, errlen);
}

int run_execute_how(const spec_matrix *s, const char *command,
                    const run_how *how, char *outdir, size_t outlen, char *err,
                    size_t errlen) {
  run_ctx c = {.s = s, .how = how};
  shard sh = {0};
  unsigned *shard_of = NULL, shard_cells = 0;
  char hash[DIGEST_HEX_LEN], run_id[SHARD_RUN_ID_MAX + 1] = "";
  spec_sha256(s, hash);
  if (s->shard_arg) {
    int rc = shard_resolve(s->shard_arg, env_get, &sh, err, errlen);
    if (rc == 0)
      rc = shard_run_id(s->run_id, env_get, hash, run_id, err, errlen);
    if (rc == 0 && plan_shard(s, &sh, &shard_of, &shard_cells) < 0) {
      snprintf(err, errlen, "out of memory");
      rc = -ENOMEM;
    }
    if (rc < 0) {
      shard_clear(&sh);
      return rc;
    }
  }
  int rc =
      run_execute_shard(&c, s->shard_arg ? &sh : NULL, shard_of, shard_cells,
                        run_id, hash, command, outdir, outlen, err, errlen);
  free(shard_of);
  shard_clear(&sh);
  return rc;
}

/* -r auto's outcome on stderr: the measured cells run, the cells that
 * reached the precision and those that hit the cap (summary.md says
 * which, from the records). */
static void auto_tell(const run_ctx *c) {
  size_t runs_all = 0, reached = 0, capped = 0, other = 0;
  for (size_t k = 0; k < c->per_rep; k++) {
    unsigned runs;
    switch (precision_judge_cell(&c->rule, c->obs, c->s->reps, c->per_rep, k,
                                 NULL, &runs)) {
    case PRECISION_REACHED:
      reached++;
      break;
    case PRECISION_CAPPED:
      capped++;
      break;
    default:
      other++;
    }
    runs_all += runs;
  }
  fprintf(stderr,
          "gillab: -r auto: %zu measured cells run (at most %zu); %zu of %zu "
          "cells within ±%g %%, %zu hit the cap of %u repetitions, %zu "
          "without a figure (see summary.md)\n",
          runs_all, c->per_rep * c->s->reps, reached, c->per_rep,
          c->rule.target * 100, capped, c->rule.max_reps, other);
}

/* run_execute's body: the whole matrix when sh is NULL, else the rows
 * whose shard_of is sh's index (shard_cells of them a repetition). */
static int run_execute_shard(run_ctx *cp, const shard *sh,
                             const unsigned *shard_of, unsigned shard_cells,
                             const char *run_id, const char *hash,
                             const char *command, char *outdir, size_t outlen,
                             char *err, size_t errlen) {
  run_ctx c = *cp;
  const spec_matrix *s = c.s;
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
  unsigned per_rep = sh ? shard_cells : cells_per_rep(s);
  unsigned total = (s->warmup + s->reps) * per_rep, ndone = 0;
  unsigned char *done = NULL;
  double *done_tput = NULL;
  int resume = c.how && c.how->resume;
  if (s->auto_reps) {
    c.rule = (precision_rule){s->precision, s->min_reps, s->reps};
    c.per_rep = per_rep;
    c.obs = calloc((size_t)s->reps * per_rep + 1, sizeof *c.obs);
    c.want = calloc(per_rep + 1, 1);
    if (!c.obs || !c.want) {
      free(c.obs);
      free(c.want);
      cJSON_Delete(runtimes);
      place_topo_close(c.topo);
      snprintf(err, errlen, "out of memory");
      return -ENOMEM;
    }
  }
  if (resume)
    rc = open_resume(&c, sh, hash, runtimes, total, outdir, outlen, &done,
                     &done_tput, &ndone, err, errlen);
  else
    rc = open_output(s, sh, run_id, outdir, outlen, &c.out, err, errlen);
  if (rc < 0 || resume)
    cJSON_Delete(runtimes);
  if (rc < 0) {
    free(c.obs);
    free(c.want);
    place_topo_close(c.topo);
    return rc;
  }
  c.done = done;
  c.done_tput = done_tput;
  cJSON *meta =
      resume ? NULL : meta_build(c.topo, runtimes, spec_to_json(s), command);
  /* The spec's hash tells the shards of one run (gillab merge); a shard
   * says which it is, how it knew, and how many cells it runs. */
  if (meta) {
    meta_describe_workloads(meta, s->workloads, s->nworkloads);
    cJSON_AddStringToObject(meta, "spec_sha256", hash);
  }
  /* What --resume needs: the options as typed, where they were typed,
   * and the cells in order. */
  if (meta && c.how && c.how->argv) {
    cJSON *a = cJSON_AddArrayToObject(meta, "argv");
    for (int i = 0; i < c.how->argc; i++)
      cJSON_AddItemToArray(a, cJSON_CreateString(c.how->argv[i]));
    char cwd[PATH_MAX];
    if (getcwd(cwd, sizeof cwd))
      cJSON_AddStringToObject(meta, "cwd", cwd);
  }
  if (meta)
    cJSON_AddItemToObject(meta, "plan", run_plan_json(&c, sh, shard_of, total));
  if (meta && sh) {
    cJSON *j = cJSON_AddObjectToObject(meta, "shard");
    cJSON_AddNumberToObject(j, "index", sh->index);
    cJSON_AddNumberToObject(j, "count", sh->count);
    cJSON_AddStringToObject(j, "source", sh->source);
    cJSON_AddStringToObject(j, "run_id", run_id);
    cJSON_AddNumberToObject(j, "cells",
                            (double)shard_cells * (s->warmup + s->reps));
    if (sh->env)
      cJSON_AddItemToObject(j, "env", cJSON_Duplicate(sh->env, 1));
  }
  rc = meta ? record_append(c.out, meta) : 0;
  cJSON_Delete(meta);

  struct sigaction sa = {.sa_handler = on_signal}, old_int, old_term, old_hup;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);
  sigaction(SIGHUP, &sa, &old_hup);
  interrupted = 0;

  c.prog = progress_new(total - ndone, per_rep, s->quiet);
  if (resume && s->auto_reps) /* the rule decides how many are left */
    fprintf(stderr,
            "gillab: resuming %s: %u of its %u cells recorded; -r auto runs "
            "those its rule still wants\n",
            outdir, ndone, total);
  else if (resume) /* even with -q: it says what becomes of the records */
    fprintf(stderr,
            "gillab: resuming %s: %u of its %u cells recorded, %u to run\n",
            outdir, ndone, total, total - ndone);
  else if (!s->quiet && s->auto_reps)
    fprintf(stderr,
            "gillab: up to %u cells%s (-r auto: each cell %u to %u "
            "repetitions, until within ±%g %%) into %s/results.jsonl\n",
            total, s->warmup ? " (warm-up included)" : "", s->min_reps, s->reps,
            s->precision * 100, outdir);
  else if (!s->quiet)
    fprintf(stderr, "gillab: %u cells%s into %s/results.jsonl\n", total,
            s->warmup ? " (warm-up included)" : "", outdir);
  if (sh && !s->quiet)
    fprintf(stderr,
            "gillab: shard %u of %u (from 0; %s), run %s, spec sha256 "
            "%.16s\n",
            sh->index, sh->count, sh->source, run_id, hash);
  for (size_t w = 0; w < s->nworkloads && !s->quiet; w++)
    if (userwl_note(s->workloads[w]))
      fprintf(stderr, "gillab: note: %s\n", userwl_note(s->workloads[w]));
  if (rc == 0)
    rc = walk_cells(&c, sh, shard_of, s->warmup + s->reps, visit_run, NULL);

  sigaction(SIGINT, &old_int, NULL);
  sigaction(SIGTERM, &old_term, NULL);
  sigaction(SIGHUP, &old_hup, NULL);
  if (c.host_slowed && !s->quiet)
    fprintf(stderr,
            "gillab: in %u cell%s a worker needed up to %.2fx the CPU time of "
            "another for the same work: the host slowed a CPU (another "
            "guest on its core?), so those speedups read low; see "
            "summary.md, and rerun when the machine is quieter.\n",
            c.host_slowed, c.host_slowed == 1 ? "" : "s", c.imbalance_max);
  if (c.obs && rc == 0 && !s->quiet)
    auto_tell(&c);
  fclose(c.out);
  free(c.obs);
  free(c.want);
  free(done);
  free(done_tput);
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
  return rc == 1 ? 128 + (interrupted ? interrupted : SIGINT) : 0;
}

/* Seconds a cell should take, at best and at worst: a built-in workload's
 * default units take one worker about a second (registry.c sizes them so),
 * so its units over the default are that many seconds of one worker's
 * work; a user's file is taken at its word (UNITS, or --units, sized to
 * about a second, as "Bring your own workload" asks). At best the work
 * spreads over min(workers, CPUs) (a workload that waits rather than
 * computes, over every worker; a user's file, whose nature gillab does not
 * know, over every worker too); at worst it does not spread at all
 * (threads under the GIL). Plus the cell's start, and the worker warm-up
 * of fresh processes and interpreters. */
static void cell_estimate(const spec_matrix *s, size_t w, model_t m,
                          unsigned workers, double *lo, double *hi) {
  const wl_workload *wl = s->workloads[w];
  const wl_workload *def = wl->file ? wl : registry_find(wl->name);
  int python = model_is_python(m);
  if (!def)
    def = wl;
  double work = (double)cell_units(s, w, m, workers) /
                (double)(python ? def->units_py : def->units_native);
  double spread = fmin(workers, util_ncpus());
  int cpu = (wl->flags & WL_WARMUP) != 0;
  double start = RUN_CELL_START_S + fresh_warmup(s, wl, m);
  if (wl->file) {
    *lo = fmin(s->timeout_s, start + work / workers);
    *hi = fmin(s->timeout_s, start + work);
    return;
  }
  *lo = fmin(s->timeout_s, start + work / (cpu ? spread : workers));
  *hi = fmin(s->timeout_s, start + (cpu ? work : work / spread));
}

/* "45 s", "2 min 05 s" */
static void plan_duration(char *buf, size_t len, double s) {
  if (s < 10)
    snprintf(buf, len, "%.1f s", s);
  else if (s < 90)
    snprintf(buf, len, "%.0f s", s);
  else if (s < 3600)
    snprintf(buf, len, "%d min %02d s", (int)(s / 60), (int)fmod(s, 60));
  else
    snprintf(buf, len, "%d h %02d min", (int)(s / 3600), (int)fmod(s / 60, 60));
}

/* Appends text to buf (len bytes), cut short when it does not fit. */
static void plan_add(char *buf, size_t len, const char *fmt, ...) {
  size_t used = strlen(buf);
  va_list ap;
  va_start(ap, fmt);
  if (used < len)
    vsnprintf(buf + used, len - used, fmt, ap);
  va_end(ap);
}

/* One line of the dry run's table: workload, model, runtimes, placement,
 * workers, units, cells, time. */
#define PLAN_COLS 8
typedef struct {
  char col[PLAN_COLS][160];
} plan_row;

void run_plan(const spec_matrix *s, FILE *f) {
  static const char *const head[PLAN_COLS] = {
      "workload", "model", "runtimes", "placement",
      "workers",  "units", "cells",    "time a repetition"};
  char buf[1024], lo_s[32], hi_s[32];
  plan_row *rows = NULL;
  size_t nrows = 0;
  double total_lo = 0, total_hi = 0;
  for (size_t w = 0; w < s->nworkloads; w++) {
    const wl_workload *wl = s->workloads[w];
    for (size_t ct = 0; ct < cpu_variants(s, wl); ct++)
      for (size_t mv = 0; mv < msg_variants(s, wl); mv++)
        for (size_t m = 0; m < s->nmodels; m++) {
          model_t model = s->models[m];
          int python = model_is_python(model);
          size_t nsm = python && model == MODEL_PROCESSES ? s->nstart : 1;
          size_t nsi = python ? s->nswitch : 1;
          size_t nrt = python ? s->nruntimes : 1;
          for (size_t sm = 0; sm < nsm; sm++)
            for (size_t si = 0; si < nsi; si++)
              for (size_t p = 0; p < s->nplacements; p++) {
                plan_row *r = realloc(rows, (nrows + 1) * sizeof *rows);
                if (!r)
                  break;
                rows = r;
                r = &rows[nrows++];
                memset(r, 0, sizeof *r);
                plan_add(r->col[0], sizeof r->col[0], "%s", wl->name);
                if (takes_cpu(s, wl))
                  plan_add(r->col[0], sizeof r->col[0], " +%u cpu",
                           s->cpu_threads[ct]);
                if (wl->flags & WL_SERVE) {
                  unsigned conns;
                  const char *h;
                  serve_variant(s, wl, mv, &conns, &h);
                  plan_add(r->col[0], sizeof r->col[0], " %uc %s", conns,
                           h[0] == '/' ? strrchr(h, '/') + 1 : h);
                }
                if (wl->flags & WL_MESSAGES) {
                  uint64_t size;
                  const char *payload;
                  char name[32];
                  msg_variant(s, wl, mv, &size, &payload);
                  plan_add(r->col[0], sizeof r->col[0], " %s %s",
                           spec_msg_size_name(size, name, sizeof name),
                           payload);
                }
                plan_add(r->col[1], sizeof r->col[1], "%s", model_name(model));
                if (model == MODEL_PROCESSES && python &&
                    (s->nstart > 1 ||
                     strcmp(s->start_methods[sm], "default") != 0))
                  plan_add(r->col[1], sizeof r->col[1], " %s",
                           s->start_methods[sm]);
                if (python && s->switch_intervals[si] > 0)
                  plan_add(r->col[1], sizeof r->col[1], " si=%gms",
                           s->switch_intervals[si] * 1e3);
                for (size_t rt = 0; rt < nrt; rt++)
                  plan_add(r->col[2], sizeof r->col[2], "%s%s", rt ? "," : "",
                           python ? s->runtimes[rt] : "native");
                plan_add(r->col[3], sizeof r->col[3], "%s", s->placements[p]);
                double lo = 0, hi = 0;
                for (size_t n = 0; n < s->nworkers; n++) {
                  double l, h;
                  plan_add(r->col[4], sizeof r->col[4], "%s%u", n ? "," : "",
                           s->workers[n]);
                  cell_estimate(s, w, model, s->workers[n], &l, &h);
                  lo += l * (double)nrt;
                  hi += h * (double)nrt;
                }
                plan_add(r->col[5], sizeof r->col[5], "%llu%s",
                         (unsigned long long)cell_units(s, w, model, 1),
                         s->weak || wl->per_worker ? " each" : "");
                plan_add(r->col[6], sizeof r->col[6], "%zu", nrt * s->nworkers);
                plan_duration(lo_s, sizeof lo_s, lo);
                plan_duration(hi_s, sizeof hi_s, hi);
                plan_add(r->col[7], sizeof r->col[7], "%s", lo_s);
                if (strcmp(lo_s, hi_s) != 0)
                  plan_add(r->col[7], sizeof r->col[7], " to %s", hi_s);
                total_lo += lo;
                total_hi += hi;
              }
        }
  }
  if (s->question)
    fprintf(f, "question:   %s\n", s->question);
  if (s->experiment)
    fprintf(f, "experiment: %s (sha256 %.16s)\n", s->experiment,
            s->experiment_sha256 ? s->experiment_sha256 : "?");
  fprintf(f, "results:    %s\n\n",
          s->outdir ? s->outdir : "results/<timestamp>");
  /* Columns as wide as their widest text (cells right-aligned). */
  int width[PLAN_COLS];
  for (int c = 0; c < PLAN_COLS; c++) {
    width[c] = (int)strlen(head[c]);
    for (size_t i = 0; i < nrows; i++)
      if ((int)strlen(rows[i].col[c]) > width[c])
        width[c] = (int)strlen(rows[i].col[c]);
  }
  for (size_t i = 0; i <= nrows; i++) {
    for (int c = 0; c < PLAN_COLS; c++) {
      const char *text = i == 0 ? head[c] : rows[i - 1].col[c];
      if (c == PLAN_COLS - 1)
        fprintf(f, "%s\n", text);
      else
        fprintf(f, c == 6 ? "%*s  " : "%-*s  ", width[c], text);
    }
  }
  free(rows);
  unsigned per_rep = cells_per_rep(s), reps = s->reps + s->warmup;
  /* -r auto: from every cell at the minimum to every cell at the cap. */
  unsigned least = s->auto_reps ? s->min_reps + s->warmup : reps;
  if (s->auto_reps)
    snprintf(buf, sizeof buf, "%u to %u repetitions (-r auto, until ±%g %%)",
             s->min_reps, s->reps, s->precision * 100);
  else
    snprintf(buf, sizeof buf, "%u repetition%s", s->reps,
             s->reps == 1 ? "" : "s");
  if (s->warmup)
    plan_add(buf, sizeof buf, " + %u warm-up", s->warmup);
  fprintf(f, "\n%u cells a repetition x %s = %s%u cells\n", per_rep, buf,
          s->auto_reps ? "at most " : "", per_rep * reps);
  plan_duration(lo_s, sizeof lo_s, total_lo * least);
  plan_duration(hi_s, sizeof hi_s, total_hi * reps);
  fprintf(f,
          "estimate: %s to %s. A guess, from the built-in workloads' sizing\n"
          "  (a 1-worker cell at --size 1 takes about a second on a 2-vCPU "
          "VM): at best\n"
          "  each cell's work spreads over its workers (up to the %u CPUs), "
          "at worst\n"
          "  not at all; plus %.2f s to start each cell.\n",
          lo_s, hi_s, util_ncpus(), RUN_CELL_START_S);
  fprintf(f, "Nothing was run (--dry-run).\n");
}
