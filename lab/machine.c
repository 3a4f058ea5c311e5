/* machine — see machine.h. */
#include "machine.h"

#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

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

cJSON *machine_describe(const place_topo *topo) {
  cJSON *mach = cJSON_CreateObject();
  char buf[512];
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
  return mach;
}
