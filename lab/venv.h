/* venv — `gillab run --venv`: which virtual environment each runtime's
 * cells import from.
 *
 * Two forms: `--venv DIR`, one venv for every runtime of the run, or
 * `--venv TAG=DIR,TAG=DIR` (e.g. 3.12=.venv312,3.13t=.venv313t), one per
 * runtime, the others getting their own site-packages only. The directories
 * are made absolute here; whether a venv fits its runtime (made by a
 * Python of the same version and kind) is for the runner to say
 * (`gillab-runner-TAG --info --venv DIR`, embed/python/gillab_env.py),
 * which lab/run.c asks before any cell runs.
 */
#ifndef GILLAB_VENV_H
#define GILLAB_VENV_H

#include "runtime.h"

#include <stddef.h>

#define VENV_TEXT_MAX 8192

typedef struct {
  /* The absolute directories, each pointing into text. */
  const char *all; /* one venv for every runtime; NULL: per runtime */
  char tags[RUNTIME_MAX][RUNTIME_TAG_MAX];
  const char *dirs[RUNTIME_MAX];
  size_t n;
  char text[VENV_TEXT_MAX];
} venv_list;

/* Parses the value of --venv (NULL: no venv) into v, for a run of the
 * runtimes tags[0..ntags). The per-runtime form is taken when the text
 * before the first '=' has no '/' (so a directory whose name holds '='
 * is given with a '/': ./a=b). Returns 0, or -EINVAL with err saying what
 * is wrong: a directory that does not exist, a runtime not in the run or
 * named twice. */
int venv_parse(venv_list *v, const char *arg, char tags[][RUNTIME_TAG_MAX],
               size_t ntags, char *err, size_t errlen);

/* The venv of runtime tag (borrowed from v), or NULL for none. */
const char *venv_for(const venv_list *v, const char *tag);

#endif
