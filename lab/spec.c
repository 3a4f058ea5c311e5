/* spec — parsing and validating `gillab run` options; see spec.h. */
#include "spec.h"

#include "cellspec.h"
#include "precision.h"
#include "userwl.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char spec_run_usage[] =
    "usage: gillab run [FILE.toml] [options]\n"
    "\n"
    "Runs a matrix of cells (workload x model x workers x placement x\n"
    "repetition), each in a fresh runner process, and writes\n"
    "DIR/results.jsonl, then summary.md, report.html (with the charts also\n"
    "as .svg files) and results.csv.\n"
    "\n"
    "FILE.toml, an experiment file, holds a question, workloads and any of\n"
    "these options as keys (reps = 3, models = [\"threads\"], ...; see\n"
    "README, \"Experiment files\"); options on the command line override\n"
    "the file's.\n"
    "\n"
    "With no -w, -m or -n it runs the default experiment, the classic\n"
    "comparison: " SPEC_DEFAULT_WORKLOADS "\n"
    "under every model, at 1 to 2 x cores workers, --size 0.4 (about 2\n"
    "minutes on 2 cores; --quick: one repetition at --size 0.25).\n"
    "\n"
    "  -w, --workloads LIST    workloads (default: the experiment's; see\n"
    "                          `gillab list`), or your own Python files:\n"
    "                          path/bench.py or path/bench.py:func (see\n"
    "                          README, \"Bring your own workload\")\n"
    "      --units N           the operations of every workload at --size 1\n"
    "                          (default: each workload's own; a file's\n"
    "                          UNITS)\n"
    "      --twin SO           the C twin of the one Python file in -w: a\n"
    "                          shared object with gillab_twin_work\n"
    "                          (workloads/gillab_twin.h), run by the native\n"
    "                          models\n"
    "  -m, --models LIST       models (default: every model)\n"
    "  -n, --workers LIST      worker counts (default: 1, 2, 4, ... up to\n"
    "                          2 x the CPUs gillab may use); 1 is always\n"
    "                          run, as the speedup baseline\n"
    "  -p, --placements LIST   none, compact, scatter, one-core, or hwloc\n"
    "                          locations: core:0-1 (worker i on core i),\n"
    "                          pu:0,pu:1 (';' between two such) (default: "
    "none)\n"
    "  -r, --reps N|auto       repetitions, interleaved (default: 3); auto:\n"
    "                          until each cell's headline figure (its\n"
    "                          throughput; requests/s, bytes/s or p50\n"
    "                          latency for servers, ipc.*, os.*) has an\n"
    "                          interval within --precision of its median,\n"
    "                          from --min-reps, at most --max-reps; the\n"
    "                          summary says what each cell reached (these\n"
    "                          three alone mean -r auto)\n"
    "      --precision P       -r auto: half the interval's width, in % of\n"
    "                          the median, to reach (default: 5)\n"
    "      --min-reps N        -r auto: repetitions every cell runs\n"
    "                          (default: 5)\n"
    "      --max-reps N        -r auto: the cap (default: 20, or\n"
    "                          --min-reps when more)\n"
    "      --warmup N          warm-up repetitions run first, recorded with\n"
    "                          \"warmup\": true and left out of every\n"
    "                          statistic (default: 0)\n"
    "      --runtime LIST      CPython runtimes, e.g. 3.11,3.13t, or all\n"
    "                          (default: the build's first; see\n"
    "                          `gillab list --runtimes`)\n"
    "      --size X            scale every workload's work by X (default: 1)\n"
    "      --scaling strong|weak  strong: the same work split across the\n"
    "                          workers (default); weak: that much work for\n"
    "                          each worker (speedup then reads N t1 / tN)\n"
    "      --timeout SEC       per-cell time limit (default: 120)\n"
    "      --memory-limit SIZE  the memory a cell's processes may hold\n"
    "                          (RSS, summed), e.g. 512M or 4G; over it the\n"
    "                          cell is killed and recorded as \"killed:\n"
    "                          memory limit\" (default: 3/4 of the RAM)\n"
    "  -o, --output DIR        results directory (default: "
    "results/<timestamp>)\n"
    "      --switch-interval LIST  CPython switch intervals to sweep, e.g.\n"
    "                          1ms,5ms,20ms (s, ms or us; default: the\n"
    "                          runtime's, 5ms); Python models only\n"
    "      --start-method LIST  multiprocessing start methods for the\n"
    "                          processes model: fork, spawn, forkserver,\n"
    "                          default (the runtime's; the default)\n"
    "      --no-gil-probe      do not count GIL waits (to measure the probe's\n"
    "                          cost)\n"
    "      --hash-seed N|random  PYTHONHASHSEED of Python cells (default:\n"
    "                          the repetition's number, the same for every\n"
    "                          cell of a repetition)\n"
    "      --cpu-threads LIST  CPU-bound threads (or processes) running\n"
    "                          beside the workers of mixed.convoy, e.g.\n"
    "                          0,1,2 (default: 0,1), and, when given, in\n"
    "                          the process of net.serve and net.serve_pool\n"
    "      --msg-size LIST     message sizes of the ipc.* workloads, in\n"
    "                          bytes or with k or M (KiB, MiB), 16 to 64M\n"
    "                          (default: 64,4k,64k,1M)\n"
    "      --payload LIST      what the ipc.* workloads move: bytes (raw)\n"
    "                          and/or object (a dict of lists, pickled where\n"
    "                          it crosses a process) (default: bytes,object)\n"
    "      --connections LIST  concurrent connections of the load generator\n"
    "                          against the net.serve* servers, 1 to 4096\n"
    "                          (default: 1,16,64)\n"
    "      --handler LIST      what the servers do per request: none (pure\n"
    "                          I/O), cpu (pure Python, --handler-cpu-us),\n"
    "                          hash (SHA-256 of 64 KiB, releases the GIL),\n"
    "                          sleep (blocks, --handler-sleep-ms), or your\n"
    "                          own app.py:func (request bytes -> body\n"
    "                          bytes; async a<func> for asyncio)\n"
    "                          (default: none)\n"
    "      --handler-cpu-us N  the cpu handler's pure-Python work per\n"
    "                          request, 1 to 1000000 us (default: 200)\n"
    "      --handler-sleep-ms N  the sleep handler's blocking call, 0.001\n"
    "                          to 10000 ms (default: 10)\n"
    "      --rate N            open loop: N requests per second over all\n"
    "                          connections, latency counted from when each\n"
    "                          was due (default: 0, closed loop like wrk)\n"
    "      --hiccup            in every cell, a Python thread and a C thread\n"
    "                          sleep 1 ms at a time and record how late they\n"
    "                          wake up (record field hiccup)\n"
    "      --worker-warmup S   seconds each fresh worker process or\n"
    "                          interpreter runs a CPU workload untimed before\n"
    "                          the start (default: 0.2; 0: time its first\n"
    "                          touches of memory too); your own files get\n"
    "                          none unless this is given\n"
    "      --venv DIR|TAG=DIR,...  a virtual environment the workloads import\n"
    "                          from, for every runtime or per runtime (e.g.\n"
    "                          3.12=.venv312,3.13t=.venv313t); made by that\n"
    "                          runtime's Python version and kind (default:\n"
    "                          each runtime's own site-packages)\n"
    "      --no-site           the standard library only, not even the\n"
    "                          runtime's site-packages (the user site,\n"
    "                          ~/.local, is never importable)\n"
    "      --quick             one repetition at --size 0.25 unless -r or\n"
    "                          --size say otherwise (a first look)\n"
    "      --question TEXT     what the run should answer: the title of\n"
    "                          every report\n"
    "      --dry-run           print the matrix of cells, their count and an\n"
    "                          estimate of the time, and run nothing\n"
    "      --resume DIR        complete the interrupted run in DIR (alone:\n"
    "                          its options are read from DIR): the cells it\n"
    "                          recorded are kept, the others run; refused\n"
    "                          if the spec, gillab or a runtime changed; a\n"
    "                          shard's DIR resumes that shard (--shard, if\n"
    "                          given, must name it)\n"
    "      --shard K/N|auto|auto/N  run only shard K of N (from 0) of the\n"
    "                          matrix, for one machine of a cluster; auto:\n"
    "                          K and N from a Slurm job array\n"
    "                          (SLURM_ARRAY_TASK_*) or a Kubernetes Indexed\n"
    "                          Job (JOB_COMPLETION_INDEX; N from auto/N or\n"
    "                          GILLAB_SHARD_COUNT). Writes\n"
    "                          DIR/RUN_ID/shard-K-of-N (DIR: -o, default\n"
    "                          results); `gillab merge` joins the shards\n"
    "      --run-id ID         the run id of --shard (default: GILLAB_RUN_ID,\n"
    "                          else slurm-SLURM_ARRAY_JOB_ID, else\n"
    "                          spec-HASH, the same on every shard)\n"
    "  -q, --quiet             no progress on stderr\n"
    "  -h, --help              this help\n"
    "\n"
    "example: gillab run -w cpu.primes -m threads,native-threads -n 1,2 -r 3\n";

static int cmp_unsigned(const void *a, const void *b) {
  unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
  return (x > y) - (x < y);
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

#define LIST_BUF 1024

/* Long options without a short letter (the letters are taken). */
enum {
  OPT_CONNECTIONS = 1000,
  OPT_HANDLER,
  OPT_HANDLER_CPU_US,
  OPT_HANDLER_SLEEP_MS,
  OPT_RATE,
  OPT_PRECISION,
  OPT_MIN_REPS,
  OPT_MAX_REPS,
};

/* Splits the value of option opt into at most max items (pointers into
 * buf, LIST_BUF bytes). With unique, an item given twice is refused: it
 * would run its cells twice per repetition. Returns the count or -EINVAL. */
static int split_list(const char *opt, const char *arg, char *buf, char **items,
                      int max, int unique, char *err, size_t errlen) {
  int n = util_split(arg, buf, LIST_BUF, items, max);
  if (n < 0) {
    snprintf(err, errlen,
             "%s: '%s' is not a comma-separated list of at most %d items", opt,
             arg, max);
    return -EINVAL;
  }
  for (int i = 0; unique && i < n; i++)
    for (int j = 0; j < i; j++)
      if (strcmp(items[i], items[j]) == 0) {
        snprintf(err, errlen, "%s: '%s' is given twice", opt, items[i]);
        return -EINVAL;
      }
  return n;
}

/* A built-in workload with other units: a copy of its row, owned by s.
 * units are its Python cells' (at --size 1); its C twin's scale alike,
 * since a built-in twin does many more of its (cheaper) units per second. */
static const wl_workload *with_units(spec_matrix *s, const wl_workload *wl,
                                     double units, char *err, size_t errlen) {
  wl_workload *copy = malloc(sizeof *copy);
  if (!copy) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  *copy = *wl;
  copy->units_py = (uint64_t)units;
  copy->units_native =
      wl->units_py ? (uint64_t)fmax(1, round(units * (double)wl->units_native /
                                             (double)wl->units_py))
                   : (uint64_t)units;
  s->owned[s->nowned++] = copy;
  return copy;
}

int spec_add_workload(spec_matrix *s, const char *item, double units,
                      const char *twin, char *err, size_t errlen) {
  const wl_workload *wl = NULL;
  if (s->nworkloads == SPEC_MAX_ITEMS ||
      s->nowned == sizeof s->owned / sizeof s->owned[0]) {
    snprintf(err, errlen, "at most %d workloads", SPEC_MAX_ITEMS);
    return -EINVAL;
  }
  if (units > 0 && (units != floor(units) || units > CELLSPEC_MAX_UNITS)) {
    snprintf(err, errlen, "%s: units %g must be a whole number from 1 to 10^15",
             item, units);
    return -EINVAL;
  }
  for (size_t i = 0; i < s->nworkloads; i++)
    if (strcmp(s->workloads[i]->name, item) == 0) {
      snprintf(err, errlen, "workload '%s' is given twice", item);
      return -EINVAL;
    }
  if (wl_is_file_item(item)) {
    wl_workload *row;
    int rc = userwl_load(item, GILLAB_DEFAULT_RUNTIME, units, twin, &row, err,
                         errlen);
    if (rc < 0)
      return -EINVAL;
    s->owned[s->nowned++] = row;
    wl = row;
  } else if (!(wl = registry_find(item))) {
    snprintf(err, errlen,
             "unknown workload '%s' (see `gillab list` for the workloads; "
             "a Python file of your own is named with its path, e.g. "
             "./%s.py)",
             item, item);
    return -EINVAL;
  } else if (twin) {
    snprintf(err, errlen,
             "--twin is for a workload of your own (a Python file), not "
             "for %s%s",
             item, wl->native ? ", which has its C twin built in" : "");
    return -EINVAL;
  } else if (units > 0 && !(wl = with_units(s, wl, units, err, errlen))) {
    return -ENOMEM;
  }
  s->workloads[s->nworkloads++] = wl;
  return 0;
}

void spec_free(spec_matrix *s) {
  for (size_t i = 0; i < s->nowned; i++)
    free(s->owned[i]);
  for (size_t i = 0; i < SPEC_MAX_ITEMS; i++) {
    free(s->handler_files[i]);
    s->handler_files[i] = NULL;
  }
  s->nowned = 0;
  s->nworkloads = 0;
}

/* -w LIST: built-in names and user files; --twin goes with the one user
 * file. */
static int parse_workloads(spec_matrix *s, const char *arg, char *err,
                           size_t errlen) {
  char buf[LIST_BUF], *items[SPEC_MAX_ITEMS], sub[4096];
  int n = split_list("-w", arg, buf, items, SPEC_MAX_ITEMS, 1, err, errlen);
  if (n < 0)
    return n;
  int files = 0;
  for (int i = 0; i < n; i++)
    files += wl_is_file_item(items[i]);
  if (s->twin && files != 1) {
    snprintf(err, errlen,
             "--twin is the C twin of a workload of your own, one Python file "
             "in -w, and -w names %d: %s",
             files,
             files ? "run them one at a time"
                   : "add the file (-w bench.py); the built-in workloads have "
                     "their twins built in");
    return -EINVAL;
  }
  for (int i = 0; i < n; i++) {
    int file = wl_is_file_item(items[i]);
    if (spec_add_workload(s, items[i], s->units, file ? s->twin : NULL, sub,
                          sizeof sub) < 0) {
      snprintf(err, errlen, "-w: %s", sub);
      return -EINVAL;
    }
  }
  return 0;
}

static int parse_models(spec_matrix *s, const char *arg, char *err,
                        size_t errlen) {
  char buf[LIST_BUF], *items[MODEL_COUNT], sub[256];
  int n = split_list("-m", arg, buf, items, MODEL_COUNT, 1, err, errlen);
  if (n < 0)
    return n;
  for (int i = 0; i < n; i++) {
    if (model_parse(items[i], &s->models[i], sub, sizeof sub) < 0) {
      snprintf(err, errlen, "-m: %s", sub);
      return -EINVAL;
    }
  }
  s->nmodels = (size_t)n;
  return 0;
}

/* -p LIST: policies and explicit locations. Consecutive locations (items
 * with a ':') make one explicit placement, so "pu:0,pu:1" is one placement
 * and "compact,core:0-1" two; ';' separates two explicit ones
 * ("core:0-1;pu:0,pu:1"). Locations are checked against the topology
 * when the run starts (run.c). */
static int parse_placements(spec_matrix *s, const char *arg, char *err,
                            size_t errlen) {
  char buf[LIST_BUF], *items[SPEC_MAX_ITEMS], sub[256];
  char norm[LIST_BUF];
  /* ';' ends an explicit placement: make it a ',' plus a marker item. */
  size_t o = 0;
  const char *c = arg;
  for (; *c && o + 3 < sizeof norm; c++) {
    if (*c == ';') {
      memcpy(norm + o, ",;,", 3);
      o += 3;
    } else {
      norm[o++] = *c;
    }
  }
  norm[o] = '\0';
  if (*c) { /* it did not fit: refuse it rather than cut a location short */
    snprintf(err, errlen, "-p: '%.40s...' is too long", arg);
    return -EINVAL;
  }
  int n = split_list("-p", norm, buf, items, SPEC_MAX_ITEMS, 0, err, errlen);
  if (n < 0)
    return n;
  s->nplacements = 0;
  for (int i = 0; i < n; i++) {
    char *name = s->placements[s->nplacements];
    if (strcmp(items[i], ";") == 0)
      continue;
    if (s->nplacements == SPEC_MAX_PLACEMENTS) {
      snprintf(err, errlen, "-p: at most %d placements", SPEC_MAX_PLACEMENTS);
      return -EINVAL;
    }
    place_policy pol;
    if (!place_is_location(items[i])) {
      if (place_policy_parse(items[i], &pol, sub, sizeof sub) < 0) {
        snprintf(err, errlen,
                 "-p: %s, or hwloc locations such as core:0-1 or pu:0,pu:1",
                 sub);
        return -EINVAL;
      }
      snprintf(name, SPEC_PLACEMENT_MAX, "%s", items[i]);
    } else {
      size_t used = 0;
      name[0] = '\0';
      for (; i < n && place_is_location(items[i]); i++) {
        int w = snprintf(name + used, SPEC_PLACEMENT_MAX - used, "%s%s",
                         used ? "," : "", items[i]);
        if (w < 0 || (size_t)w >= SPEC_PLACEMENT_MAX - used) {
          snprintf(err, errlen, "-p: locations '%s...' are too long", name);
          return -EINVAL;
        }
        used += (size_t)w;
      }
      i--;
    }
    for (size_t j = 0; j < s->nplacements; j++)
      if (strcmp(s->placements[j], name) == 0) {
        snprintf(err, errlen, "-p: '%s' is given twice", name);
        return -EINVAL;
      }
    s->nplacements++;
  }
  return 0;
}

/* "all" is every runtime of this build, in the build's order. */
static int parse_runtimes(spec_matrix *s, const char *arg, char *err,
                          size_t errlen) {
  if (strcmp(arg, "all") == 0) {
    s->nruntimes = (size_t)runtime_list(s->runtimes, RUNTIME_MAX);
    return 0;
  }
  char buf[LIST_BUF], *items[RUNTIME_MAX], sub[512];
  int n = split_list("--runtime", arg, buf, items, RUNTIME_MAX, 1, err, errlen);
  if (n < 0)
    return n;
  for (int i = 0; i < n; i++) {
    if (runtime_known(items[i], sub, sizeof sub) < 0) {
      snprintf(err, errlen, "--runtime: %s", sub);
      return -EINVAL;
    }
    snprintf(s->runtimes[i], RUNTIME_TAG_MAX, "%s", items[i]);
  }
  s->nruntimes = (size_t)n;
  return 0;
}

/* Switch intervals: a number with s, ms or us (seconds when bare), as
 * sys.setswitchinterval takes them; NULL: the runtime's default only. */
static int parse_switches(spec_matrix *s, const char *arg, char *err,
                          size_t errlen) {
  if (!arg) {
    s->switch_intervals[0] = 0;
    s->nswitch = 1;
    return 0;
  }
  char buf[LIST_BUF], *items[SPEC_MAX_ITEMS];
  int n = split_list("--switch-interval", arg, buf, items, SPEC_MAX_ITEMS, 1,
                     err, errlen);
  if (n < 0)
    return n;
  for (int i = 0; i < n; i++) {
    char *end;
    double v = strtod(items[i], &end);
    double unit = strcmp(end, "ms") == 0                    ? 1e-3
                  : strcmp(end, "us") == 0                  ? 1e-6
                  : (strcmp(end, "s") == 0 || *end == '\0') ? 1
                                                            : 0;
    if (unit == 0 || !isfinite(v) || v * unit < 1e-6 || v * unit > 10) {
      snprintf(err, errlen,
               "--switch-interval: '%s' is not an interval from 1us to 10s "
               "(e.g. 5ms)",
               items[i]);
      return -EINVAL;
    }
    s->switch_intervals[i] = v * unit;
  }
  s->nswitch = (size_t)n;
  return 0;
}

static int parse_start_methods(spec_matrix *s, const char *arg, char *err,
                               size_t errlen) {
  static const char *const known[] = {"default", "fork", "spawn", "forkserver"};
  char buf[LIST_BUF], *items[4];
  int n = split_list("--start-method", arg, buf, items, 4, 1, err, errlen);
  if (n < 0)
    return n;
  for (int i = 0; i < n; i++) {
    s->start_methods[i] = NULL;
    for (size_t k = 0; k < sizeof known / sizeof known[0]; k++)
      if (strcmp(items[i], known[k]) == 0)
        s->start_methods[i] = known[k];
    if (!s->start_methods[i]) {
      snprintf(err, errlen,
               "--start-method: '%s' is not fork, spawn, forkserver or "
               "default",
               items[i]);
      return -EINVAL;
    }
  }
  s->nstart = (size_t)n;
  return 0;
}

static int parse_workers(spec_matrix *s, const char *arg, char *err,
                         size_t errlen) {
  char buf[LIST_BUF], *items[SPEC_MAX_ITEMS];
  int n = split_list("-n", arg, buf, items, SPEC_MAX_ITEMS - 1, 0, err, errlen);
  if (n < 0)
    return n;
  size_t count = 0;
  for (int i = 0; i < n; i++) {
    char *end;
    long v = strtol(items[i], &end, 10);
    if (*end || v < 1 || v > 4096) {
      snprintf(err, errlen, "-n: '%s' is not a worker count from 1 to 4096",
               items[i]);
      return -EINVAL;
    }
    s->workers[count++] = (unsigned)v;
  }
  qsort(s->workers, count, sizeof s->workers[0], cmp_unsigned);
  size_t uniq = 0;
  for (size_t i = 0; i < count; i++)
    if (uniq == 0 || s->workers[uniq - 1] != s->workers[i])
      s->workers[uniq++] = s->workers[i];
  s->added_one_worker = s->workers[0] != 1;
  if (s->added_one_worker) {
    memmove(s->workers + 1, s->workers, uniq * sizeof s->workers[0]);
    s->workers[0] = 1;
    uniq++;
  }
  s->nworkers = uniq;
  return 0;
}

/* A comma list of counts from lo to hi for option opt (a "noun" each, as
 * the error names it) into out, sorted; *nout receives how many. */
static int parse_counts(const char *opt, const char *noun, long lo, long hi,
                        const char *arg, unsigned *out, size_t *nout, char *err,
                        size_t errlen) {
  char buf[LIST_BUF], *items[SPEC_MAX_ITEMS];
  int n = split_list(opt, arg, buf, items, SPEC_MAX_ITEMS, 1, err, errlen);
  if (n < 0)
    return n;
  for (int i = 0; i < n; i++) {
    char *end;
    long v = strtol(items[i], &end, 10);
    if (*end || end == items[i] || v < lo || v > hi) {
      snprintf(err, errlen, "%s: '%s' is not a %s from %ld to %ld", opt,
               items[i], noun, lo, hi);
      return -EINVAL;
    }
    out[i] = (unsigned)v;
  }
  qsort(out, (size_t)n, sizeof out[0], cmp_unsigned);
  *nout = (size_t)n;
  return 0;
}

static int parse_cpu_threads(spec_matrix *s, const char *arg, char *err,
                             size_t errlen) {
  return parse_counts("--cpu-threads", "thread count", 0, 256, arg,
                      s->cpu_threads, &s->ncpu_threads, err, errlen);
}

/* --memory-limit SIZE: bytes, or with k, M, G or T (powers of 1024); at
 * least 16 MiB, below which no runtime starts. */
static int parse_memory(const char *arg, unsigned long long *bytes, char *err,
                        size_t errlen) {
  char *end;
  double v = strtod(arg, &end);
  double unit = *end == 'k' || *end == 'K'   ? 1024.0
                : *end == 'm' || *end == 'M' ? 1048576.0
                : *end == 'g' || *end == 'G' ? 1073741824.0
                : *end == 't' || *end == 'T' ? 1099511627776.0
                                             : 1;
  if (unit > 1)
    end++;
  if (*end == 'i' && end[1] == 'B')
    end += 2;
  else if (*end == 'B')
    end++;
  if (end == arg || *end || !(v * unit >= 16 * 1048576.0) || v * unit > 1e18) {
    snprintf(err, errlen,
             "--memory-limit: '%s' is not a size of at least 16M (bytes, or "
             "with k, M, G, T)",
             arg);
    return -EINVAL;
  }
  *bytes = (unsigned long long)(v * unit);
  return 0;
}

const char *spec_msg_size_name(uint64_t bytes, char *buf, size_t len) {
  if (bytes >= (1u << 20) && bytes % (1u << 20) == 0)
    snprintf(buf, len, "%lluM", (unsigned long long)(bytes >> 20));
  else if (bytes >= 1024 && bytes % 1024 == 0)
    snprintf(buf, len, "%lluk", (unsigned long long)(bytes >> 10));
  else
    snprintf(buf, len, "%llu", (unsigned long long)bytes);
  return buf;
}

/* --msg-size LIST: sizes in bytes, or with a k/K (KiB) or M (MiB) suffix;
 * sorted, each once (4k and 4096 are the same size). */
static int parse_msg_sizes(spec_matrix *s, const char *arg, char *err,
                           size_t errlen) {
  char buf[LIST_BUF], *items[SPEC_MAX_ITEMS];
  int n =
      split_list("--msg-size", arg, buf, items, SPEC_MAX_ITEMS, 1, err, errlen);
  if (n < 0)
    return n;
  for (int i = 0; i < n; i++) {
    char *end;
    unsigned long long v = strtoull(items[i], &end, 10);
    unsigned long long unit = strcmp(end, "k") == 0 || strcmp(end, "K") == 0
                                  ? 1024
                              : strcmp(end, "M") == 0 ? 1u << 20
                              : *end == '\0'          ? 1
                                                      : 0;
    if (end == items[i] || items[i][0] == '-' || unit == 0 ||
        v > CELLSPEC_MAX_MSG_SIZE / unit || v * unit < CELLSPEC_MIN_MSG_SIZE) {
      snprintf(err, errlen,
               "--msg-size: '%s' is not a message size from 16 bytes to 64M "
               "(bytes, or with k or M: 64,4k,64k,1M)",
               items[i]);
      return -EINVAL;
    }
    s->msg_sizes[i] = v * unit;
    for (int j = 0; j < i; j++)
      if (s->msg_sizes[j] == s->msg_sizes[i]) {
        snprintf(err, errlen, "--msg-size: '%s' is the size of another item",
                 items[i]);
        return -EINVAL;
      }
  }
  qsort(s->msg_sizes, (size_t)n, sizeof s->msg_sizes[0], cmp_u64);
  s->nmsg_sizes = (size_t)n;
  return 0;
}

/* --connections LIST: 1 to 4096, ascending. */
static int parse_connections(spec_matrix *s, const char *arg, char *err,
                             size_t errlen) {
  return parse_counts("--connections", "connection count", 1,
                      CELLSPEC_MAX_CONNECTIONS, arg, s->connections,
                      &s->nconnections, err, errlen);
}

/* --handler LIST: the built-in handlers and users' files (path.py or
 * path.py:func, made absolute; the file must exist). */
static int parse_handlers(spec_matrix *s, const char *arg, char *err,
                          size_t errlen) {
  char buf[LIST_BUF], *items[SPEC_MAX_ITEMS];
  int n =
      split_list("--handler", arg, buf, items, SPEC_MAX_ITEMS, 1, err, errlen);
  if (n < 0)
    return n;
  for (int i = 0; i < n; i++) {
    const char *h = items[i];
    /* items live in a local buffer: a built-in name is kept as the
     * table's literal. */
    static const char *const builtin[] = {"none", "cpu", "hash", "sleep"};
    s->handlers[i] = NULL;
    for (size_t k = 0; k < 4; k++)
      if (strcmp(h, builtin[k]) == 0)
        s->handlers[i] = builtin[k];
    if (s->handlers[i])
      continue;
    char file[PATH_MAX], func[256], abs[PATH_MAX];
    const char *colon = strrchr(h, ':');
    const char *dot = strstr(h, ".py");
    if (!dot || (colon && colon < dot)) {
      snprintf(err, errlen,
               "--handler: '%s' is not none, cpu, hash, sleep or a Python "
               "file (app.py or app.py:func)",
               h);
      return -EINVAL;
    }
    snprintf(file, sizeof file, "%.*s",
             (int)(colon ? (size_t)(colon - h) : strlen(h)), h);
    snprintf(func, sizeof func, "%s", colon ? colon + 1 : "handle");
    size_t flen = strlen(file);
    if (flen < 4 || strcmp(file + flen - 3, ".py") != 0 || !func[0]) {
      snprintf(err, errlen,
               "--handler: '%s' is not a Python file with a function "
               "(app.py:handle)",
               h);
      return -EINVAL;
    }
    if (!realpath(file, abs)) {
      snprintf(err, errlen, "--handler: %s: %s", file, strerror(errno));
      return -EINVAL;
    }
    size_t len = strlen(abs) + strlen(func) + 2;
    free(s->handler_files[i]);
    s->handler_files[i] = malloc(len);
    if (!s->handler_files[i]) {
      snprintf(err, errlen, "out of memory");
      return -ENOMEM;
    }
    snprintf(s->handler_files[i], len, "%s:%s", abs, func);
    s->handlers[i] = s->handler_files[i];
  }
  for (int i = 0; i < n; i++)
    for (int j = 0; j < i; j++)
      if (strcmp(s->handlers[i], s->handlers[j]) == 0) {
        snprintf(err, errlen, "--handler: '%s' is given twice", items[i]);
        return -EINVAL;
      }
  s->nhandlers = (size_t)n;
  return 0;
}

unsigned spec_handler_us(const spec_matrix *s, const char *handler) {
  if (strcmp(handler, "cpu") == 0)
    return s->handler_cpu_us;
  if (strcmp(handler, "sleep") == 0)
    return s->handler_sleep_us;
  return 0;
}

/* --payload LIST: bytes and/or object, in that order. */
static int parse_payloads(spec_matrix *s, const char *arg, char *err,
                          size_t errlen) {
  char buf[LIST_BUF], *items[2];
  int n = split_list("--payload", arg, buf, items, 2, 1, err, errlen);
  if (n < 0)
    return n;
  int bytes = 0, object = 0;
  for (int i = 0; i < n; i++) {
    if (strcmp(items[i], "bytes") == 0)
      bytes = 1;
    else if (strcmp(items[i], "object") == 0)
      object = 1;
    else {
      snprintf(err, errlen,
               "--payload: '%s' is not bytes (raw bytes) or object (a dict of "
               "lists, pickled)",
               items[i]);
      return -EINVAL;
    }
  }
  s->npayloads = 0;
  if (bytes)
    s->payloads[s->npayloads++] = "bytes";
  if (object)
    s->payloads[s->npayloads++] = "object";
  return 0;
}

static int parse_number(const char *opt, const char *arg, double lo, double hi,
                        double *out, char *err, size_t errlen) {
  char *end;
  double v = strtod(arg, &end);
  if (*end || !isfinite(v) || v < lo || v > hi) {
    snprintf(err, errlen, "%s: '%s' is not a number from %g to %g", opt, arg,
             lo, hi);
    return -EINVAL;
  }
  *out = v;
  return 0;
}

void spec_default_workers(unsigned ncpus, char *buf, size_t len) {
  size_t used = 0;
  unsigned top = 2 * (ncpus ? ncpus : 1);
  buf[0] = '\0';
  for (unsigned n = 1;; n *= 2) {
    unsigned v = n < top ? n : top;
    int w = snprintf(buf + used, len - used, "%s%u", used ? "," : "", v);
    if (w < 0 || (size_t)w >= len - used || v == top)
      break;
    used += (size_t)w;
  }
}

int spec_from_args(spec_matrix *s, int argc, char **argv, char *err,
                   size_t errlen) {
  static const struct option opts[] = {
      {"workloads", required_argument, NULL, 'w'},
      {"models", required_argument, NULL, 'm'},
      {"workers", required_argument, NULL, 'n'},
      {"placements", required_argument, NULL, 'p'},
      {"reps", required_argument, NULL, 'r'},
      {"warmup", required_argument, NULL, 'W'},
      {"runtime", required_argument, NULL, 'R'},
      {"runtimes", required_argument, NULL, 'R'},
      {"size", required_argument, NULL, 'S'},
      {"timeout", required_argument, NULL, 'T'},
      {"memory-limit", required_argument, NULL, 'L'},
      {"output", required_argument, NULL, 'o'},
      {"quiet", no_argument, NULL, 'q'},
      {"switch-interval", required_argument, NULL, 'I'},
      {"no-gil-probe", no_argument, NULL, 'G'},
      {"hash-seed", required_argument, NULL, 'H'},
      {"scaling", required_argument, NULL, 'C'},
      {"start-method", required_argument, NULL, 'M'},
      {"cpu-threads", required_argument, NULL, 'K'},
      {"hiccup", no_argument, NULL, 'Y'},
      {"msg-size", required_argument, NULL, 'Z'},
      {"msg-sizes", required_argument, NULL, 'Z'},
      {"payload", required_argument, NULL, 'P'},
      {"payloads", required_argument, NULL, 'P'},
      {"connections", required_argument, NULL, OPT_CONNECTIONS},
      {"handler", required_argument, NULL, OPT_HANDLER},
      {"handlers", required_argument, NULL, OPT_HANDLER},
      {"handler-cpu-us", required_argument, NULL, OPT_HANDLER_CPU_US},
      {"handler-sleep-ms", required_argument, NULL, OPT_HANDLER_SLEEP_MS},
      {"rate", required_argument, NULL, OPT_RATE},
      {"precision", required_argument, NULL, OPT_PRECISION},
      {"min-reps", required_argument, NULL, OPT_MIN_REPS},
      {"max-reps", required_argument, NULL, OPT_MAX_REPS},
      {"quick", no_argument, NULL, 'Q'},
      {"worker-warmup", required_argument, NULL, 'U'},
      {"venv", required_argument, NULL, 'V'},
      {"no-site", no_argument, NULL, 'N'},
      {"question", required_argument, NULL, 'A'},
      {"dry-run", no_argument, NULL, 'D'},
      {"units", required_argument, NULL, 'X'},
      {"twin", required_argument, NULL, 'J'},
      {"shard", required_argument, NULL, 'k'},
      {"run-id", required_argument, NULL, 'j'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  memset(s, 0, sizeof *s);
  s->reps = 3;
  s->gil_probe = 1;
  s->hash_seed = SPEC_SEED_PER_REP;
  s->size = 1;
  s->timeout_s = 120;
  s->worker_warmup_s = 0.2;
  s->handler_cpu_us = 200;
  s->handler_sleep_us = 10000;
  s->precision = PRECISION_DEFAULT_PCT / 100;
  s->min_reps = PRECISION_DEFAULT_MIN;
  char default_workers[LIST_BUF];
  spec_default_workers(util_ncpus(), default_workers, sizeof default_workers);
  const char *workloads = NULL, *models = NULL, *workers = NULL,
             *placements = "none", *runtimes = GILLAB_DEFAULT_RUNTIME,
             *switches = NULL, *start_methods = "default", *cpu_threads = "0,1",
             *venv = NULL, *msg_sizes = "64,4k,64k,1M",
             *payloads = "bytes,object", *connections = "1,16,64",
             *handlers = "none";
  double num = 0;
  double reps;
  int c, rc = 0, quick = 0, reps_given = 0, size_given = 0;
  unsigned max_reps = PRECISION_DEFAULT_MAX;
  int max_given = 0;
  const char *auto_given = NULL; /* the first option of -r auto's given */
  optind = 0; /* 0, not 1: also resets glibc's state inside "-abc" */
  opterr = 0;
  while (rc == 0 &&
         (c = getopt_long(argc, argv, ":w:m:n:p:r:o:qh", opts, NULL)) != -1) {
    switch (c) {
    case 'w':
      workloads = optarg;
      break;
    case 'm':
      models = optarg;
      break;
    case 'n':
      workers = optarg;
      break;
    case 'p':
      placements = optarg;
      break;
    case 'r':
      s->auto_reps = strcmp(optarg, "auto") == 0;
      reps_given = 1;
      if (s->auto_reps)
        break;
      rc = parse_number("-r", optarg, 1, 1000, &reps, err, errlen);
      if (rc < 0)
        snprintf(err, errlen, "-r: '%s' is not a number from 1 to 1000 or auto",
                 optarg);
      if (rc == 0 && reps != floor(reps)) {
        snprintf(err, errlen, "-r: '%s' is not a whole number", optarg);
        rc = -EINVAL;
      }
      if (rc == 0)
        s->reps = (unsigned)reps;
      reps_given = 1;
      break;
    case 'W':
      rc = parse_number("--warmup", optarg, 0, 1000, &reps, err, errlen);
      if (rc == 0 && reps != floor(reps)) {
        snprintf(err, errlen, "--warmup: '%s' is not a whole number", optarg);
        rc = -EINVAL;
      }
      if (rc == 0)
        s->warmup = (unsigned)reps;
      break;
    case 'R':
      runtimes = optarg;
      break;
    case 'S':
      rc = parse_number("--size", optarg, 1e-6, 1e6, &s->size, err, errlen);
      size_given = 1;
      break;
    case 'Q':
      quick = 1;
      break;
    case 'U':
      rc = parse_number("--worker-warmup", optarg, 0, 60, &s->worker_warmup_s,
                        err, errlen);
      s->worker_warmup_given = 1;
      break;
    case 'X':
      rc = parse_number("--units", optarg, 1, (double)CELLSPEC_MAX_UNITS,
                        &s->units, err, errlen);
      if (rc == 0 && s->units != floor(s->units)) {
        snprintf(err, errlen, "--units: '%s' is not a whole number", optarg);
        rc = -EINVAL;
      }
      break;
    case 'J':
      s->twin = optarg;
      break;
    case 'T':
      rc = parse_number("--timeout", optarg, 0.1, 86400, &s->timeout_s, err,
                        errlen);
      break;
    case 'L':
      rc = parse_memory(optarg, &s->memory_limit, err, errlen);
      break;
    case 'o':
      s->outdir = optarg;
      break;
    case 'q':
      s->quiet = 1;
      break;
    case 'I':
      switches = optarg;
      break;
    case 'G':
      s->gil_probe = 0;
      break;
    case 'M':
      start_methods = optarg;
      break;
    case 'K':
      cpu_threads = optarg;
      s->cpu_threads_given = 1;
      break;
    case 'Y':
      s->hiccup = 1;
      break;
    case 'Z':
      msg_sizes = optarg;
      break;
    case 'P':
      payloads = optarg;
      break;
    case OPT_CONNECTIONS:
      connections = optarg;
      break;
    case OPT_HANDLER:
      handlers = optarg;
      break;
    case OPT_HANDLER_CPU_US:
      rc = parse_number("--handler-cpu-us", optarg, 1, 1e6, &num, err, errlen);
      s->handler_cpu_us = (unsigned)llround(num);
      break;
    case OPT_HANDLER_SLEEP_MS:
      rc = parse_number("--handler-sleep-ms", optarg, 0.001, 10000, &num, err,
                        errlen);
      s->handler_sleep_us = (unsigned)llround(num * 1000);
      break;
    case OPT_PRECISION:
      rc = parse_number("--precision", optarg, 0.01, 100, &num, err, errlen);
      s->precision = num / 100;
      auto_given = auto_given ? auto_given : "--precision";
      break;
    case OPT_MIN_REPS:
    case OPT_MAX_REPS: {
      const char *name = c == OPT_MIN_REPS ? "--min-reps" : "--max-reps";
      rc = parse_number(name, optarg, 1, 1000, &num, err, errlen);
      if (rc == 0 && num != floor(num)) {
        snprintf(err, errlen, "%s: '%s' is not a whole number", name, optarg);
        rc = -EINVAL;
      }
      *(c == OPT_MIN_REPS ? &s->min_reps : &max_reps) = (unsigned)num;
      max_given |= c == OPT_MAX_REPS;
      auto_given = auto_given ? auto_given : name;
      break;
    }
    case OPT_RATE:
      rc = parse_number("--rate", optarg, 0, 1e7, &s->rate, err, errlen);
      break;
    case 'V':
      venv = optarg;
      break;
    case 'N':
      s->no_site = 1;
      break;
    case 'A':
      /* A title: one line, so no report can get a heading out of it. */
      if (strlen(optarg) > 300 || strpbrk(optarg, "\n\r\t")) {
        snprintf(err, errlen,
                 "--question: give one line of at most 300 characters");
        rc = -EINVAL;
      }
      s->question = optarg[0] ? optarg : NULL;
      break;
    case 'D':
      s->dry_run = 1;
      break;
    case 'k':
      s->shard_arg = optarg;
      break;
    case 'j':
      s->run_id = optarg;
      break;
    case 'C':
      if (strcmp(optarg, "weak") == 0 || strcmp(optarg, "strong") == 0) {
        s->weak = strcmp(optarg, "weak") == 0;
      } else {
        snprintf(err, errlen, "--scaling: '%s' is not strong or weak", optarg);
        rc = -EINVAL;
      }
      break;
    case 'H': {
      char *end;
      long v = strtol(optarg, &end, 10);
      if (strcmp(optarg, "random") == 0) {
        s->hash_seed = -1;
      } else if (*end || end == optarg || v < 0 || v > 4294967295L) {
        snprintf(err, errlen,
                 "--hash-seed: '%s' is not random or a number from 0 to "
                 "4294967295",
                 optarg);
        rc = -EINVAL;
      } else {
        s->hash_seed = v;
      }
      break;
    }
    case 'h':
      fputs(spec_run_usage, stdout);
      return 1;
    case ':':
      /* For a long option the word itself is the option (getopt_long sets
       * optopt to its value code); a short one may sit inside a group like
       * -qr, where optopt names it. */
      if (strncmp(argv[optind - 1], "--", 2) == 0)
        snprintf(err, errlen, "option %s needs a value", argv[optind - 1]);
      else
        snprintf(err, errlen, "option -%c needs a value", optopt);
      return -EINVAL;
    default:
      if (optopt)
        snprintf(err, errlen, "unknown option '-%c'", optopt);
      else
        snprintf(err, errlen, "unknown option '%s'", argv[optind - 1]);
      return -EINVAL;
    }
  }
  if (rc < 0)
    return rc;
  if (optind < argc)
    s->experiment = argv[optind++];
  if (optind < argc) {
    snprintf(err, errlen,
             "unexpected argument '%s' (run takes options and one "
             "experiment file)",
             argv[optind]);
    return -EINVAL;
  }
  /* The default experiment: the classic comparison, sized to take about
   * two minutes on 2 cores (--quick: about 30 s). */
  s->default_experiment = !workloads && !models && !workers;
  if (!size_given && (quick || s->default_experiment))
    s->size = quick ? 0.25 : 0.4;
  if (quick && !reps_given)
    s->reps = 1;
  /* -r auto: the plan runs up to the cap; the rule picks the cells. Its
   * options alone mean -r auto, and a minimum over the default cap raises
   * it: an experiment file's keys are each checked alone
   * (lab/experiment.c), so only options given together may clash. */
  if (auto_given && reps_given && !s->auto_reps) {
    snprintf(err, errlen,
             "%s applies to -r auto, and -r N gives the repetitions itself",
             auto_given);
    return -EINVAL;
  }
  if (auto_given)
    s->auto_reps = 1;
  if (!max_given && s->min_reps > max_reps)
    max_reps = s->min_reps;
  if (s->auto_reps && s->min_reps > max_reps) {
    snprintf(err, errlen,
             "--min-reps %u is more than --max-reps %u: give a cap at least "
             "the minimum",
             s->min_reps, max_reps);
    return -EINVAL;
  }
  if (s->auto_reps && s->shard_arg) {
    snprintf(err, errlen,
             "--shard with -r auto is not supported: gillab merge checks "
             "every shard against its plan, and an auto run records only "
             "the repetitions its rule ran; give -r N to a sharded run");
    return -EINVAL;
  }
  if (s->auto_reps)
    s->reps = max_reps;
  s->workloads_arg = workloads;
  /* The workloads last: a user file is inspected by a runner, which is
   * not worth starting when another option is wrong. */
  if ((rc = parse_models(s, models ? models : SPEC_DEFAULT_MODELS, err,
                         errlen)) < 0 ||
      (rc = parse_workers(s, workers ? workers : default_workers, err,
                          errlen)) < 0 ||
      (rc = parse_placements(s, placements, err, errlen)) < 0 ||
      (rc = parse_runtimes(s, runtimes, err, errlen)) < 0 ||
      (rc = parse_switches(s, switches, err, errlen)) < 0 ||
      (rc = parse_start_methods(s, start_methods, err, errlen)) < 0 ||
      (rc = parse_cpu_threads(s, cpu_threads, err, errlen)) < 0 ||
      (rc = parse_msg_sizes(s, msg_sizes, err, errlen)) < 0 ||
      (rc = parse_payloads(s, payloads, err, errlen)) < 0 ||
      (rc = parse_connections(s, connections, err, errlen)) < 0 ||
      (rc = parse_handlers(s, handlers, err, errlen)) < 0 ||
      (rc = venv_parse(&s->venvs, venv, s->runtimes, s->nruntimes, err,
                       errlen)) < 0 ||
      (rc = parse_workloads(s, workloads ? workloads : SPEC_DEFAULT_WORKLOADS,
                            err, errlen)) < 0)
    return rc;
  if (venv && s->no_site) {
    snprintf(err, errlen,
             "--venv and --no-site contradict each other: --no-site runs "
             "on the standard library alone");
    return -EINVAL;
  }
  return 0;
}

cJSON *spec_to_json(const spec_matrix *s) {
  cJSON *j = cJSON_CreateObject();
  cJSON *a = cJSON_AddArrayToObject(j, "workloads");
  for (size_t i = 0; i < s->nworkloads; i++)
    cJSON_AddItemToArray(a, cJSON_CreateString(s->workloads[i]->name));
  a = cJSON_AddArrayToObject(j, "models");
  for (size_t i = 0; i < s->nmodels; i++)
    cJSON_AddItemToArray(a, cJSON_CreateString(model_name(s->models[i])));
  a = cJSON_AddArrayToObject(j, "workers");
  for (size_t i = 0; i < s->nworkers; i++)
    cJSON_AddItemToArray(a, cJSON_CreateNumber(s->workers[i]));
  a = cJSON_AddArrayToObject(j, "placements");
  for (size_t i = 0; i < s->nplacements; i++)
    cJSON_AddItemToArray(a, cJSON_CreateString(s->placements[i]));
  a = cJSON_AddArrayToObject(j, "runtimes");
  for (size_t i = 0; i < s->nruntimes; i++)
    cJSON_AddItemToArray(a, cJSON_CreateString(s->runtimes[i]));
  a = cJSON_AddArrayToObject(j, "switch_intervals_s");
  for (size_t i = 0; i < s->nswitch; i++)
    cJSON_AddItemToArray(a, s->switch_intervals[i] > 0
                                ? cJSON_CreateNumber(s->switch_intervals[i])
                                : cJSON_CreateNull());
  cJSON_AddBoolToObject(j, "gil_probe", s->gil_probe);
  cJSON_AddStringToObject(j, "scaling", s->weak ? "weak" : "strong");
  a = cJSON_AddArrayToObject(j, "start_methods");
  for (size_t i = 0; i < s->nstart; i++)
    cJSON_AddItemToArray(a, cJSON_CreateString(s->start_methods[i]));
  a = cJSON_AddArrayToObject(j, "cpu_threads");
  for (size_t i = 0; i < s->ncpu_threads; i++)
    cJSON_AddItemToArray(a, cJSON_CreateNumber(s->cpu_threads[i]));
  a = cJSON_AddArrayToObject(j, "msg_sizes");
  for (size_t i = 0; i < s->nmsg_sizes; i++)
    cJSON_AddItemToArray(a, cJSON_CreateNumber((double)s->msg_sizes[i]));
  a = cJSON_AddArrayToObject(j, "payloads");
  for (size_t i = 0; i < s->npayloads; i++)
    cJSON_AddItemToArray(a, cJSON_CreateString(s->payloads[i]));
  a = cJSON_AddArrayToObject(j, "connections");
  for (size_t i = 0; i < s->nconnections; i++)
    cJSON_AddItemToArray(a, cJSON_CreateNumber(s->connections[i]));
  a = cJSON_AddArrayToObject(j, "handlers");
  for (size_t i = 0; i < s->nhandlers; i++)
    cJSON_AddItemToArray(a, cJSON_CreateString(s->handlers[i]));
  cJSON_AddNumberToObject(j, "handler_cpu_us", s->handler_cpu_us);
  cJSON_AddNumberToObject(j, "handler_sleep_us", s->handler_sleep_us);
  cJSON_AddNumberToObject(j, "rate", s->rate);
  cJSON_AddBoolToObject(j, "hiccup", s->hiccup);
  if (s->hash_seed == SPEC_SEED_PER_REP)
    cJSON_AddStringToObject(j, "hash_seed", "per-rep");
  else if (s->hash_seed < 0)
    cJSON_AddStringToObject(j, "hash_seed", "random");
  else
    cJSON_AddNumberToObject(j, "hash_seed", (double)s->hash_seed);
  cJSON_AddBoolToObject(j, "default_experiment", s->default_experiment);
  cJSON_AddNumberToObject(j, "worker_warmup_s", s->worker_warmup_s);
  cJSON_AddBoolToObject(j, "site_packages", !s->no_site);
  cJSON *venvs = cJSON_AddObjectToObject(j, "venvs"); /* resolved */
  for (size_t i = 0; i < s->nruntimes; i++)
    if (venv_for(&s->venvs, s->runtimes[i]))
      cJSON_AddStringToObject(venvs, s->runtimes[i],
                              venv_for(&s->venvs, s->runtimes[i]));
  if (s->units > 0)
    cJSON_AddNumberToObject(j, "units", s->units);
  else
    cJSON_AddNullToObject(j, "units");
  if (s->twin)
    cJSON_AddStringToObject(j, "twin", s->twin);
  if (s->auto_reps) { /* only then: the specs of -r N hash as before */
    cJSON_AddStringToObject(j, "reps", "auto");
    cJSON_AddNumberToObject(j, "precision", s->precision);
    cJSON_AddNumberToObject(j, "min_reps", s->min_reps);
    cJSON_AddNumberToObject(j, "max_reps", s->reps);
  } else {
    cJSON_AddNumberToObject(j, "reps", s->reps);
  }
  cJSON_AddNumberToObject(j, "warmup", s->warmup);
  cJSON_AddNumberToObject(j, "size", s->size);
  cJSON_AddNumberToObject(j, "timeout_s", s->timeout_s);
  if (s->memory_limit) /* only when given: earlier specs hash alike */
    cJSON_AddNumberToObject(j, "memory_limit_bytes", (double)s->memory_limit);
  /* The units (at --size 1) of the workloads whose row the spec made
   * (user files, or built-ins with units of their own), by workload. */
  cJSON *units = NULL;
  for (size_t i = 0; i < s->nworkloads; i++)
    for (size_t k = 0; k < s->nowned; k++)
      if (s->workloads[i] == s->owned[k]) {
        if (!units)
          units = cJSON_AddObjectToObject(j, "workload_units");
        cJSON_AddNumberToObject(units, s->workloads[i]->name,
                                (double)s->workloads[i]->units_py);
        break;
      }
  if (s->question)
    cJSON_AddStringToObject(j, "question", s->question);
  if (s->experiment) {
    char abs[PATH_MAX];
    cJSON *e = cJSON_AddObjectToObject(j, "experiment");
    cJSON_AddStringToObject(e, "path",
                            realpath(s->experiment, abs) ? abs : s->experiment);
    if (s->experiment_sha256)
      cJSON_AddStringToObject(e, "sha256", s->experiment_sha256);
  }
  return j;
}
