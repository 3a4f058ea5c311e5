/* meta — see meta.h. */
#include "meta.h"

#include "gitrev.h"
#include "machine.h"
#include "model.h"
#include "userwl.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

void meta_timestamp(char *buf, size_t len, int compact) {
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(buf, len, compact ? "%Y%m%d-%H%M%S" : "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* What a workload is, for reports made from the results file alone (which
 * cannot look names up in this build's registry: the file may come from
 * another build). */
static cJSON *describe_workload(const wl_workload *wl) {
  static const struct {
    unsigned bit;
    const char *name;
  } flags[] = {
      {WL_ECHO_SERVER, "echo_server"},
      {WL_CPU_THREADS, "cpu_threads"},
      {WL_ECHO_SERVICE, "echo_service"},
      {WL_WARMUP, "warmup"},
      {WL_AWORK, "awork"},
      {WL_SETUP, "setup"},
      {WL_LATENCY, "latency"},
      {WL_MESSAGES, "messages"},
      {WL_MEMORY, "memory"},
      {WL_FORK_ONLY, "fork_only"},
  };
  cJSON *d = cJSON_CreateObject();
  cJSON_AddStringToObject(d, "summary", wl->summary);
  if (wl->py_module)
    cJSON_AddStringToObject(d, "py_module", wl->py_module);
  else
    cJSON_AddNullToObject(d, "py_module");
  cJSON_AddBoolToObject(d, "native", wl->native != NULL || wl->twin != NULL);
  cJSON *a = cJSON_AddArrayToObject(d, "models");
  for (int m = 0; m < MODEL_COUNT; m++)
    if (wl->models & MODEL_BIT(m))
      cJSON_AddItemToArray(a, cJSON_CreateString(model_name((model_t)m)));
  cJSON_AddNumberToObject(d, "units_py", (double)wl->units_py);
  cJSON_AddNumberToObject(d, "units_native", (double)wl->units_native);
  cJSON_AddBoolToObject(d, "per_worker", wl->per_worker);
  a = cJSON_AddArrayToObject(d, "flags");
  for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
    if (wl->flags & flags[i].bit)
      cJSON_AddItemToArray(a, cJSON_CreateString(flags[i].name));
  if (wl->file) {
    /* A user workload: which file, as the orchestrator read it, and what
     * the runner that inspected it found there. */
    cJSON *u = cJSON_AddObjectToObject(d, "user");
    cJSON_AddStringToObject(u, "file", wl->file);
    cJSON_AddStringToObject(u, "func", wl->func);
    cJSON_AddStringToObject(u, "sha256", wl->sha256);
    cJSON_AddNumberToObject(u, "units", (double)wl->units_py);
    cJSON_AddBoolToObject(u, "awork", (wl->flags & WL_AWORK) != 0);
    cJSON_AddBoolToObject(u, "setup", (wl->flags & WL_SETUP) != 0);
    if (wl->twin)
      cJSON_AddStringToObject(u, "twin", wl->twin);
    else
      cJSON_AddNullToObject(u, "twin");
    cJSON_AddStringToObject(u, "inspected_on", userwl_inspected_on(wl));
    if (userwl_note(wl))
      cJSON_AddStringToObject(u, "note", userwl_note(wl));
    else
      cJSON_AddNullToObject(u, "note");
  }
  return d;
}

cJSON *meta_build(const place_topo *topo, cJSON *runtimes, cJSON *spec,
                  const char *command) {
  cJSON *m = cJSON_CreateObject();
  char buf[512];
  cJSON_AddStringToObject(m, "type", "meta");
  meta_timestamp(buf, sizeof buf, 0);
  cJSON_AddStringToObject(m, "started", buf);
  cJSON_AddStringToObject(m, "command", command);

  cJSON *g = cJSON_AddObjectToObject(m, "gillab");
  cJSON_AddStringToObject(g, "version", GILLAB_VERSION);
  cJSON_AddStringToObject(g, "git", GILLAB_GIT_REV);

  cJSON_AddItemToObject(m, "machine", machine_describe(topo));
  cJSON_AddItemToObject(m, "runtimes", runtimes);
  cJSON_AddItemToObject(m, "spec", spec);
  return m;
}

void meta_describe_workloads(cJSON *meta, const wl_workload *const *wls,
                             size_t n) {
  cJSON *d = cJSON_CreateObject();
  for (size_t i = 0; i < n; i++)
    if (!cJSON_GetObjectItemCaseSensitive(d, wls[i]->name))
      cJSON_AddItemToObject(d, wls[i]->name, describe_workload(wls[i]));
  if (cJSON_GetObjectItemCaseSensitive(meta, "workloads"))
    cJSON_ReplaceItemInObjectCaseSensitive(meta, "workloads", d);
  else
    cJSON_AddItemToObject(meta, "workloads", d);
}
