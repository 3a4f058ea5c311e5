/* calibrate — the GIL probe against known answers, and its cost; see
 * calibrate.h. Every experiment is an ordinary cell run in a fresh runner,
 * so what is calibrated is exactly what `gillab run` measures. */
#include "calibrate.h"

#include "cellspec.h"
#include "child.h"
#include "registry.h"
#include "runtime.h"
#include "stats.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CALIB_TIMEOUT_S 300

typedef struct {
  const calibrate_opts *o;
  char runner[PATH_MAX];
} calib_ctx;

static void progress(const calib_ctx *c, const char *fmt, const char *what) {
  if (!c->o->quiet) {
    fprintf(stderr, fmt, what);
    fflush(stderr);
  }
}

/* The cell of `workers` threads of workload `name`, with the probe on, the
 * runtime's switch interval and hash seed 1 for every calibration cell (so
 * runs differ only in what is compared). pairs > 0 measures the probe's
 * cost instead (gillab_drive.overhead); control keeps it on on both
 * sides. */
static cellspec calib_spec(const char *name, unsigned workers, uint64_t units,
                           unsigned pairs, int control) {
  return (cellspec){
      .workload = name,
      .model = MODEL_THREADS,
      .workers = workers,
      .units = units,
      .workloads_dir = GILLAB_WORKLOADS_DIR,
      .gil_probe = 1,
      .hash_seed = 1,
      .overhead_pairs = pairs,
      .overhead_control = control,
  };
}

/* Runs the cell and returns the runner's result (the caller frees it), or
 * NULL with err. */
static cJSON *spec_matrix(const calib_ctx *c, const cellspec *spec, char *err,
                          size_t errlen) {
  if (!registry_find(spec->workload)) {
    snprintf(err, errlen, "no such calibration workload in this build: %s",
             spec->workload);
    return NULL;
  }
  child_outcome out;
  int rc = child_run_cell(c->runner, spec, CALIB_TIMEOUT_S, NULL, NULL, &out,
                          err, errlen);
  if (rc < 0)
    return NULL;
  if (out.status != CHILD_OK) {
    snprintf(err, errlen, "%s with %u workers: %s", spec->workload,
             spec->workers, out.reason);
    child_outcome_clear(&out);
    return NULL;
  }
  cJSON *result = out.result;
  out.result = NULL;
  return result;
}

static cJSON *run_cell(const calib_ctx *c, const char *name, unsigned workers,
                       uint64_t units, char *err, size_t errlen) {
  cellspec spec = calib_spec(name, workers, units, 0, 0);
  return spec_matrix(c, &spec, err, errlen);
}

static double num(const cJSON *o, const char *key) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
  return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static const cJSON *per_thread(const cJSON *result) {
  return cJSON_GetObjectItemCaseSensitive(
      cJSON_GetObjectItemCaseSensitive(result, "gil"), "per_thread");
}

static void add_experiment(cJSON *list, const char *name, double truth,
                           double measured, double error_pct,
                           const char *basis) {
  cJSON *e = cJSON_CreateObject();
  cJSON_AddStringToObject(e, "name", name);
  cJSON_AddNumberToObject(e, "truth_s", truth);
  cJSON_AddNumberToObject(e, "measured_s", measured);
  cJSON_AddNumberToObject(e, "error_pct", error_pct);
  cJSON_AddStringToObject(e, "basis", basis);
  cJSON_AddItemToArray(list, e);
}

/* (a) One thread holds the GIL in C for known spans while another runs
 * Python: the waiter's GIL wait against the time held. */
static int exp_hold(const calib_ctx *c, cJSON *list, char *err, size_t errlen) {
  progress(c, "calibrate: %s\n", "hold_gil (2 threads, 20 holds of 50 ms)");
  cJSON *r = run_cell(c, "calib.hold", 2, 20, err, errlen);
  if (!r)
    return -1;
  double truth = num(r, "answer") / 1e6;
  double measured = num(cJSON_GetArrayItem(per_thread(r), 1), "wait_s");
  add_experiment(list, "hold_gil", truth, measured,
                 100 * (measured - truth) / truth, "truth");
  cJSON_Delete(r);
  return 0;
}

/* (b) N CPU-bound threads running for the same span (calib.spin): the GIL
 * is held all the time and each thread waits for it (N-1)/N of its span.
 * The kernel's blocked time of the threads is reported beside, as an
 * independent cross-check. */
static int exp_cpu(const calib_ctx *c, unsigned n, cJSON *list, char *err,
                   size_t errlen) {
  char name[64];
  snprintf(name, sizeof name, "cpu_bound_%u_threads", n);
  progress(c, "calibrate: %s\n", name);
  uint64_t ms = (uint64_t)fmax(100, 2000 * c->o->size);
  cJSON *r = run_cell(c, "calib.spin", n, ms, err, errlen);
  if (!r)
    return -1;
  double truth = 0, measured = 0, blocked = 0, runq = 0;
  const cJSON *t;
  cJSON_ArrayForEach(t, per_thread(r)) {
    truth += num(t, "span_s") * (n - 1) / n;
    measured += num(t, "wait_s");
    blocked += num(t, "blocked_s");
    runq += num(t, "runq_s");
  }
  add_experiment(list, name, truth, measured, 100 * (measured - truth) / truth,
                 "truth");
  cJSON *e = cJSON_GetArrayItem(list, cJSON_GetArraySize(list) - 1);
  cJSON_AddNumberToObject(
      e, "held_frac",
      num(cJSON_GetObjectItemCaseSensitive(r, "gil"), "held_frac"));
  cJSON_AddNumberToObject(e, "blocked_s", blocked);
  /* Time the threads were runnable but not running: with other load on
   * the CPUs, a thread also waits in the run queue between dropping the
   * GIL and asking for it again, which is not a GIL wait and lowers the
   * measured share below (N-1)/N. */
  cJSON_AddNumberToObject(e, "runq_s", runq);
  cJSON_Delete(r);
  return 0;
}

/* (c) Threads that sleep with the GIL released: no GIL wait to speak of.
 * The truth is 0, so the error is the wait as a share of the threads'
 * spans. */
static int exp_sleep(const calib_ctx *c, cJSON *list, char *err,
                     size_t errlen) {
  progress(c, "calibrate: %s\n", "sleepers_4_threads");
  cJSON *r = run_cell(c, "calib.sleep", 4, 400, err, errlen);
  if (!r)
    return -1;
  double spans = 0, measured = 0;
  const cJSON *t;
  cJSON_ArrayForEach(t, per_thread(r)) {
    spans += num(t, "span_s");
    measured += num(t, "wait_s");
  }
  add_experiment(list, "sleepers_4_threads", 0, measured,
                 spans > 0 ? 100 * measured / spans : NAN, "span");
  cJSON_Delete(r);
  return 0;
}

/* Median and quartiles of a JSON array of numbers. */
typedef struct {
  double median, q1, q3;
} quartiles;

static quartiles quartiles_of(const cJSON *arr) {
  size_t nr = (size_t)cJSON_GetArraySize(arr), k = 0;
  double *v = calloc(nr + 1, sizeof *v);
  const cJSON *r;
  quartiles q = {NAN, NAN, NAN};
  if (!v)
    return q;
  cJSON_ArrayForEach(r, arr) v[k++] = r->valuedouble;
  q.median = stats_median(v, nr); /* sorts v */
  q.q1 = nr ? v[nr / 4] : NAN;
  q.q3 = nr ? v[(3 * nr) / 4] : NAN;
  free(v);
  return q;
}

/* One in-process series of probe on/off pairs (gillab_drive.overhead): the
 * pairs' ratios of wall time and of the workers' CPU time. control keeps
 * the probe on on both sides (A/A). */
static int overhead_series(const calib_ctx *c, unsigned n, int control,
                           quartiles *wall, quartiles *cpu, char *err,
                           size_t errlen) {
  const wl_workload *wl = registry_find("cpu.primes");
  uint64_t units = (uint64_t)fmax(1000, (double)wl->units_py * c->o->size / 2);
  cellspec spec = calib_spec("cpu.primes", n, units, c->o->pairs, control);
  cJSON *result = spec_matrix(c, &spec, err, errlen);
  if (!result)
    return -1;
  *wall = quartiles_of(cJSON_GetObjectItemCaseSensitive(result, "ratios"));
  *cpu = quartiles_of(cJSON_GetObjectItemCaseSensitive(result, "cpu_ratios"));
  cJSON_Delete(result);
  return 0;
}

static void add_quartiles(cJSON *e, const char *prefix, const quartiles *q) {
  char key[64];
  snprintf(key, sizeof key, "%sratio", prefix);
  cJSON_AddNumberToObject(e, key, q->median);
  snprintf(key, sizeof key, "%sq1", prefix);
  cJSON_AddNumberToObject(e, key, q->q1);
  snprintf(key, sizeof key, "%sq3", prefix);
  cJSON_AddNumberToObject(e, key, q->q3);
}

/* valgrind's path on PATH into buf: 0, or -ENOENT. */
static int find_valgrind(char *buf, size_t len) {
  const char *path = getenv("PATH");
  while (path && *path) {
    size_t dlen = strcspn(path, ":");
    if (dlen > 0 &&
        (size_t)snprintf(buf, len, "%.*s/valgrind", (int)dlen, path) < len &&
        access(buf, X_OK) == 0)
      return 0;
    path += dlen + (path[dlen] == ':');
  }
  return -ENOENT;
}

/* The "I refs" total of a valgrind log (cachegrind's summary), or NAN. */
static double log_instructions(const char *log) {
  FILE *f = fopen(log, "r");
  char line[512];
  double ir = NAN;
  if (!f)
    return NAN;
  while (fgets(line, sizeof line, f)) {
    const char *p = strstr(line, "I   refs:");
    if (!p)
      continue;
    double v = 0;
    for (p += strlen("I   refs:"); *p && *p != '\n'; p++)
      if (*p >= '0' && *p <= '9')
        v = v * 10 + (*p - '0');
    ir = v;
  }
  fclose(f);
  return ir;
}

/* One run of the cell in a fresh runner under valgrind's cachegrind
 * (instructions only, no cache simulation: about 20x native here, half
 * callgrind's time for the same count): the process's instructions, and
 * its result (the caller frees it). Returns 0, or -1 with err. */
static int instr_run(const calib_ctx *c, const char *valgrind,
                     const cellspec *spec, double *ir, cJSON **result,
                     char *err, size_t errlen) {
  char log[] = "/tmp/gillab-calibrate-vg-XXXXXX", logopt[64], fd[16];
  int lfd = mkstemp(log);
  if (lfd < 0) {
    snprintf(err, errlen, "cannot make a file for valgrind's log: %s",
             strerror(errno));
    return -1;
  }
  close(lfd);
  char *text = cellspec_to_json(spec, err, errlen);
  if (!text) {
    unlink(log);
    return -1;
  }
  snprintf(logopt, sizeof logopt, "--log-file=%s", log);
  snprintf(fd, sizeof fd, "%d", CHILD_RESULT_FD);
  char *argv[] = {(char *)valgrind,
                  "--tool=cachegrind",
                  "--cache-sim=no",
                  "--cachegrind-out-file=/dev/null",
                  logopt,
                  (char *)c->runner,
                  "--cell",
                  text,
                  "--result-fd",
                  fd,
                  NULL};
  child_outcome out;
  int rc = child_run(argv, CALIB_TIMEOUT_S, NULL, &out, err, errlen);
  free(text);
  if (rc < 0) {
    unlink(log);
    return -1;
  }
  *ir = log_instructions(log);
  unlink(log);
  if (out.status != CHILD_OK || isnan(*ir)) {
    snprintf(err, errlen, "%s with %u workers under valgrind: %s",
             spec->workload, spec->workers,
             out.status != CHILD_OK ? out.reason : "no instruction count");
    child_outcome_clear(&out);
    return -1;
  }
  *result = out.result;
  out.result = NULL;
  child_outcome_clear(&out);
  return 0;
}

/* The probe's cost in instructions: the overhead cell's workload run by n
 * threads once each with the probe off, on, and off again (the A/A
 * control: how far the count of the same run moves by itself; with threads
 * it moves with the GIL switches valgrind's scheduler makes), each in a
 * fresh runner under valgrind. The whole process is counted (start,
 * workload, exit), so its start-up is in the ratio too. Adds the instr_
 * figures to e. The work is half a wall-clock phase's, so that a run takes
 * seconds under valgrind (the runner's start, about a tenth of the count,
 * weighs little). */
static int instr_overhead(const calib_ctx *c, unsigned n, const char *name,
                          cJSON *e, char *err, size_t errlen) {
  char valgrind[PATH_MAX];
  if (find_valgrind(valgrind, sizeof valgrind) < 0) {
    snprintf(err, errlen,
             "--instructions needs valgrind on PATH (scripts/bootstrap "
             "--for-bench installs it)");
    return -1;
  }
  const wl_workload *wl = registry_find("cpu.primes");
  uint64_t units = (uint64_t)fmax(200, (double)wl->units_py * c->o->size / 4);
  double ir[3];
  double waits = NAN;
  static const int probe_on[3] = {0, 1, 0};
  if (!c->o->quiet)
    fprintf(stderr,
            "calibrate: instructions, %s, probe off, on, off, under "
            "valgrind\n",
            name);
  for (int i = 0; i < 3; i++) {
    cellspec spec = calib_spec("cpu.primes", n, units, 0, 0);
    spec.gil_probe = probe_on[i];
    cJSON *r;
    if (instr_run(c, valgrind, &spec, &ir[i], &r, err, errlen) < 0)
      return -1;
    if (probe_on[i])
      waits = num(cJSON_GetObjectItemCaseSensitive(r, "gil"), "waits");
    cJSON_Delete(r);
  }
  cJSON_AddNumberToObject(e, "instr_units", (double)units);
  cJSON_AddNumberToObject(e, "instr_off", ir[0]);
  cJSON_AddNumberToObject(e, "instr_on", ir[1]);
  cJSON_AddNumberToObject(e, "instr_off2", ir[2]);
  cJSON_AddNumberToObject(e, "instr_ratio", ir[1] / ir[0]);
  cJSON_AddNumberToObject(e, "instr_control_ratio", ir[2] / ir[0]);
  cJSON_AddNumberToObject(e, "instr_waits", waits);
  if (waits > 0)
    cJSON_AddNumberToObject(e, "instr_per_wait", (ir[1] - ir[0]) / waits);
  else
    cJSON_AddNullToObject(e, "instr_per_wait");
  return 0;
}

/* The probe's cost: cpu.primes by n threads with the probe on and off, in
 * interleaved pairs of phases inside one runner: one process means one
 * memory layout and one hash seed for both sides, and phases a fraction of
 * a second apart see the same machine. Two measures: wall time (what a
 * user waits), and the workers' CPU time (CLOCK_THREAD_CPUTIME_ID), which
 * on a VM with steal-time accounting leaves out the time the host took
 * the vCPU away, this machine's main noise. Beside each, the same series
 * with the probe on on both sides (A/A): how far from 1 the machine's
 * noise alone puts the median, so a reader can tell a cost from noise. */
static int overhead(const calib_ctx *c, unsigned n, const char *name,
                    cJSON *list, char *err, size_t errlen) {
  quartiles wall, cpu, cwall, ccpu;
  if (!c->o->quiet)
    fprintf(stderr,
            "calibrate: overhead, %s, %u pairs of phases, and an A/A "
            "control\n",
            name, c->o->pairs);
  if (overhead_series(c, n, 0, &wall, &cpu, err, errlen) < 0 ||
      overhead_series(c, n, 1, &cwall, &ccpu, err, errlen) < 0)
    return -1;
  cJSON *e = cJSON_CreateObject();
  cJSON_AddStringToObject(e, "name", name);
  add_quartiles(e, "", &wall);
  cJSON_AddNumberToObject(e, "pairs", c->o->pairs);
  add_quartiles(e, "control_", &cwall);
  add_quartiles(e, "cpu_", &cpu);
  add_quartiles(e, "cpu_control_", &ccpu);
  cJSON_AddItemToArray(list, e);
  if (c->o->instructions && instr_overhead(c, n, name, e, err, errlen) < 0)
    return -1;
  return 0;
}

int calibrate_run(const calibrate_opts *o, cJSON **out, char *err,
                  size_t errlen) {
  calib_ctx c = {.o = o};
  int rc =
      runtime_runner_path(o->runtime, c.runner, sizeof c.runner, err, errlen);
  if (rc < 0)
    return rc;
  cJSON *info = runtime_info(o->runtime, err, errlen);
  if (!info)
    return -EIO;
  *out = cJSON_CreateObject();
  cJSON_AddItemToObject(*out, "runtime", info);
  cJSON *exps = cJSON_AddArrayToObject(*out, "experiments");
  cJSON *costs = cJSON_AddArrayToObject(*out, "overhead");
  if (exp_hold(&c, exps, err, errlen) < 0 ||
      exp_cpu(&c, 2, exps, err, errlen) < 0 ||
      exp_cpu(&c, 4, exps, err, errlen) < 0 ||
      exp_sleep(&c, exps, err, errlen) < 0 ||
      overhead(&c, 1, "1_thread", costs, err, errlen) < 0 ||
      overhead(&c, 4, "4_contended_threads", costs, err, errlen) < 0) {
    cJSON_Delete(*out);
    *out = NULL;
    return -EIO;
  }
  return 0;
}

void calibrate_print(const cJSON *result, FILE *f) {
  const cJSON *rt = cJSON_GetObjectItemCaseSensitive(result, "runtime"), *e;
  const cJSON *tag = cJSON_GetObjectItemCaseSensitive(rt, "tag");
  const cJSON *ver = cJSON_GetObjectItemCaseSensitive(rt, "version");
  fprintf(f, "GIL probe calibration, runtime %s (CPython %s)\n\n",
          cJSON_IsString(tag) ? tag->valuestring : "?",
          cJSON_IsString(ver) ? ver->valuestring : "?");
  fprintf(f, "%-22s %10s %11s %9s\n", "experiment", "truth_s", "measured_s",
          "error");
  cJSON_ArrayForEach(e,
                     cJSON_GetObjectItemCaseSensitive(result, "experiments")) {
    const cJSON *basis = cJSON_GetObjectItemCaseSensitive(e, "basis");
    int of_span = cJSON_IsString(basis) && !strcmp(basis->valuestring, "span");
    fprintf(f, "%-22s %10.4f %11.4f %+8.2f%%%s\n",
            cJSON_GetObjectItemCaseSensitive(e, "name")->valuestring,
            num(e, "truth_s"), num(e, "measured_s"), num(e, "error_pct"),
            of_span ? " of the threads' time" : "");
  }
  fprintf(f, "\nprobe cost: time with the probe on / off, median of "
             "interleaved pairs (quartiles);\nthe A/A control keeps the probe "
             "on on both sides: its distance from 1 is\nthe machine's noise. "
             "CPU: the workers' CPU time (leaves out time stolen\nby the "
             "host); wall: elapsed time.\n");
  if (cJSON_GetObjectItemCaseSensitive(
          cJSON_GetArrayItem(
              cJSON_GetObjectItemCaseSensitive(result, "overhead"), 0),
          "instr_ratio"))
    fprintf(f, "instr: instructions of the whole runner process under "
               "valgrind, probe on / off;\nits A/A control is off / off "
               "(one run each).\n");
  cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(result, "overhead")) {
    const char *name = cJSON_GetObjectItemCaseSensitive(e, "name")->valuestring;
    fprintf(f,
            "%-20s cpu  %7.4f (%.3f .. %.3f)  A/A %.4f (%.3f .. %.3f)\n"
            "%-20s wall %7.4f (%.3f .. %.3f)  A/A %.4f (%.3f .. %.3f)  "
            "%g pairs\n",
            name, num(e, "cpu_ratio"), num(e, "cpu_q1"), num(e, "cpu_q3"),
            num(e, "cpu_control_ratio"), num(e, "cpu_control_q1"),
            num(e, "cpu_control_q3"), "", num(e, "ratio"), num(e, "q1"),
            num(e, "q3"), num(e, "control_ratio"), num(e, "control_q1"),
            num(e, "control_q3"), num(e, "pairs"));
    if (cJSON_GetObjectItemCaseSensitive(e, "instr_ratio")) {
      char per[64] = "no GIL wait";
      if (!isnan(num(e, "instr_per_wait")))
        snprintf(per, sizeof per, "%+.0f a GIL wait", num(e, "instr_per_wait"));
      fprintf(f,
              "%-20s instr %6.4f  A/A %.4f  (valgrind: %.4g instructions "
              "off, %.4g on, %g GIL waits, %s)\n",
              "", num(e, "instr_ratio"), num(e, "instr_control_ratio"),
              num(e, "instr_off"), num(e, "instr_on"), num(e, "instr_waits"),
              per);
    }
  }
}
