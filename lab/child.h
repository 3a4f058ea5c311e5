/* child — running one runner process with a time limit and hearing back,
 * and running a runner on a cell (core/cellspec.h).
 *
 * The child is started with fork+exec in a process group of its own (so a
 * timeout also kills the processes it started, e.g. multiprocessing
 * workers). It writes its one JSON result to fd 3; its stdout and stderr
 * are captured together and the last few KiB kept, so a crash can be
 * explained in the record.
 */
#ifndef GILLAB_CHILD_H
#define GILLAB_CHILD_H

#include "cellspec.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <sys/types.h>

#define CHILD_RESULT_FD 3
#define CHILD_TAIL_MAX 4096

typedef enum {
  CHILD_OK,       /* exited 0 and wrote a result without "error" */
  CHILD_FAILED,   /* exited non-zero, reported an error, or was killed */
  CHILD_TIMEOUT,  /* still running at the time limit, killed */
  CHILD_INTERRUPT /* the user interrupted gillab meanwhile, killed */
} child_status;

typedef struct {
  child_status status;
  cJSON *result;             /* parsed result (owned) or NULL */
  char reason[4096];         /* why it failed (may be a traceback) */
  char tail[CHILD_TAIL_MAX]; /* last output lines, for failed children */
  double elapsed_s;          /* from fork to exit */
} child_outcome;

/* Runs argv (argv[0] is the executable's path) with a limit of timeout_s
 * seconds. stop, if not NULL, is polled: when it becomes non-zero the child
 * is killed and the outcome is CHILD_INTERRUPT. Returns 0 with *out filled
 * in (free with child_outcome_clear), or a negative code with err when the
 * child could not be started at all. */
int child_run(char *const argv[], double timeout_s, volatile int *stop,
              child_outcome *out, char *err, size_t errlen);

void child_outcome_clear(child_outcome *out);

/* Runs the cell spec in the runner at path runner (`RUNNER --cell JSON
 * --result-fd 3`), as child_run does otherwise. A spec that fails
 * cellspec_check is not run: a negative code with err. */
int child_run_cell(const char *runner, const cellspec *spec, double timeout_s,
                   volatile int *stop, child_outcome *out, char *err,
                   size_t errlen);

#endif
