/* progress — see progress.h. */
#include "progress.h"

#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct progress {
  unsigned total, per_rep, done;
  unsigned at; /* cells met in the run's order, run or skipped */
  int shown;
  uint64_t t0;
  double sum;  /* seconds of the cells done */
  double *pos; /* last duration at each position in a repetition; <0: none */
};

progress *progress_new(unsigned total, unsigned per_rep, int quiet) {
  progress *p = calloc(1, sizeof *p);
  if (!p)
    return NULL;
  p->total = total;
  p->per_rep = per_rep ? per_rep : 1;
  p->pos = malloc(p->per_rep * sizeof *p->pos);
  if (!p->pos) {
    free(p);
    return NULL;
  }
  for (unsigned i = 0; i < p->per_rep; i++)
    p->pos[i] = -1;
  const char *force = getenv("GILLAB_PROGRESS");
  p->shown =
      !quiet && ((force && strcmp(force, "1") == 0) || isatty(STDERR_FILENO));
  p->t0 = util_now_ns();
  return p;
}

void progress_free(progress *p) {
  if (p)
    free(p->pos);
  free(p);
}

int progress_shown(const progress *p) {
  return p && p->shown;
}

double progress_estimate(const progress *p) {
  if (!p || p->done == 0 || p->done >= p->total)
    return 0;
  double mean = p->sum / p->done, left = 0;
  for (unsigned k = 0; k < p->total - p->done; k++) {
    double d = p->pos[(p->at + k) % p->per_rep];
    left += d >= 0 ? d : mean;
  }
  return left;
}

static const char *rstr(const cJSON *rec, const char *key) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(rec, key);
  return cJSON_IsString(v) ? v->valuestring : "?";
}

static double rnum(const cJSON *rec, const char *key) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(rec, key);
  return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

void progress_cell(progress *p, const cJSON *rec, double cell_s) {
  if (!p)
    return;
  p->pos[p->at++ % p->per_rep] = cell_s;
  p->sum += cell_s;
  p->done++;
  if (!p->shown)
    return;
  double elapsed = (double)(util_now_ns() - p->t0) / 1e9;
  int warm = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rec, "warmup"));
  fprintf(stderr, "[%*u/%u %5.0fs, ~%.0fs left] %s %s %s n=%g %s %s %g: %s",
          p->total >= 100 ? 3 : 2, p->done, p->total, elapsed,
          progress_estimate(p), rstr(rec, "workload"), rstr(rec, "runtime"),
          rstr(rec, "model"), rnum(rec, "workers"), rstr(rec, "placement"),
          warm ? "warm-up" : "rep", rnum(rec, "rep"), rstr(rec, "status"));
  const cJSON *tp = cJSON_GetObjectItemCaseSensitive(rec, "throughput");
  const cJSON *sp = cJSON_GetObjectItemCaseSensitive(rec, "speedup");
  const cJSON *er = cJSON_GetObjectItemCaseSensitive(rec, "error");
  if (cJSON_IsNumber(tp))
    fprintf(stderr, ", %.4g ops/s", tp->valuedouble);
  if (cJSON_IsNumber(sp))
    fprintf(stderr, ", speedup %.2f", sp->valuedouble);
  if (cJSON_IsString(er)) {
    /* The last line of an error is the most telling one. */
    const char *msg = er->valuestring, *nl = strrchr(msg, '\n');
    fprintf(stderr, " (%s)", nl ? nl + 1 : msg);
  }
  fputc('\n', stderr);
}

void progress_skip(progress *p) {
  if (!p)
    return;
  p->at++;
  if (p->total > p->done)
    p->total--;
}
