/* probe_trace — see probe_trace.h. */
#include "probe_trace.h"

#include "outfile.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

int probe_trace_wanted(const probe_data *d) {
  if (cJSON_IsString(results_get(d->r->meta, "options.trace")))
    return 1;
  for (size_t i = 0; i < d->nprocs; i++)
    if (d->procs[i].ntraces)
      return 1;
  return 0;
}

static cJSON *event(cJSON *events, const char *name, const char *ph, long pid,
                    long tid) {
  cJSON *e = cJSON_CreateObject();
  cJSON_AddStringToObject(e, "name", name);
  cJSON_AddStringToObject(e, "ph", ph);
  cJSON_AddNumberToObject(e, "pid", (double)pid);
  cJSON_AddNumberToObject(e, "tid", (double)tid);
  cJSON_AddItemToArray(events, e);
  return e;
}

static void metadata(cJSON *events, const char *name, long pid, long tid,
                     const char *key, cJSON *value) {
  cJSON *e = event(events, name, "M", pid, tid);
  cJSON *args = cJSON_AddObjectToObject(e, "args");
  cJSON_AddItemToObject(args, key, value);
}

/* "1000 python3.11: python3 app.py" (at most a few arguments' worth). */
static void process_label(const probe_data_proc *p, char *buf, size_t len) {
  size_t used =
      (size_t)snprintf(buf, len, "%ld %s", p->pid, probe_data_exe_name(p));
  const cJSON *a;
  int first = 1;
  cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(p->process, "argv")) {
    if (used >= len || !cJSON_IsString(a))
      break;
    used += (size_t)snprintf(buf + used, len - used, "%s%s", first ? ": " : " ",
                             a->valuestring);
    first = 0;
  }
}

/* The kinds of events the library writes, and how each is shown. */
static const struct {
  const char *kind, *cat, *ph;
} kinds[] = {
    {"gil_wait", "gil", "X"},     {"gil_hold", "gil", "X"},
    {"park", "park", "X"},        {"gc", "gc", "X"},
    {"drop_request", "gil", "i"},
};

static size_t add_events(cJSON *events, const probe_data *d,
                         const probe_data_proc *p, double *dropped) {
  size_t unknown = 0;
  *dropped = 0;
  for (size_t i = 0; i < p->ntraces; i++) {
    double dr = results_num(p->traces[i], "dropped");
    *dropped += isfinite(dr) ? dr : 0;
    const cJSON *ev;
    cJSON_ArrayForEach(
        ev, cJSON_GetObjectItemCaseSensitive(p->traces[i], "events")) {
      const cJSON *k = cJSON_GetArrayItem(ev, 0),
                  *tid = cJSON_GetArrayItem(ev, 1);
      const cJSON *start = cJSON_GetArrayItem(ev, 2),
                  *dur = cJSON_GetArrayItem(ev, 3),
                  *arg = cJSON_GetArrayItem(ev, 4);
      size_t w = 0;
      while (cJSON_IsString(k) && w < sizeof kinds / sizeof kinds[0] &&
             strcmp(kinds[w].kind, k->valuestring) != 0)
        w++;
      if (!cJSON_IsString(k) || w == sizeof kinds / sizeof kinds[0] ||
          !cJSON_IsNumber(tid) || !cJSON_IsNumber(start) ||
          (kinds[w].ph[0] == 'X' && !cJSON_IsNumber(dur))) {
        unknown++;
        continue;
      }
      cJSON *e = event(events, kinds[w].kind, kinds[w].ph, p->pid,
                       probe_data_id(tid->valuedouble));
      cJSON_AddStringToObject(e, "cat", kinds[w].cat);
      cJSON_AddNumberToObject(e, "ts", (start->valuedouble - d->t0_ns) / 1e3);
      if (kinds[w].ph[0] == 'X')
        cJSON_AddNumberToObject(e, "dur", dur->valuedouble / 1e3);
      else
        cJSON_AddStringToObject(e, "s", "t");
      cJSON *args = cJSON_AddObjectToObject(e, "args");
      if (strcmp(kinds[w].kind, "gc") == 0 && cJSON_IsNumber(arg))
        cJSON_AddNumberToObject(args, "generation", arg->valuedouble);
    }
  }
  return unknown;
}

cJSON *probe_trace_build(const probe_data *d) {
  cJSON *doc = cJSON_CreateObject();
  cJSON *events = cJSON_AddArrayToObject(doc, "traceEvents");
  cJSON_AddStringToObject(doc, "displayTimeUnit", "ms");
  cJSON *other = cJSON_AddObjectToObject(doc, "otherData");
  cJSON_AddStringToObject(other, "command", results_str(d->r->meta, "command"));
  cJSON_AddNumberToObject(other, "start_ns", d->t0_ns);
  cJSON_AddNumberToObject(other, "trace_min_us",
                          results_num(d->r->meta, "options.trace_min_us"));
  cJSON *dropped = cJSON_AddObjectToObject(other, "dropped");
  double total = 0;
  size_t unknown = 0;
  for (size_t i = 0; i < d->nprocs; i++) {
    const probe_data_proc *p = &d->procs[i];
    char label[512];
    /* A process that is not CPython has nothing on the timeline, and its
     * pid may be the CPython's that it exec'd into: naming it would
     * rename that process. */
    if (p->process && !p->python)
      continue;
    process_label(p, label, sizeof label);
    metadata(events, "process_name", p->pid, 0, "name",
             cJSON_CreateString(label));
    metadata(events, "process_sort_index", p->pid, 0, "sort_index",
             cJSON_CreateNumber((double)i));
    if (!p->probed)
      continue; /* no figure of an unprobed process, events included */
    const probe_data_iv *last = probe_data_last(p);
    for (size_t t = 0; last && t < last->nthreads; t++) {
      char name[64];
      metadata(events, "thread_name", p->pid, last->threads[t].tid, "name",
               cJSON_CreateString(probe_data_thread_label(&last->threads[t],
                                                          name, sizeof name)));
    }
    double dr;
    unknown += add_events(events, d, p, &dr);
    char key[32];
    snprintf(key, sizeof key, "%ld", p->pid);
    cJSON_AddNumberToObject(dropped, key, dr);
    total += dr;
  }
  cJSON_AddNumberToObject(other, "dropped_total", total);
  cJSON_AddNumberToObject(other, "unknown_events", (double)unknown);
  return doc;
}

int probe_trace_write(const probe_data *d, const char *path, char *err,
                      size_t errlen) {
  cJSON *doc = probe_trace_build(d);
  char *text = doc ? cJSON_PrintUnformatted(doc) : NULL;
  cJSON_Delete(doc);
  if (!text) {
    snprintf(err, errlen, "out of memory writing %s", path);
    return -ENOMEM;
  }
  size_t len = strlen(text);
  text[len] = '\n'; /* over the NUL: written by length */
  int rc = outfile_write(path, text, len + 1, err, errlen);
  cJSON_free(text);
  return rc;
}
