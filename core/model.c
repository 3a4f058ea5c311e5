/* model — names of the execution models; see model.h. */
#include "model.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const struct {
  const char *name;
  const char *driver;
  char threads;
  const char *help;
} models[] = {
#define MODEL_ROW(e, name, driver, threads, help) {name, driver, threads, help},
    MODEL_MAP(MODEL_ROW)
#undef MODEL_ROW
};

const char *model_name(model_t m) {
  return m < MODEL_COUNT ? models[m].name : "?";
}

const char *model_help(model_t m) {
  return m < MODEL_COUNT ? models[m].help : "";
}

int model_is_python(model_t m) {
  return model_driver(m) != NULL;
}

const char *model_driver(model_t m) {
  return m < MODEL_COUNT ? models[m].driver : NULL;
}

unsigned model_threads(model_t m, unsigned n) {
  return m < MODEL_COUNT && models[m].threads == '1' ? 1 : n;
}

int model_parse(const char *name, model_t *out, char *err, size_t errlen) {
  char choices[256] = "";
  for (int m = 0; m < MODEL_COUNT; m++) {
    if (strcmp(name, models[m].name) == 0) {
      *out = (model_t)m;
      return 0;
    }
    size_t used = strlen(choices);
    snprintf(choices + used, sizeof choices - used, "%s%s", m ? ", " : "",
             models[m].name);
  }
  snprintf(err, errlen, "unknown model '%s' (choose from %s)", name, choices);
  return -EINVAL;
}
