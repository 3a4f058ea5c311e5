/* probe_csv — see probe_csv.h. */
#include "probe_csv.h"

#include "escape.h"
#include "outfile.h"
#include "provenance.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <string.h>

/* s in a "# " comment line: line breaks as spaces, so no text of the
 * records can start a row. */
static void header_line(void *ctx, const char *label, const char *value) {
  FILE *f = ctx;
  fputs("# ", f);
  for (const char *s = label; *s; s++)
    fputc(*s == '\n' || *s == '\r' ? ' ' : *s, f);
  fputs(": ", f);
  for (const char *s = value; *s; s++)
    fputc(*s == '\n' || *s == '\r' ? ' ' : *s, f);
  fputc('\n', f);
}

/* One field after a comma (first: none): a number (empty when not
 * finite), a string (quoted), or a boolean. */
static void num(FILE *f, double v) {
  fputc(',', f);
  if (isfinite(v))
    fprintf(f, "%.15g", v);
}

static void str(FILE *f, const char *s, int first) {
  if (!first)
    fputc(',', f);
  escape_csv(f, s);
}

static void boolean(FILE *f, int v) {
  fputs(v ? ",true" : ",false", f);
}

/* Seconds from nanoseconds. */
static double s(double ns) {
  return ns / 1e9;
}

static double share(double part, double whole) {
  return whole > 0 ? part / whole : NAN;
}

static const char results_head[] =
    "pid,file,exe,python,probed,reason,version,free_threaded,forked_from,"
    "final,tid,thread,alive,wall_s,gil_wait_s,gil_wait_share,gil_waits,"
    "acq_p50_us,acq_p99_us,acq_max_us,gil_held_s,gil_held_share,"
    "drop_requests,switch_waits,switch_wait_s,parks,park_s,park_share,cpu_s,"
    "runq_s,blocked_s,cpu_share,runq_share,blocked_share,vcsw,ivcsw\n";

static void process_fields(FILE *f, const probe_data_proc *p) {
  fprintf(f, "%ld", p->pid);
  str(f, p->file, 0);
  str(f, results_str(p->process, "exe"), 0);
  boolean(f, p->python);
  boolean(f, p->probed);
  str(f, p->probed ? "" : results_str(p->runtime, "reason"), 0);
  str(f, results_str(p->runtime, "version"), 0);
  boolean(f, cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p->runtime,
                                                           "free_threaded")));
  num(f, results_num(p->process, "forked_from"));
  boolean(f, p->final);
}

void probe_csv_render(const probe_data *d, FILE *f) {
  provenance_describe(d->r->meta, header_line, f);
  fputs(results_head, f);
  for (size_t i = 0; i < d->nprocs; i++) {
    const probe_data_proc *p = &d->procs[i];
    const probe_data_iv *last = probe_data_last(p);
    if (!last || !last->nthreads) {
      process_fields(f, p);
      fputs(",,,,,,,,,,,,,,,,,,,,,,,,,,\n", f);
      continue;
    }
    for (size_t k = 0; k < last->nthreads; k++) {
      const probe_data_thread *t = &last->threads[k];
      double wall = probe_data_wall_ns(t), blocked = probe_data_blocked_ns(t);
      double g = t->gil ? 1 : NAN, pk = t->parks_known ? 1 : NAN;
      process_fields(f, p);
      num(f, (double)t->tid);
      str(f, t->name ? t->name : "", 0);
      boolean(f, t->alive);
      num(f, s(wall));
      num(f, s(probe_data_gil_wait_ns(t)) * g);
      num(f, share(probe_data_gil_wait_ns(t), wall) * g);
      num(f, t->gil_waits * g);
      num(f, probe_data_hist_pct(t->gil_hist, 0.5) / 1e3 * g);
      num(f, probe_data_hist_pct(t->gil_hist, 0.99) / 1e3 * g);
      num(f, probe_data_hist_pct(t->gil_hist, 1.0) / 1e3 * g);
      num(f, s(t->gil_held_ns) * g);
      num(f, share(t->gil_held_ns, wall) * g);
      num(f, t->drop_requests * g);
      num(f, t->switch_waits * g);
      num(f, s(t->switch_wait_ns) * g);
      num(f, t->parks * pk);
      num(f, s(t->park_ns) * pk);
      num(f, share(t->park_ns, wall) * pk);
      num(f, s(t->cpu_ns));
      num(f, s(t->runq_ns));
      num(f, s(blocked));
      num(f, share(t->cpu_ns, wall));
      num(f, share(t->runq_ns, wall));
      num(f, share(blocked, wall));
      num(f, t->vcsw);
      num(f, t->ivcsw);
      fputc('\n', f);
    }
  }
}

void probe_csv_render_intervals(const probe_data *d, FILE *f) {
  provenance_describe(d->r->meta, header_line, f);
  fputs("pid,tid,thread,interval,t_start_s,t_end_s,wall_s,gil_wait_s,"
        "gil_wait_share,gil_held_s,park_s,cpu_s,runq_s\n",
        f);
  for (size_t i = 0; i < d->nprocs; i++) {
    const probe_data_proc *p = &d->procs[i];
    for (size_t k = 0; k < p->niv; k++)
      for (size_t t = 0; t < p->iv[k].nthreads; t++) {
        const probe_data_thread *th = &p->iv[k].threads[t];
        probe_data_change dl;
        if (probe_data_delta(p, k, th->tid, &dl) < 0)
          continue;
        double g = th->gil ? 1 : NAN, pk = th->parks_known ? 1 : NAN;
        fprintf(f, "%ld", p->pid);
        num(f, (double)th->tid);
        str(f, th->name ? th->name : "", 0);
        num(f, (double)k);
        num(f, s(dl.start_ns - d->t0_ns));
        num(f, s(dl.end_ns - d->t0_ns));
        num(f, s(dl.wall_ns));
        num(f, s(dl.gil_wait_ns) * g);
        num(f, share(dl.gil_wait_ns, dl.wall_ns) * g);
        num(f, s(dl.gil_held_ns) * g);
        num(f, s(dl.park_ns) * pk);
        num(f, s(dl.cpu_ns));
        num(f, s(dl.runq_ns));
        fputc('\n', f);
      }
  }
}

static int write_one(const probe_data *d, const char *dir, const char *name,
                     void (*render)(const probe_data *, FILE *), char *err,
                     size_t errlen) {
  char path[PATH_MAX + 32];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  outfile o;
  int rc = outfile_open(&o, path, err, errlen);
  if (rc < 0)
    return rc;
  render(d, o.f);
  return outfile_commit(&o, err, errlen);
}

int probe_csv_write(const probe_data *d, const char *dir, char *err,
                    size_t errlen) {
  int rc = write_one(d, dir, "results.csv", probe_csv_render, err, errlen);
  return rc < 0 ? rc
                : write_one(d, dir, "intervals.csv", probe_csv_render_intervals,
                            err, errlen);
}
