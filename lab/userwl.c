/* userwl — users' own workloads in the orchestrator; see userwl.h. */
#include "userwl.h"

#include "cellspec.h"
#include "child.h"
#include "digest.h"
#include "runtime.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* How long the runner may take to import the file and say what it has. */
#define INSPECT_TIMEOUT_S 60

/* A row and the text it points to, in one allocation (free() frees it). */
typedef struct {
  wl_workload wl; /* first: the row is freed through it */
  char name[PATH_MAX + 256];
  char file[PATH_MAX];
  char func[256];
  char module[NAME_MAX + 1];
  char sha256[DIGEST_HEX_LEN];
  char twin[PATH_MAX];
  char summary[512];
  char note[2048];
  char inspected_on[RUNTIME_TAG_MAX];
} userwl_row;

/* path as an absolute path of an existing regular file in abs (PATH_MAX
 * bytes); what names it in messages. */
static int existing_file(const char *what, const char *path, char *abs,
                         char *err, size_t errlen) {
  struct stat st;
  if (stat(path, &st) < 0) {
    snprintf(err, errlen, "%s %s: %s (check the path)", what, path,
             strerror(errno));
    return -ENOENT;
  }
  if (!S_ISREG(st.st_mode)) {
    snprintf(err, errlen, "%s %s is not a file", what, path);
    return -EINVAL;
  }
  if (!realpath(path, abs)) {
    snprintf(err, errlen, "%s %s: %s", what, path, strerror(errno));
    return -ENOENT;
  }
  return 0;
}

/* What the runner of tag says the file offers (gillab_drive.inspect), as
 * a new object; NULL with err: the file's own error, named by the runner
 * (*own set), or why the runner could not tell. */
static cJSON *inspect(const char *tag, const userwl_row *r, int *own, char *err,
                      size_t errlen) {
  char runner[PATH_MAX], item[PATH_MAX + 300], fd[16];
  if (runtime_runner_path(tag, runner, sizeof runner, err, errlen) < 0)
    return NULL;
  snprintf(item, sizeof item, "%s:%s", r->file, r->func);
  snprintf(fd, sizeof fd, "%d", CHILD_RESULT_FD);
  char *argv[] = {runner,          "--inspect", item,
                  "--result-fd",   fd,          r->twin[0] ? "--twin" : NULL,
                  (char *)r->twin, NULL};
  child_outcome out;
  *own = 0;
  if (child_run(argv, INSPECT_TIMEOUT_S, NULL, &out, err, errlen) < 0)
    return NULL;
  cJSON *found = NULL;
  if (out.status == CHILD_OK) {
    found = out.result;
    out.result = NULL;
  } else if (out.status == CHILD_TIMEOUT) {
    snprintf(err, errlen,
             "%s: importing it took more than %d s in runtime %s's runner "
             "(does its top level wait for something?)",
             r->name, INSPECT_TIMEOUT_S, tag);
  } else if (cJSON_IsString(
                 cJSON_GetObjectItemCaseSensitive(out.result, "error"))) {
    snprintf(err, errlen, "%s", out.reason); /* the file's own error */
    *own = 1;
  } else {
    snprintf(err, errlen,
             "%s: runtime %s's runner could not inspect it: %s%s%s", r->name,
             tag, out.reason, out.tail[0] ? "\n" : "", out.tail);
  }
  child_outcome_clear(&out);
  return found;
}

static int is_true(const cJSON *o, const char *key) {
  return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, key));
}

/* The file's error as the user should read it: what is wrong, and what to
 * do about it. */
static void advise(const userwl_row *r, const char *tag, const char *found,
                   char *err, size_t errlen) {
  const char *todo = "fix the file";
  if (strstr(found, "defines no function"))
    todo = strcmp(r->func, "work") == 0
               ? "define work(worker, nworkers, units), or name the "
                 "function as FILE.py:func"
               : "check the function's name after the ':'";
  else if (strstr(found, "not a function"))
    todo = "it must be a function work(worker, nworkers, units)";
  else if (strstr(found, "already taken"))
    todo = "rename the file";
  else if (strstr(found, "--twin"))
    todo = "build the twin with the functions of workloads/gillab_twin.h";
  snprintf(err, errlen, "%s\n(runtime %s's runner read %s; %s)", found, tag,
           r->name, todo);
}

/* Fills r from what the runner found; 0, or -EINVAL with err. */
static int take_inspection(userwl_row *r, const char *tag, const cJSON *found,
                           double units, char *err, size_t errlen) {
  const cJSON *u = cJSON_GetObjectItemCaseSensitive(found, "units");
  const cJSON *doc = cJSON_GetObjectItemCaseSensitive(found, "summary");
  const cJSON *ie = cJSON_GetObjectItemCaseSensitive(found, "import_error");
  if (!is_true(found, "work")) {
    snprintf(err, errlen, "%s: no function %s() (runtime %s's runner)", r->name,
             r->func, tag);
    return -EINVAL;
  }
  if (units <= 0 && !cJSON_IsNumber(u)) {
    snprintf(err, errlen,
             "%s defines no UNITS: give --units N (the operations of one "
             "cell at --size 1, split between its workers), or define "
             "UNITS = N in the file",
             r->name);
    return -EINVAL;
  }
  double n = units > 0 ? units : u->valuedouble;
  if (n < 1 || n > (double)CELLSPEC_MAX_UNITS || n != floor(n)) {
    snprintf(err, errlen, "%s: units %g must be a whole number from 1 to 10^15",
             r->name, n);
    return -EINVAL;
  }
  r->wl.units_py = r->wl.units_native = (uint64_t)n;
  r->wl.flags = (is_true(found, "awork") ? WL_AWORK : 0) |
                (is_true(found, "setup") ? WL_SETUP : 0);
  if (cJSON_IsString(doc) && doc->valuestring[0])
    snprintf(r->summary, sizeof r->summary, "%s", doc->valuestring);
  else
    snprintf(r->summary, sizeof r->summary,
             "a user workload, %.100s() of %.380s", r->func, r->file);
  size_t len = strlen(r->summary);
  while (len && r->summary[len - 1] == '.') /* reports add their own */
    r->summary[--len] = '\0';
  if (cJSON_IsString(ie))
    snprintf(r->note, sizeof r->note,
             "%.500s cannot be imported on runtime %s, whose cells will fail "
             "with:\n%.1400s",
             r->name, tag, ie->valuestring);
  snprintf(r->inspected_on, sizeof r->inspected_on, "%s", tag);
  return 0;
}

int userwl_load(const char *item, const char *tag, double units,
                const char *twin, wl_workload **out, char *err, size_t errlen) {
  char path[PATH_MAX];
  *out = NULL;
  userwl_row *r = calloc(1, sizeof *r);
  if (!r) {
    snprintf(err, errlen, "out of memory");
    return -ENOMEM;
  }
  int rc = -EINVAL;
  snprintf(r->name, sizeof r->name, "%s", item);
  if (wl_split_file_item(item, path, sizeof path, r->func, sizeof r->func) <
      0) {
    snprintf(err, errlen, "%s: the path or the function's name is too long",
             item);
    goto fail;
  }
  if ((rc = existing_file("user workload", path, r->file, err, errlen)) < 0)
    goto fail;
  const char *base = strrchr(r->file, '/') + 1;
  size_t len = strlen(base);
  rc = -EINVAL;
  if (len < 4 || strcmp(base + len - 3, ".py") != 0) {
    snprintf(err, errlen,
             "user workload %s: not a .py file (it is imported as a Python "
             "module; rename it bench.py)",
             path);
    goto fail;
  }
  snprintf(r->module, sizeof r->module, "%.*s", (int)(len - 3), base);
  if (strchr(r->module, '.')) {
    snprintf(err, errlen,
             "user workload %s: Python would read the '.' in '%s' as a "
             "package; rename the file (e.g. %.*s_%s.py)",
             path, r->module, (int)(strchr(r->module, '.') - r->module),
             r->module, strchr(r->module, '.') + 1);
    goto fail;
  }
  if (twin && (rc = existing_file("--twin", twin, r->twin, err, errlen)) < 0)
    goto fail;
  if ((rc = digest_file(r->file, r->sha256, err, errlen)) < 0)
    goto fail;
  int own;
  cJSON *found = inspect(tag, r, &own, err, errlen);
  if (!found) {
    char sub[4096];
    snprintf(sub, sizeof sub, "%s", err);
    if (own)
      advise(r, tag, sub, err, errlen);
    rc = -EINVAL;
    goto fail;
  }
  rc = take_inspection(r, tag, found, units, err, errlen);
  cJSON_Delete(found);
  if (rc < 0)
    goto fail;
  r->wl.name = r->name;
  r->wl.summary = r->summary;
  r->wl.py_module = r->module;
  r->wl.models = wl_file_models(r->twin[0] != 0);
  r->wl.file = r->file;
  r->wl.func = r->func;
  r->wl.sha256 = r->sha256;
  r->wl.twin = r->twin[0] ? r->twin : NULL;
  *out = &r->wl;
  return 0;
fail:
  free(r);
  return rc;
}

const char *userwl_note(const wl_workload *wl) {
  const userwl_row *r = (const userwl_row *)wl;
  return wl->file && r->note[0] ? r->note : NULL;
}

const char *userwl_inspected_on(const wl_workload *wl) {
  return wl->file ? ((const userwl_row *)wl)->inspected_on : NULL;
}

const char *userwl_skip_reason(const wl_workload *wl, model_t m) {
  if (!wl->file)
    return NULL;
  if (!model_is_python(m) && !wl->twin)
    return "no C twin: give one with --twin";
  if (m == MODEL_ASYNCIO && !(wl->flags & WL_AWORK))
    return "no awork: the file defines no coroutine function awork(worker, "
           "nworkers, units), which asyncio needs (work() would block the "
           "event loop)";
  return NULL;
}
