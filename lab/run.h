/* run — carrying out a `gillab run`: the matrix of cells, one runner
 * process per cell, one record per cell appended to DIR/results.jsonl as
 * soon as the cell ends, and DIR/summary.md at the end.
 *
 * Cells are ordered repetition-major (all cells of repetition 1, then all of
 * repetition 2, ...), so slow drift of the machine spreads evenly over the
 * compared cells; speedup is taken against the 1-worker cell of the same
 * repetition.
 */
#ifndef GILLAB_RUN_H
#define GILLAB_RUN_H

#include "spec.h"

#include <stddef.h>

/* Runs the spec. command is the exact command line (for the metadata
 * record). The results directory is written into outdir. Returns 0 when
 * every cell was run (failed cells are in the records), 1 when the user
 * interrupted the run (what was measured is kept and summarised), or a
 * negative code with err when the run could not start. */
int run_execute(const spec_matrix *s, const char *command, char *outdir,
                size_t outlen, char *err, size_t errlen);

#endif
