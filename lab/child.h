/* child — running one runner process with a time limit and hearing back,
 * and running a runner on a cell (core/cellspec.h).
 *
 * The child is started with fork+exec in a process group of its own (so a
 * timeout also kills the processes it started, e.g. multiprocessing
 * workers), with limits on its memory and result (child_limits). It writes its
 * one JSON result to fd 3; its stdout and stderr are captured together and the
 * last few KiB kept, so a crash can be explained in the record.
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

/* What a child may use, beyond its time. */
typedef struct {
  /* The resident memory of its processes (the RSS of each, summed; shared
   * pages count in each), sampled every CHILD_MEMORY_POLL_MS: over it, the
   * child's process group is killed and the outcome is CHILD_FAILED with
   * "killed: memory limit ...". 0: CHILD_MEMORY_DEFAULT. */
  unsigned long long memory_bytes;
  /* The size of its result (fd 3): over it, killed likewise ("killed:
   * result larger than ..."). 0: CHILD_RESULT_DEFAULT. */
  unsigned long long result_bytes;
} child_limits;

#define CHILD_MEMORY_POLL_MS 200
/* Generous: three quarters of the machine's memory. */
#define CHILD_MEMORY_DEFAULT 0.75
#define CHILD_RESULT_DEFAULT (64ull << 20)

/* The memory limit lim means on this machine, in bytes (NULL: the
 * default). */
unsigned long long child_memory_limit(const child_limits *lim);

/* Runs argv (argv[0] is the executable's path) with a limit of timeout_s
 * seconds and the default limits (child_run_limited). stop, if not NULL, is
 * polled: when it becomes non-zero the child is killed and the outcome is
 * CHILD_INTERRUPT. Returns 0 with *out filled in (free with
 * child_outcome_clear), or a negative code with err when the child could not be
 * started at all. */
int child_run(char *const argv[], double timeout_s, volatile int *stop,
              child_outcome *out, char *err, size_t errlen);

/* child_run with limits lim (NULL: the defaults). The child runs with
 * TMPDIR set to a directory of its own, removed with what it holds when
 * the child ends (timed out and killed too). It dies with gillab however
 * gillab dies (PR_SET_PDEATHSIG); gillab is the subreaper of what it
 * starts, so a process of the child's that left the process group (setsid)
 * and outlived the child is killed when the child ends. */
int child_run_limited(char *const argv[], double timeout_s, volatile int *stop,
                      const child_limits *lim, child_outcome *out, char *err,
                      size_t errlen);

void child_outcome_clear(child_outcome *out);

/* Runs the cell spec in the runner at path runner (`RUNNER --cell JSON
 * --result-fd 3`), as child_run does otherwise. A spec that fails
 * cellspec_check is not run: a negative code with err. */
int child_run_cell(const char *runner, const cellspec *spec, double timeout_s,
                   volatile int *stop, const child_limits *lim,
                   child_outcome *out, char *err, size_t errlen);

#endif
