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
#include <stdio.h>

/* What starting one cell costs, for estimates: fork, exec, the interpreter
 * and the probes (DESIGN.md's budget: 50 ms). */
#define RUN_CELL_START_S 0.05

/* Runs the spec. command is the exact command line (for the metadata
 * record). The results directory is written into outdir. Returns 0 when
 * every cell was run (failed cells are in the records), 128 + the signal
 * when SIGINT, SIGTERM or SIGHUP stopped the run (130, 143, 129: what was
 * measured is kept and summarised), or a negative code with err when the
 * run could not start. */
int run_execute(const spec_matrix *s, const char *command, char *outdir,
                size_t outlen, char *err, size_t errlen);

/* How a run was asked for, beyond its spec. */
typedef struct {
  int argc;    /* the run's options as typed, argv[0] "run": stored in the */
  char **argv; /* metadata ("argv", with "cwd"), so --resume can read them */
  /* --resume: the results directory of an interrupted run of the same spec
   * to complete (NULL for a new run). Its metadata must hold the same spec
   * hash, gillab build and runtimes, else the run is refused (-ECANCELED)
   * with the reason; the cells it recorded (by "seq") are kept and not
   * rerun, the others are appended to its results.jsonl. */
  const char *resume;
} run_how;

/* run_execute with how (NULL: as run_execute). */
int run_execute_how(const spec_matrix *s, const char *command,
                    const run_how *how, char *outdir, size_t outlen, char *err,
                    size_t errlen);

/* Prints the matrix s would run to f, without running anything (--dry-run):
 * one line per workload, model, variant and placement with its runtimes,
 * worker counts and units, the number of cells, and an estimate of the
 * time (a range: see cell_estimate in run.c). */
void run_plan(const spec_matrix *s, FILE *f);

#endif
