/* record — see record.h. */
#include "record.h"

#include "place.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

cJSON *record_new(const record_id *id) {
  cJSON *rec = cJSON_CreateObject();
  cJSON_AddStringToObject(rec, "type", "cell");
  cJSON_AddStringToObject(rec, "workload", id->workload);
  cJSON_AddStringToObject(rec, "model", id->model);
  cJSON_AddNumberToObject(rec, "workers", id->workers);
  cJSON_AddStringToObject(rec, "placement", id->placement);
  cJSON_AddStringToObject(rec, "runtime", id->runtime);
  cJSON_AddNumberToObject(rec, "rep", id->rep);
  cJSON_AddNumberToObject(rec, "units", (double)id->units);
  return rec;
}

void record_skip(cJSON *rec, const char *reason) {
  cJSON_AddStringToObject(rec, "status", "skipped");
  cJSON_AddStringToObject(rec, "error", reason);
}

void record_fail(cJSON *rec, const char *status, const char *reason,
                 const char *tail) {
  cJSON_AddStringToObject(rec, "status", status);
  cJSON_AddStringToObject(rec, "error", reason);
  if (tail)
    cJSON_AddStringToObject(rec, "stderr_tail", tail);
}

/* The CPUs any worker was seen on, ascending. */
static cJSON *union_cpus(const cJSON *workers) {
  enum { MAX_CPUS = 65536 };
  unsigned char *mark = calloc(MAX_CPUS, 1);
  cJSON *seen = cJSON_CreateArray();
  const cJSON *w, *cpu;
  if (!mark)
    return seen;
  cJSON_ArrayForEach(w, workers) {
    cJSON_ArrayForEach(cpu, cJSON_GetObjectItemCaseSensitive(w, "cpus_seen")) {
      if (cJSON_IsNumber(cpu) && cpu->valuedouble >= 0 &&
          cpu->valuedouble < MAX_CPUS)
        mark[(int)cpu->valuedouble] = 1;
    }
  }
  for (int c = 0; c < MAX_CPUS; c++)
    if (mark[c])
      cJSON_AddItemToArray(seen, cJSON_CreateNumber(c));
  free(mark);
  return seen;
}

/* placement_ok: every bound worker was seen only on CPUs of its set (true
 * or false), or null when no worker was bound (placement none). */
static void add_placement_ok(cJSON *rec, const cJSON *workers) {
  int bound = 0, ok = 1;
  const cJSON *w, *cpu;
  cJSON_ArrayForEach(w, workers) {
    const cJSON *set = cJSON_GetObjectItemCaseSensitive(w, "bound");
    if (!cJSON_IsString(set) || !set->valuestring[0])
      continue;
    bound = 1;
    cJSON_ArrayForEach(cpu, cJSON_GetObjectItemCaseSensitive(w, "cpus_seen"))
        ok &= cJSON_IsNumber(cpu) &&
              place_set_has(set->valuestring, (int)cpu->valuedouble);
  }
  if (bound)
    cJSON_AddBoolToObject(rec, "placement_ok", ok);
  else
    cJSON_AddNullToObject(rec, "placement_ok");
}

static cJSON *take(cJSON *from, const char *key) {
  cJSON *v = cJSON_DetachItemFromObjectCaseSensitive(from, key);
  return v ? v : cJSON_CreateNull();
}

double record_measured(cJSON *rec, cJSON *result, double baseline) {
  cJSON_AddStringToObject(rec, "status", "ok");
  cJSON_AddNullToObject(rec, "error");
  cJSON *ops = take(result, "ops"), *wall = take(result, "wall_s");
  double tput =
      cJSON_IsNumber(ops) && cJSON_IsNumber(wall) && wall->valuedouble > 0
          ? ops->valuedouble / wall->valuedouble
          : NAN;
  if (baseline < 0)
    baseline = tput;
  cJSON_AddItemToObject(rec, "ops", ops);
  cJSON_AddItemToObject(rec, "wall_s", wall);
  if (isfinite(tput))
    cJSON_AddNumberToObject(rec, "throughput", tput);
  else
    cJSON_AddNullToObject(rec, "throughput");
  if (isfinite(tput) && isfinite(baseline) && baseline > 0)
    cJSON_AddNumberToObject(rec, "speedup", tput / baseline);
  else
    cJSON_AddNullToObject(rec, "speedup");
  cJSON_AddItemToObject(rec, "answer", take(result, "answer"));
  cJSON *workers = cJSON_DetachItemFromObjectCaseSensitive(result, "workers");
  if (!workers)
    workers = cJSON_CreateArray();
  cJSON_AddItemToObject(rec, "cpus_seen", union_cpus(workers));
  add_placement_ok(rec, workers);
  cJSON_AddItemToObject(rec, "per_worker", workers);
  cJSON_AddItemToObject(rec, "setup_s", take(result, "setup_s"));
  /* Everything else the cell reported (gil, python, a model's or a
   * workload's own objects) goes into the record as it is, unless the
   * record already has that key from the orchestrator. */
  while (result->child) {
    cJSON *v = cJSON_DetachItemViaPointer(result, result->child);
    if (v->string && !cJSON_HasObjectItem(rec, v->string))
      cJSON_AddItemToObject(rec, v->string, v);
    else
      cJSON_Delete(v);
  }
  return tput;
}

/* Whether the cell's workers ran without waiting on one another: not
 * threads that take turns on a GIL (or subinterpreters sharing one), whose
 * CPU times also hold the hand-offs. */
static int workers_independent(const cJSON *rec) {
  const char *model =
      cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "model"));
  if (!model)
    return 0;
  if (strcmp(model, "threads") == 0) {
    const cJSON *gil = cJSON_GetObjectItemCaseSensitive(rec, "gil");
    return cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(gil, "enabled"));
  }
  if (strcmp(model, "subinterpreters") == 0) {
    const char *interp = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(rec, "interpreters"));
    return interp && strcmp(interp, "own GIL") == 0;
  }
  return strcmp(model, "asyncio") != 0;
}

double record_cpu_imbalance(cJSON *rec) {
  static const double MIN_CPU_S = 0.2;
  const cJSON *w;
  double lo = INFINITY, hi = -INFINITY;
  int n = 0, slowest = -1;
  if (!workers_independent(rec))
    return NAN;
  cJSON_ArrayForEach(w, cJSON_GetObjectItemCaseSensitive(rec, "per_worker")) {
    const cJSON *cpu = cJSON_GetObjectItemCaseSensitive(w, "cpu_s");
    if (!cJSON_IsNumber(cpu) || cpu->valuedouble < MIN_CPU_S)
      return NAN;
    if (cpu->valuedouble > hi) {
      const cJSON *idx = cJSON_GetObjectItemCaseSensitive(w, "worker");
      hi = cpu->valuedouble;
      slowest = cJSON_IsNumber(idx) ? idx->valueint : n;
    }
    lo = fmin(lo, cpu->valuedouble);
    n++;
  }
  if (n < 2)
    return NAN;
  cJSON_AddNumberToObject(rec, "cpu_imbalance", hi / lo);
  cJSON_AddNumberToObject(rec, "cpu_imbalance_worker", slowest);
  return hi / lo;
}

int record_append(FILE *f, const cJSON *rec) {
  char *line = cJSON_PrintUnformatted(rec);
  if (!line)
    return -ENOMEM;
  /* cJSON copies a string's bytes as they are, and a path or command line
   * may hold bytes that are not UTF-8: outside its strings the printed
   * line is ASCII, so fixing the line fixes the strings. */
  util_utf8_fix(line);
  size_t len = strlen(line);
  line[len++] = '\n'; /* over the NUL: the line is written by length */
  int rc = fflush(f) != 0 ? -(errno ? errno : EIO) : 0;
  int fd = fileno(f);
  off_t at = rc == 0 ? lseek(fd, 0, SEEK_END) : -1;
  if (rc == 0 && at < 0)
    rc = -errno;
  /* The line's blocks are reserved first, so that a full disk refuses the
   * whole line rather than half of it; where the file system cannot
   * reserve (EOPNOTSUPP), a write cut short is undone by truncating back. */
  if (rc == 0) {
    int fr = fallocate(fd, FALLOC_FL_KEEP_SIZE, at, (off_t)len);
    if (fr < 0 && errno != EOPNOTSUPP && errno != ENOSYS && errno != EINVAL)
      rc = -errno;
  }
  for (size_t done = 0; rc == 0 && done < len;) {
    ssize_t w = write(fd, line + done, len - done);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0) {
      rc = w < 0 ? -errno : -ENOSPC;
      if (ftruncate(fd, at) < 0) {
        /* Nothing more to do: readers drop a torn last line. */
      }
    } else
      done += (size_t)w;
  }
  if (rc == 0 && fsync(fd) < 0 && errno != EINVAL)
    rc = -errno;
  cJSON_free(line);
  return rc;
}
