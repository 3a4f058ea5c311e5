/* probe — `gillab probe [options] -- COMMAND ARGS...` (issue 14): runs a
 * user's unmodified command with the probe library (libgillab-probe.so,
 * embed/preload.c) preloaded into every process of its tree, and turns the
 * files the library writes (core/probefile.h) into a results directory:
 *
 *   DIR/procs/proc-<pid>-<start_ns>.jsonl   what each process wrote
 *   DIR/results.jsonl                       a metadata record of kind
 *                                           "probe", then every line of
 *                                           those files (probe_store.h)
 *   DIR/summary.md, results.csv, report.html, and trace.json with --trace
 *                                           (lab/report/probe_report.h)
 *
 * The command runs in a process group of its own, so that a stop reaches
 * every process it started: SIGINT, SIGTERM and SIGHUP sent to gillab are
 * passed on to the group; at --duration, or on the first of those signals,
 * the group gets SIGINT (or the signal received), SIGTERM 2 s later and
 * SIGKILL 2 s after that. Since the group is not the terminal's foreground
 * group, a command that reads the terminal is stopped by the kernel
 * (SIGTTIN): gillab says so; give such a command its input by
 * redirection.
 *
 * Parsing and running are here; the CLI (cli.c) prints usage errors and
 * chooses the exit status from the outcome (probe_exit_status).
 */
#ifndef GILLAB_PROBE_H
#define GILLAB_PROBE_H

#include <stddef.h>

/* An environment variable that names the probe library to preload instead
 * of the one next to the gillab binary (tests; a library built
 * elsewhere). */
#define PROBE_ENV_LIBRARY "GILLAB_PROBE_LIBRARY"
/* The grace between the stop signals (SIGINT, SIGTERM, SIGKILL). */
#define PROBE_GRACE_S 2.0

typedef struct {
  const char *outdir;    /* -o; NULL: results/probe-<timestamp> */
  double duration_s;     /* --duration; 0: until the command ends */
  double interval_s;     /* --interval: the library's interval, progress */
  const char *trace;     /* --trace FILE.json; NULL: no trace */
  unsigned trace_min_us; /* --trace-min-us */
  int quiet;             /* -q: no progress */
  char **argv;           /* the command and its arguments (borrowed) */
  int argc;
} probe_opts;

/* The usage text (`gillab probe --help`). */
extern const char probe_usage[];

/* Parses `probe`'s arguments (argv[0] is "probe") into o. Returns 0, 1 when
 * --help was asked for, or -EINVAL with err saying what was wrong. */
int probe_parse(probe_opts *o, int argc, char **argv, char *err, size_t errlen);

/* How the command ended. */
typedef struct {
  int ran;           /* 0: it could not be started (exec_errno says why) */
  int exec_errno;    /* execvp's errno when it could not */
  int status;        /* the wait status, when it ran */
  const char *why;   /* what stopped it: NULL (it ended by itself),
                        "duration", "SIGINT", "SIGTERM" or "SIGHUP" */
  int report_failed; /* the outputs after results.jsonl were not all
                        written (the message was printed) */
} probe_outcome;

/* gillab's exit status for an outcome: the command's exit code, 128 + the
 * signal that killed it, or 127 when it could not be run. */
int probe_exit_status(const probe_outcome *out);

/* Whether name would be run by execvp: a name with a '/' is a path to an
 * executable file; another is looked up in PATH. Returns 0, or -ENOENT
 * (no such command) or -EACCES (found, but not executable), so that the
 * CLI can answer as a shell would before anything is written. */
int probe_find_command(const char *name);

/* Runs the command of o and writes the results directory (its path into
 * outdir). command is gillab's own command line, for the metadata.
 * Returns 0 with *out filled once the command was started, or failed to
 * start after the directory was made (out->ran is 0); or a negative code
 * with err: -ENOENT when the probe library is missing, -EEXIST when the
 * output directory is refused, another on a failure to write. */
int probe_execute(const probe_opts *o, const char *command, char *outdir,
                  size_t outlen, probe_outcome *out, char *err, size_t errlen);

#endif
