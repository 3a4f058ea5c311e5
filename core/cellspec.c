/* cellspec — see cellspec.h. */
#include "cellspec.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The JSON keys, one per field of cellspec, in its order. */
static const char *const cellspec_keys[] = {
    "workload",
    "model",
    "workers",
    "units",
    "sets",
    "workloads_dir",
    "workload_file",
    "func",
    "twin",
    "gil_probe",
    "switch_interval",
    "hash_seed",
    "start_method",
    "cpu_threads",
    "hiccup",
    "worker_warmup_s",
    "overhead_pairs",
    "overhead_control",
    "site_packages",
    "venv",
    "msg_size",
    "payload",
    "connections",
    "handler",
    "handler_us",
    "rate",
    "client_set",
};
#define NKEYS (sizeof cellspec_keys / sizeof cellspec_keys[0])
#define STR_(x) #x
#define STR(x) STR_(x)

static int bad(char *err, size_t errlen, const char *fmt, const char *key,
               double v) {
  char what[160];
  snprintf(what, sizeof what, fmt, v);
  snprintf(err, errlen, "cell spec: %s %s", key, what);
  return -EINVAL;
}

/* Whether s is an ASCII Python identifier (a function's name). */
static int identifier(const char *s) {
  if (!(isalpha((unsigned char)s[0]) || s[0] == '_'))
    return 0;
  for (; *s; s++)
    if (!(isalnum((unsigned char)*s) || *s == '_'))
      return 0;
  return 1;
}

int cellspec_check(const cellspec *c, char *err, size_t errlen) {
  if (!c->workload || !c->workload[0]) {
    snprintf(err, errlen, "cell spec: workload must be named");
    return -EINVAL;
  }
  if ((c->func || c->twin) && !c->workload_file) {
    snprintf(
        err, errlen,
        "cell spec: func and twin are for a user workload (workload_file)");
    return -EINVAL;
  }
  if ((c->workload_file && c->workload_file[0] != '/') ||
      (c->twin && c->twin[0] != '/')) {
    snprintf(err, errlen,
             "cell spec: workload_file and twin must be absolute paths");
    return -EINVAL;
  }
  if (c->func && !identifier(c->func)) {
    snprintf(err, errlen, "cell spec: func '%s' is not a Python identifier",
             c->func);
    return -EINVAL;
  }
  if ((unsigned)c->model >= MODEL_COUNT)
    return bad(err, errlen, "is not a model (%g)", "model", c->model);
  if (c->workers < 1 || c->workers > CELLSPEC_MAX_WORKERS)
    return bad(err, errlen,
               "must be 1 to " STR(CELLSPEC_MAX_WORKERS) ", not %g", "workers",
               c->workers);
  if (c->units > CELLSPEC_MAX_UNITS)
    return bad(err, errlen, "must be below 10^15, not %g", "units",
               (double)c->units);
  for (unsigned i = 0; c->sets && i < c->workers; i++)
    if (!c->sets[i]) {
      snprintf(err, errlen, "cell spec: sets[%u] is missing", i);
      return -EINVAL;
    }
  if (!isfinite(c->switch_interval) ||
      (c->switch_interval != 0 &&
       (c->switch_interval < 1e-6 || c->switch_interval > 10)))
    return bad(err, errlen,
               "must be 0 (the runtime's) or 1e-6 to 10 seconds, not %g",
               "switch_interval", c->switch_interval);
  if (c->hash_seed < CELLSPEC_HASH_RANDOM || c->hash_seed > 4294967295L)
    return bad(err, errlen, "must be -1 (random) or 0 to 4294967295, not %g",
               "hash_seed", (double)c->hash_seed);
  if (c->start_method) {
    if (strcmp(c->start_method, "fork") != 0 &&
        strcmp(c->start_method, "spawn") != 0 &&
        strcmp(c->start_method, "forkserver") != 0) {
      snprintf(err, errlen,
               "cell spec: start_method '%s' is not fork, spawn or "
               "forkserver",
               c->start_method);
      return -EINVAL;
    }
    if (c->model != MODEL_PROCESSES) {
      snprintf(err, errlen,
               "cell spec: start_method is for the processes model, not %s",
               model_name(c->model));
      return -EINVAL;
    }
  }
  if (c->cpu_threads > CELLSPEC_MAX_WORKERS)
    return bad(err, errlen,
               "must be 0 to " STR(CELLSPEC_MAX_WORKERS) ", not %g",
               "cpu_threads", c->cpu_threads);
  if (!isfinite(c->worker_warmup_s) || c->worker_warmup_s < 0 ||
      c->worker_warmup_s > CELLSPEC_MAX_WARMUP_S)
    return bad(err, errlen, "must be 0 to 60 seconds, not %g",
               "worker_warmup_s", c->worker_warmup_s);
  if (c->venv && c->venv[0] != '/') {
    snprintf(err, errlen, "cell spec: venv '%s' must be an absolute path",
             c->venv);
    return -EINVAL;
  }
  if (c->venv && !c->site_packages) {
    snprintf(err, errlen,
             "cell spec: venv needs site_packages (a venv is site-packages)");
    return -EINVAL;
  }
  if (c->msg_size && (c->msg_size < CELLSPEC_MIN_MSG_SIZE ||
                      c->msg_size > CELLSPEC_MAX_MSG_SIZE))
    return bad(err, errlen,
               "must be 0 (no messages) or " STR(
                   CELLSPEC_MIN_MSG_SIZE) " to "
                                          "67108864 bytes, not %g",
               "msg_size", (double)c->msg_size);
  if (c->payload && strcmp(c->payload, "bytes") != 0 &&
      strcmp(c->payload, "object") != 0) {
    snprintf(err, errlen, "cell spec: payload '%s' is not bytes or object",
             c->payload);
    return -EINVAL;
  }
  if (!c->payload != !c->msg_size) {
    snprintf(err, errlen,
             "cell spec: msg_size and payload go together (a workload that "
             "moves messages has both)");
    return -EINVAL;
  }
  if (c->connections > CELLSPEC_MAX_CONNECTIONS)
    return bad(err, errlen,
               "must be 0 (no server) or 1 to " STR(
                   CELLSPEC_MAX_CONNECTIONS) ", not %g",
               "connections", c->connections);
  if (!c->handler != !c->connections) {
    snprintf(err, errlen,
             "cell spec: connections and handler go together (a server "
             "cell has both)");
    return -EINVAL;
  }
  if (c->handler && strcmp(c->handler, "none") != 0 &&
      strcmp(c->handler, "cpu") != 0 && strcmp(c->handler, "hash") != 0 &&
      strcmp(c->handler, "sleep") != 0 &&
      (c->handler[0] != '/' || !strstr(c->handler, ".py"))) {
    snprintf(err, errlen,
             "cell spec: handler '%s' is not none, cpu, hash, sleep or an "
             "absolute path of a .py file (with :func)",
             c->handler);
    return -EINVAL;
  }
  if (c->handler_us > CELLSPEC_MAX_HANDLER_US)
    return bad(err, errlen, "must be 0 to 10000000 microseconds, not %g",
               "handler_us", c->handler_us);
  if (!isfinite(c->rate) || c->rate < 0 || c->rate > 1e7)
    return bad(err, errlen,
               "must be 0 (closed loop) or up to 1e7 requests per second, "
               "not %g",
               "rate", c->rate);
  return 0;
}

static void add_string_or_null(cJSON *o, const char *key, const char *s) {
  if (s)
    cJSON_AddStringToObject(o, key, s);
  else
    cJSON_AddNullToObject(o, key);
}

char *cellspec_to_json(const cellspec *c, char *err, size_t errlen) {
  if (cellspec_check(c, err, errlen) < 0)
    return NULL;
  cJSON *o = cJSON_CreateObject();
  if (!o)
    goto nomem;
  cJSON_AddStringToObject(o, "workload", c->workload);
  cJSON_AddStringToObject(o, "model", model_name(c->model));
  cJSON_AddNumberToObject(o, "workers", c->workers);
  cJSON_AddNumberToObject(o, "units", (double)c->units);
  if (c->sets) {
    cJSON *sets = cJSON_AddArrayToObject(o, "sets");
    for (unsigned i = 0; sets && i < c->workers; i++)
      cJSON_AddItemToArray(sets, cJSON_CreateString(c->sets[i]));
  } else {
    cJSON_AddNullToObject(o, "sets");
  }
  add_string_or_null(o, "workloads_dir", c->workloads_dir);
  add_string_or_null(o, "workload_file", c->workload_file);
  add_string_or_null(o, "func", c->func);
  add_string_or_null(o, "twin", c->twin);
  cJSON_AddBoolToObject(o, "gil_probe", c->gil_probe);
  cJSON_AddNumberToObject(o, "switch_interval", c->switch_interval);
  cJSON_AddNumberToObject(o, "hash_seed", (double)c->hash_seed);
  add_string_or_null(o, "start_method", c->start_method);
  cJSON_AddNumberToObject(o, "cpu_threads", c->cpu_threads);
  cJSON_AddBoolToObject(o, "hiccup", c->hiccup);
  cJSON_AddNumberToObject(o, "worker_warmup_s", c->worker_warmup_s);
  cJSON_AddNumberToObject(o, "overhead_pairs", c->overhead_pairs);
  cJSON_AddBoolToObject(o, "overhead_control", c->overhead_control);
  cJSON_AddBoolToObject(o, "site_packages", c->site_packages);
  add_string_or_null(o, "venv", c->venv);
  cJSON_AddNumberToObject(o, "msg_size", (double)c->msg_size);
  add_string_or_null(o, "payload", c->payload);
  cJSON_AddNumberToObject(o, "connections", c->connections);
  add_string_or_null(o, "handler", c->handler);
  cJSON_AddNumberToObject(o, "handler_us", c->handler_us);
  cJSON_AddNumberToObject(o, "rate", c->rate);
  add_string_or_null(o, "client_set", c->client_set);
  char *printed = cJSON_PrintUnformatted(o);
  cJSON_Delete(o);
  char *text = printed ? strdup(printed) : NULL;
  cJSON_free(printed);
  if (text)
    return text;
nomem:
  snprintf(err, errlen, "out of memory");
  return NULL;
}

/* A parsed spec: the strings point into the parsed JSON, kept with it. */
typedef struct {
  cellspec c; /* first: cellspec_free gets the whole back from it */
  cJSON *root;
  char **sets;
} parsed_spec;

void cellspec_free(cellspec *c) {
  parsed_spec *p = (parsed_spec *)c;
  if (!p)
    return;
  cJSON_Delete(p->root);
  free(p->sets);
  free(p);
}

/* The value of key in o; NULL when it is missing or null. */
static const cJSON *value(const cJSON *o, const char *key) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
  return cJSON_IsNull(v) ? NULL : v;
}

static int missing(const char *key, char *err, size_t errlen) {
  snprintf(err, errlen, "cell spec: missing field '%s'", key);
  return -EINVAL;
}

/* A whole number from min to max (the C field's range; cellspec_check
 * narrows it), or 0 when missing. */
static int get_whole(const cJSON *o, const char *key, double min, double max,
                     double *out, char *err, size_t errlen) {
  const cJSON *v = value(o, key);
  *out = 0;
  if (!v)
    return 0;
  if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) ||
      v->valuedouble < min || v->valuedouble > max) {
    snprintf(err, errlen,
             "cell spec: %s must be a whole number from %.0f to "
             "%.0f",
             key, min, max);
    return -EINVAL;
  }
  *out = v->valuedouble;
  return 0;
}

/* A number (range checked by cellspec_check), or 0 when missing. */
static int get_number(const cJSON *o, const char *key, double *out, char *err,
                      size_t errlen) {
  const cJSON *v = value(o, key);
  *out = 0;
  if (!v)
    return 0;
  if (!cJSON_IsNumber(v)) {
    snprintf(err, errlen, "cell spec: %s must be a number", key);
    return -EINVAL;
  }
  *out = v->valuedouble;
  return 0;
}

/* true or false, or 0 when missing. */
static int get_bool(const cJSON *o, const char *key, int *out, char *err,
                    size_t errlen) {
  const cJSON *v = value(o, key);
  *out = 0;
  if (!v)
    return 0;
  if (!cJSON_IsBool(v)) {
    snprintf(err, errlen, "cell spec: %s must be true or false", key);
    return -EINVAL;
  }
  *out = cJSON_IsTrue(v);
  return 0;
}

/* A string (borrowed from o), or NULL when missing. */
static int get_string(const cJSON *o, const char *key, const char **out,
                      char *err, size_t errlen) {
  const cJSON *v = value(o, key);
  *out = NULL;
  if (!v)
    return 0;
  if (!cJSON_IsString(v)) {
    snprintf(err, errlen, "cell spec: %s must be a string", key);
    return -EINVAL;
  }
  *out = v->valuestring;
  return 0;
}

/* Every key of o is known, and given once. */
static int known_keys(const cJSON *o, char *err, size_t errlen) {
  unsigned seen[NKEYS] = {0};
  const cJSON *v;
  cJSON_ArrayForEach(v, o) {
    size_t k = 0;
    while (k < NKEYS && strcmp(cellspec_keys[k], v->string) != 0)
      k++;
    if (k == NKEYS) {
      snprintf(err, errlen, "cell spec: unknown field '%s'", v->string);
      return -EINVAL;
    }
    if (seen[k]++) {
      snprintf(err, errlen, "cell spec: field '%s' is given twice", v->string);
      return -EINVAL;
    }
  }
  return 0;
}

/* Worker i's set from the array, or all unbound (NULL) when missing. */
static int get_sets(const cJSON *o, parsed_spec *p, char *err, size_t errlen) {
  const cJSON *sets = value(o, "sets"), *s;
  if (!sets)
    return 0;
  if (!cJSON_IsArray(sets) ||
      (unsigned)cJSON_GetArraySize(sets) != p->c.workers) {
    snprintf(err, errlen,
             "cell spec: sets must be an array of %u strings (one per "
             "worker)",
             p->c.workers);
    return -EINVAL;
  }
  p->sets = calloc(p->c.workers, sizeof *p->sets);
  if (!p->sets) {
    snprintf(err, errlen, "out of memory");
    return -ENOMEM;
  }
  unsigned i = 0;
  cJSON_ArrayForEach(s, sets) {
    if (!cJSON_IsString(s)) {
      snprintf(err, errlen, "cell spec: sets[%u] must be a string", i);
      return -EINVAL;
    }
    p->sets[i++] = s->valuestring;
  }
  p->c.sets = p->sets;
  return 0;
}

static int parse_into(parsed_spec *p, char *err, size_t errlen) {
  const cJSON *o = p->root;
  cellspec *c = &p->c;
  const char *model;
  double workers, units, seed, cpu_threads, pairs, msg_size, connections,
      handler_us;
  int rc;
  if (!cJSON_IsObject(o)) {
    snprintf(err, errlen, "cell spec: not a JSON object");
    return -EINVAL;
  }
  static const char *const required[] = {"workload", "model", "workers",
                                         "units"};
  for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
    if (!value(o, required[i]))
      return missing(required[i], err, errlen);
  if ((rc = known_keys(o, err, errlen)) < 0 ||
      (rc = get_string(o, "workload", &c->workload, err, errlen)) < 0 ||
      (rc = get_string(o, "model", &model, err, errlen)) < 0 ||
      (rc = get_whole(o, "workers", 0, UINT_MAX, &workers, err, errlen)) < 0 ||
      (rc = get_whole(o, "units", 0, (double)CELLSPEC_MAX_UNITS, &units, err,
                      errlen)) < 0 ||
      (rc = get_string(o, "workloads_dir", &c->workloads_dir, err, errlen)) <
          0 ||
      (rc = get_string(o, "workload_file", &c->workload_file, err, errlen)) <
          0 ||
      (rc = get_string(o, "func", &c->func, err, errlen)) < 0 ||
      (rc = get_string(o, "twin", &c->twin, err, errlen)) < 0 ||
      (rc = get_bool(o, "gil_probe", &c->gil_probe, err, errlen)) < 0 ||
      (rc = get_number(o, "switch_interval", &c->switch_interval, err,
                       errlen)) < 0 ||
      (rc = get_whole(o, "hash_seed", -1, 4294967295.0, &seed, err, errlen)) <
          0 ||
      (rc = get_string(o, "start_method", &c->start_method, err, errlen)) < 0 ||
      (rc = get_whole(o, "cpu_threads", 0, UINT_MAX, &cpu_threads, err,
                      errlen)) < 0 ||
      (rc = get_bool(o, "hiccup", &c->hiccup, err, errlen)) < 0 ||
      (rc = get_number(o, "worker_warmup_s", &c->worker_warmup_s, err,
                       errlen)) < 0 ||
      (rc = get_whole(o, "overhead_pairs", 0, UINT_MAX, &pairs, err, errlen)) <
          0 ||
      (rc = get_bool(o, "overhead_control", &c->overhead_control, err,
                     errlen)) < 0 ||
      (rc = get_bool(o, "site_packages", &c->site_packages, err, errlen)) < 0 ||
      (rc = get_string(o, "venv", &c->venv, err, errlen)) < 0 ||
      (rc = get_whole(o, "msg_size", 0, (double)CELLSPEC_MAX_MSG_SIZE,
                      &msg_size, err, errlen)) < 0 ||
      (rc = get_string(o, "payload", &c->payload, err, errlen)) < 0 ||
      (rc = get_whole(o, "connections", 0, UINT_MAX, &connections, err,
                      errlen)) < 0 ||
      (rc = get_string(o, "handler", &c->handler, err, errlen)) < 0 ||
      (rc = get_whole(o, "handler_us", 0, UINT_MAX, &handler_us, err, errlen)) <
          0 ||
      (rc = get_number(o, "rate", &c->rate, err, errlen)) < 0 ||
      (rc = get_string(o, "client_set", &c->client_set, err, errlen)) < 0)
    return rc;
  char sub[256];
  if (model_parse(model, &c->model, sub, sizeof sub) < 0) {
    snprintf(err, errlen, "cell spec: model: %s", sub);
    return -EINVAL;
  }
  c->workers = (unsigned)workers;
  c->units = (uint64_t)units;
  c->hash_seed = (long)seed;
  c->cpu_threads = (unsigned)cpu_threads;
  c->overhead_pairs = (unsigned)pairs;
  c->msg_size = (uint64_t)msg_size;
  c->connections = (unsigned)connections;
  c->handler_us = (unsigned)handler_us;
  /* The sets' count follows workers, so workers is checked first. */
  if ((rc = cellspec_check(c, err, errlen)) < 0 ||
      (rc = get_sets(o, p, err, errlen)) < 0)
    return rc;
  return 0;
}

int cellspec_parse(const char *text, cellspec **out, char *err, size_t errlen) {
  *out = NULL;
  parsed_spec *p = calloc(1, sizeof *p);
  if (!p) {
    snprintf(err, errlen, "out of memory");
    return -ENOMEM;
  }
  p->root = cJSON_Parse(text);
  if (!p->root) {
    snprintf(err, errlen, "cell spec: not valid JSON");
    cellspec_free(&p->c);
    return -EINVAL;
  }
  int rc = parse_into(p, err, errlen);
  if (rc < 0) {
    cellspec_free(&p->c);
    return rc;
  }
  *out = &p->c;
  return 0;
}
