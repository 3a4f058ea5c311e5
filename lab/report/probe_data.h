/* probe_data — a probe's results.jsonl (lab/probe_store.h) read back as
 * processes, their threads and their intervals, and the figures the probe
 * reports derive from them: a thread's wall, blocked and per-interval
 * figures (differences of the cumulative counters of core/probefile.h),
 * and percentiles from the library's histograms.
 *
 * Every figure comes from the records alone. A process that was not probed
 * (not CPython, or its GIL not verified) has no GIL, park or GC figure,
 * and probe_data_thread.gil is 0 for each of its threads: a report must show
 * none for it.
 */
#ifndef GILLAB_PROBE_DATA_H
#define GILLAB_PROBE_DATA_H

#include "results.h"

#include <cjson/cJSON.h>
#include <stddef.h>

/* One thread as one interval line shows it (cumulative since first seen). */
typedef struct {
  long tid;
  const char *name; /* the Python thread name; NULL when it has none */
  int alive;
  double first_ns, last_ns;
  int gil; /* the GIL figures are there (a probed process) */
  double gil_waits, gil_wait_ns, gil_held_ns, drop_requests, switch_waits,
      switch_wait_ns;
  const cJSON *gil_hist; /* [[upper_ns, count], ...] or NULL */
  int parks_known;
  double parks, park_ns;
  const cJSON *park_hist;
  double cpu_ns, runq_ns, vcsw, ivcsw;
} probe_data_thread;

typedef struct {
  const cJSON *rec; /* the interval line */
  double t_ns;
  probe_data_thread *threads;
  size_t nthreads;
} probe_data_iv;

typedef struct {
  long pid;
  const char *file;     /* the process file it came from */
  const cJSON *process; /* its "process" line; NULL when it had none */
  const cJSON *runtime; /* its "runtime" line; NULL when none */
  probe_data_iv *iv;    /* its interval lines, in order */
  size_t niv;
  const cJSON **traces; /* its trace lines */
  size_t ntraces;
  int python;      /* the process line says CPython */
  int probed;      /* the runtime line says probed */
  int final;       /* it wrote its final line (a normal exit) */
  double start_ns; /* the process line's start_ns */
} probe_data_proc;

typedef struct {
  const results *r; /* borrowed: the records stay r's */
  probe_data_proc *procs;
  size_t nprocs;
  double t0_ns; /* the command's start (meta start_ns), or the first
                   process's start when that is earlier (another clock) */
} probe_data;

/* A process or thread id from a record's number (NaN when absent): -1
 * when it is not one that fits a long (a damaged or forged file). */
long probe_data_id(double x);

/* Whether r holds a probe's results (its metadata's kind is "probe"). */
int probe_data_is_probe(const results *r);

/* The processes of r (borrowed; keep r until probe_data_free), in file
 * order. Returns 0 or -ENOMEM. */
int probe_data_build(const results *r, probe_data *d);
void probe_data_free(probe_data *d);

/* The last interval of p; NULL when it wrote none. */
const probe_data_iv *probe_data_last(const probe_data_proc *p);

/* The thread tid in iv; NULL when iv does not list it. */
const probe_data_thread *probe_data_find(const probe_data_iv *iv, long tid);

/* t's name, or "tid N", into buf. */
const char *probe_data_thread_label(const probe_data_thread *t, char *buf,
                                    size_t len);

/* p's exe's base name ("python3.11"), or "?"; borrowed from p's record. */
const char *probe_data_exe_name(const probe_data_proc *p);

/* Wall time of t (last_ns - first_ns), and blocked time: wall - cpu -
 * runq, at least 0. */
double probe_data_wall_ns(const probe_data_thread *t);
double probe_data_blocked_ns(const probe_data_thread *t);

/* The time t could not run Python because of the GIL, as gillab run's
 * cells count it (wait_s): waiting to acquire it (gil_wait_ns) and, after
 * dropping it on request, waiting for the hand-off to complete
 * (switch_wait_ns). Every "GIL wait" share of the reports is this. */
double probe_data_gil_wait_ns(const probe_data_thread *t);

/* What changed for thread tid over p's interval k (from interval k-1, or
 * from the thread's first sight when k-1 does not list it). */
typedef struct {
  double start_ns, end_ns; /* the span, absolute CLOCK_MONOTONIC */
  double wall_ns, gil_wait_ns /* probe_data_gil_wait_ns */, gil_held_ns,
      park_ns, cpu_ns, runq_ns;
} probe_data_change;

/* Fills *out for tid over interval k of p. Returns 0, or -1 when interval
 * k does not list tid or its span is empty. */
int probe_data_delta(const probe_data_proc *p, size_t k, long tid,
                     probe_data_change *out);

/* The number of samples in a histogram [[upper, count], ...]. */
double probe_data_hist_count(const cJSON *hist);

/* The q-quantile (0 < q <= 1) of a histogram: the upper edge of the bucket
 * that holds the sample of rank ceil(q * n); NAN when empty. */
double probe_data_hist_pct(const cJSON *hist, double q);

/* A duration in nanoseconds as people read it, three significant digits:
 * "512 ns", "80 µs", "5.24 ms", "1.5 s"; "–" when not finite. */
void probe_data_fmt_ns(char *buf, size_t len, double ns);

/* The time t_ns (absolute) relative to the command's start, in seconds,
 * three significant digits ("1.5"). */
void probe_data_fmt_t(const probe_data *d, char *buf, size_t len, double t_ns);

#endif
