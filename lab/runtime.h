/* runtime — the CPython runtimes this build can run cells on.
 *
 * Each runtime has its own runner binary, gillab-runner-<tag>, next to the
 * gillab binary (tag: "3.11", "3.13t", ...). The orchestrator never links
 * Python itself; it asks a runner to describe its runtime (--info).
 */
#ifndef GILLAB_RUNTIME_H
#define GILLAB_RUNTIME_H

#include <cjson/cJSON.h>
#include <stddef.h>

#define RUNTIME_MAX 32
#define RUNTIME_TAG_MAX 32

/* The tags of the runtimes this build has, the default first; returns how
 * many (at most max). */
int runtime_list(char tags[][RUNTIME_TAG_MAX], int max);

/* 0 if tag is one of this build's runtimes, else -ENOENT with err listing
 * the runtimes that are available. */
int runtime_known(const char *tag, char *err, size_t errlen);

/* Path of the runner for tag into path. Returns 0, or -ENOENT with err
 * listing the runtimes that are available. */
int runtime_runner_path(const char *tag, char *path, size_t len, char *err,
                        size_t errlen);

/* Asks the runner of tag to describe its runtime; returns a new JSON object
 * (free with cJSON_Delete), or NULL with err. */
cJSON *runtime_info(const char *tag, char *err, size_t errlen);

/* runtime_info, with the environment its cells get (`--info
 * --site-packages --venv DIR`): the object's "environment" lists the
 * sys.path entries added and the distributions installed there, or, when
 * venv (NULL: none) does not fit the runtime, says why in "error". */
cJSON *runtime_info_env(const char *tag, int site_packages, const char *venv,
                        char *err, size_t errlen);

#endif
