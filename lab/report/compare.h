/* compare — two runs side by side (`gillab compare A B`): the cells of both
 * matched by their key (workload, model, start method, switch interval,
 * placement, scaling, workers, runtime), and for each the median of a
 * figure in A and in B with their intervals, the ratio B/A with an interval,
 * and a verdict: higher or lower only when the two intervals do not
 * overlap; "too noisy to tell" when they overlap but are wide (stats.h).
 *
 * When the runs have one Python runtime each and they differ (3.11 before,
 * 3.13 after), Python cells are matched across the runtimes, and the output
 * says so; native cells match as they are.
 */
#ifndef GILLAB_COMPARE_H
#define GILLAB_COMPARE_H

#include <stddef.h>
#include <stdio.h>

/* Compares the runs in directories a and b on the figure at path (a dotted
 * path of the cell records, "throughput" by default when NULL) and writes
 * the result as Markdown to out. *matched receives the number of cells
 * matched. Returns 0 or a negative code with err. */
int compare_runs(const char *a, const char *b, const char *path, FILE *out,
                 size_t *matched, char *err, size_t errlen);

#endif
