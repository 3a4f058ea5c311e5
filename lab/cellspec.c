/* cellspec — see cellspec.h. */
#include "cellspec.h"

#include <errno.h>
#include <stdio.h>

cJSON *cellspec_new(const wl_workload *wl, model_t m, unsigned workers,
                    uint64_t units, const place_plan_t *plan,
                    const cellspec_python *py) {
  cJSON *cell = cJSON_CreateObject();
  cJSON_AddStringToObject(cell, "workload", wl->name);
  cJSON_AddStringToObject(cell, "model", model_name(m));
  cJSON_AddNumberToObject(cell, "workers", workers);
  cJSON_AddNumberToObject(cell, "units", (double)units);
  cJSON_AddStringToObject(cell, "workloads_dir", GILLAB_WORKLOADS_DIR);
  cJSON_AddBoolToObject(cell, "gil_probe", py->gil_probe);
  if (py->switch_interval > 0)
    cJSON_AddNumberToObject(cell, "switch_interval", py->switch_interval);
  if (py->hash_seed >= 0)
    cJSON_AddNumberToObject(cell, "hash_seed", (double)py->hash_seed);
  if (py->cpu_threads)
    cJSON_AddNumberToObject(cell, "cpu_threads", py->cpu_threads);
  if (py->hiccup)
    cJSON_AddBoolToObject(cell, "hiccup", 1);
  if (py->worker_warmup_s > 0)
    cJSON_AddNumberToObject(cell, "worker_warmup_s", py->worker_warmup_s);
  cJSON *sets = cJSON_AddArrayToObject(cell, "sets");
  for (unsigned i = 0; plan && i < plan->n; i++)
    cJSON_AddItemToArray(sets, cJSON_CreateString(plan->sets[i]));
  return cell;
}

int cellspec_run(const char *runner, const cJSON *spec, double timeout_s,
                 volatile int *stop, child_outcome *out, char *err,
                 size_t errlen) {
  char *text = cJSON_PrintUnformatted(spec);
  if (!text) {
    snprintf(err, errlen, "out of memory");
    return -ENOMEM;
  }
  char *argv[] = {(char *)runner, "--cell", text, "--result-fd", "3", NULL};
  int rc = child_run(argv, timeout_s, stop, out, err, errlen);
  cJSON_free(text);
  return rc;
}
