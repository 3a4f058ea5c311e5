/* merge — see merge.h. */
#include "merge.h"

#include "outfile.h"
#include "report.h"
#include "results.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One directory given on the command line. */
typedef struct {
  const char *dir;
  results r;
  long index, count; /* of the shard; an unsharded run is 0 of 1 */
  const char *hash;
  double cells_due; /* what it was to run; NAN when it does not say */
  int used;         /* merged (the first copy of its index) */
  int machine;      /* index into the machines */
} part;

/* Appends a formatted line to buf (len bytes). */
static void add_line(char *buf, size_t len, const char *fmt, ...) {
  size_t used = strlen(buf);
  va_list ap;
  va_start(ap, fmt);
  if (used + 1 < len) {
    vsnprintf(buf + used, len - used, fmt, ap);
    used = strlen(buf);
    if (used + 1 < len) {
      buf[used] = '\n';
      buf[used + 1] = '\0';
    }
  }
  va_end(ap);
}

/* Removes the line break add_line left at the end of buf. */
static void chomp(char *buf) {
  size_t len = strlen(buf);
  if (len && buf[len - 1] == '\n')
    buf[len - 1] = '\0';
}

/* Writes rec as one line of results.jsonl into f (an outfile's stream:
 * record_append's durable appends need a file of their own). Bytes that
 * are not UTF-8 in a string become '?', as record_append does. */
static int write_record(FILE *f, const cJSON *rec) {
  char *line = cJSON_PrintUnformatted(rec);
  if (!line)
    return -ENOMEM;
  util_utf8_fix(line);
  int rc = fputs(line, f) < 0 || fputc('\n', f) == EOF ? -EIO : 0;
  cJSON_free(line);
  return rc;
}

/* What tells two machines apart for a measurement: the CPU, the topology,
 * the kernel, and each runtime's build (not the host name: two hosts of a
 * cluster's partition are the same machine for this). A new string. */
static char *machine_identity(const cJSON *meta) {
  cJSON *id = cJSON_CreateObject();
  const cJSON *mach = cJSON_GetObjectItemCaseSensitive(meta, "machine");
  static const char *const keys[] = {"cpu_model", "pus",        "cores",
                                     "packages",  "numa_nodes", "topology",
                                     "kernel"};
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(mach, keys[i]);
    if (v)
      cJSON_AddItemToObject(id, keys[i], cJSON_Duplicate(v, 1));
  }
  cJSON *rts = cJSON_AddArrayToObject(id, "runtimes");
  const cJSON *rt;
  cJSON_ArrayForEach(rt, cJSON_GetObjectItemCaseSensitive(meta, "runtimes")) {
    static const char *const rkeys[] = {"tag", "version", "free_threaded",
                                        "config_args"};
    cJSON *o = cJSON_CreateObject();
    for (size_t i = 0; i < sizeof rkeys / sizeof rkeys[0]; i++) {
      const cJSON *v = cJSON_GetObjectItemCaseSensitive(rt, rkeys[i]);
      if (v)
        cJSON_AddItemToObject(o, rkeys[i], cJSON_Duplicate(v, 1));
    }
    cJSON_AddItemToArray(rts, o);
  }
  char *text = cJSON_PrintUnformatted(id);
  cJSON_Delete(id);
  return text;
}

/* Loads dir's results.jsonl into p and reads its shard. */
static int load_part(part *p, const char *dir, char *err, size_t errlen) {
  char path[PATH_MAX + 32];
  p->dir = dir;
  snprintf(path, sizeof path, "%s/results.jsonl", dir);
  int rc = results_load(path, &p->r, err, errlen);
  if (rc < 0)
    return rc;
  if (!p->r.meta) {
    snprintf(err, errlen, "%s has no metadata record: not a gillab run", path);
    return -EINVAL;
  }
  p->hash = results_str(p->r.meta, "spec_sha256");
  if (!p->hash[0]) {
    snprintf(err, errlen,
             "%s has no spec_sha256: written by a gillab from before "
             "sharded runs; run the shards again with this one",
             path);
    return -EINVAL;
  }
  const cJSON *sh = cJSON_GetObjectItemCaseSensitive(p->r.meta, "shard");
  double k = results_num(sh, "index"), n = results_num(sh, "count");
  p->index = sh ? (isfinite(k) ? (long)k : -1) : 0;
  p->count = sh ? (isfinite(n) ? (long)n : -1) : 1;
  p->cells_due = sh ? results_num(sh, "cells") : NAN;
  if (p->index < 0 || p->count < 1 || p->index >= p->count) {
    snprintf(err, errlen, "%s: its metadata's shard is not K of N", path);
    return -EINVAL;
  }
  return 0;
}

/* The merged metadata: the first merged shard's, without its "shard", with
 * "merged" saying what was joined. */
static cJSON *merged_meta(part *parts, size_t n, long count, int partial,
                          const char *missing, const char *doubled,
                          const char *incomplete, char **machines,
                          size_t nmachines) {
  const part *first = NULL;
  for (long k = 0; k < count && !first; k++)
    for (size_t j = 0; j < n && !first; j++)
      if (parts[j].used && parts[j].index == k)
        first = &parts[j];
  cJSON *meta = cJSON_Duplicate(first->r.meta, 1);
  const cJSON *sh = cJSON_GetObjectItemCaseSensitive(first->r.meta, "shard");
  cJSON_DeleteItemFromObjectCaseSensitive(meta, "shard");
  cJSON *m = cJSON_AddObjectToObject(meta, "merged");
  cJSON_AddStringToObject(m, "run_id", results_str(sh, "run_id"));
  cJSON_AddNumberToObject(m, "count", (double)count);
  cJSON_AddBoolToObject(m, "partial", partial);
  cJSON_AddStringToObject(m, "missing", missing);
  cJSON_AddStringToObject(m, "duplicated", doubled);
  cJSON_AddStringToObject(m, "incomplete", incomplete);
  cJSON *shards = cJSON_AddArrayToObject(m, "shards");
  for (long k = 0; k < count; k++)
    for (size_t j = 0; j < n; j++) {
      const part *p = &parts[j];
      if (!p->used || p->index != k)
        continue;
      cJSON *o = cJSON_CreateObject();
      cJSON_AddNumberToObject(o, "index", (double)k);
      cJSON_AddStringToObject(o, "dir", p->dir);
      cJSON_AddStringToObject(
          o, "host",
          results_str(cJSON_GetObjectItemCaseSensitive(p->r.meta, "machine"),
                      "hostname"));
      cJSON_AddStringToObject(o, "started", results_str(p->r.meta, "started"));
      char id[24];
      snprintf(id, sizeof id, "m%d", p->machine + 1);
      cJSON_AddStringToObject(o, "machine", id);
      cJSON_AddNumberToObject(o, "cells", (double)p->r.n);
      cJSON_AddItemToArray(shards, o);
    }
  cJSON *ms = cJSON_AddArrayToObject(m, "machines");
  for (size_t i = 0; i < nmachines; i++) {
    cJSON *o = cJSON_Parse(machines[i]);
    char id[24];
    snprintf(id, sizeof id, "m%zu", i + 1);
    cJSON_AddStringToObject(o, "id", id);
    cJSON_AddItemToArray(ms, o);
  }
  return meta;
}

int merge_run(const char *out, char *const *dirs, size_t ndirs, int partial,
              char *notes, size_t noteslen, char *err, size_t errlen) {
  part *parts = calloc(ndirs + 1, sizeof *parts);
  char **machines = calloc(ndirs + 1, sizeof *machines);
  char missing[1024] = "", doubled[2048] = "", incomplete[2048] = "";
  size_t nmachines = 0;
  int rc = parts && machines ? 0 : -ENOMEM;
  notes[0] = '\0';
  if (rc < 0)
    snprintf(err, errlen, "out of memory");
  for (size_t i = 0; rc == 0 && i < ndirs; i++)
    rc = load_part(&parts[i], dirs[i], err, errlen);
  /* One run: one spec, one count of shards. */
  for (size_t i = 1; rc == 0 && i < ndirs; i++) {
    if (strcmp(parts[i].hash, parts[0].hash) != 0) {
      snprintf(err, errlen,
               "%s and %s are not shards of one run: their specs differ "
               "(spec_sha256 %.16s and %.16s); merge only the directories "
               "of one `gillab run --shard` command",
               parts[0].dir, parts[i].dir, parts[0].hash, parts[i].hash);
      rc = -EINVAL;
    } else if (parts[i].count != parts[0].count) {
      snprintf(err, errlen,
               "%s is shard %ld of %ld but %s of %ld: the run was cut in "
               "two ways; merge the shards of one count",
               parts[0].dir, parts[0].index, parts[0].count, parts[i].dir,
               parts[i].count);
      rc = -EINVAL;
    }
  }
  long count = rc == 0 ? parts[0].count : 0;
  /* Which shards are there, twice, short of cells, or missing. */
  for (long k = 0; rc == 0 && k < count; k++) {
    part *first = NULL;
    for (size_t i = 0; i < ndirs; i++) {
      if (parts[i].index != k)
        continue;
      if (!first) {
        first = &parts[i];
        first->used = 1;
      } else {
        add_line(doubled, sizeof doubled, "shard %ld of %ld: %s and %s", k,
                 count, first->dir, parts[i].dir);
      }
    }
    if (!first) {
      size_t used = strlen(missing);
      snprintf(missing + used, sizeof missing - used, "%s%ld", used ? ", " : "",
               k);
    } else if (isfinite(first->cells_due) &&
               (double)first->r.n < first->cells_due) {
      add_line(incomplete, sizeof incomplete,
               "shard %ld of %ld (%s): %zu of %.0f cells (interrupted?)", k,
               count, first->dir, first->r.n, first->cells_due);
    }
  }
  chomp(doubled);
  chomp(incomplete);
  if (rc == 0 && (missing[0] || doubled[0] || incomplete[0])) {
    char text[4096] = "";
    if (missing[0])
      add_line(text, sizeof text, "missing: shard%s %s of %ld",
               strchr(missing, ',') ? "s" : "", missing, count);
    if (doubled[0])
      add_line(text, sizeof text, "given twice: %s", doubled);
    if (incomplete[0])
      add_line(text, sizeof text, "incomplete: %s", incomplete);
    if (!partial) {
      chomp(text);
      snprintf(err, errlen,
               "the shards do not make the whole run:\n%s\nrun the missing "
               "or incomplete shards again (gillab run --shard K/N with the "
               "same options) and merge all of them, or give --partial for "
               "a report of what is there, marked partial",
               text);
      rc = -EINVAL;
    } else {
      snprintf(notes, noteslen, "%s", text);
    }
  }
  /* The machines, in the order of the shards. */
  for (long k = 0; rc == 0 && k < count; k++)
    for (size_t i = 0; i < ndirs; i++) {
      if (!parts[i].used || parts[i].index != k)
        continue;
      char *id = machine_identity(parts[i].r.meta);
      size_t m = 0;
      while (m < nmachines && strcmp(machines[m], id) != 0)
        m++;
      if (m == nmachines)
        machines[nmachines++] = id;
      else
        cJSON_free(id);
      parts[i].machine = (int)m;
    }
  /* OUT/results.jsonl written whole or not at all (a temporary file beside
   * it, renamed), into a new or empty directory only, as `gillab run`
   * does: never over a results file, nor beside other files that the
   * reports would overwrite. */
  outfile o = {0};
  char path[PATH_MAX + 32];
  snprintf(path, sizeof path, "%s/results.jsonl", out);
  if (rc == 0) {
    if (nmachines == 0) {
      snprintf(err, errlen, "no shard to merge");
      rc = -EINVAL;
    } else if (access(path, F_OK) == 0) {
      snprintf(err, errlen,
               "%s already exists; merge into another directory, or "
               "remove it",
               path);
      rc = -EEXIST;
    } else if (!util_dir_is_empty(out)) {
      snprintf(err, errlen,
               "%s holds files and no results.jsonl: gillab merge writes "
               "only into a new or empty directory; merge into another",
               out);
      rc = -EEXIST;
    } else if ((rc = util_make_dirs(out)) < 0) {
      snprintf(err, errlen, "cannot create %s: %s", out, strerror(-rc));
    } else {
      rc = outfile_open(&o, path, err, errlen);
    }
  }
  if (rc == 0) {
    cJSON *meta = merged_meta(parts, ndirs, count, partial && notes[0], missing,
                              doubled, incomplete, machines, nmachines);
    rc = write_record(o.f, meta);
    cJSON_Delete(meta);
    for (long k = 0; rc == 0 && k < count; k++)
      for (size_t i = 0; rc == 0 && i < ndirs; i++) {
        part *p = &parts[i];
        if (!p->used || p->index != k)
          continue;
        char id[24];
        snprintf(id, sizeof id, "m%d", p->machine + 1);
        for (size_t c = 0; rc == 0 && c < p->r.n; c++) {
          cJSON *rec = cJSON_Duplicate(p->r.cells[c], 1);
          cJSON_AddNumberToObject(rec, "shard", (double)k);
          if (nmachines > 1)
            cJSON_AddStringToObject(rec, "machine", id);
          rc = write_record(o.f, rec);
          cJSON_Delete(rec);
        }
      }
    if (rc == -ENOMEM) {
      outfile_abort(&o);
      snprintf(err, errlen, "out of memory");
    } else {
      /* A failed write's cause (a full disk) is the outfile's to say. */
      rc = outfile_commit(&o, err, errlen);
    }
  }
  if (rc == 0)
    rc = report_write(out, NULL, err, errlen);
  for (size_t i = 0; parts && i < ndirs; i++)
    results_free(&parts[i].r);
  for (size_t i = 0; i < nmachines; i++)
    cJSON_free(machines[i]);
  free(parts);
  free(machines);
  return rc;
}
