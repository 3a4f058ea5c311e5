/* memuse — the memory of a cell's processes over its timed region; see
 * memuse.h. */
#include "memuse.h"

#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One process's readings: the largest of each figure and the last. */
typedef struct {
  pid_t pid;
  unsigned samples;
  int has_end;
  memuse_sample peak, end;
} memuse_proc;

static pthread_mutex_t mu_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
  unsigned n;
  memuse_proc cell;
  memuse_proc *workers; /* n slots; pid 0 until read */
  int has_base;
  memuse_sample base;
  int begun, ended;
  uint64_t due_ns;
  unsigned rounds;
  uint64_t first_ns, last_ns, round_ns_max;
  int has_total;
  memuse_sample total_peak; /* each figure's largest sum over a round */
  int cell_error;           /* the first failed read of the cell's process */
} mu;

static void peak_of(memuse_sample *peak, const memuse_sample *s) {
  if (s->rss_kb > peak->rss_kb)
    peak->rss_kb = s->rss_kb;
  if (s->pss_kb > peak->pss_kb)
    peak->pss_kb = s->pss_kb;
  if (s->uss_kb > peak->uss_kb)
    peak->uss_kb = s->uss_kb;
}

static void add_to(memuse_sample *sum, const memuse_sample *s) {
  sum->rss_kb += s->rss_kb;
  sum->pss_kb += s->pss_kb;
  sum->uss_kb += s->uss_kb;
}

static void took(memuse_proc *p, pid_t pid, const memuse_sample *s) {
  p->pid = pid;
  p->samples++;
  peak_of(&p->peak, s);
}

void memuse_reset(unsigned n) {
  pthread_mutex_lock(&mu_lock);
  free(mu.workers);
  memset(&mu, 0, sizeof mu);
  mu.workers = calloc(n, sizeof *mu.workers);
  mu.n = mu.workers ? n : 0;
  pthread_mutex_unlock(&mu_lock);
}

void memuse_baseline(void) {
  memuse_sample s;
  int rc = smaps_read(0, &s);
  pthread_mutex_lock(&mu_lock);
  if (rc == 0) {
    mu.base = s;
    mu.has_base = 1;
  } else if (!mu.cell_error) {
    mu.cell_error = rc;
  }
  pthread_mutex_unlock(&mu_lock);
}

void memuse_begin(void) {
  pthread_mutex_lock(&mu_lock);
  mu.begun = 1;
  mu.due_ns = 0; /* the first round at the sampler's next tick */
  pthread_mutex_unlock(&mu_lock);
}

int memuse_due(uint64_t now_ns) {
  pthread_mutex_lock(&mu_lock);
  int due = mu.begun && !mu.ended && now_ns >= mu.due_ns;
  pthread_mutex_unlock(&mu_lock);
  return due;
}

void memuse_round(const pid_t *pids, unsigned n) {
  pthread_mutex_lock(&mu_lock);
  if (!mu.begun || mu.ended) {
    pthread_mutex_unlock(&mu_lock);
    return;
  }
  uint64_t t0 = util_now_ns();
  memuse_sample s, sum = {0, 0, 0};
  int rc = smaps_read(0, &s);
  if (rc == 0) {
    took(&mu.cell, getpid(), &s);
    add_to(&sum, &s);
  } else if (!mu.cell_error) {
    mu.cell_error = rc;
  }
  for (unsigned i = 0; i < n && i < mu.n; i++)
    if (pids[i] > 0 && smaps_read(pids[i], &s) == 0) {
      took(&mu.workers[i], pids[i], &s);
      add_to(&sum, &s);
    }
  if (rc == 0) { /* a sum without the cell's process is no total */
    peak_of(&mu.total_peak, &sum);
    mu.has_total = 1;
  }
  uint64_t t1 = util_now_ns(), cost = t1 - t0;
  uint64_t wait = (uint64_t)MEMUSE_COST_FACTOR * cost;
  if (wait < (uint64_t)MEMUSE_MIN_PERIOD_MS * 1000000)
    wait = (uint64_t)MEMUSE_MIN_PERIOD_MS * 1000000;
  mu.due_ns = t1 + wait;
  if (!mu.rounds)
    mu.first_ns = t0;
  mu.last_ns = t0;
  mu.rounds++;
  if (cost > mu.round_ns_max)
    mu.round_ns_max = cost;
  pthread_mutex_unlock(&mu_lock);
}

void memuse_end(void) {
  pthread_mutex_lock(&mu_lock);
  if (!mu.ended) {
    memuse_sample s;
    int rc = smaps_read(0, &s);
    if (rc == 0) {
      took(&mu.cell, getpid(), &s);
      mu.cell.end = s;
      mu.cell.has_end = 1;
    } else if (!mu.cell_error) {
      mu.cell_error = rc;
    }
    mu.ended = 1;
  }
  pthread_mutex_unlock(&mu_lock);
}

void memuse_worker_end(unsigned i, pid_t pid, const memuse_sample *s) {
  pthread_mutex_lock(&mu_lock);
  if (i < mu.n) {
    took(&mu.workers[i], pid, s);
    mu.workers[i].end = *s;
    mu.workers[i].has_end = 1;
  }
  pthread_mutex_unlock(&mu_lock);
}

/* {"rss_KIND_kb", "pss_KIND_kb", "uss_KIND_kb"} of s into o; null when
 * !have. */
static void add_figures(cJSON *o, const char *kind, const memuse_sample *s,
                        int have) {
  static const char *const fig[] = {"rss", "pss", "uss"};
  uint64_t v[3] = {s->rss_kb, s->pss_kb, s->uss_kb};
  for (int k = 0; k < 3; k++) {
    char name[32];
    snprintf(name, sizeof name, "%s_%s_kb", fig[k], kind);
    if (have)
      cJSON_AddNumberToObject(o, name, (double)v[k]);
    else
      cJSON_AddNullToObject(o, name);
  }
}

static cJSON *proc_json(const memuse_proc *p) {
  cJSON *o = cJSON_CreateObject();
  cJSON_AddNumberToObject(o, "pid", p->pid);
  cJSON_AddNumberToObject(o, "samples", p->samples);
  add_figures(o, "peak", &p->peak, p->samples > 0);
  add_figures(o, "end", &p->end, p->has_end);
  return o;
}

static void add_kb(cJSON *o, const char *name, double v, int have) {
  if (have)
    cJSON_AddNumberToObject(o, name, v);
  else
    cJSON_AddNullToObject(o, name);
}

cJSON *memuse_report(int procs) {
  pthread_mutex_lock(&mu_lock);
  if (!mu.has_base && !mu.cell.samples) {
    pthread_mutex_unlock(&mu_lock);
    return NULL;
  }
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "source", "/proc/PID/smaps_rollup");
  cJSON_AddStringToObject(
      o, "by",
      procs ? "the cell's process: itself before the workers and at the "
              "region's end, its sampler thread every worker process and "
              "itself during the region; each worker process read itself "
              "once it had sent its report"
            : "the cell's process: itself before the workers and at the "
              "region's end, its sampler thread during the region");
  cJSON_AddNumberToObject(o, "rounds", mu.rounds);
  add_kb(o, "period_ms",
         mu.rounds > 1
             ? (double)(mu.last_ns - mu.first_ns) / 1e6 / (mu.rounds - 1)
             : 0,
         mu.rounds > 1);
  cJSON_AddNumberToObject(o, "round_us_max", (double)mu.round_ns_max / 1e3);
  if (mu.cell_error)
    cJSON_AddStringToObject(o, "error", strerror(-mu.cell_error));

  cJSON *cell = proc_json(&mu.cell);
  cJSON_ReplaceItemInObject(cell, "pid", cJSON_CreateNumber(getpid()));
  add_figures(cell, "base", &mu.base, mu.has_base);
  cJSON_AddItemToObject(o, "cell", cell);

  /* The total: the cell's process and its worker processes. Its peak is
   * each figure's largest sum over one round (or over the end readings);
   * its end the sum of the end readings, complete only when every worker
   * process gave one. */
  memuse_sample end = mu.cell.end, peak = mu.total_peak;
  int ends = mu.cell.has_end;
  double uss_sum = 0;
  unsigned uss_n = 0;
  cJSON *workers = cJSON_AddArrayToObject(o, "workers");
  for (unsigned i = 0; procs && i < mu.n; i++) {
    const memuse_proc *p = &mu.workers[i];
    cJSON *w = proc_json(p);
    cJSON_AddItemToArray(workers, w);
    cJSON_AddNumberToObject(w, "worker", i);
    if (p->has_end)
      add_to(&end, &p->end);
    else
      ends = 0;
    if (p->samples) {
      uss_sum += (double)p->peak.uss_kb;
      uss_n++;
    }
  }
  if (ends)
    peak_of(&peak, &end);
  cJSON *total = cJSON_AddObjectToObject(o, "total");
  add_figures(total, "peak", &peak, mu.has_total || ends);
  add_figures(total, "end", &end, ends);

  /* What each worker added (README, "Memory per worker"). */
  int have = mu.has_base && (mu.has_total || ends);
  double n = mu.n ? mu.n : 1;
  cJSON *per = cJSON_AddObjectToObject(o, "per_worker_kb");
  add_kb(per, "uss",
         procs ? (uss_n ? uss_sum / uss_n : 0)
               : ((double)mu.cell.peak.uss_kb - (double)mu.base.uss_kb) / n,
         procs ? uss_n > 0 : mu.has_base && mu.cell.samples > 0);
  add_kb(per, "pss", ((double)peak.pss_kb - (double)mu.base.pss_kb) / n, have);
  add_kb(per, "rss", ((double)peak.rss_kb - (double)mu.base.rss_kb) / n, have);
  cJSON_AddStringToObject(
      o, "per_worker_method",
      procs ? "uss: the mean of the worker processes' peak USS (what each "
              "one alone holds); pss and rss: the peak total of the cell's "
              "process and its worker processes less the cell's process "
              "before the workers, over the workers"
            : "the workers live in the cell's process: its peak less its "
              "reading before the workers, over the workers");
  pthread_mutex_unlock(&mu_lock);
  return o;
}
