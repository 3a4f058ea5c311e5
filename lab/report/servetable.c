/* servetable — see servetable.h. */
#include "servetable.h"

#include "escape.h"
#include "md.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_COLS 64

int servetable_is_serve(const results *r, const char *wl) {
  return results_has_text(r, wl, "handler");
}

static int is_serve(const results_group *g) {
  return *results_str(g->first, "handler") != '\0';
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Whether a and b are the same server cell but for the connections. */
static int same_but_conns(const cJSON *a, const cJSON *b) {
  static const char *const strs[] = {"workload",  "model",   "start_method",
                                     "placement", "runtime", "handler",
                                     "scaling"};
  for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
    if (strcmp(results_str(a, strs[i]), results_str(b, strs[i])) != 0)
      return 0;
  static const char *const nums[] = {"workers", "rate", "handler_us",
                                     "switch_interval_s", "cpu_threads"};
  for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
    double x = results_num(a, nums[i]), y = results_num(b, nums[i]);
    if (!(x == y || (isnan(x) && isnan(y))))
      return 0;
  }
  return 1;
}

/* The server kind a record ran ("per_conn", "pool", "asyncio",
 * "reuseport", "prefork", "c-epoll"), from what the runner reported. */
static const char *kind(const cJSON *rec) {
  const cJSON *s = results_get(rec, "serve.server");
  return cJSON_IsString(s) ? s->valuestring : "";
}

/* The kind of a group: the first ok record's (a failed first record has
 * no serve object). */
static const char *group_kind(const results_group *g) {
  for (size_t i = 0; i < g->n; i++)
    if (results_ok(g->recs[i]))
      return kind(g->recs[i]);
  return "";
}

static const char *kind_label(const char *k) {
  return strcmp(k, "per_conn") == 0        ? "a thread per connection"
         : strcmp(k, "pool") == 0          ? "a pool of threads"
         : strcmp(k, "asyncio") == 0       ? "one asyncio event loop"
         : strcmp(k, "reuseport") == 0     ? "SO_REUSEPORT processes"
         : strcmp(k, "prefork") == 0       ? "pre-forked processes"
         : strcmp(k, "c-epoll") == 0       ? "the C twin (epoll)"
         : strcmp(k, "udp_threads") == 0   ? "UDP: receiving threads"
         : strcmp(k, "udp_asyncio") == 0   ? "UDP: an asyncio endpoint"
         : strcmp(k, "udp_reuseport") == 0 ? "UDP: SO_REUSEPORT processes"
         : strcmp(k, "c-udp") == 0         ? "UDP: the C twin"
                                           : "?";
}

/* The median over g's ok records of f(record), NAN when none. */
typedef double (*rec_fn)(const cJSON *rec);

static double median_of(const results_group *g, rec_fn fn) {
  double v[256];
  size_t n = 0;
  for (size_t i = 0; i < g->n && n < 256; i++)
    if (results_ok(g->recs[i])) {
      double x = fn(g->recs[i]);
      if (isfinite(x))
        v[n++] = x;
    }
  return n ? stats_median(v, n) : NAN;
}

static double rps(const cJSON *rec) {
  return results_num(rec, "serve.load.requests_per_s");
}
static double p99(const cJSON *rec) {
  return results_num(rec, "serve.load.latency_us.p99");
}
static double p50(const cJSON *rec) {
  return results_num(rec, "serve.load.latency_us.p50");
}
static double error_rate(const cJSON *rec) {
  return results_num(rec, "serve.load.error_rate");
}
/* The cell's process's USS growth over the load, per connection (kB). */
static double uss_per_conn(const cJSON *rec) {
  return (results_num(rec, "mem.cell.uss_peak_kb") -
          results_num(rec, "mem.cell.uss_base_kb")) /
         results_num(rec, "connections");
}
/* A worker process's own peak USS, the mean over the workers (kB). */
static double uss_per_worker(const cJSON *rec) {
  return results_num(rec, "mem.per_worker_kb.uss");
}
/* The share of its span that worker 0's thread spent on a CPU or
 * runnable, waiting for one (the run queue: on two CPUs the generator
 * takes turns with it): the time it wanted a CPU. */
static double loop_busy(const cJSON *rec) {
  const cJSON *w = cJSON_GetArrayItem(results_get(rec, "per_worker"), 0);
  if (!w)
    return NAN;
  double runq = results_num(w, "runq_s");
  return (results_num(w, "cpu_s") + (isfinite(runq) ? runq : 0)) /
         results_num(w, "span_s");
}
/* The mean of the machine's CPUs' busy fractions over the cell. */
static double cores_busy(const cJSON *rec) {
  const cJSON *b = results_get(rec, "cores.busy"), *x;
  double sum = 0;
  int n = 0;
  cJSON_ArrayForEach(x, b) {
    if (cJSON_IsNumber(x)) {
      sum += x->valuedouble;
      n++;
    }
  }
  return n ? sum / n : NAN;
}
static int is_procs(const cJSON *rec) {
  return strcmp(results_str(rec, "model"), "processes") == 0;
}
static double memory(const cJSON *rec) {
  return is_procs(rec) ? uss_per_worker(rec) : uss_per_conn(rec);
}

/* The connection counts of the measured server groups, ascending. */
static size_t conns_of(const results *r, double *out) {
  size_t n = 0;
  for (size_t g = 0; g < r->ngroups; g++) {
    double c = results_num(r->groups[g].first, "connections");
    if (!is_serve(&r->groups[g]) || !isfinite(c))
      continue;
    size_t k = 0;
    while (k < n && out[k] != c)
      k++;
    if (k == n && n < MAX_COLS)
      out[n++] = c;
  }
  qsort(out, n, sizeof out[0], cmp_double);
  return n;
}

static int row_first(const results *r, size_t g) {
  for (size_t j = 0; j < g; j++)
    if (is_serve(&r->groups[j]) &&
        same_but_conns(r->groups[j].first, r->groups[g].first))
      return 0;
  return 1;
}

static const results_group *at_conns(const results *r, const cJSON *row,
                                     double conns) {
  for (size_t g = 0; g < r->ngroups; g++)
    if (is_serve(&r->groups[g]) && same_but_conns(r->groups[g].first, row) &&
        results_num(r->groups[g].first, "connections") == conns)
      return &r->groups[g];
  return NULL;
}

/* A handler as the tables name it: the built-in name, or a file's base
 * name and function. */
static const char *handler_name(const char *h) {
  const char *slash = strrchr(h, '/');
  return slash ? slash + 1 : h;
}

static void write_table(FILE *f, const results *r, const char *handler,
                        const char *title, rec_fn fn, md_fmt fmt,
                        const double *conns, size_t nconns) {
  char align[MAX_COLS + 5] = "llll", name[32], cell[64], model[128];
  fprintf(f, "%s\n\n|", title);
  md_cell(f, "server");
  md_cell(f, "runtime");
  md_cell(f, "model");
  md_cell(f, "workers");
  for (size_t k = 0; k < nconns; k++) {
    snprintf(name, sizeof name, "%g conn", conns[k]);
    md_cell(f, name);
    align[4 + k] = 'r';
  }
  fputc('\n', f);
  md_rule(f, align);
  for (size_t g = 0; g < r->ngroups; g++) {
    const cJSON *row = r->groups[g].first;
    if (!is_serve(&r->groups[g]) ||
        strcmp(results_str(row, "handler"), handler) != 0 || !row_first(r, g))
      continue;
    fputc('|', f);
    md_cell(f, kind_label(group_kind(&r->groups[g])));
    md_cell(f, results_str(row, "runtime"));
    md_cell(f, results_model_label(row, model, sizeof model));
    snprintf(name, sizeof name, "%g", results_num(row, "workers"));
    md_cell(f, name);
    for (size_t k = 0; k < nconns; k++) {
      const results_group *grp = at_conns(r, row, conns[k]);
      md_value(cell, sizeof cell, grp ? median_of(grp, fn) : NAN, fmt);
      fprintf(f, " %s |", cell);
    }
    fputc('\n', f);
  }
  fputc('\n', f);
}

/* The group of `kind` at handler and conns in runtime rt with the most
 * workers (any runtime when rt is NULL), or NULL. */
static const results_group *find(const results *r, const char *k,
                                 const char *handler, double conns,
                                 const char *rt) {
  const results_group *best = NULL;
  for (size_t g = 0; g < r->ngroups; g++) {
    const cJSON *c = r->groups[g].first;
    if (!is_serve(&r->groups[g]) || strcmp(group_kind(&r->groups[g]), k) != 0 ||
        strcmp(results_str(c, "handler"), handler) != 0 ||
        results_num(c, "connections") != conns ||
        (rt && strcmp(results_str(c, "runtime"), rt) != 0) ||
        !isfinite(median_of(&r->groups[g], rps)))
      continue;
    if (!best ||
        results_num(c, "workers") > results_num(best->first, "workers"))
      best = &r->groups[g];
  }
  return best;
}

static void fmt(char *buf, size_t len, double v) {
  results_fmt_si(buf, len, v);
}

/* Whether a record says its runtime ran with the GIL on. */
static int gil_on(const results_group *g) {
  for (size_t i = 0; i < g->n; i++)
    if (results_ok(g->recs[i])) {
      const cJSON *e = results_get(g->recs[i], "gil.enabled");
      return e ? cJSON_IsTrue(e) : -1;
    }
  return -1;
}

/* Where the GIL caps threads: the cpu handler, a thread per connection
 * against SO_REUSEPORT processes (and the C twin) at the same
 * connections and runtime. */
static int finding_gil(FILE *f, const results *r, const double *conns,
                       size_t nconns) {
  int any = 0;
  char a[32], b[32], c[32], rt[64];
  for (size_t k = 0; k < nconns; k++)
    for (size_t g = 0; g < r->ngroups; g++) {
      const results_group *t = &r->groups[g];
      if (!is_serve(t) || strcmp(group_kind(t), "per_conn") != 0 ||
          strcmp(results_str(t->first, "handler"), "cpu") != 0 ||
          results_num(t->first, "connections") != conns[k] || conns[k] < 2)
        continue; /* one connection: nothing to run side by side */
      snprintf(rt, sizeof rt, "%s", results_str(t->first, "runtime"));
      const results_group *p = find(r, "reuseport", "cpu", conns[k], rt);
      if (!p)
        continue;
      double vt = median_of(t, rps), vp = median_of(p, rps);
      if (!(vt > 0) || !isfinite(vp))
        continue;
      fmt(a, sizeof a, vp);
      fmt(b, sizeof b, vt);
      fprintf(f,
              "**Finding:** with %g µs of pure-Python work per request at %g "
              "connections (",
              results_num(t->first, "handler_us"), conns[k]);
      escape_md(f, rt);
      fprintf(f,
              "), %g SO_REUSEPORT processes serve %.2f× the requests per "
              "second of a thread per connection (%s against %s req/s)",
              results_num(p->first, "workers"), vp / vt, a, b);
      int gil = gil_on(t);
      if (gil == 1 && vp / vt >= 1.3)
        fputs(": the threads share one GIL, so their Python work runs one "
              "request at a time, however many threads wait; each process "
              "has a GIL of its own",
              f);
      else if (gil == 0 && vp / vt < 1.3)
        fputs(": without a GIL the threads run the work in parallel too", f);
      else {
        double busy = median_of(p, cores_busy);
        if (isfinite(busy) && busy >= 0.9)
          fprintf(f,
                  ": the processes did not serve much more, and the CPUs "
                  "were %.0f%% busy during their cells: the machine, not "
                  "the GIL, capped them",
                  busy * 100);
        else
          fputs(": the processes did not serve much more, so the GIL was "
                "not what limited the threads here",
                f);
      }
      const results_group *n = find(r, "c-epoll", "cpu", conns[k], NULL);
      if (n) {
        fmt(c, sizeof c, median_of(n, rps));
        fprintf(f,
                "; the C twin (%g threads, the same CPU per request) "
                "serves %s req/s",
                results_num(n->first, "workers"), c);
      }
      fputs(".\n\n", f);
      any = 1;
    }
  return any;
}

/* One event loop saturating a core: the asyncio loop thread's on-CPU
 * share at the largest connection count, with the requests per second
 * from the smallest to the largest. */
static int finding_loop(FILE *f, const results *r, const double *conns,
                        size_t nconns) {
  int any = 0;
  char a[32], b[32];
  if (nconns == 0)
    return 0;
  for (size_t g = 0; g < r->ngroups; g++) {
    const results_group *hi = &r->groups[g];
    if (!is_serve(hi) || strcmp(group_kind(hi), "asyncio") != 0 ||
        results_num(hi->first, "connections") != conns[nconns - 1])
      continue;
    const results_group *lo = at_conns(r, hi->first, conns[0]);
    double busy = median_of(hi, loop_busy), vh = median_of(hi, rps);
    if (!isfinite(busy) || !isfinite(vh))
      continue;
    fmt(b, sizeof b, vh);
    fprintf(f, "**Finding:** asyncio (");
    escape_md(f, results_str(hi->first, "runtime"));
    fputs(", handler ", f);
    escape_md(f, handler_name(results_str(hi->first, "handler")));
    fprintf(f,
            ") at %g connections: its one event loop thread was on a "
            "CPU or waiting for one %.0f%% of the time",
            conns[nconns - 1], busy * 100);
    if (lo && lo != hi && isfinite(median_of(lo, rps))) {
      fmt(a, sizeof a, median_of(lo, rps));
      fprintf(f, ", serving %s req/s at %g connections and %s at %g", a,
              conns[0], b, conns[nconns - 1]);
    } else {
      fprintf(f, ", serving %s req/s", b);
    }
    if (busy >= 0.85)
      fputs(": the loop saturated its core, so more connections only "
            "queue; more throughput needs more loops (processes)",
            f);
    else
      fputs(": the loop had CPU to spare, so it was not what limited "
            "throughput",
            f);
    fputs(".\n\n", f);
    any = 1;
  }
  return any;
}

/* A blocking handler under asyncio: its p99 against the best threaded
 * server's at the same connections, and its requests per second against
 * one request per handler time. */
static int finding_blocking(FILE *f, const results *r) {
  int any = 0;
  char a[32], b[32];
  for (size_t g = 0; g < r->ngroups; g++) {
    const results_group *as = &r->groups[g];
    if (!is_serve(as) || strcmp(group_kind(as), "asyncio") != 0 ||
        strcmp(results_str(as->first, "handler"), "sleep") != 0)
      continue;
    double conns = results_num(as->first, "connections");
    const char *rt = results_str(as->first, "runtime");
    const results_group *th = find(r, "pool", "sleep", conns, rt);
    const results_group *pc = find(r, "per_conn", "sleep", conns, rt);
    if (!th || (pc && median_of(pc, p99) < median_of(th, p99)))
      th = pc;
    double us = results_num(as->first, "handler_us");
    double va = median_of(as, p99), ra = median_of(as, rps);
    if (!isfinite(ra) || !(us > 0))
      continue;
    fprintf(f,
            "**Finding:** a handler that blocks %g ms, at %g "
            "connections (",
            us / 1000, conns);
    escape_md(f, rt);
    fprintf(f, "): asyncio served %.0f req/s", ra);
    if (ra <= 1.2e6 / us && conns * 1e6 / us >= 2 * ra)
      fprintf(f,
              ", about one request per %g ms (%.0f/s): the blocking "
              "call holds the loop's only thread, so every other "
              "request waits behind it",
              us / 1000, 1e6 / us);
    if (th && isfinite(va) && median_of(th, p99) > 0) {
      double vt = median_of(th, p99);
      fmt(a, sizeof a, va);
      fmt(b, sizeof b, vt);
      double w = results_num(th->first, "workers");
      fprintf(f,
              "; its p99 latency is %.1f× that of %s with %g %s "
              "(%sµs against %sµs)",
              va / vt, kind_label(group_kind(th)), w,
              w == 1 ? "worker" : "workers", a, b);
      if (va / vt >= 2)
        fputs(", whose threads block one each while the others keep "
              "serving",
              f);
    }
    fputs(".\n\n", f);
    any = 1;
  }
  return any;
}

/* SO_REUSEPORT processes: requests per second from the fewest to the most
 * workers, and each worker process's memory. */
static int finding_reuseport(FILE *f, const results *r) {
  int any = 0;
  char a[32], b[32];
  for (size_t g = 0; g < r->ngroups; g++) {
    const results_group *hi = &r->groups[g];
    if (!is_serve(hi) || strcmp(group_kind(hi), "reuseport") != 0)
      continue;
    const results_group *lo = NULL;
    for (size_t h = 0; h < r->ngroups; h++) {
      const results_group *x = &r->groups[h];
      if (x == hi || !is_serve(x) || strcmp(group_kind(x), "reuseport") != 0 ||
          strcmp(results_str(x->first, "runtime"),
                 results_str(hi->first, "runtime")) != 0 ||
          strcmp(results_str(x->first, "handler"),
                 results_str(hi->first, "handler")) != 0 ||
          strcmp(results_str(x->first, "start_method"),
                 results_str(hi->first, "start_method")) != 0 ||
          results_num(x->first, "connections") !=
              results_num(hi->first, "connections") ||
          !(results_num(x->first, "workers") <
            results_num(hi->first, "workers")))
        continue;
      if (!lo ||
          results_num(x->first, "workers") < results_num(lo->first, "workers"))
        lo = x;
    }
    if (!lo)
      continue;
    double vl = median_of(lo, rps), vh = median_of(hi, rps);
    double mem = median_of(hi, uss_per_worker);
    if (!(vl > 0) || !isfinite(vh))
      continue;
    fmt(a, sizeof a, vl);
    fmt(b, sizeof b, vh);
    fputs("**Finding:** SO_REUSEPORT processes (", f);
    escape_md(f, results_str(hi->first, "runtime"));
    fputs(", handler ", f);
    escape_md(f, handler_name(results_str(hi->first, "handler")));
    fprintf(f,
            ", %g connections): %g workers serve %.2f× the requests per "
            "second of %g (%s against %s req/s)",
            results_num(hi->first, "connections"),
            results_num(hi->first, "workers"), vh / vl,
            results_num(lo->first, "workers"), b, a);
    if (isfinite(mem))
      fprintf(f, "; each worker process holds %.1f MiB of its own (USS)",
              mem / 1024);
    fputs(".\n\n", f);
    any = 1;
  }
  return any;
}

/* The process's USS growth per additional connection between the
 * smallest and the largest connection counts of g's row (kB): fixed costs
 * (an import, a loop, a pool) cancel out. NAN without both. */
static double uss_slope(const results *r, const results_group *g,
                        const double *conns, size_t nconns) {
  if (nconns < 2)
    return NAN;
  const results_group *lo = at_conns(r, g->first, conns[0]);
  const results_group *hi = at_conns(r, g->first, conns[nconns - 1]);
  if (!lo || !hi)
    return NAN;
  double ul = median_of(lo, uss_per_conn) * conns[0];
  double uh = median_of(hi, uss_per_conn) * conns[nconns - 1];
  return (uh - ul) / (conns[nconns - 1] - conns[0]);
}

/* Pure I/O at the largest connections: asyncio against a thread per
 * connection, requests per second and memory per connection (the slope
 * from the fewest connections when both were run, else the growth over
 * the connections, fixed costs included). */
static int finding_io(FILE *f, const results *r, const double *conns,
                      size_t nconns) {
  if (nconns == 0)
    return 0;
  double c = conns[nconns - 1];
  int any = 0;
  char a[32], b[32];
  for (size_t g = 0; g < r->ngroups; g++) {
    const results_group *as = &r->groups[g];
    if (!is_serve(as) || strcmp(group_kind(as), "asyncio") != 0 ||
        strcmp(results_str(as->first, "handler"), "none") != 0 ||
        results_num(as->first, "connections") != c ||
        results_num(as->first, "cpu_threads") > 0)
      continue;
    const results_group *th =
        find(r, "per_conn", "none", c, results_str(as->first, "runtime"));
    if (!th)
      continue;
    double ra = median_of(as, rps), rt = median_of(th, rps);
    if (!(rt > 0) || !isfinite(ra))
      continue;
    double ma = uss_slope(r, as, conns, nconns);
    double mt = uss_slope(r, th, conns, nconns);
    int slope = isfinite(ma) && isfinite(mt);
    if (!slope) {
      ma = median_of(as, uss_per_conn);
      mt = median_of(th, uss_per_conn);
    }
    fmt(a, sizeof a, ra);
    fmt(b, sizeof b, rt);
    fprintf(f, "**Finding:** pure I/O at %g connections (", c);
    escape_md(f, results_str(as->first, "runtime"));
    fprintf(f,
            "): asyncio serves %.2f× the requests per second of a thread "
            "per connection (%s against %s req/s)",
            ra / rt, a, b);
    if (isfinite(ma) && isfinite(mt)) {
      if (slope)
        fprintf(f,
                "; each connection from %g to %g added %.1f kB to its "
                "process against %.1f kB for the threads",
                conns[0], c, ma, mt);
      else
        fprintf(f,
                " and its process grew by %.1f kB per connection against "
                "%.1f kB for the threads (fixed costs included: run 1 "
                "connection too for the cost of each)",
                ma, mt);
      if (mt > ma * 1.2)
        fputs(" (each thread has a stack and a thread state)", f);
    }
    fputs(".\n\n", f);
    any = 1;
  }
  return any;
}

/* The TCP server a UDP one is set against: the same model, runtime,
 * workers, connections and handler, over TCP. */
static const char *tcp_kind(const char *udp_kind) {
  return strcmp(udp_kind, "udp_threads") == 0     ? "per_conn"
         : strcmp(udp_kind, "udp_asyncio") == 0   ? "asyncio"
         : strcmp(udp_kind, "udp_reuseport") == 0 ? "reuseport"
                                                  : "c-epoll";
}

/* TCP or UDP: each UDP server's requests per second and p99 against its
 * TCP counterpart's (the same model, runtime, connections and handler;
 * threads: the thread per connection at any workers). */
static int finding_udp(FILE *f, const results *r) {
  int any = 0;
  char a[32], b[32], c[32], d[32];
  for (size_t g = 0; g < r->ngroups; g++) {
    const results_group *u = &r->groups[g];
    const char *k = group_kind(u);
    if (!is_serve(u) || (strncmp(k, "udp_", 4) != 0 && strcmp(k, "c-udp") != 0))
      continue;
    const cJSON *uf = u->first;
    const results_group *t = NULL;
    for (size_t h = 0; h < r->ngroups; h++) {
      const results_group *x = &r->groups[h];
      const cJSON *xf = x->first;
      if (is_serve(x) && strcmp(group_kind(x), tcp_kind(k)) == 0 &&
          strcmp(results_str(xf, "runtime"), results_str(uf, "runtime")) == 0 &&
          strcmp(results_str(xf, "handler"), results_str(uf, "handler")) == 0 &&
          strcmp(results_str(xf, "start_method"),
                 results_str(uf, "start_method")) == 0 &&
          results_num(xf, "connections") == results_num(uf, "connections") &&
          (strcmp(k, "udp_threads") == 0 ||
           results_num(xf, "workers") == results_num(uf, "workers")))
        t = x;
    }
    double ru = median_of(u, rps), rt = t ? median_of(t, rps) : NAN;
    if (!t || !(rt > 0) || !isfinite(ru))
      continue;
    fmt(a, sizeof a, ru);
    fmt(b, sizeof b, rt);
    fmt(c, sizeof c, median_of(u, p99));
    fmt(d, sizeof d, median_of(t, p99));
    fputs("**Finding:** TCP or UDP (", f);
    escape_md(f, results_str(uf, "runtime"));
    fputs(", handler ", f);
    escape_md(f, handler_name(results_str(uf, "handler")));
    fprintf(f,
            ", %g connections): %s with %g worker%s serve %.2f× the requests "
            "per second of %s over TCP (%s against %s req/s; p99 %sµs "
            "against %sµs)",
            results_num(uf, "connections"), kind_label(k),
            results_num(uf, "workers"),
            results_num(uf, "workers") == 1 ? "" : "s", ru / rt,
            kind_label(tcp_kind(k)), a, b, c, d);
    double lost = median_of(u, error_rate);
    if (lost > 0)
      fprintf(f,
              "; %.2g%% of the datagrams or their replies were lost or "
              "late",
              lost * 100);
    fputs(".\n\n", f);
    any = 1;
  }
  return any;
}

/* The convoy effect: each server cell with CPU-bound threads beside it
 * against the same cell without, by p50 and p99 latency and requests per
 * second; the GIL is named when the server's threads share the CPU
 * threads' GIL (threads, asyncio on a GIL runtime) and the p99 grew at
 * least 3x or the throughput halved, a control (processes, C) said to be
 * one. */
static int finding_convoy(FILE *f, const results *r) {
  int any = 0;
  char a[32], b[32], c[32], d[32];
  for (size_t g = 0; g < r->ngroups; g++) {
    const results_group *w = &r->groups[g];
    double k = results_num(w->first, "cpu_threads");
    if (!is_serve(w) || !(k > 0))
      continue;
    const results_group *base = NULL;
    for (size_t h = 0; h < r->ngroups; h++) {
      const cJSON *x = r->groups[h].first;
      if (is_serve(&r->groups[h]) && results_num(x, "cpu_threads") == 0 &&
          results_num(x, "connections") ==
              results_num(w->first, "connections") &&
          results_num(x, "workers") == results_num(w->first, "workers") &&
          strcmp(results_str(x, "workload"),
                 results_str(w->first, "workload")) == 0 &&
          strcmp(results_str(x, "model"), results_str(w->first, "model")) ==
              0 &&
          strcmp(results_str(x, "runtime"), results_str(w->first, "runtime")) ==
              0 &&
          strcmp(results_str(x, "start_method"),
                 results_str(w->first, "start_method")) == 0 &&
          strcmp(results_str(x, "handler"), results_str(w->first, "handler")) ==
              0)
        base = &r->groups[h];
    }
    if (!base)
      continue;
    double p50w = median_of(w, p50), p50b = median_of(base, p50);
    double p99w = median_of(w, p99), p99b = median_of(base, p99);
    double rw = median_of(w, rps), rb = median_of(base, rps);
    if (!(p50b > 0) || !(p99b > 0) || !(rb > 0) || !isfinite(p50w))
      continue;
    const char *k0 = group_kind(w);
    fmt(a, sizeof a, p50b);
    fmt(b, sizeof b, p50w);
    fmt(c, sizeof c, p99b);
    fmt(d, sizeof d, p99w);
    fputs("**Finding:** the convoy effect (", f);
    escape_md(f, results_str(w->first, "runtime"));
    fputs(", handler ", f);
    escape_md(f, handler_name(results_str(w->first, "handler")));
    fprintf(f,
            ", %g connections): with %g CPU-bound thread%s beside it, %s "
            "(%g worker%s) answered with a median latency %.1f× as long "
            "(%sµs against %sµs) and a p99 %.1f× (%sµs against %sµs), "
            "serving %.2f× the requests per second",
            results_num(w->first, "connections"), k, k == 1 ? "" : "s",
            kind_label(k0), results_num(w->first, "workers"),
            results_num(w->first, "workers") == 1 ? "" : "s", p50w / p50b, b, a,
            p99w / p99b, d, c, rw / rb);
    int shares = strcmp(k0, "per_conn") == 0 || strcmp(k0, "pool") == 0 ||
                 strcmp(k0, "asyncio") == 0;
    if (shares && gil_on(w) == 1 && (p99w / p99b >= 3 || rw / rb <= 0.5))
      fputs(": the CPU thread shares the server's GIL, and a request's "
            "thread back from its socket waits for it to give the GIL up, "
            "up to a switch interval: the tail and the throughput show "
            "those waits",
            f);
    else if (!shares)
      fputs(": the CPU threads run outside the server's processes (or "
            "without a GIL): a control for the GIL's share",
            f);
    fputs(".\n\n", f);
    any = 1;
  }
  return any;
}

const results_group *servetable_best(const results *r, int python_only,
                                     double *rps_out) {
  const results_group *best = NULL;
  double most = -INFINITY;
  for (size_t g = 0; g < r->ngroups; g++) {
    double v = is_serve(&r->groups[g]) &&
                       !(python_only && results_is_native(r->groups[g].first))
                   ? median_of(&r->groups[g], rps)
                   : NAN;
    if (isfinite(v) && v > most) {
      most = v;
      best = &r->groups[g];
    }
  }
  if (rps_out)
    *rps_out = best ? most : NAN;
  return best;
}

const char *servetable_kind_label(const results_group *g) {
  return kind_label(group_kind(g));
}

void servetable_write(FILE *f, const results *r) {
  double conns[MAX_COLS];
  size_t nconns = conns_of(r, conns);
  if (nconns == 0)
    return;
  fputs("## Servers: requests per second and latency by connections\n\n", f);
  fputs("net.serve* cells: a Python server (or its C twin) loaded over "
        "loopback by gillab's native generator (HTTP/1.1 GET, keep-alive, "
        "every reply checked); medians of the repetitions. These are "
        "throughput and latency by concurrency, not scaling by workers: no "
        "speedup is computed.\n\n",
        f);
  const char *handlers[MAX_COLS];
  size_t nh = 0;
  for (size_t g = 0; g < r->ngroups; g++) {
    if (!is_serve(&r->groups[g]))
      continue;
    const char *h = results_str(r->groups[g].first, "handler");
    size_t k = 0;
    while (k < nh && strcmp(handlers[k], h) != 0)
      k++;
    if (k == nh && nh < MAX_COLS)
      handlers[nh++] = h;
  }
  for (size_t i = 0; i < nh; i++) {
    int errors = 0;
    for (size_t g = 0; g < r->ngroups; g++)
      if (is_serve(&r->groups[g]) &&
          strcmp(results_str(r->groups[g].first, "handler"), handlers[i]) ==
              0 &&
          median_of(&r->groups[g], error_rate) > 0)
        errors = 1;
    fputs("### Handler ", f);
    escape_md(f, handler_name(handlers[i]));
    fputs("\n\n", f);
    write_table(f, r, handlers[i], "Requests per second (status 200):", rps,
                MD_SI, conns, nconns);
    write_table(f, r, handlers[i], "p99 latency (µs):", p99, MD_US, conns,
                nconns);
    if (errors)
      write_table(f, r, handlers[i],
                  "Error rate (500s, bad replies, timeouts, resets):",
                  error_rate, MD_PERCENT1, conns, nconns);
    write_table(f, r, handlers[i],
                "Memory (MiB): for in-process servers the process's USS "
                "growth from before the server started, over the "
                "connections (a fixed cost such as the event loop's import "
                "divides among them); for processes each worker process's "
                "own USS:",
                memory, MD_MIB, conns, nconns);
  }
  finding_gil(f, r, conns, nconns);
  finding_loop(f, r, conns, nconns);
  finding_blocking(f, r);
  finding_reuseport(f, r);
  finding_io(f, r, conns, nconns);
  finding_udp(f, r);
  finding_convoy(f, r);
}
