/* method — see method.h. */
#include "method.h"

#include "escape.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* How noisy the machine was during the run: the spread of the throughput
 * intervals, relative to their medians, over the cells with 3 or more
 * repetitions, and the noisiest cell. */
static void write_noise(FILE *f, const results *r) {
  double *w = malloc((r->ngroups + 1) * sizeof *w);
  size_t n = 0;
  const results_group *worst = NULL;
  double wmax = -1;
  for (size_t g = 0; w && g < r->ngroups; g++) {
    stats_ci c = results_ci(&r->groups[g], "throughput", NULL);
    double h = stats_rel_halfwidth(&c);
    if (c.n < 3 || !isfinite(h))
      continue;
    w[n++] = h;
    if (h > wmax)
      wmax = h, worst = &r->groups[g];
  }
  if (n) {
    double med = stats_median(w, n);
    char label[256];
    fprintf(f,
            " Noise in this run: half the width of a throughput interval is "
            "%.0f %% of its median in the typical cell, %.0f %% in the "
            "noisiest (",
            med * 100, wmax * 100);
    escape_md(f, results_key_label(worst->first, label, sizeof label));
    fprintf(f, ")%s",
            med > STATS_NOISY_REL
                ? "; differences smaller than that cannot be told apart "
                  "here: rerun on a quieter machine or with more "
                  "repetitions."
                : ".");
  }
  free(w);
}

/* Whether the CPUs ran alike: over the cells whose workers ran side by
 * side on equal shares of pure computation (record field cpu_imbalance),
 * how many had a worker that needed over METHOD_HOST_SLOW times the CPU
 * time of another for the same work, and the worst. Only the host makes
 * one CPU slower than another for the same instructions, and the noise
 * summary above cannot tell that from noise in the baselines. */
static void write_host(FILE *f, const results *r) {
  size_t n = 0, slow = 0;
  const cJSON *worst = NULL;
  double wmax = 0;
  for (size_t i = 0; i < r->n; i++) {
    const cJSON *c = r->cells[i];
    double imb = results_num(c, "cpu_imbalance");
    if (!results_ok(c) || !isfinite(imb))
      continue;
    n++;
    slow += imb > METHOD_HOST_SLOW;
    if (imb > wmax)
      wmax = imb, worst = c;
  }
  if (!n)
    return;
  if (!slow) {
    fprintf(f,
            " The CPUs ran alike: in the %zu cell%s whose workers ran side by "
            "side on equal shares of pure computation, no worker needed more "
            "than %.0f %% more CPU time than another.",
            n, n == 1 ? "" : "s", (wmax - 1) * 100);
    return;
  }
  char label[256];
  /* The slowest worker's entry, by its number (the field "worker"). */
  double slowest = results_num(worst, "cpu_imbalance_worker");
  const cJSON *w, *seen = NULL;
  cJSON_ArrayForEach(w, cJSON_GetObjectItemCaseSensitive(worst, "per_worker")) {
    if (results_num(w, "worker") == slowest)
      seen = cJSON_GetObjectItemCaseSensitive(w, "cpus_seen");
  }
  fprintf(f,
          " **The host slowed some CPUs:** in %zu of %zu cells whose workers "
          "ran side by side on equal shares of pure computation, one worker "
          "needed over %.0f %% more CPU time than another for the same work "
          "(up to %.2fx, in ",
          slow, n, (METHOD_HOST_SLOW - 1) * 100, wmax);
  escape_md(f, results_key_label(worst, label, sizeof label));
  fprintf(f, ", worker %g", slowest);
  if (cJSON_GetArraySize(seen) == 1 &&
      cJSON_IsNumber(cJSON_GetArrayItem(seen, 0)))
    fprintf(f, " on CPU %d", cJSON_GetArrayItem(seen, 0)->valueint);
  fprintf(f, "). The same work taking more CPU time means that CPU ran "
             "slower, which is the host's doing: on a VM, most likely another "
             "guest using that core or its SMT sibling. A cell's wall "
             "time follows its slowest worker, so the speedups of such cells "
             "understate what the model gives on a quiet machine; rerun when "
             "`cpu_imbalance` stays near 1 (README: when the host slows one "
             "CPU).");
}

/* How the intervals were made, with the coverage the repetitions allow. */
void method_write(FILE *f, const results *r) {
  size_t warm = 0;
  for (size_t i = 0; i < r->n; i++) {
    double rep = results_num(r->cells[i], "rep");
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r->cells[i], "warmup")))
      warm = rep > (double)warm ? (size_t)rep : warm;
  }
  /* The measured repetitions each cell has in the records (its medians'
   * sample), fewest and most: those
   * of an interrupted run may be fewer than it asked for, and every
   * sentence says what was measured. */
  size_t reps = 0, most = 0, counted = 0;
  for (size_t g = 0; g < r->ngroups; g++) {
    size_t ok = 0;
    for (size_t i = 0; i < r->groups[g].n; i++)
      ok += results_ok(r->groups[g].recs[i]) != 0;
    if (ok == 0)
      continue; /* a cell that failed in every repetition has no median */
    reps = counted++ == 0 || ok < reps ? ok : reps;
    most = ok > most ? ok : most;
  }
  const cJSON *spec = cJSON_GetObjectItemCaseSensitive(r->meta, "spec");
  int weak = strcmp(results_str(spec, "scaling"), "weak") == 0;
  double sr = results_num(spec, "reps");
  if (counted == 0 && isfinite(sr) && sr >= 1)
    reps = most = (size_t)sr;
  if (reps == most)
    fprintf(f, "Each figure is the median of %zu repetition%s", reps,
            reps == 1 ? "" : "s");
  else
    fprintf(f,
            "Each figure is the median of its cell's repetitions, %zu to %zu",
            reps, most);
  if (isfinite(sr) && (double)most < sr)
    fprintf(f, " (the run asked for %g; it was cut short)", sr);
  if (warm)
    fprintf(f, " (after %zu warm-up repetition%s, not counted)", warm,
            warm == 1 ? "" : "s");
  fprintf(f, "; in brackets, a distribution-free interval on the median "
             "(order statistics).");
  if (reps >= 6)
    fprintf(f, " It holds the true median with at least 95 %% "
               "probability.");
  else if (reps >= 2)
    fprintf(f,
            " With %zu repetitions it is the range from the lowest to the "
            "highest value, which holds the true median with %.0f %% "
            "probability only; 6 or more repetitions give a 95 %% "
            "interval.",
            reps, 100 * (1 - 2 * pow(0.5, (double)reps)));
  fprintf(f, " Two figures differ significantly only when their intervals "
             "do not overlap.");
  write_noise(f, r);
  write_host(f, r);
  fputs("\n\n", f);
  fprintf(f,
          "Native models (the C twins, no Python) show runtime `native`. "
          "Speedup is throughput at N workers over throughput at 1 worker "
          "(ideal: N, up to the number of CPUs); %s\n\n",
          weak ? "weak scaling: each worker did the same work, so the speedup "
                 "reads N t1 / tN."
               : "strong scaling: the same work was split across the "
                 "workers.");
  if (cJSON_GetArraySize(
          cJSON_GetObjectItemCaseSensitive(r->meta, "runtimes")) > 1)
    fprintf(f, "Throughput across runtimes also reflects how each was built: "
               "builds without PGO (`--enable-optimizations`) or LTO run "
               "Python slower per thread (scripts/get-python builds neither; "
               "distributions build with PGO through their own rules).\n\n");
}
