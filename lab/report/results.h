/* results — a results.jsonl read back: the metadata record, the cell
 * records, and the cells grouped by their key (every axis of the matrix but
 * the repetition), which is what every report is made of: summary.md,
 * report.html, results.csv and `gillab compare`.
 *
 * Warm-up repetitions (records with "warmup": true) are loaded but belong to
 * no group: they are never measurements.
 */
#ifndef GILLAB_RESULTS_H
#define GILLAB_RESULTS_H

#include "stats.h"

#include <cjson/cJSON.h>
#include <stddef.h>

/* The cells of one key: its records in file order. */
typedef struct results_memo results_memo;

typedef struct {
  const cJSON *first; /* the first record, for the key's fields */
  const cJSON **recs; /* every non-warm-up record of the key */
  size_t n;
  results_memo *memo; /* results_ci's answers by path (owned; freed with
                         the results) */
} results_group;

typedef struct results_arena results_arena;
typedef struct results_fig results_fig;

typedef struct {
  cJSON *meta;          /* NULL when the file has none */
  cJSON **cells;        /* every cell record, warm-ups included: in arena, read
                           them but never give them to cJSON_Delete */
  results_arena *arena; /* the cells' memory (owned; a view's borrowed) */
  size_t n;
  results_group *groups; /* skipped cells form no group */
  size_t ngroups;
  results_fig *figs; /* results_has_figure's and _has_text's answers (owned) */
} results;

/* Reads path (a results.jsonl) into r, which is freed with results_free
 * even on error. A torn last line (a run killed mid-write) is skipped, as
 * is (with a warning naming its line) a record that is not valid data.
 * Each cell record's valueint holds flags of results.c's own (whether it
 * is measured, a warm-up): cJSON leaves valueint unused in an object.
 * Returns 0 or a negative errno with err. */
int results_load(const char *path, results *r, char *err, size_t errlen);
void results_free(results *r);

/* The cells of r whose "machine" is machine (a merge of shards that ran
 * on machines that differ, lab/merge.h), grouped, into view, which
 * borrows r's metadata and records: free it with results_view_free (even
 * on error), before r. Returns 0 or -ENOMEM. */
int results_view(const results *r, const char *machine, results *view);
void results_view_free(results *view);

/* The string at key of rec, "" when absent. */
const char *results_str(const cJSON *rec, const char *key);

/* The item at a dotted path ("gil.acq_us.p99"), NULL when absent. */
const cJSON *results_get(const cJSON *rec, const char *path);

/* A dotted path made once for reading it from many of r's cells: its
 * parts as r's own key names, so that results_path_get compares pointers
 * rather than texts (results.csv reads ~100 paths of every record). */
typedef struct {
  const char *part[8];
  size_t n;
  const char *path; /* read with results_get when parts cannot be used */
  int absent;       /* no cell of r has a part as a key */
} results_path;

/* path (borrowed: it must outlive p) made into p for r's cells. */
void results_path_make(const results *r, const char *path, results_path *p);

/* As results_get(rec, p->path), for a cell of the r of p. */
const cJSON *results_path_get(const cJSON *rec, const results_path *p);

/* The number at a dotted path, NAN when absent or not a number. */
double results_num(const cJSON *rec, const char *path);

/* Whether rec is a measured, ok, non-warm-up repetition. */
int results_ok(const cJSON *rec);

/* Whether a and b have the same key; with ignore_runtime, all but the
 * runtime (to set one runtime's cells against another's). */
int results_same_key(const cJSON *a, const cJSON *b, int ignore_runtime);

/* Whether a and b have the same machine (the "machine" of records merged
 * from shards that ran on machines that differ; lab/merge.h), workload,
 * model, start method, placement,
 * switch interval, scaling, CPU-bound threads beside (mixed.convoy's
 * cpu_threads), message size and payload (ipc.*'s msg_size, payload) —
 * any runtime, any workers. */
int results_same_setup(const cJSON *a, const cJSON *b);

/* Whether a and b have the same key but for cpu_threads (the convoy's
 * axis): the same cell with more or fewer CPU-bound threads beside. */
int results_same_but_cpu(const cJSON *a, const cJSON *b);

/* The most CPU-bound threads any cell of workload ran beside (the
 * convoy's --cpu-threads), 0 when none did. */
double results_max_cpu_threads(const results *r, const char *workload);

/* The group of alone's key but with k CPU-bound threads beside, or
 * NULL. */
const results_group *results_with_cpu(const results *r,
                                      const results_group *alone, double k);

/* Whether a and b have the same key but for msg_size (ipc.*'s axis): the
 * same cell with larger or smaller messages. */
int results_same_but_size(const cJSON *a, const cJSON *b);

/* Whether a and b would sit in the same row of a table by workers: the same
 * key but for the worker count. */
int results_same_row(const cJSON *a, const cJSON *b);

/* The median and interval of the number at path over the ok repetitions of
 * g (values that are absent are not counted). *tried, when not NULL,
 * receives the number of repetitions the group had. */
stats_ci results_ci(const results_group *g, const char *path, size_t *tried);

/* The model as shown in tables: the model, its start method (processes),
 * the switch interval when one was set, the CPU-bound threads beside and
 * the machine when the cells came from several ("processes spawn, si 1ms,
 * 2 cpu, on m2"). */
const char *results_model_label(const cJSON *rec, char *buf, size_t len);

/* Whether groups[g] is the first group of its row (a table row, or a line
 * of a chart: the same key but for the workers). */
int results_row_first(const results *r, size_t g);

/* Whether rec is a native (C) cell. */
int results_is_native(const cJSON *rec);

/* "cpu.primes 3.11 threads n=2 none" into buf. */
const char *results_key_label(const cJSON *rec, char *buf, size_t len);

/* The group of key (workload, runtime, row of row, workers), or NULL. */
const results_group *results_find(const results *r, const cJSON *row,
                                  unsigned workers);

/* The distinct workloads in file order into out (pointers into the
 * records), at most max; returns how many. */
size_t results_workloads(const results *r, const char **out, size_t max);

/* The distinct worker counts of a workload, ascending, at most max. */
size_t results_workers(const results *r, const char *workload, unsigned *out,
                       size_t max);

/* Whether any ok cell of workload has a number at path. */
int results_has_figure(const results *r, const char *workload,
                       const char *path);

/* Whether any cell of workload (ok or not) has a non-empty string at key
 * (a serve cell's "handler", an ipc cell's "payload"). Both answers are
 * kept in r: each asks every record once. */
int results_has_text(const results *r, const char *workload, const char *key);

/* Whether an ok cell of workload has an item of any type at path (an
 * object, a list: "spawn.kinds"). */
int results_has_item(const results *r, const char *workload, const char *path);

/* The distinct runtimes of the Python cells of workload (of every
 * workload when it is NULL), in the groups' order, into out (pointers
 * into the records), at most max; returns how many. */
size_t results_runtimes(const results *r, const char *workload,
                        const char **out, size_t max);

/* The CPUs of the machine the results came from (machine.pus of the
 * metadata), 0 when unknown. */
unsigned results_machine_pus(const results *r);

/* What the workload named wl is, in one line without a final period
 * ("count primes by trial division (pure Python integers)"), from the
 * metadata record's "workloads" object; NULL when the file does not say
 * (files written before the metadata described the workloads): a report
 * says only what its results file says. */
const char *results_workload_summary(const results *r, const char *wl);

/* Whether the metadata's description of workload wl lists flag (e.g.
 * "latency": os.spawn and os.switch, whose reports show latencies rather
 * than a speedup); 0 when the file does not say. */
int results_workload_flag(const results *r, const char *wl, const char *flag);

/* 297000 -> "297k"; three significant digits; "–" when not finite. */
void results_fmt_si(char *buf, size_t len, double v);

#endif
