/* precision — `-r auto`: repetitions until the answer is sure. A cell is
 * repeated until the interval the reports quote on its headline figure
 * (stats.h: the median with its distribution-free interval) is within
 * ±target of the median, from min_reps repetitions and at most max_reps.
 *
 * One rule for the orchestrator, which decides before each repetition
 * which cells still run it (lab/run.c), and for summary.md, which
 * replays the same rule on the records to say what each cell reached and
 * whether a run stopped short: so the report states what the records
 * hold, not what the run was asked for.
 *
 * Cells are numbered as in a repetition of the run's plan (lab/run.c's
 * walk_cells): rows of the matrix, the worker counts of a row together,
 * its first worker count (always 1, the speedup baseline) first.
 */
#ifndef GILLAB_PRECISION_H
#define GILLAB_PRECISION_H

#include "results.h"
#include "stats.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdio.h>

/* The defaults of --precision (in %), --min-reps and --max-reps. Five
 * repetitions: the fewest whose interval (then the lowest to the highest)
 * covers the median with 94 %; fewer say too little to stop on. */
#define PRECISION_DEFAULT_PCT 5.0
#define PRECISION_DEFAULT_MIN 5
#define PRECISION_DEFAULT_MAX 20

typedef struct {
  double target;     /* relative half-width to reach: 0.05 is ±5 % */
  unsigned min_reps; /* measured repetitions every cell runs */
  unsigned max_reps; /* the cap */
} precision_rule;

/* What one repetition of a cell left: not run (the rule stopped it, or
 * the run has not got there), a figure, a failure, or a skip (the cell
 * cannot run: a workload that does not fit its model). */
typedef enum {
  PRECISION_NOT_RUN = 0,
  PRECISION_OK,
  PRECISION_FAILED,
  PRECISION_SKIPPED,
} precision_state;

typedef struct {
  precision_state state;
  double value; /* the headline figure when PRECISION_OK */
} precision_obs;

/* What the cell record rec left (its status and headline figure). */
precision_obs precision_observe(const cJSON *rec);

/* Where a cell stands. */
typedef enum {
  PRECISION_MORE,      /* run it again */
  PRECISION_REACHED,   /* its interval is within the target */
  PRECISION_CAPPED,    /* max_reps run, still wider than the target */
  PRECISION_NO_FIGURE, /* skipped, or failed in its first min_reps: more
                          repetitions would not give a figure */
} precision_verdict;

/* The stopping rule: the verdict on a cell that ran runs measured
 * repetitions (skipped: it was skipped), of which v[0..nok) are the ok
 * ones' headline figures (v is reordered). The target is reached when at
 * least min_reps figures give an interval (stats_median_ci) whose
 * relative half-width (stats_rel_halfwidth) is at most the target. *ci
 * (when not NULL) gets the interval. */
precision_verdict precision_judge(const precision_rule *rule, double *v,
                                  size_t nok, unsigned runs, int skipped,
                                  stats_ci *ci);

/* precision_judge on cell k of obs, nreps measured repetitions of per_rep
 * cells each (obs[j * per_rep + k] is cell k in repetition j). *runs
 * (when not NULL) gets the repetitions it ran. Returns PRECISION_MORE
 * when out of memory. */
precision_verdict precision_judge_cell(const precision_rule *rule,
                                       const precision_obs *obs, size_t nreps,
                                       size_t per_rep, size_t k, stats_ci *ci,
                                       unsigned *runs);

/* Which cells measured repetition nreps (from 0) runs, given the nreps
 * before it in obs: want[k] (per_rep bytes) is 1 for a cell whose
 * verdict is PRECISION_MORE, and for the first cell of its row
 * (nworkers cells a row), the speedup baseline. Every cell runs the first
 * min_reps; none runs repetition max_reps or later. Returns how many run. */
size_t precision_wanted(const precision_rule *rule, const precision_obs *obs,
                        size_t nreps, size_t per_rep, size_t nworkers,
                        unsigned char *want);

/* Whether the metadata record meta is of a `-r auto` run, and its rule
 * into *rule (from the spec: "reps": "auto", "precision", "min_reps",
 * "max_reps"). */
int precision_of_meta(const cJSON *meta, precision_rule *rule);

/* summary.md's section on an auto run (nothing for another run): each
 * cell's repetitions, as the records hold them, and the precision its
 * values reach; the cells that hit the cap; and, when the rule still
 * wanted cells the records lack, that the run is incomplete. */
void precision_write(FILE *f, const results *r);

#endif
