/* shard — see shard.h. */
#include "shard.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A whole number from 0 to max in text; -1 when it is not one. */
static long whole(const char *text, long max) {
  if (!text || !*text)
    return -1;
  char *end;
  errno = 0;
  long v = strtol(text, &end, 10);
  if (*end || errno || v < 0 || v > max || text[0] == '-' || text[0] == '+')
    return -1;
  return v;
}

/* The Slurm variables: SLURM_ARRAY_TASK_ID is this task's id; the array's
 * ids run from _MIN to _MAX by _STEP, _COUNT of them. An evenly stepped
 * array (0-3, 1-4, 0-12:4) maps id to (id - min) / step of count. Any
 * other array (a list like 1,4,9, or a rerun of some shards, --array=2,5)
 * cannot be mapped from the variables alone: with `auto/N` the task id is
 * the shard index itself; without, it is an error. */
static int from_slurm(long n_given, shard_getenv_fn get, shard *out, char *err,
                      size_t errlen) {
  static const char *const vars[] = {
      "SLURM_ARRAY_JOB_ID",   "SLURM_ARRAY_TASK_ID",   "SLURM_ARRAY_TASK_MIN",
      "SLURM_ARRAY_TASK_MAX", "SLURM_ARRAY_TASK_STEP", "SLURM_ARRAY_TASK_COUNT",
  };
  for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
    if (get(vars[i]))
      cJSON_AddStringToObject(out->env, vars[i], get(vars[i]));
  long id = whole(get("SLURM_ARRAY_TASK_ID"), 1L << 30);
  long min = whole(get("SLURM_ARRAY_TASK_MIN"), 1L << 30);
  long max = whole(get("SLURM_ARRAY_TASK_MAX"), 1L << 30);
  long step = get("SLURM_ARRAY_TASK_STEP")
                  ? whole(get("SLURM_ARRAY_TASK_STEP"), 1L << 30)
                  : 1;
  long count = whole(get("SLURM_ARRAY_TASK_COUNT"), 1L << 30);
  out->source = "slurm";
  if (id < 0 || min < 0 || max < min || step < 1) {
    snprintf(err, errlen,
             "--shard auto: SLURM_ARRAY_TASK_ID is '%s' but _MIN '%s', _MAX "
             "'%s' or _STEP '%s' is missing or not a number; submit with "
             "sbatch --array, or give --shard K/N",
             get("SLURM_ARRAY_TASK_ID"),
             get("SLURM_ARRAY_TASK_MIN") ? get("SLURM_ARRAY_TASK_MIN") : "",
             get("SLURM_ARRAY_TASK_MAX") ? get("SLURM_ARRAY_TASK_MAX") : "",
             get("SLURM_ARRAY_TASK_STEP") ? get("SLURM_ARRAY_TASK_STEP") : "");
    return -EINVAL;
  }
  long stepped = (max - min) / step + 1;
  if (count < 0)
    count = stepped;
  int even =
      (max - min) % step == 0 && count == stepped && (id - min) % step == 0;
  if (even && (n_given < 0 || n_given == count)) {
    out->index = (unsigned)((id - min) / step);
    out->count = (unsigned)count;
    return 0;
  }
  if (n_given < 0) {
    snprintf(err, errlen,
             "--shard auto: the Slurm array's %ld task ids from %ld to %ld "
             "are not evenly stepped (step %ld), so this task's shard "
             "cannot be told from them; for a list of shards (a rerun of "
             "some, --array=2,5) give --shard auto/N, which takes the task "
             "id as the shard index",
             count, min, max, step);
    return -EINVAL;
  }
  if (id >= n_given) {
    snprintf(err, errlen,
             "--shard auto/%ld: the Slurm array has %ld tasks, not %ld, so "
             "the task id is the shard index, but task id %ld is not below "
             "%ld; submit with --array=0-%ld or a list of those",
             n_given, count, n_given, id, n_given, n_given - 1);
    return -EINVAL;
  }
  out->index = (unsigned)id;
  out->count = (unsigned)n_given;
  return 0;
}

/* Kubernetes: JOB_COMPLETION_INDEX is 0..completions-1; the count is not
 * in the environment unless the manifest puts it there. */
static int from_kubernetes(long n_given, shard_getenv_fn get, shard *out,
                           char *err, size_t errlen) {
  const char *idx = get("JOB_COMPLETION_INDEX");
  const char *cnt = get("GILLAB_SHARD_COUNT");
  cJSON_AddStringToObject(out->env, "JOB_COMPLETION_INDEX", idx);
  if (cnt)
    cJSON_AddStringToObject(out->env, "GILLAB_SHARD_COUNT", cnt);
  out->source = "kubernetes";
  long k = whole(idx, 1L << 30);
  long n = n_given >= 0 ? n_given : whole(cnt, 1L << 30);
  if (k < 0) {
    snprintf(err, errlen,
             "--shard auto: JOB_COMPLETION_INDEX is '%s', not a number", idx);
    return -EINVAL;
  }
  if (n < 1) {
    snprintf(err, errlen,
             "--shard auto: a Kubernetes Indexed Job sets no count of its "
             "pods; give --shard auto/N or set GILLAB_SHARD_COUNT to the "
             "Job's completions%s",
             cnt ? " (GILLAB_SHARD_COUNT is not a number above 0)" : "");
    return -EINVAL;
  }
  if (k >= n) {
    snprintf(err, errlen,
             "--shard auto: JOB_COMPLETION_INDEX %ld is not below the count "
             "%ld; the count must be the Job's completions",
             k, n);
    return -EINVAL;
  }
  out->index = (unsigned)k;
  out->count = (unsigned)n;
  return 0;
}

int shard_resolve(const char *arg, shard_getenv_fn get, shard *out, char *err,
                  size_t errlen) {
  memset(out, 0, sizeof *out);
  const char *slash = strchr(arg, '/');
  long n = -1;
  if (slash) {
    n = whole(slash + 1, 1L << 20);
    if (n < 1) {
      snprintf(err, errlen,
               "--shard %s: the count after '/' must be a whole number from "
               "1 (e.g. --shard 0/4, --shard auto/4)",
               arg);
      return -EINVAL;
    }
  }
  size_t head = slash ? (size_t)(slash - arg) : strlen(arg);
  if (head == 4 && strncmp(arg, "auto", 4) == 0) {
    out->env = cJSON_CreateObject();
    if (get("SLURM_ARRAY_TASK_ID"))
      return from_slurm(n, get, out, err, errlen);
    if (get("JOB_COMPLETION_INDEX"))
      return from_kubernetes(n, get, out, err, errlen);
    snprintf(err, errlen,
             "--shard %s: neither SLURM_ARRAY_TASK_ID (a Slurm job array) "
             "nor JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) is set; "
             "outside a scheduler give --shard K/N",
             arg);
    return -EINVAL;
  }
  char k_text[32];
  snprintf(k_text, sizeof k_text, "%.*s", (int)(head < 31 ? head : 31), arg);
  long k = head < 31 ? whole(k_text, 1L << 20) : -1;
  if (!slash || k < 0 || k >= n) {
    snprintf(err, errlen,
             "--shard %s: give K/N with 0 <= K < N (shard K of N, counted "
             "from 0), auto (from a Slurm array or a Kubernetes Indexed "
             "Job) or auto/N",
             arg);
    return -EINVAL;
  }
  out->index = (unsigned)k;
  out->count = (unsigned)n;
  out->source = "command line";
  return 0;
}

void shard_clear(shard *s) {
  cJSON_Delete(s->env);
  s->env = NULL;
}

int shard_run_id(const char *given, shard_getenv_fn get,
                 const char *spec_sha256, char *out, char *err, size_t errlen) {
  const char *job = get("SLURM_ARRAY_JOB_ID");
  const char *from = "--run-id";
  if (!given && (given = get("GILLAB_RUN_ID")) != NULL)
    from = "GILLAB_RUN_ID";
  if (given)
    snprintf(out, SHARD_RUN_ID_MAX + 1, "%s", given);
  else if (job && *job)
    snprintf(out, SHARD_RUN_ID_MAX + 1, "slurm-%s", job);
  else
    snprintf(out, SHARD_RUN_ID_MAX + 1, "spec-%.12s", spec_sha256);
  size_t n = strlen(given ? given : out);
  if (n == 0 || n > SHARD_RUN_ID_MAX || out[0] == '.' ||
      strspn(out, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                  "0123456789._-") != n) {
    snprintf(err, errlen,
             "%s '%s': a run id names a directory: give 1 to %d letters, "
             "digits, '.', '_' or '-', not starting with '.'",
             from, given ? given : out, SHARD_RUN_ID_MAX);
    return -EINVAL;
  }
  return 0;
}

/* Rows by cost, largest first; the first in the matrix first among
 * equals. */
typedef struct {
  uint64_t cost;
  size_t row;
} row_cost;

static int by_cost(const void *a, const void *b) {
  const row_cost *x = a, *y = b;
  if (x->cost != y->cost)
    return x->cost < y->cost ? 1 : -1;
  return (x->row > y->row) - (x->row < y->row);
}

int shard_assign(const uint64_t *cost, size_t nrows, unsigned count,
                 unsigned *shard_of) {
  row_cost *rows = malloc((nrows + 1) * sizeof *rows);
  uint64_t *load = calloc(count ? count : 1, sizeof *load);
  if (!rows || !load) {
    free(rows);
    free(load);
    return -ENOMEM;
  }
  for (size_t i = 0; i < nrows; i++)
    rows[i] = (row_cost){cost[i], i};
  qsort(rows, nrows, sizeof *rows, by_cost);
  for (size_t i = 0; i < nrows; i++) {
    unsigned best = 0;
    for (unsigned k = 1; k < count; k++)
      if (load[k] < load[best])
        best = k;
    shard_of[rows[i].row] = best;
    load[best] += rows[i].cost;
  }
  free(rows);
  free(load);
  return 0;
}
