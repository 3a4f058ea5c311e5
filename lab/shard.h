/* shard — one part of a run's matrix, for one machine of a cluster
 * (`gillab run --shard K/N`, issue 19; DESIGN.md "Plan past one machine").
 *
 * Which part: K of N from the command line, or from the scheduler that
 * started the process (`--shard auto`): a Slurm job array
 * (SLURM_ARRAY_TASK_ID with _MIN, _MAX, _COUNT, _STEP: the task ids are
 * mapped to 0..N-1, never assumed to be them) or a Kubernetes Indexed Job
 * (JOB_COMPLETION_INDEX, 0..completions-1; Kubernetes sets no count, so it
 * comes from `--shard auto/N` or GILLAB_SHARD_COUNT).
 *
 * Which cells: the matrix is cut into rows (every axis but the worker
 * count and the repetition), and each row goes whole to one shard, so all
 * repetitions of a cell, and the 1-worker cell its speedup is taken
 * against, run on one machine. Rows are dealt out by their expected cost,
 * largest first, each to the shard with the least so far (ties: the row
 * first in the matrix, the lowest shard): every shard of a run computes
 * the same partition from the same spec, on any machine, since the costs
 * are guesses that do not depend on the machine (run.c).
 */
#ifndef GILLAB_SHARD_H
#define GILLAB_SHARD_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

/* Run ids become directory names: at most this long, [A-Za-z0-9._-]. */
#define SHARD_RUN_ID_MAX 96

typedef struct {
  unsigned index; /* 0 <= index < count */
  unsigned count;
  const char *source; /* "command line", "slurm" or "kubernetes" (static) */
  /* The scheduler's variables as read (a new object; free with
   * shard_clear), for the metadata. */
  cJSON *env;
} shard;

/* getenv, or a test's stand-in. */
typedef const char *(*shard_getenv_fn)(const char *name);

/* Reads arg ("K/N", "auto" or "auto/N") into *out, asking get for the
 * scheduler's variables when it says auto. Returns 0, or -EINVAL with err
 * saying what was wrong and what to give instead. */
int shard_resolve(const char *arg, shard_getenv_fn get, shard *out, char *err,
                  size_t errlen);

/* Frees what shard_resolve put into s. */
void shard_clear(shard *s);

/* The run id shards of one run share, which names their directories:
 * given (--run-id), else GILLAB_RUN_ID, else "slurm-" SLURM_ARRAY_JOB_ID,
 * else "spec-" and the first 12 digits of spec_sha256 (the same for every
 * shard of one spec). Into out (SHARD_RUN_ID_MAX + 1 bytes). Returns 0, or
 * -EINVAL with err when the id is not a plain directory name. */
int shard_run_id(const char *given, shard_getenv_fn get,
                 const char *spec_sha256, char *out, char *err, size_t errlen);

/* Deals nrows rows with cost[i] (any unit) to count shards, as above;
 * shard_of[i] receives row i's shard. Returns 0, or -ENOMEM. */
int shard_assign(const uint64_t *cost, size_t nrows, unsigned count,
                 unsigned *shard_of);

#endif
