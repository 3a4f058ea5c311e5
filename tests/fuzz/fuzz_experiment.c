/* fuzz_experiment — libFuzzer target: the JSON a runner answers for an
 * experiment file (what tomllib read, with each key's line and column)
 * through experiment_from_json and experiment_spec: nothing may crash. Inputs
 * naming a file are left out (a workload of one's own would be inspected by a
 * runner). */
#include "experiment.h"
#include "spec.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
  char *text = malloc(size + 1);
  if (!text)
    return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  if (strchr(text, '/') || strstr(text, ".py") || strstr(text, "help")) {
    free(text);
    return 0;
  }
  cJSON *answer = cJSON_Parse(text);
  experiment *x = NULL;
  char err[4096];
  if (answer &&
      experiment_from_json("f.toml", answer, &x, err, sizeof err) == 0) {
    spec_matrix s;
    char *argv[] = {"run", "f.toml", NULL};
    if (experiment_spec(x, &s, 2, argv, err, sizeof err) == 0)
      spec_free(&s);
    experiment_free(x);
  }
  cJSON_Delete(answer);
  free(text);
  return 0;
}
