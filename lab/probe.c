/* probe — see probe.h.
 *
 * Notes about the implementation: gillab stays single-threaded while the
 * command runs, so the child may call setenv between fork and exec (only
 * the child's environment changes: gnuplot, started later for the
 * reports, must not get the probe library). The signal handlers only note
 * the signal; the loop, which polls the command every 10 ms, passes it on
 * and runs the stop sequence, so no work is done in a handler.
 */
#include "probe.h"

#include "machine.h"
#include "meta.h"
#include "outfile.h"
#include "place.h"
#include "probe_store.h"
#include "probefile.h"
#include "report.h"
#include "util.h"

#include "gitrev.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

const char probe_usage[] =
    "usage: gillab probe [options] -- COMMAND [ARGS...]\n"
    "\n"
    "Runs COMMAND, unmodified, with the probe library (" PROBEFILE_LIBRARY ")\n"
    "preloaded into every process it starts, and reports how each Python\n"
    "process of the tree spent its threads' time: GIL waits and hand-offs,\n"
    "parks, GC pauses, on-CPU, run-queue and blocked time, over time.\n"
    "Processes that are not CPython, or whose GIL the library could not\n"
    "verify, are listed as unprobed, with no GIL figure.\n"
    "  -o DIR            the results directory (default\n"
    "                    results/probe-<timestamp>); an existing one must be\n"
    "                    empty or a previous probe directory, whose outputs\n"
    "                    are replaced\n"
    "  --duration S      stop the command after S seconds: SIGINT to its\n"
    "                    process group, SIGTERM 2 s later, SIGKILL 2 s after\n"
    "  --interval S      how often each process writes its figures, and\n"
    "                    progress is shown (default 1)\n"
    "  --trace FILE      also record events (GIL waits and holds, parks,\n"
    "                    GC, drop requests) and write them to FILE in the\n"
    "                    Chrome Trace Event format (chrome://tracing,\n"
    "                    ui.perfetto.dev); DIR/trace.json is the same\n"
    "  --trace-min-us N  leave out waits, holds and parks shorter than N us\n"
    "                    (default 100)\n"
    "  -q, --quiet       no progress on stderr\n"
    "  -h, --help        this help\n"
    "\n"
    "Writes DIR/procs/ (one file per process), DIR/results.jsonl, and from\n"
    "it DIR/summary.md, results.csv and report.html (`gillab report DIR`\n"
    "remakes them). Exits with the command's status: its exit code, or\n"
    "128 + the signal that killed it; 127 when it cannot be run, 2 on a\n"
    "usage error.\n"
    "Environment: " PROBE_ENV_LIBRARY "=PATH preloads that library instead of\n"
    "the one next to the gillab binary.\n";

int probe_parse(probe_opts *o, int argc, char **argv, char *err,
                size_t errlen) {
  static const struct option opts[] = {
      {"output", required_argument, NULL, 'o'},
      {"duration", required_argument, NULL, 'D'},
      {"interval", required_argument, NULL, 'I'},
      {"trace", required_argument, NULL, 'T'},
      {"trace-min-us", required_argument, NULL, 'M'},
      {"quiet", no_argument, NULL, 'q'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  *o = (probe_opts){.interval_s = 1, .trace_min_us = 100};
  int c;
  char *end;
  optind = 0;
  opterr = 0;
  /* '+': options end at the command's name, so that its own options are
   * not taken for gillab's even without "--". */
  while ((c = getopt_long(argc, argv, "+:o:qh", opts, NULL)) != -1) {
    switch (c) {
    case 'o':
      o->outdir = optarg;
      break;
    case 'D':
      o->duration_s = strtod(optarg, &end);
      if (*end || !(o->duration_s > 0 && o->duration_s < 1e7)) {
        snprintf(err, errlen, "--duration needs seconds above 0, e.g. 30");
        return -EINVAL;
      }
      break;
    case 'I':
      o->interval_s = strtod(optarg, &end);
      if (*end || !(o->interval_s >= 0.01 && o->interval_s <= 3600)) {
        snprintf(err, errlen,
                 "--interval needs seconds from 0.01 to 3600, e.g. 0.5");
        return -EINVAL;
      }
      break;
    case 'T':
      o->trace = optarg;
      break;
    case 'M': {
      unsigned long v = strtoul(optarg, &end, 10);
      if (*end || !optarg[0] || optarg[0] == '-' || v > 10000000) {
        snprintf(err, errlen,
                 "--trace-min-us needs microseconds from 0 to 10000000");
        return -EINVAL;
      }
      o->trace_min_us = (unsigned)v;
      break;
    }
    case 'q':
      o->quiet = 1;
      break;
    case 'h':
      return 1;
    case ':':
      snprintf(err, errlen, "%s needs a value", argv[optind - 1]);
      return -EINVAL;
    default:
      snprintf(err, errlen, "unknown option %s", argv[optind - 1]);
      return -EINVAL;
    }
  }
  if (optind >= argc) {
    snprintf(err, errlen,
             "give the command to run after --, e.g. gillab probe -- "
             "python3 app.py");
    return -EINVAL;
  }
  o->argv = argv + optind;
  o->argc = argc - optind;
  return 0;
}

int probe_exit_status(const probe_outcome *out) {
  if (!out->ran)
    return 127;
  if (WIFEXITED(out->status))
    return WEXITSTATUS(out->status);
  if (WIFSIGNALED(out->status))
    return 128 + WTERMSIG(out->status);
  return 1;
}

int probe_find_command(const char *name) {
  if (strchr(name, '/')) {
    struct stat st;
    if (stat(name, &st) < 0)
      return -ENOENT;
    return S_ISREG(st.st_mode) && access(name, X_OK) == 0 ? 0 : -EACCES;
  }
  const char *path = getenv("PATH");
  /* execvp's default search path when PATH is unset. */
  char buf[8192];
  snprintf(buf, sizeof buf, "%s", path ? path : "/bin:/usr/bin");
  int found = -ENOENT;
  char *save = NULL;
  for (char *dir = strtok_r(buf, ":", &save); dir;
       dir = strtok_r(NULL, ":", &save)) {
    char full[PATH_MAX];
    struct stat st;
    snprintf(full, sizeof full, "%s/%s", dir[0] ? dir : ".", name);
    if (stat(full, &st) < 0 || !S_ISREG(st.st_mode))
      continue;
    if (access(full, X_OK) == 0)
      return 0;
    found = -EACCES;
  }
  return found;
}

/* The probe library's absolute path into lib: $GILLAB_PROBE_LIBRARY, or
 * PROBEFILE_LIBRARY next to the gillab binary. -ENOENT with err when it
 * is missing; -EINVAL when its path cannot go into LD_PRELOAD, whose
 * items are separated by spaces and colons. */
static int find_library(char *lib, size_t len, char *err, size_t errlen) {
  char want[PATH_MAX + 32];
  const char *env = getenv(PROBE_ENV_LIBRARY);
  if (env && env[0]) {
    snprintf(want, sizeof want, "%s", env);
  } else {
    char dir[PATH_MAX];
    int rc = util_self_dir(dir, sizeof dir);
    if (rc < 0) {
      snprintf(err, errlen, "cannot find gillab's own directory: %s",
               strerror(-rc));
      return rc;
    }
    snprintf(want, sizeof want, "%s/" PROBEFILE_LIBRARY, dir);
  }
  char real[PATH_MAX];
  if (!realpath(want, real) || access(real, R_OK) != 0) {
    snprintf(err, errlen,
             "the probe library %s is missing%s; build it (cmake --build "
             "makes it from embed/preload.c) or set " PROBE_ENV_LIBRARY
             " to one",
             want, env && env[0] ? " (from " PROBE_ENV_LIBRARY ")" : "");
    return -ENOENT;
  }
  if (strpbrk(real, " :\t\n")) {
    snprintf(err, errlen,
             "the probe library's path %s holds a space or a colon, which "
             "LD_PRELOAD cannot carry; move gillab's build to another "
             "directory",
             real);
    return -EINVAL;
  }
  snprintf(lib, len, "%s", real);
  return 0;
}

static volatile sig_atomic_t got_signal;

static void on_signal(int sig) {
  got_signal = sig;
}

static const char *signal_name(int sig) {
  switch (sig) {
  case SIGINT:
    return "SIGINT";
  case SIGTERM:
    return "SIGTERM";
  case SIGHUP:
    return "SIGHUP";
  case SIGKILL:
    return "SIGKILL";
  default:
    return NULL;
  }
}

/* In the child: the environment of the probe, then the command. Writes
 * execvp's errno to fd when it fails. Never returns. */
static void exec_command(const probe_opts *o, const char *lib,
                         const char *procs, int fd) {
  char buf[PATH_MAX * 4];
  const char *old = getenv("LD_PRELOAD");
  /* The library first, the user's own preloads kept after it. */
  snprintf(buf, sizeof buf, "%s%s%s", lib, old && old[0] ? ":" : "",
           old ? old : "");
  setenv("LD_PRELOAD", buf, 1);
  setenv(PROBEFILE_ENV_DIR, procs, 1);
  snprintf(buf, sizeof buf, "%.0f", o->interval_s * 1000);
  setenv(PROBEFILE_ENV_INTERVAL_MS, buf, 1);
  if (o->trace) {
    setenv(PROBEFILE_ENV_TRACE, "1", 1);
    snprintf(buf, sizeof buf, "%u", o->trace_min_us);
    setenv(PROBEFILE_ENV_TRACE_MIN_US, buf, 1);
  } else {
    unsetenv(PROBEFILE_ENV_TRACE);
    unsetenv(PROBEFILE_ENV_TRACE_MIN_US);
  }
  setpgid(0, 0);
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  signal(SIGHUP, SIG_DFL);
  execvp(o->argv[0], o->argv);
  int e = errno;
  if (write(fd, &e, sizeof e) < 0) {
    /* Nothing to do: the parent sees the exit status. */
  }
  _exit(127);
}

/* The processes seen so far (files in procs) and how many are Python
 * (their first line says so). */
static void count_procs(const char *procs, unsigned *seen, unsigned *python) {
  *seen = *python = 0;
  DIR *d = opendir(procs);
  if (!d)
    return;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (strncmp(e->d_name, "proc-", 5) != 0)
      continue;
    (*seen)++;
    char path[PATH_MAX * 2], line[512];
    snprintf(path, sizeof path, "%s/%s", procs, e->d_name);
    FILE *f = fopen(path, "r");
    if (f && fgets(line, sizeof line, f) && strstr(line, "\"python\":true"))
      (*python)++;
    if (f)
      fclose(f);
  }
  closedir(d);
}

static double seconds_since(uint64_t t0) {
  return (double)(util_now_ns() - t0) / 1e9;
}

/* Waits for the command (the leader of process group pid), passing
 * signals on, stopping it at --duration, and showing progress. */
static void supervise(const probe_opts *o, pid_t pid, const char *procs,
                      uint64_t t0, probe_outcome *out) {
  double stop_at = -1; /* when the stop sequence started; -1: not yet */
  int stage = 0, warned_tty = 0;
  double next_progress = o->interval_s;
  for (;;) {
    int status;
    pid_t r = waitpid(pid, &status, WNOHANG | WUNTRACED);
    if (r == pid && WIFSTOPPED(status)) {
      if (!warned_tty &&
          (WSTOPSIG(status) == SIGTTIN || WSTOPSIG(status) == SIGTTOU)) {
        fprintf(stderr,
                "gillab probe: the command stopped to use the terminal, "
                "which its process group may not; give it its input by "
                "redirection (< FILE), or stop it with Ctrl-C\n");
        warned_tty = 1;
      }
    } else if (r == pid || (r < 0 && errno == ECHILD)) {
      out->status = r == pid ? status : 0;
      return;
    }
    double now = seconds_since(t0);
    int sig = got_signal;
    if (sig) {
      got_signal = 0;
      kill(-pid, sig);
      if (stop_at < 0) {
        out->why = signal_name(sig);
        stop_at = now;
        stage = 1;
      }
    }
    if (o->duration_s > 0 && stop_at < 0 && now >= o->duration_s) {
      if (!o->quiet)
        fprintf(stderr,
                "gillab probe: %.3g s (--duration): stopping the command "
                "(SIGINT, then SIGTERM and SIGKILL %.0f s apart)\n",
                o->duration_s, PROBE_GRACE_S);
      kill(-pid, SIGINT);
      out->why = "duration";
      stop_at = now;
      stage = 1;
    }
    if (stop_at >= 0 && stage < 3 && now >= stop_at + stage * PROBE_GRACE_S) {
      int next = stage == 1 ? SIGTERM : SIGKILL;
      if (!o->quiet)
        fprintf(stderr, "gillab probe: still running after %.0f s: %s\n",
                stage * PROBE_GRACE_S, signal_name(next));
      kill(-pid, next);
      stage++;
    }
    if (!o->quiet && now >= next_progress) {
      unsigned seen, python;
      count_procs(procs, &seen, &python);
      fprintf(stderr, "gillab probe: %.1f s, %u process%s seen (%u Python)\n",
              now, seen, seen == 1 ? "" : "es", python);
      while (next_progress <= now)
        next_progress += o->interval_s;
    }
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
}

/* The metadata record of a probe (probe_store.h). */
static cJSON *build_meta(const probe_opts *o, const char *command,
                         const char *lib, const char *outdir,
                         const char *started, uint64_t t0, uint64_t t1,
                         const probe_outcome *out) {
  cJSON *m = cJSON_CreateObject();
  char buf[64];
  cJSON_AddStringToObject(m, "type", "meta");
  cJSON_AddStringToObject(m, "kind", "probe");
  cJSON_AddStringToObject(m, "started", started);
  meta_timestamp(buf, sizeof buf, 0);
  cJSON_AddStringToObject(m, "ended", buf);
  cJSON_AddStringToObject(m, "command", command);
  cJSON *argv = cJSON_AddArrayToObject(m, "argv");
  for (int i = 0; i < o->argc; i++)
    cJSON_AddItemToArray(argv, cJSON_CreateString(o->argv[i]));
  cJSON_AddNumberToObject(m, "start_ns", (double)t0);
  cJSON_AddNumberToObject(m, "end_ns", (double)t1);
  cJSON_AddNumberToObject(m, "elapsed_s", (double)(t1 - t0) / 1e9);
  cJSON *opt = cJSON_AddObjectToObject(m, "options");
  cJSON_AddStringToObject(opt, "outdir", outdir);
  cJSON_AddNumberToObject(opt, "interval_s", o->interval_s);
  if (o->duration_s > 0)
    cJSON_AddNumberToObject(opt, "duration_s", o->duration_s);
  else
    cJSON_AddNullToObject(opt, "duration_s");
  if (o->trace)
    cJSON_AddStringToObject(opt, "trace", o->trace);
  else
    cJSON_AddNullToObject(opt, "trace");
  cJSON_AddNumberToObject(opt, "trace_min_us", o->trace_min_us);
  cJSON_AddStringToObject(m, "library", lib);

  cJSON *ex = cJSON_AddObjectToObject(m, "exit");
  cJSON_AddBoolToObject(ex, "ran", out->ran);
  if (!out->ran)
    cJSON_AddStringToObject(ex, "error", strerror(out->exec_errno));
  else
    cJSON_AddNullToObject(ex, "error");
  if (out->ran && WIFEXITED(out->status))
    cJSON_AddNumberToObject(ex, "code", WEXITSTATUS(out->status));
  else
    cJSON_AddNullToObject(ex, "code");
  if (out->ran && WIFSIGNALED(out->status)) {
    int sig = WTERMSIG(out->status);
    cJSON_AddNumberToObject(ex, "signal", sig);
    snprintf(buf, sizeof buf, "SIG%s",
             sigabbrev_np(sig) ? sigabbrev_np(sig) : "?");
    cJSON_AddStringToObject(ex, "signal_name", buf);
  } else {
    cJSON_AddNullToObject(ex, "signal");
    cJSON_AddNullToObject(ex, "signal_name");
  }
  cJSON_AddNumberToObject(ex, "status", probe_exit_status(out));
  if (out->why)
    cJSON_AddStringToObject(m, "stopped_by", out->why);
  else
    cJSON_AddNullToObject(m, "stopped_by");

  cJSON *g = cJSON_AddObjectToObject(m, "gillab");
  cJSON_AddStringToObject(g, "version", GILLAB_VERSION);
  cJSON_AddStringToObject(g, "git", GILLAB_GIT_REV);
  place_topo *topo;
  char err[256];
  if (place_topo_open(&topo, NULL, err, sizeof err) == 0) {
    cJSON_AddItemToObject(m, "machine", machine_describe(topo));
    place_topo_close(topo);
  }
  return m;
}

/* Copies the file from to the path to (the --trace file). */
static int copy_file(const char *from, const char *to, char *err,
                     size_t errlen) {
  FILE *in = fopen(from, "r");
  if (!in) {
    int e = errno;
    snprintf(err, errlen, "cannot read %s: %s", from, strerror(e));
    return -e;
  }
  outfile o;
  int rc = outfile_open(&o, to, err, errlen);
  char chunk[65536];
  size_t got;
  while (rc == 0 && (got = fread(chunk, 1, sizeof chunk, in)) > 0)
    fwrite(chunk, 1, got, o.f);
  fclose(in);
  return rc == 0 ? outfile_commit(&o, err, errlen) : rc;
}

/* After the command: results.jsonl, the reports, the --trace file. A
 * report that cannot be written is said, and the command's status kept. */
static int write_outputs(const probe_opts *o, const char *outdir, cJSON *meta,
                         probe_outcome *out, char *err, size_t errlen) {
  int rc = probe_store_merge(outdir, meta, err, errlen);
  if (rc < 0)
    return rc;
  const cJSON *skipped = cJSON_GetObjectItemCaseSensitive(
      cJSON_GetObjectItemCaseSensitive(meta, "procs"), "skipped");
  int nskipped = cJSON_GetArraySize(skipped);
  if (nskipped)
    fprintf(stderr,
            "gillab probe: %d line%s of the process files left out (a "
            "process killed while writing its last line); see "
            "results.jsonl's \"procs\"\n",
            nskipped, nskipped == 1 ? "" : "s");
  char sub[PATH_MAX * 3];
  if (report_write(outdir, NULL, sub, sizeof sub) < 0) {
    fprintf(stderr, "gillab probe: %s\n", sub);
    out->report_failed = 1;
  }
  if (o->trace) {
    char path[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/trace.json", outdir);
    if (copy_file(path, o->trace, sub, sizeof sub) < 0) {
      fprintf(stderr, "gillab probe: --trace: %s\n", sub);
      out->report_failed = 1;
    }
  }
  return 0;
}

int probe_execute(const probe_opts *o, const char *command, char *outdir,
                  size_t outlen, probe_outcome *out, char *err, size_t errlen) {
  char lib[PATH_MAX], procs[PATH_MAX + 16], started[64];
  *out = (probe_outcome){0};
  int rc = find_library(lib, sizeof lib, err, errlen);
  if (rc < 0)
    return rc;
  if (o->outdir) {
    snprintf(outdir, outlen, "%s", o->outdir);
  } else {
    char stamp[64];
    meta_timestamp(stamp, sizeof stamp, 1);
    snprintf(outdir, outlen, "results/probe-%s", stamp);
  }
  rc = probe_store_prepare(outdir, procs, sizeof procs, err, errlen);
  if (rc < 0)
    return rc;

  int fds[2];
  if (pipe2(fds, O_CLOEXEC) < 0) {
    rc = -errno;
    snprintf(err, errlen, "cannot start the command: %s", strerror(-rc));
    return rc;
  }
  struct sigaction sa = {.sa_handler = on_signal}, old[3];
  static const int sigs[3] = {SIGINT, SIGTERM, SIGHUP};
  sigemptyset(&sa.sa_mask);
  got_signal = 0;
  for (int i = 0; i < 3; i++)
    sigaction(sigs[i], &sa, &old[i]);
  meta_timestamp(started, sizeof started, 0);
  fflush(NULL);
  uint64_t t0 = util_now_ns();
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    exec_command(o, lib, procs, fds[1]);
  }
  close(fds[1]);
  if (pid < 0) {
    rc = -errno;
    snprintf(err, errlen, "cannot start the command: %s", strerror(-rc));
    close(fds[0]);
    for (int i = 0; i < 3; i++)
      sigaction(sigs[i], &old[i], NULL);
    return rc;
  }
  /* Both sides set the group, so that a signal sent right after fork
   * reaches it whichever runs first. */
  setpgid(pid, pid);
  int e = 0;
  ssize_t got;
  while ((got = read(fds[0], &e, sizeof e)) < 0 && errno == EINTR)
    ;
  close(fds[0]);
  out->ran = got != (ssize_t)sizeof e;
  out->exec_errno = out->ran ? 0 : e;
  if (out->ran && !o->quiet)
    fprintf(stderr, "gillab probe: running %s (pid %d), writing into %s\n",
            o->argv[0], (int)pid, outdir);
  if (out->ran) {
    supervise(o, pid, procs, t0, out);
  } else {
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
      ;
  }
  uint64_t t1 = util_now_ns();
  for (int i = 0; i < 3; i++)
    sigaction(sigs[i], &old[i], NULL);
  /* Processes of the group may outlive its leader (daemons, background
   * jobs): their files are read as they are now. */
  if (out->ran && kill(-pid, 0) == 0 && !o->quiet)
    fprintf(stderr, "gillab probe: processes of the command's group still run; "
                    "their files are read as they are now\n");

  cJSON *meta = build_meta(o, command, lib, outdir, started, t0, t1, out);
  rc = write_outputs(o, outdir, meta, out, err, errlen);
  cJSON_Delete(meta);
  return rc;
}
