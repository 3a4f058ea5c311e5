/* gillab-runner-<tag> — runs one cell in a fresh process, for one CPython.
 *
 * The orchestrator (gillab) starts one runner per cell:
 *   gillab-runner-3.11 --cell '<json>' --result-fd 3
 * (the JSON: core/cellspec.h) and reads one JSON object back from the result
 * fd: what cell_run measured, or {"error": "..."}. A crash or hang is seen by
 * the orchestrator, which records the cell as failed with the tail of this
 * process's stderr.
 *
 * `--info` prints the runtime's description (version, build, GIL) as JSON,
 * with the environment a cell gets with --site-packages and --venv DIR
 * (embed/python/gillab_env.py: the sys.path entries added and the
 * distributions installed there; or why the venv does not fit).
 *
 * `--toml FILE` prints an experiment file read with this runtime's tomllib
 * (python/gillab_experiment.py: the document, where each key is, the
 * file's SHA-256, or why it is not valid), for the orchestrator, which has
 * no TOML parser (lab/experiment.h).
 *
 * `--inspect FILE[:func] [--twin SO]` says what a user workload's file
 * offers (gillab_drive.inspect: its work function, awork, setup, UNITS, or
 * why it cannot run) and, with --twin, whether the shared object has the C
 * twin's functions (twin.h), as JSON with "error" set when it cannot run:
 * `gillab run` asks the default runtime's runner before any cell runs.
 *
 * A Python command line (argv[1] a single-dash option) makes the runner act
 * as python itself: multiprocessing's spawn and forkserver children and its
 * resource tracker are started that way, since PyConfig.executable is this
 * binary. That check comes before anything else in main.
 */
#include "cell.h"
#include "cellspec.h"
#include "py.h"
#include "twin.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

static void usage(FILE *f) {
  fprintf(
      f, "usage: gillab-runner-" GILLAB_RUNTIME_TAG
         " --cell JSON [--result-fd FD]\n"
         "       gillab-runner-" GILLAB_RUNTIME_TAG
         " --info [--site-packages] [--venv DIR] [--result-fd FD]\n"
         "       gillab-runner-" GILLAB_RUNTIME_TAG
         " --toml FILE [--result-fd FD]\n"
         "       gillab-runner-" GILLAB_RUNTIME_TAG
         " --inspect FILE.py[:func] [--twin SO] [--result-fd FD]\n"
         "       gillab-runner-" GILLAB_RUNTIME_TAG " -c CODE | -m MODULE ...\n"
         "\n"
         "Runs one gillab cell in this process (started by `gillab run`),\n"
         "describes its CPython runtime (--info), reads an experiment file\n"
         "(--toml), says what a user workload's file offers (--inspect), or\n"
         "acts as that runtime's python command line (as multiprocessing's\n"
         "children need).\n");
}

/* Writes the whole of text to fd, then a newline. */
static int write_all(int fd, const char *text) {
  size_t len = strlen(text), off = 0;
  while (off < len) {
    ssize_t n = write(fd, text + off, len - off);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return -errno;
    off += (size_t)n;
  }
  return write(fd, "\n", 1) == 1 ? 0 : -errno;
}

static int emit(int fd, cJSON *obj) {
  char *text = cJSON_PrintUnformatted(obj);
  int rc = text ? write_all(fd, text) : -ENOMEM;
  cJSON_free(text);
  return rc;
}

static int emit_error(int fd, const char *msg) {
  cJSON *obj = cJSON_CreateObject();
  cJSON_AddStringToObject(obj, "error", msg);
  emit(fd, obj);
  cJSON_Delete(obj);
  fprintf(stderr, "gillab-runner: %s\n", msg);
  return 1;
}

static int do_info(int fd, int site_packages, const char *venv) {
  char err[2048];
  cJSON *info = NULL, *env = NULL, *args = cJSON_CreateObject();
  cJSON_AddBoolToObject(args, "site_packages", site_packages);
  if (venv)
    cJSON_AddStringToObject(args, "venv", venv);
  /* The runtime first, bare (sys.prefix its own), then its environment. */
  int rc = py_start(GILLAB_WORKLOADS_DIR, -1, err, sizeof err);
  if (rc == 0)
    rc = py_call_json("gillab_drive", "runtime_info", NULL, &info, err,
                      sizeof err);
  if (rc == 0)
    rc = py_call_json("gillab_env", "describe", args, &env, err, sizeof err);
  cJSON_Delete(args);
  if (rc < 0) {
    cJSON_Delete(info);
    return emit_error(fd, err);
  }
  cJSON_AddItemToObject(info, "environment", env);
  char self[4096];
  cJSON_AddStringToObject(info, "tag", GILLAB_RUNTIME_TAG);
  cJSON_AddStringToObject(info, "compiled_against", py_compiled_version());
  if (util_self_exe(self, sizeof self) == 0)
    cJSON_AddStringToObject(info, "runner", self);
  rc = emit(fd, info) < 0;
  cJSON_Delete(info);
  if (py_finish(err, sizeof err) < 0)
    rc = 1;
  return rc;
}

/* --toml FILE: the experiment file as python/gillab_experiment.py reads
 * it. A file that is not valid TOML is an answer ({"invalid": ...}), not a
 * failure of the runner. */
static int do_toml(int fd, const char *path) {
  char err[2048];
  cJSON *args = cJSON_CreateObject(), *out = NULL;
  cJSON_AddStringToObject(args, "path", path);
  int rc = py_start(GILLAB_WORKLOADS_DIR, -1, err, sizeof err) < 0 ||
           py_call_json("gillab_experiment", "load", args, &out, err,
                        sizeof err) < 0;
  cJSON_Delete(args);
  if (rc)
    return emit_error(fd, err);
  rc = emit(fd, out) < 0;
  cJSON_Delete(out);
  if (py_finish(err, sizeof err) < 0)
    rc = 1;
  return rc;
}

/* --inspect: what the user workload item (FILE or FILE:func) offers, and
 * the twin's functions when twin is not NULL. The result has "error" (a
 * string) when the workload cannot run. */
static int do_inspect(int fd, const char *item, const char *twin) {
  char err[4096], file[PATH_MAX], func[256];
  cJSON *found = NULL;
  if (wl_split_file_item(item, file, sizeof file, func, sizeof func) < 0) {
    snprintf(err, sizeof err, "%s: the path or function name is too long",
             item);
    return emit_error(fd, err);
  }
  cJSON *args = cJSON_CreateObject();
  cJSON_AddStringToObject(args, "file", file);
  cJSON_AddStringToObject(args, "func", func);
  int rc = py_start(GILLAB_WORKLOADS_DIR, -1, err, sizeof err) < 0 ||
           py_call_json("gillab_drive", "inspect", args, &found, err,
                        sizeof err) < 0;
  cJSON_Delete(args);
  if (rc)
    return emit_error(fd, err);
  if (twin) {
    cJSON *t = twin_inspect(twin);
    const cJSON *terr = cJSON_GetObjectItemCaseSensitive(t, "error");
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(found, "error");
    if (cJSON_IsString(terr) && !cJSON_IsString(e)) {
      snprintf(err, sizeof err, "--twin %s: %s", twin, terr->valuestring);
      cJSON_ReplaceItemInObject(found, "error", cJSON_CreateString(err));
    }
    cJSON_AddItemToObject(found, "twin", t);
  }
  rc = emit(fd, found) < 0;
  cJSON_Delete(found);
  /* The user's module may have left threads or state behind: this process
   * ends here, without finalizing the interpreter under them. */
  fflush(NULL);
  _exit(rc);
}

/* In a process gillab started (lab/child.c sets GILLAB_DIE_WITH_PARENT)
 * and in each it forks: SIGKILL when the parent dies, so that no worker of
 * a cell outlives its runner, nor the runner gillab, however it died.
 * Spawned workers (multiprocessing spawn, forkserver) run this main and
 * inherit the variable; forked ones get it from the pthread_atfork child
 * handler. A runner started by hand, as Python, is left alone. */
static void die_with_parent(void) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
}

int main(int argc, char **argv) {
  uint64_t started_ns = util_now_ns();
  if (getenv("GILLAB_DIE_WITH_PARENT")) {
    die_with_parent();
    if (getppid() == 1) /* the parent died before the line above */
      _exit(126);
    pthread_atfork(NULL, NULL, die_with_parent);
  }
  if (py_is_python_argv(argc, argv))
    return py_main(argc, argv);

  static const struct option opts[] = {
      {"cell", required_argument, NULL, 'c'},
      {"result-fd", required_argument, NULL, 'f'},
      {"info", no_argument, NULL, 'i'},
      {"site-packages", no_argument, NULL, 's'},
      {"venv", required_argument, NULL, 'v'},
      {"toml", required_argument, NULL, 't'},
      {"inspect", required_argument, NULL, 'I'},
      {"twin", required_argument, NULL, 'T'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  const char *cell_text = NULL, *venv = NULL, *toml = NULL, *inspect = NULL,
             *twin = NULL;
  int fd = STDOUT_FILENO, info = 0, site_packages = 0, c;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (c) {
    case 'c':
      cell_text = optarg;
      break;
    case 'f':
      fd = atoi(optarg);
      break;
    case 'i':
      info = 1;
      break;
    case 's':
      site_packages = 1;
      break;
    case 'v':
      venv = optarg;
      break;
    case 't':
      toml = optarg;
      break;
    case 'I':
      inspect = optarg;
      break;
    case 'T':
      twin = optarg;
      break;
    case 'h':
      usage(stdout);
      return 0;
    default:
      usage(stderr);
      return 2;
    }
  }
  if (info)
    return do_info(fd, site_packages || venv, venv);
  if (toml)
    return do_toml(fd, toml);
  if (inspect)
    return do_inspect(fd, inspect, twin);
  if (!cell_text) {
    usage(stderr);
    return 2;
  }

  char err[4096];
  cellspec *spec;
  cJSON *result = NULL;
  if (cellspec_parse(cell_text, &spec, err, sizeof err) < 0)
    return emit_error(fd, err);
  int rc = cell_run(spec, started_ns, &result, err, sizeof err);
  cellspec_free(spec);
  if (rc < 0)
    return emit_error(fd, err);
  rc = emit(fd, result);
  cJSON_Delete(result);
  return rc < 0 ? 1 : 0;
}
