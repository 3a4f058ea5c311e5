/* ipctable — see ipctable.h. */
#include "ipctable.h"

#include "escape.h"
#include "md.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SIZES 64

int ipctable_is_ipc(const results *r, const char *wl) {
  return results_has_text(r, wl, "payload");
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* The message sizes of the measured ipc groups, ascending. */
static size_t sizes_of(const results *r, double *out) {
  size_t n = 0;
  for (size_t g = 0; g < r->ngroups; g++) {
    double s = results_num(r->groups[g].first, "msg_size");
    if (!isfinite(s) || !*results_str(r->groups[g].first, "payload"))
      continue;
    size_t k = 0;
    while (k < n && out[k] != s)
      k++;
    if (k == n && n < MAX_SIZES)
      out[n++] = s;
  }
  qsort(out, n, sizeof out[0], cmp_double);
  return n;
}

/* "64", "4k", "1M" (as --msg-size writes them). */
static void size_name(char *buf, size_t len, double bytes) {
  unsigned long long b = (unsigned long long)bytes;
  if (b >= (1u << 20) && b % (1u << 20) == 0)
    snprintf(buf, len, "%lluM", b >> 20);
  else if (b >= 1024 && b % 1024 == 0)
    snprintf(buf, len, "%lluk", b >> 10);
  else
    snprintf(buf, len, "%llu B", b);
}

static int is_ipc_group(const results_group *g) {
  return *results_str(g->first, "payload") != '\0';
}

/* Whether groups[g] is the first of its row (the same key but for the
 * message size). */
static int row_first(const results *r, size_t g) {
  for (size_t j = 0; j < g; j++)
    if (results_same_but_size(r->groups[j].first, r->groups[g].first))
      return 0;
  return 1;
}

/* The group of row's key at message size `size`, or NULL. */
static const results_group *at_size(const results *r, const cJSON *row,
                                    double size) {
  for (size_t g = 0; g < r->ngroups; g++)
    if (results_same_but_size(r->groups[g].first, row) &&
        results_num(r->groups[g].first, "msg_size") == size)
      return &r->groups[g];
  return NULL;
}

/* Whether a and b are the same cell but for the workload (mechanism). */
static int same_but_workload(const cJSON *a, const cJSON *b) {
  static const char *const strs[] = {"runtime",   "model",   "start_method",
                                     "placement", "payload", "scaling"};
  for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
    if (strcmp(results_str(a, strs[i]), results_str(b, strs[i])) != 0)
      return 0;
  double x = results_num(a, "switch_interval_s");
  double y = results_num(b, "switch_interval_s");
  return results_num(a, "workers") == results_num(b, "workers") &&
         results_num(a, "msg_size") == results_num(b, "msg_size") &&
         (x == y || (isnan(x) && isnan(y)));
}

static void row_label(FILE *f, const cJSON *row) {
  char model[128];
  fputc('|', f);
  md_cell(f, results_str(row, "workload"));
  md_cell(f, results_str(row, "runtime"));
  md_cell(f, results_model_label(row, model, sizeof model));
  md_cell(f, results_str(row, "payload"));
}

double ipctable_largest_size(const results *r) {
  double sizes[MAX_SIZES];
  size_t n = sizes_of(r, sizes);
  return n ? sizes[n - 1] : NAN;
}

const results_group *ipctable_extreme(const results *r, double size,
                                      const char *payload, int slowest,
                                      double *bytes_per_s) {
  const results_group *best = NULL;
  double vbest = slowest ? INFINITY : -INFINITY;
  for (size_t g = 0; g < r->ngroups; g++) {
    const cJSON *c = r->groups[g].first;
    if (!is_ipc_group(&r->groups[g]) || results_num(c, "msg_size") != size ||
        (payload && strcmp(results_str(c, "payload"), payload) != 0) ||
        results_is_native(c))
      continue;
    double v = results_ci(&r->groups[g], "ipc.bytes_per_s", NULL).median;
    /* queue.Queue passes an object by reference: no byte moves. */
    double wire =
        results_ci(&r->groups[g], "ipc.wire_bytes_per_msg", NULL).median;
    if (!isfinite(v) || !isfinite(wire))
      continue;
    if (slowest ? v < vbest : v > vbest) {
      vbest = v;
      best = &r->groups[g];
    }
  }
  if (bytes_per_s)
    *bytes_per_s = best ? vbest : NAN;
  return best;
}

void ipctable_size_name(char *buf, size_t len, double bytes) {
  size_name(buf, len, bytes);
}

/* One table: a row per mechanism, runtime, model and payload (only rows
 * with the figure when pickled_only: those that pickle), a column per
 * size. */
static void write_table(FILE *f, const results *r, const char *path, md_fmt fmt,
                        const double *sizes, size_t nsizes, int pickled_only) {
  char align[MAX_SIZES + 5] = "llll", name[32];
  fputc('|', f);
  md_cell(f, "mechanism");
  md_cell(f, "runtime");
  md_cell(f, "model");
  md_cell(f, "payload");
  for (size_t k = 0; k < nsizes; k++) {
    size_name(name, sizeof name, sizes[k]);
    md_cell(f, name);
    align[4 + k] = 'r';
  }
  fputc('\n', f);
  md_rule(f, align);
  for (size_t g = 0; g < r->ngroups; g++) {
    const cJSON *row = r->groups[g].first;
    if (!is_ipc_group(&r->groups[g]) || !row_first(r, g))
      continue;
    if (pickled_only) {
      int any = 0;
      for (size_t k = 0; k < nsizes && !any; k++) {
        const results_group *grp = at_size(r, row, sizes[k]);
        any = grp && isfinite(results_ci(grp, path, NULL).median);
      }
      if (!any)
        continue;
    }
    row_label(f, row);
    for (size_t k = 0; k < nsizes; k++) {
      const results_group *grp = at_size(r, row, sizes[k]);
      stats_ci c = {0, NAN, NAN, NAN, 0};
      char cell[160];
      if (grp)
        c = results_ci(grp, path, NULL);
      md_ci(cell, sizeof cell, &c, fmt);
      fprintf(f, " %s |", cell);
    }
    fputc('\n', f);
  }
  fputc('\n', f);
}

/* "ipc.shm (3.11, processes fork, bytes)" */
static void cell_name(FILE *f, const cJSON *c) {
  char model[128];
  escape_md(f, results_str(c, "workload"));
  fputs(" (", f);
  escape_md(f, results_str(c, "runtime"));
  fputs(", ", f);
  escape_md(f, results_model_label(c, model, sizeof model));
  fputs(", ", f);
  escape_md(f, results_str(c, "payload"));
  fputc(')', f);
}

/* At the largest size: shared memory against multiprocessing.Queue in the
 * same runtime, model and payload, as a ratio of bytes per second with
 * its interval and verdict; then the fastest and slowest mechanism of
 * each payload. */
static void finding_largest(FILE *f, const results *r, double size) {
  char name[32], a[32], b[32];
  size_name(name, sizeof name, size);
  int any = 0;
  for (size_t g = 0; g < r->ngroups; g++) {
    const cJSON *shm = r->groups[g].first;
    if (!is_ipc_group(&r->groups[g]) ||
        strcmp(results_str(shm, "workload"), "ipc.shm") != 0 ||
        results_num(shm, "msg_size") != size)
      continue;
    for (size_t h = 0; h < r->ngroups; h++) {
      const cJSON *q = r->groups[h].first;
      if (strcmp(results_str(q, "workload"), "ipc.mp_queue") != 0 ||
          !same_but_workload(shm, q))
        continue;
      stats_ci cs = results_ci(&r->groups[g], "ipc.bytes_per_s", NULL);
      stats_ci cq = results_ci(&r->groups[h], "ipc.bytes_per_s", NULL);
      if (!(cq.median > 0) || !isfinite(cs.median))
        continue;
      char model[128];
      fprintf(f, "%s at %s (", any++ ? ";" : "**Finding:**", name);
      escape_md(f, results_str(shm, "runtime"));
      fputs(", ", f);
      escape_md(f, results_model_label(shm, model, sizeof model));
      fputs(", ", f);
      escape_md(f, results_str(shm, "payload"));
      results_fmt_si(a, sizeof a, cs.median);
      results_fmt_si(b, sizeof b, cq.median);
      fprintf(f,
              "), shared_memory (ipc.shm) moves %.1f× the bytes per second "
              "of multiprocessing.Queue (ipc.mp_queue): %sB/s against "
              "%sB/s",
              cs.median / cq.median, a, b);
      if (cq.lo > 0 && cq.n > 1 && cs.n > 1)
        fprintf(f, ", ratio interval %.1f–%.1f×", cs.lo / cq.hi, cs.hi / cq.lo);
      fprintf(f, " (%s)", stats_verdict_name(stats_compare(&cq, &cs)));
    }
  }
  if (any)
    fputs(". A Queue pickles every message in a feeder thread and writes "
          "it through a pipe (64 KiB at a time); shared memory is one copy "
          "in and one copy out, with a semaphore per message.\n\n",
          f);
  /* The fastest and slowest mechanism at this size, per payload. */
  static const char *const payloads[] = {"bytes", "object"};
  for (size_t p = 0; p < 2; p++) {
    double vhi, vlo;
    const results_group *ghi = ipctable_extreme(r, size, payloads[p], 0, &vhi);
    const results_group *glo = ipctable_extreme(r, size, payloads[p], 1, &vlo);
    const cJSON *hi = ghi ? ghi->first : NULL, *lo = glo ? glo->first : NULL;
    if (!hi || hi == lo)
      continue;
    results_fmt_si(a, sizeof a, vhi);
    results_fmt_si(b, sizeof b, vlo);
    fprintf(f,
            "**Finding:** at %s with %s payloads, the most bytes per "
            "second in Python: ",
            name, payloads[p]);
    cell_name(f, hi);
    fprintf(f, ", %sB/s; the fewest: ", a);
    cell_name(f, lo);
    fprintf(f, ", %sB/s (%.1f× fewer).\n\n", b, vhi / vlo);
  }
}

/* At the smallest size: the serialization share of every cell that
 * pickles, and which of them pickling dominates (over half the time). */
static void finding_smallest(FILE *f, const results *r, double size) {
  char name[32];
  size_name(name, sizeof name, size);
  int any = 0, dominates = 0;
  for (size_t g = 0; g < r->ngroups; g++) {
    const cJSON *c = r->groups[g].first;
    if (!is_ipc_group(&r->groups[g]) || results_num(c, "msg_size") != size)
      continue;
    stats_ci s = results_ci(&r->groups[g], "ipc.ser_share", NULL);
    if (!isfinite(s.median))
      continue;
    char cell[64];
    md_ci(cell, sizeof cell, &s, MD_PERCENT);
    fprintf(f, "%s ", any++ ? "," : "**Finding:** at");
    if (any == 1)
      fprintf(f,
              "%s, pickling (dumps in the producer, loads in the "
              "consumer) is this share of the time both sides spent: ",
              name);
    fprintf(f, "%s for ", cell);
    cell_name(f, c);
    dominates += s.median > 0.5;
  }
  if (!any)
    return;
  if (dominates)
    fprintf(f,
            ". Pickling dominates (over half the time) in %d of "
            "them.\n\n",
            dominates);
  else
    fprintf(f, ". At this size moving the message costs more than "
               "pickling it in every one.\n\n");
}

/* Whether a measured ipc.* cell polled (ipc.waits: ipc.xi_queue, whose
 * runtime queues and channels have no blocking get or put). */
static int any_polled(const results *r) {
  for (size_t i = 0; i < r->n; i++)
    if (results_ok(r->cells[i]) && results_get(r->cells[i], "ipc.waits"))
      return 1;
  return 0;
}

static void write_failures(FILE *f, const results *r) {
  int any = 0;
  for (size_t i = 0; i < r->n; i++) {
    const cJSON *c = r->cells[i];
    const char *status = results_str(c, "status");
    if (!*results_str(c, "payload") || strcmp(status, "ok") == 0 ||
        strcmp(status, "skipped") == 0 ||
        cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "warmup")))
      continue;
    if (!any++)
      fprintf(f, "### Cells not measured\n\n");
    const char *error = results_str(c, "error"), *nl = strrchr(error, '\n');
    char name[32];
    size_name(name, sizeof name, results_num(c, "msg_size"));
    fputs("- ", f);
    cell_name(f, c);
    fprintf(f, " at %s, rep %g: **", name, results_num(c, "rep"));
    escape_md(f, status);
    fputs("** — ", f);
    escape_md(f, nl ? nl + 1 : error);
    fputc('\n', f);
  }
  if (any)
    fputc('\n', f);
}

void ipctable_write(FILE *f, const results *r) {
  double sizes[MAX_SIZES];
  size_t nsizes = sizes_of(r, sizes);
  if (!nsizes)
    return;
  fputs("## ipc.*: messages from a producer to a consumer\n\n"
        "Each ipc.* workload is one mechanism; a cell is one or more pairs "
        "of workers, a producer and a consumer, moving messages of one size "
        "(raw bytes, or a dict of lists pickled where it crosses a "
        "process). These are throughput and latency by message size, not "
        "scaling.\n\n",
        f);
  fputs("### Throughput\n\nBytes per second (the messages' size times the "
        "messages, over the span from the first send to the last message "
        "received), by message size:\n\n",
        f);
  write_table(f, r, "ipc.bytes_per_s", MD_SI, sizes, nsizes, 0);
  fputs("(queue.Queue with object payloads passes a reference: its bytes "
        "per second counts the messages' nominal size, nothing is copied, "
        "and the findings leave it out.)\n\n",
        f);
  if (any_polled(r))
    fputs("(ipc.xi\\_queue runs its pair as two subinterpreters of one "
          "process, through the runtime's cross-interpreter queue or "
          "channel, which copies each message into the consumer's "
          "interpreter. Neither side can block there: a side that waits "
          "polls, keeping its CPU busy, so its figures are those of two "
          "pollers; on 3.11 the two interpreters also share one GIL.)\n\n",
          f);
  finding_largest(f, r, sizes[nsizes - 1]);
  fputs("Messages per second, by message size:\n\n", f);
  write_table(f, r, "ipc.msgs_per_s", MD_SI, sizes, nsizes, 0);
  fputs("### Serialization\n\nThe share of the time both sides spent in "
        "pickle.dumps and pickle.loads (the rest is transport), for the "
        "cells that pickle, by message size:\n\n",
        f);
  write_table(f, r, "ipc.ser_share", MD_PERCENT, sizes, nsizes, 1);
  finding_smallest(f, r, sizes[0]);
  fputs("### Latency\n\n99th percentile of a message's one-way time, from "
        "the producer's start of sending to the consumer's end of receiving "
        "(in a stream: it includes the wait behind earlier messages), in "
        "microseconds, by message size:\n\n",
        f);
  write_table(f, r, "ipc.lat_us.p99", MD_US, sizes, nsizes, 0);
  write_failures(f, r);
}
