/* spec — what a `gillab run` measures: the axes of the matrix of cells and
 * the run's settings, parsed from the command line and validated.
 *
 * Parsing is here; printing usage and exiting is the CLI's job (cli.c).
 *
 * A spec owns the rows of its user workloads (Python files named in -w,
 * lab/userwl.h) and of built-in workloads whose units --units overrides:
 * free them with spec_free.
 */
#ifndef GILLAB_SPEC_H
#define GILLAB_SPEC_H

#include "model.h"
#include "place.h"
#include "registry.h"
#include "runtime.h"
#include "venv.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#define SPEC_MAX_ITEMS 64
#define SPEC_SEED_PER_REP (-2)
#define SPEC_MAX_PLACEMENTS 16
/* The default experiment (`gillab run` with no -w, -m or -n): CPU-bound,
 * GIL-releasing, I/O-bound and convoy workloads under every model. */
#define SPEC_DEFAULT_WORKLOADS "cpu.primes,cpu.sha256,io.sleep,mixed.convoy"
#define SPEC_DEFAULT_MODELS                                                    \
  "threads,processes,asyncio,subinterpreters,native-threads,native-procs"
#define SPEC_PLACEMENT_MAX 128

typedef struct {
  /* Registry rows, or rows in owned (user workloads, --units). */
  const wl_workload *workloads[SPEC_MAX_ITEMS];
  size_t nworkloads;
  /* Freed by spec_free. Twice the workloads: an experiment file's
   * workloads are added again after the command line's (experiment.h). */
  wl_workload *owned[2 * SPEC_MAX_ITEMS];
  size_t nowned;
  /* --units: every workload's units at --size 1 (Python and C alike);
   * 0: each workload's own. */
  double units;
  const char *twin; /* --twin: the C twin of the one user workload */
  model_t models[MODEL_COUNT];
  size_t nmodels;
  unsigned workers[SPEC_MAX_ITEMS]; /* ascending, always starts with 1 */
  size_t nworkers;
  int added_one_worker; /* 1 was not asked for but is the speedup baseline */
  /* policy names or explicit hwloc locations ("core:0-1", "pu:0,pu:1") */
  char placements[SPEC_MAX_PLACEMENTS][SPEC_PLACEMENT_MAX];
  size_t nplacements;
  char runtimes[RUNTIME_MAX][RUNTIME_TAG_MAX]; /* tags, e.g. "3.11" */
  size_t nruntimes;
  /* Measured repetitions; with -r auto, the cap (--max-reps): the plan
   * numbers cells up to it, and the rule (lab/report/precision.h) decides
   * which cells run each repetition. */
  unsigned reps;
  int auto_reps;     /* -r auto */
  double precision;  /* -r auto: --precision as a fraction (0.05: ±5 %) */
  unsigned min_reps; /* -r auto: --min-reps */
  unsigned warmup;   /* repetitions run first and flagged, not measured */
  double size;       /* multiplies each workload's default units */
  double timeout_s;  /* per cell */
  /* --memory-limit: the resident memory a cell's processes may hold, in
   * bytes (lab/child.h); 0: the default, generous. */
  unsigned long long memory_limit;
  const char *outdir;                      /* NULL: results/<timestamp> */
  double switch_intervals[SPEC_MAX_ITEMS]; /* seconds; 0: the default */
  size_t nswitch;
  int gil_probe; /* count GIL waits in Python cells (default on) */
  int weak;      /* --scaling weak: the same work per worker, not in all */
  /* multiprocessing start methods of the processes model ("default": the
   * runtime's own). */
  const char *start_methods[4];
  size_t nstart;
  /* PYTHONHASHSEED of Python cells. The default, SPEC_SEED_PER_REP, gives
   * every cell of repetition k the seed k: the cells compared within a
   * repetition hash alike, and the repetitions sample several seeds, since
   * the seed alone can move single-thread speed by 1.6x (3.13t). */
  long hash_seed;
  /* CPU-bound threads beside the workers, for workloads that take them
   * (WL_CPU_THREADS: mixed.convoy); an axis, ascending. */
  unsigned cpu_threads[SPEC_MAX_ITEMS];
  size_t ncpu_threads;
  /* --cpu-threads was given: the server workloads (WL_SERVE) take the
   * axis only then (their cells would double by default). */
  int cpu_threads_given;
  /* Message sizes in bytes (--msg-size, ascending) and payloads
   * (--payload: "bytes", "object") of the workloads that move messages
   * (WL_MESSAGES: ipc.*); two axes of theirs, ignored by the others. */
  uint64_t msg_sizes[SPEC_MAX_ITEMS];
  size_t nmsg_sizes;
  const char *payloads[2];
  size_t npayloads;
  /* The server workloads' axes (WL_SERVE: net.serve*): the load
   * generator's connections (--connections, ascending) and the handlers
   * (--handler: "none", "cpu", "hash", "sleep", or a user's file as an
   * absolute "path.py:func", owned by handler_files), and single values:
   * what the cpu and sleep handlers cost (--handler-cpu-us,
   * --handler-sleep-ms, in microseconds here) and the open loop's rate
   * (--rate, requests per second; 0: closed loop). */
  unsigned connections[SPEC_MAX_ITEMS];
  size_t nconnections;
  const char *handlers[SPEC_MAX_ITEMS];
  size_t nhandlers;
  char *handler_files[SPEC_MAX_ITEMS];
  unsigned handler_cpu_us, handler_sleep_us;
  double rate;
  int hiccup; /* run the hiccup sleepers in every cell (--hiccup) */
  int quiet;
  int default_experiment; /* no -w, -m or -n: the classic comparison */
  double worker_warmup_s; /* --worker-warmup: see WL_WARMUP (core/wl.h) */
  /* The user's environment (issue 13): --venv, and --no-site for the bare
   * standard library (cellspec.h's site_packages off). */
  venv_list venvs;
  int no_site;
  /* What the run is for, and where it was written down (borrowed). An
   * experiment file (`gillab run FILE.toml`, lab/experiment.h) is read by
   * the CLI, which then parses the file's options before the command
   * line's. */
  const char *question;          /* --question, the reports' title */
  const char *experiment;        /* the FILE argument; NULL: none */
  const char *experiment_sha256; /* its SHA-256, hex, once read */
  const char *workloads_arg;     /* -w's value as used; NULL: the default */
  int dry_run;                   /* --dry-run: print the matrix, run nothing */
  /* --worker-warmup was given: user workloads, which have no warm-up by
   * default (their code may have side effects), get it too. */
  int worker_warmup_given;
  /* --shard: "K/N", "auto" or "auto/N" as given (lab/shard.h resolves
   * it when the run starts); NULL: the whole matrix. --run-id names the
   * run its shards share (NULL: see shard_run_id). Neither is part of the
   * spec's JSON, whose hash must be the same on every shard. */
  const char *shard_arg;
  const char *run_id;
} spec_matrix;

/* Options of `gillab run`, for its --help. */
extern const char spec_run_usage[];

/* Parses `gillab run` options (argv[0] is "run") and at most one
 * argument, an experiment file (s->experiment; its content is read by
 * lab/experiment.h, not here). Returns 0 with *s filled in, 1 when --help
 * was asked (usage already printed to stdout), or -EINVAL with err saying
 * what was wrong. */
int spec_from_args(spec_matrix *s, int argc, char **argv, char *err,
                   size_t errlen);

/* Adds one workload to s: a built-in name or a user file ("path.py" or
 * "path.py:func"). units > 0 overrides its default units; twin (NULL: none)
 * is the path of a C twin shared object. Returns 0 or -EINVAL with err. */
int spec_add_workload(spec_matrix *s, const char *item, double units,
                      const char *twin, char *err, size_t errlen);

/* Frees the rows s owns (see above); s is left with no workloads. A
 * zeroed spec is fine. */
void spec_free(spec_matrix *s);

/* A message size as --msg-size writes it: bytes, or with k or M (KiB,
 * MiB) when it is a whole number of them ("64", "4k", "1M"), into buf. */
const char *spec_msg_size_name(uint64_t bytes, char *buf, size_t len);

/* What a server cell's handler costs per request in microseconds: the
 * spec's --handler-cpu-us for "cpu", --handler-sleep-ms for "sleep", 0
 * for the others. */
unsigned spec_handler_us(const spec_matrix *s, const char *handler);

/* The default worker counts for ncpus CPUs: 1, 2, 4, ... up to 2 x ncpus
 * (always included), as a list in buf (len bytes). */
void spec_default_workers(unsigned ncpus, char *buf, size_t len);

/* The spec as a new JSON object for the metadata record. */
cJSON *spec_to_json(const spec_matrix *s);

#endif
