/* precision — see precision.h. */
#include "precision.h"

#include "cellkind.h"
#include "md.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

precision_obs precision_observe(const cJSON *rec) {
  const char *status = results_str(rec, "status");
  precision_obs o = {PRECISION_FAILED, NAN};
  if (strcmp(status, "skipped") == 0) {
    o.state = PRECISION_SKIPPED;
  } else if (strcmp(status, "ok") == 0) {
    o.value = cellkind_headline(rec, NULL);
    /* An ok cell without a finite figure gives nothing to narrow. */
    o.state = isfinite(o.value) ? PRECISION_OK : PRECISION_FAILED;
  }
  return o;
}

precision_verdict precision_judge(const precision_rule *rule, double *v,
                                  size_t nok, unsigned runs, int skipped,
                                  stats_ci *ci) {
  stats_ci c = stats_median_ci(v, nok);
  if (ci)
    *ci = c;
  if (skipped)
    return PRECISION_NO_FIGURE;
  /* Every value alike gives a zero-width interval, even on a median of 0
   * (where the relative half-width is undefined). */
  double rel = nok && c.lo == c.hi ? 0 : stats_rel_halfwidth(&c);
  if (nok >= rule->min_reps && rel <= rule->target)
    return PRECISION_REACHED;
  if (runs >= rule->min_reps && nok == 0)
    return PRECISION_NO_FIGURE;
  if (runs >= rule->max_reps)
    return PRECISION_CAPPED;
  return PRECISION_MORE;
}

precision_verdict precision_judge_cell(const precision_rule *rule,
                                       const precision_obs *obs, size_t nreps,
                                       size_t per_rep, size_t k, stats_ci *ci,
                                       unsigned *runs) {
  double *v = malloc((nreps + 1) * sizeof *v);
  if (!v)
    return PRECISION_MORE;
  size_t nok = 0;
  unsigned ran = 0;
  int skipped = 0;
  for (size_t j = 0; j < nreps; j++) {
    const precision_obs *o = &obs[j * per_rep + k];
    ran += o->state != PRECISION_NOT_RUN;
    skipped |= o->state == PRECISION_SKIPPED;
    if (o->state == PRECISION_OK)
      v[nok++] = o->value;
  }
  precision_verdict d = precision_judge(rule, v, nok, ran, skipped, ci);
  free(v);
  if (runs)
    *runs = ran;
  return d;
}

size_t precision_wanted(const precision_rule *rule, const precision_obs *obs,
                        size_t nreps, size_t per_rep, size_t nworkers,
                        unsigned char *want) {
  size_t n = 0;
  for (size_t k = 0; k < per_rep; k++)
    want[k] = nreps < rule->max_reps &&
              (nreps < rule->min_reps ||
               precision_judge_cell(rule, obs, nreps, per_rep, k, NULL, NULL) ==
                   PRECISION_MORE);
  /* A cell that runs brings its row's 1-worker cell: its speedup is
   * against that cell of the same repetition. */
  for (size_t k = 0; nworkers && k < per_rep; k++)
    if (want[k])
      want[k - k % nworkers] = 1;
  for (size_t k = 0; k < per_rep; k++)
    n += want[k];
  return n;
}

int precision_of_meta(const cJSON *meta, precision_rule *rule) {
  const cJSON *spec = cJSON_GetObjectItemCaseSensitive(meta, "spec");
  const char *reps = results_str(spec, "reps");
  double p = results_num(spec, "precision"), lo = results_num(spec, "min_reps"),
         hi = results_num(spec, "max_reps");
  if (strcmp(reps, "auto") != 0 || !(p > 0) || !(lo >= 1) || !(hi >= lo) ||
      hi > 1e6)
    return 0;
  *rule = (precision_rule){p, (unsigned)lo, (unsigned)hi};
  return 1;
}

/* The label of a cell: its key (results_key_label) and the axes of ipc.*
 * and the servers, which it leaves out. */
static void cell_label(FILE *f, const cJSON *rec) {
  char buf[512], more[160] = "";
  results_key_label(rec, buf, sizeof buf);
  if (results_str(rec, "payload")[0])
    snprintf(more, sizeof more, " %g B %s", results_num(rec, "msg_size"),
             results_str(rec, "payload"));
  else if (results_str(rec, "handler")[0])
    snprintf(more, sizeof more, " %gc %s", results_num(rec, "connections"),
             results_str(rec, "handler"));
  strncat(buf, more, sizeof buf - strlen(buf) - 1);
  md_cell(f, buf);
}

/* The records of r in obs (max_reps x per_rep; a new array, free it) by
 * their seq, each cell's first record in first (per_rep, new too). Warm-up
 * repetitions count as missing when absent, into *warm_missing. Returns 0
 * or -1 when out of memory. */
static int load_obs(const results *r, const precision_rule *rule,
                    size_t per_rep, size_t warm, precision_obs **obs,
                    const cJSON ***first, size_t *warm_missing) {
  size_t total = (warm + rule->max_reps) * per_rep;
  unsigned char *warm_seen = calloc(warm * per_rep + 1, 1);
  *obs = calloc(rule->max_reps * per_rep, sizeof **obs);
  *first = calloc(per_rep, sizeof **first);
  if (!warm_seen || !*obs || !*first) {
    free(warm_seen);
    free(*obs);
    free(*first);
    return -1;
  }
  for (size_t i = 0; i < r->n; i++) {
    double q = results_num(r->cells[i], "seq");
    if (!(q >= 0 && q < (double)total && q == floor(q)))
      continue;
    size_t seq = (size_t)q, k = seq % per_rep;
    if (seq < warm * per_rep) {
      warm_seen[seq] = 1;
      continue;
    }
    (*obs)[seq - warm * per_rep] = precision_observe(r->cells[i]);
    if (!(*first)[k])
      (*first)[k] = r->cells[i];
  }
  *warm_missing = 0;
  for (size_t s = 0; s < warm * per_rep; s++)
    *warm_missing += !warm_seen[s];
  free(warm_seen);
  return 0;
}

/* The cells the rule wanted that the records lack: the first measured
 * repetition (from 0) that lacks any into *rep, and how many it lacks. */
static size_t missing_cells(const precision_rule *rule,
                            const precision_obs *obs, size_t per_rep,
                            size_t nworkers, size_t *rep) {
  unsigned char *want = malloc(per_rep);
  size_t missing = 0;
  for (size_t j = 0; want && j < rule->max_reps && !missing; j++) {
    precision_wanted(rule, obs, j, per_rep, nworkers, want);
    for (size_t k = 0; k < per_rep; k++)
      missing += want[k] && obs[j * per_rep + k].state == PRECISION_NOT_RUN;
    *rep = j;
  }
  free(want);
  return missing;
}

void precision_write(FILE *f, const results *r) {
  precision_rule rule;
  if (!precision_of_meta(r->meta, &rule))
    return;
  const cJSON *plan = cJSON_GetObjectItemCaseSensitive(r->meta, "plan");
  size_t nrows = (size_t)cJSON_GetArraySize(
      cJSON_GetObjectItemCaseSensitive(plan, "rows"));
  size_t nw = (size_t)cJSON_GetArraySize(
      cJSON_GetObjectItemCaseSensitive(plan, "workers"));
  double warm = results_num(plan, "warmup");
  if (!nrows || !nw || !(warm >= 0) || warm > 1e6)
    return;
  size_t per_rep = nrows * nw;
  precision_obs *obs;
  const cJSON **first;
  size_t warm_missing, rep = 0;
  if (load_obs(r, &rule, per_rep, (size_t)warm, &obs, &first, &warm_missing) <
      0)
    return;
  fprintf(f, "## Repetitions until the answer is sure\n\n");
  fprintf(f,
          "`-r auto`: each cell was repeated, interleaved with the others, "
          "until the interval on the median of its headline figure was "
          "within ±%g %% of the median (half its width), from %u "
          "repetitions and at most %u. What each cell's records hold:\n\n",
          rule.target * 100, rule.min_reps, rule.max_reps);
  fputc('|', f);
  md_cell(f, "cell");
  md_cell(f, "figure");
  md_cell(f, "repetitions");
  md_cell(f, "precision reached");
  md_cell(f, "outcome");
  fputc('\n', f);
  md_rule(f, "llrrl");
  size_t all_runs = 0, cells = 0, capped = 0;
  for (size_t k = 0; k < per_rep; k++) {
    if (!first[k])
      continue;
    stats_ci ci;
    unsigned runs;
    precision_verdict d =
        precision_judge_cell(&rule, obs, rule.max_reps, per_rep, k, &ci, &runs);
    static const char *const said[] = {"short of it (run incomplete)",
                                       "reached", "**hit the cap**",
                                       "no figure (skipped or failed)"};
    const char *what;
    cellkind_headline(first[k], &what);
    char buf[160] = "–";
    double rel = ci.n && ci.lo == ci.hi ? 0 : stats_rel_halfwidth(&ci);
    if (isfinite(rel))
      snprintf(buf, sizeof buf, "±%.1f %% (%.0f %% coverage)", rel * 100,
               ci.coverage * 100);
    fputc('|', f);
    cell_label(f, first[k]);
    md_cell(f, what);
    fprintf(f, " %u |", runs);
    md_cell(f, buf);
    fprintf(f, " %s |", said[d]); /* Markdown of its own: not escaped */
    fputc('\n', f);
    all_runs += runs;
    cells++;
    capped += d == PRECISION_CAPPED;
  }
  fprintf(f,
          "\n%zu measured repetitions in all over %zu cells (at most %zu: "
          "%u each). ",
          all_runs, cells, cells * rule.max_reps, rule.max_reps);
  if (capped == 0)
    fprintf(f, "No cell hit the cap.\n\n");
  else
    fprintf(f,
            "%zu cell%s hit the cap of %u repetitions short of ±%g %%: "
            "the machine was too noisy for that precision in %u "
            "repetitions; their figures stand with the wider interval "
            "shown.\n\n",
            capped, capped == 1 ? "" : "s", rule.max_reps, rule.target * 100,
            rule.max_reps);
  size_t missing = missing_cells(&rule, obs, per_rep, nw, &rep);
  if (warm_missing || missing) {
    fprintf(f, "**Incomplete run** (it was interrupted): ");
    if (warm_missing)
      fprintf(f, "%zu warm-up cell%s not recorded. ", warm_missing,
              warm_missing == 1 ? "" : "s");
    if (missing)
      fprintf(f,
              "%zu cell%s of repetition %zu that the rule still wanted "
              "%s not recorded. ",
              missing, missing == 1 ? "" : "s", rep + 1,
              missing == 1 ? "was" : "were");
    fprintf(f, "`gillab run --resume` on this directory completes it.\n\n");
  }
  free(obs);
  free(first);
}
