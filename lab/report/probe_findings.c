/* probe_findings — see probe_findings.h. */
#include "probe_findings.h"

#include "escape.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* "process 1000 (/usr/bin/python3.11)", the exe escaped. */
static void proc_ref(FILE *f, const probe_data_proc *p) {
  fprintf(f, "process %ld (", p->pid);
  escape_md(f, results_str(p->process, "exe")[0]
                   ? results_str(p->process, "exe")
                   : "?");
  fputc(')', f);
}

/* "process 1000", where the exe was named in a finding before. */
static void proc_id(FILE *f, const probe_data_proc *p) {
  fprintf(f, "process %ld", p->pid);
}

/* Names joined as "a", "a and b", "a, b and c", escaped. */
static void write_names(FILE *f, const char *const *names, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (i)
      fputs(i + 1 == n ? " and " : ", ", f);
    escape_md(f, names[i]);
  }
}

static const char *count_word(size_t n) {
  static const char *const words[] = {"no",    "one",  "two", "three",
                                      "four",  "five", "six", "seven",
                                      "eight", "nine", "ten"};
  return n < sizeof words / sizeof words[0] ? words[n] : NULL;
}

/* Shares as "each ... 50 %" when they round alike, else "... 48 %, 52 %
 * ... respectively" (the caller writes the words between). */
static int same_percent(const double *v, size_t n) {
  for (size_t i = 1; i < n; i++)
    if (lround(v[i] * 100) != lround(v[0] * 100))
      return 0;
  return 1;
}

static void write_percents(FILE *f, const double *v, size_t n) {
  for (size_t i = 0; i < n; i++)
    fprintf(f, "%s%.0f %%",
            i == 0       ? ""
            : i + 1 == n ? " and "
                         : ", ",
            v[i] * 100);
}

/* The processes that are not CPython, in one sentence: their programs
 * with how many of each ("16 × bash, 16 × env, basename"). A shell script
 * or a version manager's shim starts dozens. */
static size_t not_python(FILE *f, const probe_data *d) {
  size_t n = 0;
  for (size_t i = 0; i < d->nprocs; i++)
    n += d->procs[i].process && !d->procs[i].python;
  if (!n)
    return 0;
  const char **seen = calloc(n, sizeof *seen);
  size_t nseen = 0;
  for (size_t i = 0; seen && i < d->nprocs; i++) {
    const probe_data_proc *p = &d->procs[i];
    if (!p->process || p->python)
      continue;
    const char *name = probe_data_exe_name(p);
    size_t k;
    for (k = 0; k < nseen && strcmp(seen[k], name) != 0; k++)
      ;
    if (k == nseen)
      seen[nseen++] = name;
  }
  if (n == 1)
    fputs("- one process is not CPython and ran unprobed: ", f);
  else
    fprintf(f, "- %zu processes are not CPython and ran unprobed: ", n);
  for (size_t k = 0; k < nseen; k++) {
    size_t m = 0;
    for (size_t i = 0; i < d->nprocs; i++)
      m += d->procs[i].process && !d->procs[i].python &&
           strcmp(probe_data_exe_name(&d->procs[i]), seen[k]) == 0;
    fputs(k == 0 ? "" : k + 1 == nseen ? " and " : ", ", f);
    if (m > 1)
      fprintf(f, "%zu × ", m);
    escape_md(f, seen[k]);
  }
  fputs(" (see \"Processes not probed\").\n", f);
  free(seen);
  return 1;
}

static size_t unprobed(FILE *f, const probe_data *d) {
  size_t n = not_python(f, d);
  for (size_t i = 0; i < d->nprocs; i++) {
    const probe_data_proc *p = &d->procs[i];
    if (p->probed || (p->process && !p->python))
      continue;
    fputs("- ", f);
    proc_ref(f, p);
    if (!p->process) {
      fputs(" left no process line: nothing is known of it.\n", f);
    } else if (!p->runtime) {
      fputs(" is CPython but wrote no runtime line (it ended, or was "
            "killed, before the probe started): it ran unprobed.\n",
            f);
    } else {
      fputs(" is CPython ", f);
      escape_md(f, results_str(p->runtime, "version"));
      fputs(" but ran unprobed: ", f);
      const char *why = results_str(p->runtime, "reason");
      escape_md(f, why[0] ? why : "the probe gave no reason");
      fputs("; no GIL figure is shown for it.\n", f);
    }
    n++;
  }
  return n;
}

/* A contended thread of a process. */
typedef struct {
  const probe_data_thread *t;
  size_t onset;       /* the first interval it waited enough in */
  double since_ns;    /* when that interval started */
  double share, busy; /* from the onset on: GIL wait, and on CPU or
                         waiting for the GIL, as shares of wall */
} contended;

/* The contended threads of p into c (room for the last interval's
 * threads); returns how many. */
static size_t find_contended(const probe_data_proc *p, contended *c) {
  const probe_data_iv *last = probe_data_last(p);
  size_t n = 0;
  for (size_t i = 0; last && i < last->nthreads; i++) {
    const probe_data_thread *t = &last->threads[i];
    if (!t->gil)
      continue;
    probe_data_change dl;
    size_t k;
    for (k = 0; k < p->niv; k++)
      if (probe_data_delta(p, k, t->tid, &dl) == 0 &&
          dl.gil_wait_ns / dl.wall_ns >= PROBE_FINDINGS_CONTENDED)
        break;
    if (k == p->niv)
      continue;
    double wait = 0, wall = 0, cpu = 0, since = dl.start_ns;
    for (size_t j = k; j < p->niv; j++)
      if (probe_data_delta(p, j, t->tid, &dl) == 0) {
        wait += dl.gil_wait_ns;
        wall += dl.wall_ns;
        cpu += dl.cpu_ns;
      }
    if (!(wall > 0) || wait / wall < PROBE_FINDINGS_CONTENDED)
      continue;
    c[n++] = (contended){t, k, since, wait / wall, (cpu + wait) / wall};
  }
  return n;
}

static int by_onset(const void *a, const void *b) {
  const contended *x = a, *y = b;
  return (x->onset > y->onset) - (x->onset < y->onset);
}

/* One sentence per group of threads of p whose contention started in the
 * same interval. */
static size_t contention(FILE *f, const probe_data *d,
                         const probe_data_proc *p) {
  const probe_data_iv *last = probe_data_last(p);
  if (!p->probed || !last || !last->nthreads)
    return 0;
  contended *c = calloc(last->nthreads, sizeof *c);
  const char **names = calloc(last->nthreads, sizeof *names);
  char(*labels)[64] = calloc(last->nthreads, sizeof *labels);
  double *shares = calloc(last->nthreads, sizeof *shares);
  size_t n = c && names && labels && shares ? find_contended(p, c) : 0, out = 0;
  qsort(c, n, sizeof *c, by_onset);
  for (size_t a = 0; a < n;) {
    size_t b = a, cpu_bound = 1;
    double since = c[a].since_ns;
    for (; b < n && c[b].onset == c[a].onset; b++) {
      names[b - a] = probe_data_thread_label(c[b].t, labels[b - a], 64);
      shares[b - a] = c[b].share;
      cpu_bound &= c[b].busy >= PROBE_FINDINGS_CPU_BOUND;
      since = c[b].since_ns < since ? c[b].since_ns : since;
    }
    size_t m = b - a;
    fputs("- **GIL contention** in ", f);
    proc_ref(f, p);
    fputs(": ", f);
    write_names(f, names, m);
    if (m == 1)
      fprintf(f, " waited %.0f %% of its time", shares[0] * 100);
    else if (same_percent(shares, m))
      fprintf(f, " each waited %.0f %% of their time", shares[0] * 100);
    else {
      fputs(" waited ", f);
      write_percents(f, shares, m);
      fputs(" of their time respectively", f);
    }
    fputs(" for the GIL ", f);
    char t[32];
    probe_data_fmt_t(d, t, sizeof t, since);
    if (strcmp(t, "0") == 0)
      fputs("from the start", f);
    else
      fprintf(f, "from t=%s s", t);
    const char *w = count_word(m);
    if (m == 1 && cpu_bound)
      fputs(": a CPU-bound thread that another thread keeps waiting.\n", f);
    else if (m == 1)
      fputs(": it waits while another thread holds it.\n", f);
    else if (cpu_bound && w)
      fprintf(f, ": %s CPU-bound threads take turns.\n", w);
    else if (cpu_bound)
      fprintf(f, ": %zu CPU-bound threads take turns.\n", m);
    else
      fputs(": they wait while another thread holds it.\n", f);
    out++;
    a = b;
  }
  free(c);
  free(names);
  free(labels);
  free(shares);
  return out;
}

/* Blocked time (the OS's) against the GIL wait (the probe's) of the
 * contended threads of p: a CPU-bound thread blocks for the GIL only, so
 * the two should agree; a thread that also sleeps or reads blocks more. */
static size_t cross_check(FILE *f, const probe_data_proc *p) {
  const probe_data_iv *last = probe_data_last(p);
  if (!p->probed || !last || !last->nthreads)
    return 0;
  contended *c = calloc(last->nthreads, sizeof *c);
  const char **agree = calloc(last->nthreads, sizeof *agree);
  char(*labels)[64] = calloc(last->nthreads, sizeof *labels);
  size_t n = c && agree && labels ? find_contended(p, c) : 0, nagree = 0,
         out = 0;
  double worst = 0;
  for (size_t i = 0; i < n; i++) {
    const probe_data_thread *t = c[i].t;
    double wall = probe_data_wall_ns(t), blocked = probe_data_blocked_ns(t);
    double waited = probe_data_gil_wait_ns(t) + t->park_ns;
    double diff = (blocked - waited) / wall;
    char *label = labels[i];
    probe_data_thread_label(t, label, 64);
    if (fabs(diff) <= PROBE_FINDINGS_AGREE) {
      agree[nagree++] = label;
      worst = fabs(diff) > worst ? fabs(diff) : worst;
      continue;
    }
    fputs("- ", f);
    escape_md(f, label);
    fputs(" (", f);
    proc_id(f, p);
    if (diff > 0)
      fprintf(f,
              ") was blocked %.0f %% of its time but waited %.0f %% for the "
              "GIL or parked on a lock: it also blocked on "
              "something else (I/O, a sleep, a lock the probe does not "
              "see).\n",
              blocked / wall * 100, waited / wall * 100);
    else if (t->runq_ns / wall >= -diff)
      /* A thread woken for the GIL (or a lock) returns from the wait only
       * when it gets a CPU: with other load on the CPUs, that time in the
       * run queue is inside the wait but not blocked to the OS. */
      fprintf(f,
              ") waited %.0f %% of its time for the GIL or a lock, and the "
              "OS saw it blocked %.0f %% and runnable but not running %.0f "
              "%%: other load kept it off the CPUs, also after each wait "
              "ended.\n",
              waited / wall * 100, blocked / wall * 100,
              t->runq_ns / wall * 100);
    else
      fprintf(f,
              ") waited %.0f %% of its time for the GIL or a lock but the "
              "OS saw it blocked only %.0f %%, and in the run queue %.0f "
              "%%: part of that wait was counted while it ran; check the "
              "probe with `gillab calibrate`.\n",
              waited / wall * 100, blocked / wall * 100,
              t->runq_ns / wall * 100);
    out++;
  }
  if (nagree) {
    fprintf(f, "- blocked time agrees with GIL wait within %.0f %% for ",
            PROBE_FINDINGS_AGREE * 100);
    write_names(f, agree, nagree);
    fputs(" (", f);
    proc_id(f, p);
    fprintf(f,
            "; the largest difference is %.1f %% of wall time): %s for the "
            "GIL and nothing else.\n",
            worst * 100, nagree == 1 ? "it blocked" : "they blocked");
    out++;
  }
  free(c);
  free(agree);
  free(labels);
  return out;
}

static size_t parked(FILE *f, const probe_data_proc *p) {
  const probe_data_iv *last = probe_data_last(p);
  size_t out = 0;
  for (size_t i = 0; p->probed && last && i < last->nthreads; i++) {
    const probe_data_thread *t = &last->threads[i];
    double wall = probe_data_wall_ns(t);
    if (!t->parks_known || !(wall > 0) ||
        t->park_ns / wall < PROBE_FINDINGS_PARKED)
      continue;
    char label[64];
    fputs("- ", f);
    escape_md(f, probe_data_thread_label(t, label, sizeof label));
    fputs(" (", f);
    proc_id(f, p);
    fprintf(f,
            ") was parked %.0f %% of its time, in %.0f park%s: waiting on a "
            "lock, a queue or a join (free-threaded: also a contended "
            "PyMutex).\n",
            t->park_ns / wall * 100, t->parks, t->parks == 1 ? "" : "s");
    out++;
  }
  return out;
}

static size_t free_threaded(FILE *f, const probe_data *d,
                            const probe_data_proc *p) {
  const probe_data_iv *last = probe_data_last(p);
  if (!p->probed || !last ||
      !cJSON_IsTrue(
          cJSON_GetObjectItemCaseSensitive(p->runtime, "free_threaded")))
    return 0;
  const cJSON *proc = cJSON_GetObjectItemCaseSensitive(last->rec, "process");
  const cJSON *re = cJSON_GetObjectItemCaseSensitive(proc, "gil_reenabled");
  const cJSON *check = cJSON_GetObjectItemCaseSensitive(p->runtime, "check");
  fputs("- ", f);
  proc_ref(f, p);
  fputs(" is free-threaded", f);
  if (cJSON_IsObject(re)) {
    char t[32];
    probe_data_fmt_t(d, t, sizeof t, results_num(re, "t_ns"));
    fprintf(f, ": its GIL was off until t=%s s, then on", t);
    const cJSON *mods = cJSON_GetObjectItemCaseSensitive(re, "modules");
    int nm = cJSON_GetArraySize(mods);
    if (nm) {
      fputs(" after importing ", f);
      const char *names[16];
      int k = 0;
      const cJSON *m;
      cJSON_ArrayForEach(m, mods) if (k < 16 && cJSON_IsString(m)) names[k++] =
          m->valuestring;
      write_names(f, names, (size_t)k);
      fputs(" (an extension module that does not declare that it runs "
            "without the GIL turns it on)",
            f);
    }
    fputs(".\n", f);
  } else if (cJSON_IsTrue(
                 cJSON_GetObjectItemCaseSensitive(check, "gil_enabled"))) {
    fputs(" but ran with its GIL on from the start (PYTHON_GIL=1 or -X "
          "gil=1?).\n",
          f);
  } else {
    fputs(" and ran without a GIL throughout.\n", f);
  }
  return 1;
}

/* The longest GC pause over the probed processes, and the GC's total
 * there. */
static size_t gc_pause(FILE *f, const probe_data *d) {
  const probe_data_proc *best = NULL;
  double max_ns = 0, gen = NAN;
  for (size_t i = 0; i < d->nprocs; i++) {
    const probe_data_proc *p = &d->procs[i];
    const probe_data_iv *last = probe_data_last(p);
    const cJSON *g;
    if (!p->probed || !last)
      continue;
    cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(last->rec, "gc")) {
      double m = results_num(g, "max_ns");
      if (isfinite(m) && m > max_ns) {
        max_ns = m;
        best = p;
        gen = results_num(g, "gen");
      }
    }
  }
  if (!best)
    return 0;
  const probe_data_iv *last = probe_data_last(best);
  double total = 0;
  const cJSON *g;
  cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(last->rec, "gc")) {
    double t = results_num(g, "pause_ns");
    total += isfinite(t) ? t : 0;
  }
  char mx[32], tot[32];
  probe_data_fmt_ns(mx, sizeof mx, max_ns);
  probe_data_fmt_ns(tot, sizeof tot, total);
  fprintf(f, "- the longest GC pause was %s, of generation %.0f in ", mx, gen);
  proc_ref(f, best);
  fprintf(f, "; the GC paused that process %s in all", tot);
  double run = last->t_ns - best->start_ns;
  if (run > 0)
    fprintf(f, ", %.2g %% of its run", total / run * 100);
  fputs(".\n", f);
  return 1;
}

static size_t ended(FILE *f, const probe_data *d) {
  size_t out = 0;
  for (size_t i = 0; i < d->nprocs; i++) {
    const probe_data_proc *p = &d->procs[i];
    const probe_data_iv *last = probe_data_last(p);
    if (!p->runtime || p->final)
      continue;
    fputs("- ", f);
    proc_ref(f, p);
    fputs(" wrote no final line: it was killed, or still ran when gillab "
          "read its file;",
          f);
    if (last) {
      char t[32];
      probe_data_fmt_t(d, t, sizeof t, last->t_ns);
      fprintf(f, " its figures end at t=%s s.\n", t);
    } else {
      fputs(" it wrote no figures.\n", f);
    }
    out++;
  }
  const cJSON *skipped = results_get(d->r->meta, "procs.skipped");
  int ns = cJSON_GetArraySize(skipped);
  if (ns) {
    fprintf(f, "- %d line%s of the process files left out:", ns,
            ns == 1 ? "" : "s");
    int k = 0;
    const cJSON *s;
    cJSON_ArrayForEach(s, skipped) {
      if (k++ == 3) {
        fputs(", ...", f);
        break;
      }
      fputs(k > 1 ? "; " : " ", f);
      escape_md(f, results_str(s, "file"));
      fprintf(f, " line %.0f, ", results_num(s, "line"));
      escape_md(f, results_str(s, "why"));
    }
    fputs(".\n", f);
    out++;
  }
  return out;
}

size_t probe_findings_write(FILE *f, const probe_data *d) {
  size_t n = 0;
  for (size_t i = 0; i < d->nprocs; i++) {
    n += contention(f, d, &d->procs[i]);
    n += cross_check(f, &d->procs[i]);
    n += free_threaded(f, d, &d->procs[i]);
    n += parked(f, &d->procs[i]);
  }
  n += gc_pause(f, d);
  n += unprobed(f, d);
  n += ended(f, d);
  return n;
}
