/* record — the records of results.jsonl.
 *
 * A results file is one JSON object per line: first the metadata record
 * (meta.h), then one record per cell repetition, appended and flushed as
 * soon as the cell ends. A cell record always has the cell's identity
 * (workload, model, workers, placement, runtime, rep, units), a status
 * ("ok", "failed", "timeout", "skipped") and error (null when ok); a
 * measured cell adds ops, wall_s, throughput (ops/s), speedup, answer,
 * cpus_seen (union over workers), per_worker, placement_ok (every bound
 * worker stayed on its set; null when none was bound), setup_s,
 * cpu_imbalance (record_cpu_imbalance), applied (what the runner observed
 * of the cell's set-up, read back inside the workers: embed/cell.h), and
 * for Python models python (the runtime) and gil {enabled,
 * free_threaded_build, reenabled}. Fields the orchestrator writes itself
 * (start_method, switch_interval_s, hash_seed, and for a user workload
 * workload_file, the absolute path of its file) say what was asked for;
 * applied says what happened.
 */
#ifndef GILLAB_RECORD_H
#define GILLAB_RECORD_H

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>

typedef struct {
  const char *workload, *model, *placement, *runtime;
  unsigned workers, rep; /* rep counts from 1 */
  uint64_t units;
} record_id;

/* A new cell record with the identity fields (free with cJSON_Delete). */
cJSON *record_new(const record_id *id);

/* Marks the cell as not run, with the reason. */
void record_skip(cJSON *rec, const char *reason);

/* Marks the cell as failed ("failed" or "timeout"); tail (may be NULL) is
 * the end of the runner's output, kept to explain a crash. */
void record_fail(cJSON *rec, const char *status, const char *reason,
                 const char *tail);

/* Fills a measured cell from the runner's result (its fields are moved out
 * of result). baseline is the throughput of 1 worker to divide by for the
 * speedup: NAN when unknown (speedup null), negative when this cell is
 * itself the baseline (speedup 1). Returns the cell's throughput. */
double record_measured(cJSON *rec, cJSON *result, double baseline);

/* For a measured cell whose workers did equal shares of pure computation
 * (WL_WARMUP workloads): adds cpu_imbalance, the slowest worker's CPU time
 * over the fastest's (1 when the CPUs ran alike), and cpu_imbalance_worker,
 * the slowest worker's index. The same work taking more CPU time on one
 * worker means its CPU ran slower: on a VM, the host gave that vCPU's core
 * to someone else too (an SMT sibling in use, a busy neighbour), which no
 * counter inside the guest shows. The cell's wall time follows the slowest
 * worker. Nothing is added with fewer than 2 workers, when a worker
 * used under MIN_CPU_S of CPU (too short to compare), or when the workers
 * took turns on a GIL (threads on a GIL build, subinterpreters sharing a
 * GIL): their CPU times also hold the hand-offs. Returns cpu_imbalance,
 * or NAN when nothing was added. */
double record_cpu_imbalance(cJSON *rec);
/* Above METHOD_HOST_SLOW (method.h), the reports say the host slowed a
 * CPU. */

/* Appends rec as one line of f and makes it durable (fflush and fsync), so
 * an interrupted run keeps every cell measured so far. 0 or -errno. */
int record_append(FILE *f, const cJSON *rec);

#endif
