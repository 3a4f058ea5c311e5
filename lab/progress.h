/* progress — "cell k of n, elapsed, about how long is left" on stderr
 * during `gillab run`, one line per cell as it ends.
 *
 * Shown only when stderr is a terminal (a log file or a CI job gets the
 * records, not a stream of progress lines) and not with -q;
 * GILLAB_PROGRESS=1 in the environment shows it anyway (for tests).
 *
 * The estimate of the rest: cells run repetition-major, so the cell at
 * position p of the next repetition is the same as the one at position p
 * of this one and takes about as long; positions not yet timed are counted
 * at the mean so far. That beats elapsed/done * left when cells differ
 * widely (1 worker against 8, Python against C).
 */
#ifndef GILLAB_PROGRESS_H
#define GILLAB_PROGRESS_H

#include <cjson/cJSON.h>

typedef struct progress progress;

/* A new progress for total cells, per_rep of them in each repetition;
 * quiet turns it off. Returns NULL when out of memory (progress_cell then
 * does nothing). Free with progress_free. */
progress *progress_new(unsigned total, unsigned per_rep, int quiet);
void progress_free(progress *p);

/* Whether lines are shown. */
int progress_shown(const progress *p);

/* Notes that the next cell ended after cell_s seconds, with record rec
 * (borrowed), and shows its line. */
void progress_cell(progress *p, const cJSON *rec, double cell_s);

/* Notes that the next cell of the run's order will not run after all
 * (-r auto's rule stopped it): one fewer to come. */
void progress_skip(progress *p);

/* Seconds the remaining cells should take (see above); 0 when none left. */
double progress_estimate(const progress *p);

#endif
