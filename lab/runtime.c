/* runtime — finding runners and asking them about their runtime; see
 * runtime.h. */
#include "runtime.h"

#include "child.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RUNNER_PREFIX "gillab-runner-"

/* The runtimes are the ones this build was configured with (GILLAB_RUNTIMES,
 * from CMake), not whatever runners lie in the directory: a runner left over
 * from an earlier configuration is not offered. */
int runtime_list(char tags[][RUNTIME_TAG_MAX], int max) {
  char buf[RUNTIME_MAX * RUNTIME_TAG_MAX], *items[RUNTIME_MAX];
  int n = util_split(GILLAB_RUNTIMES, buf, sizeof buf, items, RUNTIME_MAX);
  int count = 0;
  for (int i = 0; i < n && count < max; i++)
    snprintf(tags[count++], RUNTIME_TAG_MAX, "%s", items[i]);
  return count;
}

int runtime_known(const char *tag, char *err, size_t errlen) {
  char tags[RUNTIME_MAX][RUNTIME_TAG_MAX], names[RUNTIME_MAX * 34] = "";
  int n = runtime_list(tags, RUNTIME_MAX), found = 0;
  for (int i = 0; i < n; i++) {
    size_t used = strlen(names);
    snprintf(names + used, sizeof names - used, "%s%s", i ? ", " : "", tags[i]);
    found |= strcmp(tags[i], tag) == 0;
  }
  if (!found) {
    snprintf(err, errlen,
             "no runtime '%s' in this build (available: %s); add one with "
             "scripts/bootstrap --pythons (see README)",
             tag, n ? names : "none");
    return -ENOENT;
  }
  return 0;
}

int runtime_runner_path(const char *tag, char *path, size_t len, char *err,
                        size_t errlen) {
  int rc = runtime_known(tag, err, errlen);
  if (rc < 0)
    return rc;
  char dir[PATH_MAX];
  rc = util_self_dir(dir, sizeof dir);
  if (rc < 0) {
    snprintf(err, errlen, "cannot find gillab's own directory: %s",
             strerror(-rc));
    return rc;
  }
  snprintf(path, len, "%s/" RUNNER_PREFIX "%s", dir, tag);
  if (access(path, X_OK) == 0)
    return 0;
  snprintf(err, errlen,
           "the runner of runtime %s, %s, is missing; rebuild with "
           "scripts/bootstrap",
           tag, path);
  return -ENOENT;
}

cJSON *runtime_info(const char *tag, char *err, size_t errlen) {
  return runtime_info_env(tag, 0, NULL, err, errlen);
}

cJSON *runtime_info_env(const char *tag, int site_packages, const char *venv,
                        char *err, size_t errlen) {
  char path[PATH_MAX];
  if (runtime_runner_path(tag, path, sizeof path, err, errlen) < 0)
    return NULL;
  char *argv[8] = {path, "--info", "--result-fd", "3"}, **arg = argv + 4;
  if (site_packages)
    *arg++ = "--site-packages";
  if (venv) {
    *arg++ = "--venv";
    *arg++ = (char *)venv;
  }
  child_outcome out;
  if (child_run(argv, 60, NULL, &out, err, errlen) < 0)
    return NULL;
  cJSON *info = NULL;
  if (out.status == CHILD_OK) {
    info = out.result;
    out.result = NULL;
  } else {
    snprintf(err, errlen, "runtime %s: `%s --info` failed: %s%s%s", tag, path,
             out.reason, out.tail[0] ? "\n" : "", out.tail);
  }
  child_outcome_clear(&out);
  return info;
}
