/* runtime — finding runners and asking them about their runtime; see
 * runtime.h. */
#include "runtime.h"

#include "child.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RUNNER_PREFIX "gillab-runner-"

static int cmp_tag(const void *a, const void *b) {
  return strcmp((const char *)a, (const char *)b);
}

int runtime_list(char tags[][RUNTIME_TAG_MAX], int max) {
  char dir[PATH_MAX];
  if (util_self_dir(dir, sizeof dir) < 0)
    return 0;
  DIR *d = opendir(dir);
  if (!d)
    return 0;
  int n = 0;
  struct dirent *e;
  size_t plen = strlen(RUNNER_PREFIX);
  while ((e = readdir(d)) && n < max) {
    if (strncmp(e->d_name, RUNNER_PREFIX, plen) != 0 ||
        strlen(e->d_name + plen) >= RUNTIME_TAG_MAX || !e->d_name[plen])
      continue;
    char path[PATH_MAX + 256];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    if (access(path, X_OK) == 0)
      snprintf(tags[n++], RUNTIME_TAG_MAX, "%s", e->d_name + plen);
  }
  closedir(d);
  qsort(tags, (size_t)n, RUNTIME_TAG_MAX, cmp_tag);
  return n;
}

int runtime_runner_path(const char *tag, char *path, size_t len, char *err,
                        size_t errlen) {
  char dir[PATH_MAX];
  int rc = util_self_dir(dir, sizeof dir);
  if (rc < 0) {
    snprintf(err, errlen, "cannot find gillab's own directory: %s",
             strerror(-rc));
    return rc;
  }
  snprintf(path, len, "%s/" RUNNER_PREFIX "%s", dir, tag);
  if (access(path, X_OK) == 0)
    return 0;
  char tags[RUNTIME_MAX][RUNTIME_TAG_MAX], names[RUNTIME_MAX * 34] = "";
  int n = runtime_list(tags, RUNTIME_MAX);
  for (int i = 0; i < n; i++) {
    size_t used = strlen(names);
    snprintf(names + used, sizeof names - used, "%s%s", i ? ", " : "", tags[i]);
  }
  snprintf(err, errlen,
           "no runtime '%s' in this build (available: %s); build one with "
           "scripts/bootstrap",
           tag, n ? names : "none");
  return -ENOENT;
}

cJSON *runtime_info(const char *tag, char *err, size_t errlen) {
  char path[PATH_MAX];
  if (runtime_runner_path(tag, path, sizeof path, err, errlen) < 0)
    return NULL;
  char *argv[] = {path, "--info", "--result-fd", "3", NULL};
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
