/* probe_data — see probe_data.h. */
#include "probe_data.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double num(const cJSON *o, const char *key) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
  return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static int is_true(const cJSON *o, const char *key) {
  return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, key));
}

long probe_data_id(double x) {
  /* Converting a double outside long's range (or NaN) is undefined. */
  return isfinite(x) && fabs(x) < 0x1p62 ? (long)x : -1;
}

int probe_data_is_probe(const results *r) {
  return strcmp(results_str(r->meta, "kind"), "probe") == 0;
}

/* A thread object of an interval line into t. A missing count is 0 but
 * for the GIL figures, whose absence marks an unprobed process. */
static void read_thread(const cJSON *o, probe_data_thread *t) {
  memset(t, 0, sizeof *t);
  t->tid = probe_data_id(num(o, "tid"));
  const cJSON *name = cJSON_GetObjectItemCaseSensitive(o, "name");
  t->name =
      cJSON_IsString(name) && name->valuestring[0] ? name->valuestring : NULL;
  t->alive = is_true(o, "alive");
  t->first_ns = num(o, "first_ns");
  t->last_ns = num(o, "last_ns");
  t->gil = cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(o, "gil_wait_ns"));
#define ZERO_NAN(x) (isfinite(x) ? (x) : 0)
  t->gil_waits = ZERO_NAN(num(o, "gil_waits"));
  t->gil_wait_ns = ZERO_NAN(num(o, "gil_wait_ns"));
  t->gil_held_ns = ZERO_NAN(num(o, "gil_held_ns"));
  t->drop_requests = ZERO_NAN(num(o, "drop_requests"));
  t->switch_waits = ZERO_NAN(num(o, "switch_waits"));
  t->switch_wait_ns = ZERO_NAN(num(o, "switch_wait_ns"));
  t->gil_hist = cJSON_GetObjectItemCaseSensitive(o, "gil_hist");
  t->parks_known = cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(o, "parks"));
  t->parks = ZERO_NAN(num(o, "parks"));
  t->park_ns = ZERO_NAN(num(o, "park_ns"));
  t->park_hist = cJSON_GetObjectItemCaseSensitive(o, "park_hist");
  t->cpu_ns = ZERO_NAN(num(o, "cpu_ns"));
  t->runq_ns = ZERO_NAN(num(o, "runq_ns"));
  t->vcsw = ZERO_NAN(num(o, "vcsw"));
  t->ivcsw = ZERO_NAN(num(o, "ivcsw"));
#undef ZERO_NAN
}

/* The process of file in d, added when new. */
static probe_data_proc *proc_of(probe_data *d, const char *file, long pid) {
  for (size_t i = 0; i < d->nprocs; i++)
    if (strcmp(d->procs[i].file, file) == 0)
      return &d->procs[i];
  probe_data_proc *more = realloc(d->procs, (d->nprocs + 1) * sizeof *more);
  if (!more)
    return NULL;
  d->procs = more;
  probe_data_proc *p = &d->procs[d->nprocs++];
  memset(p, 0, sizeof *p);
  p->file = file;
  p->pid = pid;
  p->start_ns = NAN;
  return p;
}

static int add_interval(probe_data_proc *p, const cJSON *rec) {
  probe_data_iv *more = realloc(p->iv, (p->niv + 1) * sizeof *more);
  if (!more)
    return -ENOMEM;
  p->iv = more;
  probe_data_iv *iv = &p->iv[p->niv];
  memset(iv, 0, sizeof *iv);
  iv->rec = rec;
  iv->t_ns = num(rec, "t_ns");
  const cJSON *ths = cJSON_GetObjectItemCaseSensitive(rec, "threads");
  int n = cJSON_GetArraySize(ths);
  iv->threads = calloc((size_t)n + 1, sizeof *iv->threads);
  if (!iv->threads)
    return -ENOMEM;
  const cJSON *t;
  cJSON_ArrayForEach(t, ths) read_thread(t, &iv->threads[iv->nthreads++]);
  p->niv++;
  if (is_true(rec, "final"))
    p->final = 1;
  return 0;
}

int probe_data_build(const results *r, probe_data *d) {
  memset(d, 0, sizeof *d);
  d->r = r;
  d->t0_ns = results_num(r->meta, "start_ns");
  for (size_t i = 0; i < r->n; i++) {
    const cJSON *rec = r->cells[i];
    const char *file = results_str(rec, "file"),
               *type = results_str(rec, "type");
    if (!file[0])
      continue; /* not a line of a process file */
    probe_data_proc *p = proc_of(d, file, probe_data_id(num(rec, "pid")));
    if (!p)
      return -ENOMEM;
    if (strcmp(type, "process") == 0) {
      p->process = rec;
      p->python = is_true(rec, "python");
      p->start_ns = num(rec, "start_ns");
    } else if (strcmp(type, "runtime") == 0) {
      p->runtime = rec;
      p->probed = is_true(rec, "probed");
    } else if (strcmp(type, "interval") == 0) {
      if (add_interval(p, rec) < 0)
        return -ENOMEM;
    } else if (strcmp(type, "trace") == 0) {
      const cJSON **more = realloc(p->traces, (p->ntraces + 1) * sizeof *more);
      if (!more)
        return -ENOMEM;
      p->traces = more;
      p->traces[p->ntraces++] = rec;
    }
  }
  /* Only a probed process has figures of the GIL: a library that wrote
   * them anyway for an unverified one must not be believed. */
  for (size_t i = 0; i < d->nprocs; i++)
    for (size_t k = 0; !d->procs[i].probed && k < d->procs[i].niv; k++)
      for (size_t t = 0; t < d->procs[i].iv[k].nthreads; t++) {
        probe_data_thread *th = &d->procs[i].iv[k].threads[t];
        th->gil = 0;
        th->parks_known = 0;
      }
  /* The command starts before its processes; a process that seems to
   * start earlier was timed on another clock (files from elsewhere, as
   * the tests' crafted sample): then the first process is time 0. */
  for (size_t i = 0; i < d->nprocs; i++)
    if (isfinite(d->procs[i].start_ns) && !(d->procs[i].start_ns >= d->t0_ns))
      d->t0_ns = d->procs[i].start_ns;
  if (!isfinite(d->t0_ns))
    d->t0_ns = 0;
  return 0;
}

void probe_data_free(probe_data *d) {
  for (size_t i = 0; i < d->nprocs; i++) {
    for (size_t k = 0; k < d->procs[i].niv; k++)
      free(d->procs[i].iv[k].threads);
    free(d->procs[i].iv);
    free(d->procs[i].traces);
  }
  free(d->procs);
  memset(d, 0, sizeof *d);
}

const probe_data_iv *probe_data_last(const probe_data_proc *p) {
  return p->niv ? &p->iv[p->niv - 1] : NULL;
}

const probe_data_thread *probe_data_find(const probe_data_iv *iv, long tid) {
  for (size_t i = 0; iv && i < iv->nthreads; i++)
    if (iv->threads[i].tid == tid)
      return &iv->threads[i];
  return NULL;
}

const char *probe_data_thread_label(const probe_data_thread *t, char *buf,
                                    size_t len) {
  if (t->name)
    snprintf(buf, len, "%s", t->name);
  else
    snprintf(buf, len, "tid %ld", t->tid);
  return buf;
}

const char *probe_data_exe_name(const probe_data_proc *p) {
  const char *exe = results_str(p->process, "exe");
  const char *slash = strrchr(exe, '/');
  return slash && slash[1] ? slash + 1 : exe[0] ? exe : "?";
}

double probe_data_wall_ns(const probe_data_thread *t) {
  double w = t->last_ns - t->first_ns;
  return isfinite(w) && w > 0 ? w : 0;
}

double probe_data_blocked_ns(const probe_data_thread *t) {
  double b = probe_data_wall_ns(t) - t->cpu_ns - t->runq_ns;
  return b > 0 ? b : 0;
}

int probe_data_delta(const probe_data_proc *p, size_t k, long tid,
                     probe_data_change *out) {
  if (k >= p->niv)
    return -1;
  const probe_data_thread *now = probe_data_find(&p->iv[k], tid);
  const probe_data_thread *before =
      k ? probe_data_find(&p->iv[k - 1], tid) : NULL;
  if (!now)
    return -1;
  probe_data_thread zero = {.first_ns = now->first_ns,
                            .last_ns = now->first_ns};
  if (!before)
    before = &zero;
  out->start_ns = before->last_ns;
  out->end_ns = now->last_ns;
  out->wall_ns = probe_data_wall_ns(now) - probe_data_wall_ns(before);
  out->gil_wait_ns =
      probe_data_gil_wait_ns(now) - probe_data_gil_wait_ns(before);
  out->gil_held_ns = now->gil_held_ns - before->gil_held_ns;
  out->park_ns = now->park_ns - before->park_ns;
  out->cpu_ns = now->cpu_ns - before->cpu_ns;
  out->runq_ns = now->runq_ns - before->runq_ns;
  return out->wall_ns > 0 ? 0 : -1;
}

double probe_data_gil_wait_ns(const probe_data_thread *t) {
  return t->gil_wait_ns + t->switch_wait_ns;
}

double probe_data_hist_count(const cJSON *hist) {
  double n = 0;
  const cJSON *b;
  cJSON_ArrayForEach(b, hist) {
    const cJSON *c = cJSON_GetArrayItem(b, 1);
    if (cJSON_IsNumber(c) && c->valuedouble > 0)
      n += c->valuedouble;
  }
  return n;
}

double probe_data_hist_pct(const cJSON *hist, double q) {
  double n = probe_data_hist_count(hist);
  if (!(n > 0))
    return NAN;
  double rank = ceil(q * n), seen = 0;
  if (rank < 1)
    rank = 1;
  const cJSON *b;
  cJSON_ArrayForEach(b, hist) {
    const cJSON *u = cJSON_GetArrayItem(b, 0), *c = cJSON_GetArrayItem(b, 1);
    if (!cJSON_IsNumber(u) || !cJSON_IsNumber(c) || c->valuedouble <= 0)
      continue;
    seen += c->valuedouble;
    if (seen >= rank)
      return u->valuedouble;
  }
  return NAN;
}

void probe_data_fmt_ns(char *buf, size_t len, double ns) {
  if (!isfinite(ns))
    snprintf(buf, len, "–");
  else if (fabs(ns) < 1e3)
    snprintf(buf, len, "%.3g ns", ns);
  else if (fabs(ns) < 1e6)
    snprintf(buf, len, "%.3g µs", ns / 1e3);
  else if (fabs(ns) < 1e9)
    snprintf(buf, len, "%.3g ms", ns / 1e6);
  else
    snprintf(buf, len, "%.3g s", ns / 1e9);
}

void probe_data_fmt_t(const probe_data *d, char *buf, size_t len, double t_ns) {
  double t = (t_ns - d->t0_ns) / 1e9;
  snprintf(buf, len, "%.3g", fabs(t) < 5e-4 ? 0.0 : t);
}
