/* probe_summary — see probe_summary.h. */
#include "probe_summary.h"

#include "escape.h"
#include "md.h"
#include "outfile.h"
#include "probe_findings.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The command (the metadata's argv) as one shell line, in a new string. */
static char *command_line(const cJSON *meta) {
  const cJSON *argv = cJSON_GetObjectItemCaseSensitive(meta, "argv");
  int n = cJSON_GetArraySize(argv), k = 0;
  char **items = calloc((size_t)n + 1, sizeof *items);
  const cJSON *a;
  cJSON_ArrayForEach(a, argv) if (items && cJSON_IsString(a)) items[k++] =
      a->valuestring;
  char *line = items ? util_join_argv(k, items) : NULL;
  free(items);
  return line;
}

static void cell_text(FILE *f, const char *s) {
  md_cell(f, s);
}

static void cell_num(FILE *f, double v) {
  char buf[32];
  if (isfinite(v))
    snprintf(buf, sizeof buf, "%.0f", v);
  else
    snprintf(buf, sizeof buf, "–");
  md_cell(f, buf);
}

static void cell_ns(FILE *f, double ns) {
  char buf[32];
  probe_data_fmt_ns(buf, sizeof buf, ns);
  md_cell(f, buf);
}

static void cell_share(FILE *f, double part, double whole) {
  char buf[32];
  md_value(buf, sizeof buf, whole > 0 ? part / whole : NAN, MD_PERCENT);
  md_cell(f, buf);
}

static void write_command(FILE *f, const probe_data *d) {
  const cJSON *m = d->r->meta;
  const cJSON *ex = cJSON_GetObjectItemCaseSensitive(m, "exit");
  char *line = command_line(m), el[32];
  fputs("## Command\n\n", f);
  escape_md_code(f, line ? line : "?");
  probe_data_fmt_ns(el, sizeof el, results_num(m, "elapsed_s") * 1e9);
  if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ex, "ran"))) {
    fputs(" could not be run: ", f);
    escape_md(f, results_str(ex, "error"));
    fputs(" (gillab probe exited with status 127).\n\n", f);
  } else if (cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(ex, "signal"))) {
    fprintf(f,
            " was killed by signal %.0f (%s) after %s: gillab probe exited "
            "with status %.0f.",
            results_num(ex, "signal"), results_str(ex, "signal_name"), el,
            results_num(ex, "status"));
  } else {
    fprintf(f, " exited with status %.0f after %s.", results_num(ex, "code"),
            el);
  }
  const char *why = results_str(m, "stopped_by");
  if (strcmp(why, "duration") == 0)
    fprintf(f,
            " It was stopped at --duration %g s (SIGINT to its process "
            "group, then SIGTERM and SIGKILL 2 s apart while it ran on).",
            results_num(m, "options.duration_s"));
  else if (why[0])
    fprintf(f,
            " It was stopped by %s sent to gillab, which passed it on to its "
            "process group.",
            why);
  free(line);
  size_t probed = 0;
  for (size_t i = 0; i < d->nprocs; i++)
    probed += d->procs[i].probed;
  fprintf(f,
          "\n\nEvery probed process wrote its figures every %g s; %zu "
          "process%s seen, %zu probed.",
          results_num(m, "options.interval_s"), d->nprocs,
          d->nprocs == 1 ? "" : "es", probed);
  if (!d->nprocs)
    fputs(" No process wrote a probe file: was the probe library loaded? "
          "(A statically linked program, or one that clears LD_PRELOAD, is "
          "not seen.)",
          f);
  fputs("\n\n", f);
}

/* p's command line, joined (malloc'd; NULL when it has none). */
static char *argv_line(const probe_data_proc *p) {
  const cJSON *argv = cJSON_GetObjectItemCaseSensitive(p->process, "argv");
  int n = cJSON_GetArraySize(argv), k = 0;
  char **items = calloc((size_t)n + 1, sizeof *items);
  const cJSON *a;
  if (!items)
    return NULL;
  cJSON_ArrayForEach(a, argv) if (cJSON_IsString(a)) items[k++] =
      a->valuestring;
  char *line = util_join_argv(k, items);
  free(items);
  return line;
}

static void write_process_facts(FILE *f, const probe_data *d,
                                const probe_data_proc *p) {
  const probe_data_iv *last = probe_data_last(p);
  char t[32];
  fputs("- program: ", f);
  escape_md_code(f, results_str(p->process, "exe"));
  char *line = argv_line(p);
  fputs(", argv ", f);
  escape_md_code(f, line ? line : "");
  free(line);
  probe_data_fmt_t(d, t, sizeof t, p->start_ns);
  const cJSON *fork =
      cJSON_GetObjectItemCaseSensitive(p->process, "forked_from");
  fprintf(f, "\n- started at t=%s s", t);
  if (cJSON_IsNumber(fork))
    fprintf(f, ", forked from process %.0f (the same program)",
            fork->valuedouble);
  else if (cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(p->process, "ppid")))
    fprintf(f, " by process %.0f", results_num(p->process, "ppid"));
  if (last) {
    char run[32];
    probe_data_fmt_t(d, t, sizeof t, last->t_ns);
    probe_data_fmt_ns(run, sizeof run, last->t_ns - p->start_ns);
    fprintf(f, "; its last line at t=%s s (%s after its start)%s", t, run,
            p->final ? ", the final one of a normal exit"
                     : ", not a final one: killed, or still running");
  }
  fputs("\n- ", f);
  if (!p->python) {
    fputs("not CPython: not probed\n", f);
  } else if (!p->runtime) {
    fputs("CPython, but no runtime line: not probed\n", f);
  } else {
    fputs("CPython ", f);
    escape_md(f, results_str(p->runtime, "version"));
    fputs(cJSON_IsTrue(
              cJSON_GetObjectItemCaseSensitive(p->runtime, "free_threaded"))
              ? ", free-threaded build"
              : ", GIL build",
          f);
    if (p->probed) {
      const cJSON *c = cJSON_GetObjectItemCaseSensitive(p->runtime, "check");
      fputs("; probed, its GIL found by ", f);
      escape_md_code(f, results_str(p->runtime, "layout"));
      fprintf(
          f,
          " and checked (locked while held: %s, holder is the thread "
          "itself: %s, interval %g µs, sys.getswitchinterval() %g µs)\n",
          cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "locked_while_held"))
              ? "yes"
              : "no",
          cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "holder_is_self"))
              ? "yes"
              : "no",
          results_num(c, "interval_us"), results_num(c, "switchinterval_us"));
    } else {
      fputs("; not probed: ", f);
      escape_md(f, results_str(p->runtime, "reason"));
      fputc('\n', f);
    }
  }
  if (p->probed && last &&
      cJSON_IsTrue(
          cJSON_GetObjectItemCaseSensitive(p->runtime, "free_threaded"))) {
    const cJSON *pr = cJSON_GetObjectItemCaseSensitive(last->rec, "process");
    const cJSON *re = cJSON_GetObjectItemCaseSensitive(pr, "gil_reenabled");
    fputs("- GIL: ", f);
    if (cJSON_IsObject(re)) {
      probe_data_fmt_t(d, t, sizeof t, results_num(re, "t_ns"));
      fprintf(f, "on since t=%s s, turned on after importing", t);
      const cJSON *m;
      int k = 0;
      cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(re, "modules")) {
        fputs(k++ ? ", " : " ", f);
        escape_md(f, cJSON_IsString(m) ? m->valuestring : "?");
      }
      if (!k)
        fputs(" no module the probe saw", f);
      fputc('\n', f);
    } else {
      fprintf(f, "%s at the last line\n",
              cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(pr, "gil_enabled"))
                  ? "on"
                  : "off");
    }
  }
  if (p->probed && last) {
    const cJSON *pr = cJSON_GetObjectItemCaseSensitive(last->rec, "process");
    fprintf(f, "- GIL hand-offs (switches): %.0f", results_num(pr, "switches"));
    double lost = results_num(pr, "lost_threads");
    if (lost > 0)
      fprintf(f, "; %.0f thread%s not counted (the probe had no slot left)",
              lost, lost == 1 ? "" : "s");
    fputc('\n', f);
  }
  fputc('\n', f);
}

static void write_threads(FILE *f, const probe_data_proc *p) {
  const probe_data_iv *last = probe_data_last(p);
  if (!last || !last->nthreads) {
    fputs("No thread figures: the process wrote no interval line.\n\n", f);
    return;
  }
  fputs("### Threads\n\n|", f);
  if (p->probed) {
    static const char *const head[] = {"thread",
                                       "wall",
                                       "GIL wait",
                                       "contended acquisitions",
                                       "acq. p50",
                                       "acq. p99",
                                       "acq. max",
                                       "GIL held",
                                       "drop requests",
                                       "forced-switch waits",
                                       "parks",
                                       "park time",
                                       "parked",
                                       "on CPU",
                                       "run queue",
                                       "blocked",
                                       "context switches (vol./invol.)"};
    for (size_t i = 0; i < sizeof head / sizeof head[0]; i++)
      cell_text(f, head[i]);
    fputc('\n', f);
    md_rule(f, "lrrrrrrrrrrrrrrrr");
  } else {
    static const char *const head[] = {
        "thread",    "wall",    "on CPU",
        "run queue", "blocked", "context switches (vol./invol.)"};
    for (size_t i = 0; i < sizeof head / sizeof head[0]; i++)
      cell_text(f, head[i]);
    fputc('\n', f);
    md_rule(f, "lrrrrr");
  }
  for (size_t i = 0; i < last->nthreads; i++) {
    const probe_data_thread *t = &last->threads[i];
    double wall = probe_data_wall_ns(t);
    char label[64], buf[64];
    fputc('|', f);
    cell_text(f, probe_data_thread_label(t, label, sizeof label));
    cell_ns(f, wall);
    if (p->probed) {
      cell_share(f, probe_data_gil_wait_ns(t), wall);
      cell_num(f, t->gil_waits);
      cell_ns(f, probe_data_hist_pct(t->gil_hist, 0.5));
      cell_ns(f, probe_data_hist_pct(t->gil_hist, 0.99));
      cell_ns(f, probe_data_hist_pct(t->gil_hist, 1.0));
      cell_share(f, t->gil_held_ns, wall);
      cell_num(f, t->drop_requests);
      char ns[32];
      probe_data_fmt_ns(ns, sizeof ns, t->switch_wait_ns);
      snprintf(buf, sizeof buf, "%.0f (%s)", t->switch_waits, ns);
      cell_text(f, buf);
      cell_num(f, t->parks);
      cell_ns(f, t->park_ns);
      cell_share(f, t->park_ns, wall);
    }
    cell_share(f, t->cpu_ns, wall);
    cell_share(f, t->runq_ns, wall);
    cell_share(f, probe_data_blocked_ns(t), wall);
    snprintf(buf, sizeof buf, "%.0f / %.0f", t->vcsw, t->ivcsw);
    cell_text(f, buf);
    fputc('\n', f);
  }
  fputs("\nShares are of the thread's wall time (first seen to last seen "
        "alive); blocked = wall − on CPU − run queue (from schedstat).",
        f);
  if (p->probed)
    fputs(" GIL wait is the time the thread could not run Python because "
          "of the GIL: waiting to acquire it and, after dropping it on "
          "request, waiting for the hand-off (the forced-switch waits), as "
          "`gillab run` counts it.",
          f);
  if (p->probed)
    fputs(" Acquisition latencies are the upper edges of the probe's "
          "histogram buckets (8 per power of two).",
          f);
  fputs("\n\n", f);
}

static void write_gc(FILE *f, const probe_data_proc *p) {
  const probe_data_iv *last = probe_data_last(p);
  const cJSON *gc =
      last ? cJSON_GetObjectItemCaseSensitive(last->rec, "gc") : NULL;
  if (!p->probed || !cJSON_GetArraySize(gc))
    return;
  fputs("### GC pauses\n\n|", f);
  static const char *const head[] = {"generation", "collections", "total",
                                     "max", "p99"};
  for (size_t i = 0; i < sizeof head / sizeof head[0]; i++)
    cell_text(f, head[i]);
  fputc('\n', f);
  md_rule(f, "lrrrr");
  const cJSON *g;
  cJSON_ArrayForEach(g, gc) {
    fputc('|', f);
    cell_num(f, results_num(g, "gen"));
    cell_num(f, results_num(g, "collections"));
    cell_ns(f, results_num(g, "pause_ns"));
    cell_ns(f, results_num(g, "max_ns"));
    cell_ns(f, probe_data_hist_pct(results_get(g, "hist"), 0.99));
    fputc('\n', f);
  }
  fputs("\nThe p99 is the upper edge of its histogram bucket.\n\n", f);
}

static int by_wait_desc(const void *a, const void *b) {
  const probe_data_thread *x = *(const probe_data_thread *const *)a;
  const probe_data_thread *y = *(const probe_data_thread *const *)b;
  double wx = probe_data_gil_wait_ns(x), wy = probe_data_gil_wait_ns(y);
  return (wx < wy) - (wx > wy);
}

static void write_timeline(FILE *f, const probe_data *d,
                           const probe_data_proc *p) {
  const probe_data_iv *last = probe_data_last(p);
  if (!p->probed || !last || !last->nthreads)
    return;
  const probe_data_thread **ts = calloc(last->nthreads, sizeof *ts);
  if (!ts)
    return;
  size_t n = 0;
  for (size_t i = 0; i < last->nthreads; i++)
    ts[n++] = &last->threads[i];
  qsort(ts, n, sizeof *ts, by_wait_desc);
  size_t shown =
      n < PROBE_SUMMARY_TIMELINE_THREADS ? n : PROBE_SUMMARY_TIMELINE_THREADS;
  fputs("### Timeline: GIL wait share per interval\n\n|", f);
  cell_text(f, "interval (s)");
  char align[PROBE_SUMMARY_TIMELINE_THREADS + 2] = "l", label[64];
  for (size_t i = 0; i < shown; i++) {
    cell_text(f, probe_data_thread_label(ts[i], label, sizeof label));
    align[i + 1] = 'r';
  }
  fputc('\n', f);
  md_rule(f, align);
  for (size_t k = 0; k < p->niv; k++) {
    double start = k ? p->iv[k - 1].t_ns : p->start_ns;
    char a[32], b[32], span[80];
    probe_data_fmt_t(d, a, sizeof a, start);
    probe_data_fmt_t(d, b, sizeof b, p->iv[k].t_ns);
    snprintf(span, sizeof span, "%s–%s", a, b);
    fputc('|', f);
    cell_text(f, span);
    for (size_t i = 0; i < shown; i++) {
      probe_data_change dl;
      if (probe_data_delta(p, k, ts[i]->tid, &dl) == 0)
        cell_share(f, dl.gil_wait_ns, dl.wall_ns);
      else
        cell_text(f, "–");
    }
    fputc('\n', f);
  }
  fputs("\nEach cell is the thread's GIL wait over that interval divided by "
        "its wall time in it (differences of the cumulative counters); – : "
        "the thread was not alive then.",
        f);
  if (shown < n)
    fprintf(f, " The %zu threads that waited longest of %zu are shown.", shown,
            n);
  fputs("\n\n", f);
  free(ts);
}

/* The processes that are not CPython, one row each: a shell script or a
 * version manager's shim starts dozens, and none has figures beyond its
 * program. The same pid appears once per program it ran (exec). */
static void write_not_python(FILE *f, const probe_data *d) {
  size_t n = 0;
  for (size_t i = 0; i < d->nprocs; i++)
    n += d->procs[i].process && !d->procs[i].python;
  if (!n)
    return;
  fputs("## Processes not probed\n\nNot CPython, so not probed: the "
        "library loads into them but only notes what they ran.\n\n"
        "| pid | started at | by | program | command line |\n",
        f);
  md_rule(f, "rrlll");
  for (size_t i = 0; i < d->nprocs; i++) {
    const probe_data_proc *p = &d->procs[i];
    if (!p->process || p->python)
      continue;
    char t[32], *line = argv_line(p);
    probe_data_fmt_t(d, t, sizeof t, p->start_ns);
    fprintf(f, "| %ld | %s s | %.0f | ", p->pid, t,
            results_num(p->process, "ppid"));
    escape_md(f, probe_data_exe_name(p));
    fputs(" | ", f);
    escape_md_code(f, line ? line : "");
    fputs(" |\n", f);
    free(line);
  }
  fputc('\n', f);
}

void probe_summary_render(const probe_data *d, FILE *f) {
  char *line = command_line(d->r->meta);
  fputs("# gillab probe of ", f);
  escape_md_code(f, line ? line : "?");
  free(line);
  fputs("\n\n", f);
  md_header(f, d->r->meta, "");
  fputc('\n', f);
  write_command(f, d);
  fputs("## Findings\n\n", f);
  if (!probe_findings_write(f, d))
    fputs("- nothing to report: no process was probed.\n", f);
  fputc('\n', f);
  for (size_t i = 0; i < d->nprocs; i++) {
    const probe_data_proc *p = &d->procs[i];
    if (p->process && !p->python)
      continue; /* listed together below */
    fprintf(f, "## Process %ld: ", p->pid);
    escape_md(f, probe_data_exe_name(p));
    fputs("\n\n", f);
    write_process_facts(f, d, p);
    write_threads(f, p);
    write_gc(f, p);
    write_timeline(f, d, p);
  }
  write_not_python(f, d);
}

int probe_summary_write(const probe_data *d, const char *dir, char *err,
                        size_t errlen) {
  char path[PATH_MAX + 32];
  snprintf(path, sizeof path, "%s/summary.md", dir);
  outfile o;
  int rc = outfile_open(&o, path, err, errlen);
  if (rc < 0)
    return rc;
  probe_summary_render(d, o.f);
  return outfile_commit(&o, err, errlen);
}
