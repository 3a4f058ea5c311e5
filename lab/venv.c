/* venv — see venv.h. */
#include "venv.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* dir made absolute (symbolic links resolved) and kept in v->text; NULL
 * with err when it is not a directory or there is no room. */
static const char *keep_dir(venv_list *v, size_t *used, const char *dir,
                            char *err, size_t errlen) {
  char abs[PATH_MAX];
  struct stat st;
  if (!realpath(dir, abs) || stat(abs, &st) < 0) {
    snprintf(err, errlen, "--venv: %s: %s", dir, strerror(errno));
    return NULL;
  }
  if (!S_ISDIR(st.st_mode)) {
    snprintf(err, errlen, "--venv: %s is not a directory", dir);
    return NULL;
  }
  size_t len = strlen(abs) + 1;
  if (*used + len > sizeof v->text) {
    snprintf(err, errlen, "--venv: the directories are too long together");
    return NULL;
  }
  char *kept = memcpy(v->text + *used, abs, len);
  *used += len;
  return kept;
}

static int in_run(const char *tag, char tags[][RUNTIME_TAG_MAX], size_t ntags) {
  for (size_t i = 0; i < ntags; i++)
    if (strcmp(tags[i], tag) == 0)
      return 1;
  return 0;
}

int venv_parse(venv_list *v, const char *arg, char tags[][RUNTIME_TAG_MAX],
               size_t ntags, char *err, size_t errlen) {
  memset(v, 0, sizeof *v);
  if (!arg)
    return 0;
  size_t used = 0;
  const char *eq = strchr(arg, '=');
  if (!eq || memchr(arg, '/', (size_t)(eq - arg))) {
    v->all = keep_dir(v, &used, arg, err, errlen);
    return v->all ? 0 : -EINVAL;
  }
  char list[VENV_TEXT_MAX];
  if (snprintf(list, sizeof list, "%s", arg) >= (int)sizeof list) {
    snprintf(err, errlen, "--venv: the list is too long");
    return -EINVAL;
  }
  char *save = NULL;
  for (char *item = strtok_r(list, ",", &save); item;
       item = strtok_r(NULL, ",", &save)) {
    char *dir = strchr(item, '=');
    if (!dir || dir == item || !dir[1]) {
      snprintf(err, errlen,
               "--venv: '%s' is not TAG=DIR (e.g. 3.12=.venv312); give one "
               "DIR for every runtime, or TAG=DIR items separated by commas",
               item);
      return -EINVAL;
    }
    *dir++ = '\0';
    if (!in_run(item, tags, ntags)) {
      snprintf(err, errlen,
               "--venv: runtime %s is not in this run (add it with "
               "--runtime; `gillab list --runtimes` lists the build's)",
               item);
      return -EINVAL;
    }
    if (venv_for(v, item)) {
      snprintf(err, errlen, "--venv: runtime %s is given twice", item);
      return -EINVAL;
    }
    if (v->n == RUNTIME_MAX) {
      snprintf(err, errlen, "--venv: at most %d runtimes", RUNTIME_MAX);
      return -EINVAL;
    }
    snprintf(v->tags[v->n], RUNTIME_TAG_MAX, "%s", item);
    if (!(v->dirs[v->n] = keep_dir(v, &used, dir, err, errlen)))
      return -EINVAL;
    v->n++;
  }
  return 0;
}

const char *venv_for(const venv_list *v, const char *tag) {
  if (v->all)
    return v->all;
  for (size_t i = 0; i < v->n; i++)
    if (strcmp(v->tags[i], tag) == 0)
      return v->dirs[i];
  return NULL;
}
