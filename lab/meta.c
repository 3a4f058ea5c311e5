/* meta — see meta.h. */
#include "meta.h"

#include "gitrev.h"
#include "model.h"
#include "userwl.h"

#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

void meta_timestamp(char *buf, size_t len, int compact) {
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(buf, len, compact ? "%Y%m%d-%H%M%S" : "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The value of the first line of path that starts with key, with
 * surrounding spaces, colons, '=' and quotes removed; "" if none. */
static void read_field(const char *path, const char *key, char *out,
                       size_t len) {
  out[0] = '\0';
  FILE *f = fopen(path, "r");
  if (!f)
    return;
  char line[512];
  size_t klen = strlen(key);
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, key, klen) != 0)
      continue;
    char *v = line + klen;
    v += strspn(v, " \t:=\"");
    v[strcspn(v, "\"\n")] = '\0';
    snprintf(out, len, "%s", v);
    break;
  }
  fclose(f);
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

  cJSON *mach = cJSON_AddObjectToObject(m, "machine");
  if (gethostname(buf, sizeof buf) == 0) {
    buf[sizeof buf - 1] = '\0';
    cJSON_AddStringToObject(mach, "hostname", buf);
  }
  read_field("/proc/cpuinfo", "model name", buf, sizeof buf);
  cJSON_AddStringToObject(mach, "cpu_model", buf);
  read_field("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", "", buf,
             sizeof buf);
  cJSON_AddStringToObject(mach, "governor", buf[0] ? buf : "unknown");
  cJSON_AddNumberToObject(mach, "pus", place_topo_npus(topo));
  cJSON_AddNumberToObject(mach, "cores", place_topo_ncores(topo));
  cJSON_AddNumberToObject(mach, "packages", place_topo_npackages(topo));
  cJSON_AddNumberToObject(mach, "numa_nodes", place_topo_nnuma(topo));
  place_topo_summary(topo, buf, sizeof buf);
  cJSON_AddStringToObject(mach, "topology", buf);
  struct utsname u;
  if (uname(&u) == 0) {
    snprintf(buf, sizeof buf, "%s %s %s", u.sysname, u.release, u.machine);
    cJSON_AddStringToObject(mach, "kernel", buf);
    cJSON_AddStringToObject(mach, "kernel_version", u.version);
  }
  read_field("/etc/os-release", "PRETTY_NAME", buf, sizeof buf);
  cJSON_AddStringToObject(mach, "os", buf);

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
