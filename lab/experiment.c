/* experiment — see experiment.h. */
#include "experiment.h"

#include "child.h"
#include "registry.h"
#include "runtime.h"
#include "suggest.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const experiment_option experiment_options[] = {
    {"question", "--question", EXPERIMENT_TEXT, 0},
    {"models", "--models", EXPERIMENT_LIST, ','},
    {"workers", "--workers", EXPERIMENT_LIST, ','},
    /* ';' keeps each element one placement: "pu:0,pu:1" is one. */
    {"placements", "--placements", EXPERIMENT_LIST, ';'},
    {"reps", "--reps", EXPERIMENT_WORD, 0}, /* 5, or "auto" */
    {"precision", "--precision", EXPERIMENT_NUMBER, 0},
    {"min_reps", "--min-reps", EXPERIMENT_NUMBER, 0},
    {"max_reps", "--max-reps", EXPERIMENT_NUMBER, 0},
    {"warmup", "--warmup", EXPERIMENT_NUMBER, 0},
    {"runtimes", "--runtime", EXPERIMENT_LIST, ','},
    {"runtime", "--runtime", EXPERIMENT_LIST, ','},
    {"size", "--size", EXPERIMENT_NUMBER, 0},
    {"scaling", "--scaling", EXPERIMENT_TEXT, 0},
    {"timeout", "--timeout", EXPERIMENT_NUMBER, 0},
    {"output", "--output", EXPERIMENT_PATH, 0},
    {"switch_intervals", "--switch-interval", EXPERIMENT_LIST, ','},
    {"switch_interval", "--switch-interval", EXPERIMENT_LIST, ','},
    {"start_methods", "--start-method", EXPERIMENT_LIST, ','},
    {"start_method", "--start-method", EXPERIMENT_LIST, ','},
    {"gil_probe", "--no-gil-probe", EXPERIMENT_NOT, 0},
    {"hash_seed", "--hash-seed", EXPERIMENT_WORD, 0},
    {"cpu_threads", "--cpu-threads", EXPERIMENT_LIST, ','},
    {"msg_sizes", "--msg-size", EXPERIMENT_LIST, ','},
    {"msg_size", "--msg-size", EXPERIMENT_LIST, ','},
    {"payloads", "--payload", EXPERIMENT_LIST, ','},
    {"payload", "--payload", EXPERIMENT_LIST, ','},
    {"connections", "--connections", EXPERIMENT_LIST, ','},
    {"handlers", "--handler", EXPERIMENT_LIST, ','},
    {"handler", "--handler", EXPERIMENT_LIST, ','},
    {"handler_cpu_us", "--handler-cpu-us", EXPERIMENT_NUMBER, 0},
    {"handler_sleep_ms", "--handler-sleep-ms", EXPERIMENT_NUMBER, 0},
    {"rate", "--rate", EXPERIMENT_NUMBER, 0},
    {"hiccup", "--hiccup", EXPERIMENT_FLAG, 0},
    {"worker_warmup", "--worker-warmup", EXPERIMENT_NUMBER, 0},
    {"quick", "--quick", EXPERIMENT_FLAG, 0},
    {"quiet", "--quiet", EXPERIMENT_FLAG, 0},
    {"venv", "--venv", EXPERIMENT_PATHS, ','},
    {"site_packages", "--no-site", EXPERIMENT_NOT, 0},
    {"units", "--units", EXPERIMENT_NUMBER, 0},
    {"twin", "--twin", EXPERIMENT_PATH, 0},
    /* A cluster's part of the matrix (lab/shard.h): "auto" in a file that
     * every task of a Slurm array or Indexed Job runs. */
    {"shard", "--shard", EXPERIMENT_WORD, 0},
    {"run_id", "--run-id", EXPERIMENT_WORD, 0},
};
const size_t experiment_noptions =
    sizeof experiment_options / sizeof experiment_options[0];

/* The keys of a [[workloads]] table. */
static const char *const workload_keys[] = {"name", "file", "func", "units",
                                            "twin"};
#define NWORKLOAD_KEYS (sizeof workload_keys / sizeof workload_keys[0])

#define TEXT_MAX 4096

/* Where key is in x's file: its own position, else that of the nearest
 * key around it the file shows (a table element, then its array); 0 when
 * none. */
static void locate(const experiment *x, const char *key, int *line, int *col) {
  char k[512];
  snprintf(k, sizeof k, "%s", key);
  *line = *col = 0;
  while (k[0]) {
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(x->keys, k);
    if (cJSON_GetArraySize(p) == 2) {
      *line = cJSON_GetArrayItem(p, 0)->valueint;
      *col = cJSON_GetArrayItem(p, 1)->valueint;
      return;
    }
    char *cut = strrchr(k, '.'), *bracket = strrchr(k, '[');
    if (bracket && (!cut || bracket > cut))
      cut = bracket;
    if (!cut)
      break;
    *cut = '\0';
  }
}

/* err = "PATH:LINE:COLUMN: KEY: message" (no position when unknown, no
 * key when NULL). Returns -EINVAL. */
static int fail(const experiment *x, const char *key, char *err, size_t errlen,
                const char *fmt, ...) {
  int line = 0, col = 0, used;
  if (key)
    locate(x, key, &line, &col);
  if (line > 0)
    used = snprintf(err, errlen, "%s:%d:%d: ", x->path, line, col);
  else
    used = snprintf(err, errlen, "%s: ", x->path);
  if (key && used >= 0 && (size_t)used < errlen)
    used += snprintf(err + used, errlen - (size_t)used, "%s: ", key);
  if (used >= 0 && (size_t)used < errlen) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err + used, errlen - (size_t)used, fmt, ap);
    va_end(ap);
  }
  return -EINVAL;
}

static const char *type_name(const cJSON *v) {
  return cJSON_IsString(v)   ? "a string"
         : cJSON_IsNumber(v) ? "a number"
         : cJSON_IsBool(v)   ? "true or false"
         : cJSON_IsArray(v)  ? "an array"
         : cJSON_IsObject(v) ? "a table"
                             : "nothing";
}

/* A number as the shortest text that reads back the same. */
static void number_text(double v, char *out, size_t len) {
  snprintf(out, len, "%.15g", v);
  if (strtod(out, NULL) != v)
    snprintf(out, len, "%.17g", v);
}

/* path relative to dir (unless absolute, or dir is "."), into out. */
static int resolve(const char *dir, const char *path, char *out, size_t len) {
  int n = path[0] == '/' || strcmp(dir, ".") == 0
              ? snprintf(out, len, "%s", path)
              : snprintf(out, len, "%s/%s", dir, path);
  return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* Appends text to out (len bytes, used so far *used); -1 when it does not
 * fit. */
static int append(char *out, size_t len, size_t *used, const char *text) {
  size_t n = strlen(text);
  if (*used + n >= len)
    return -1;
  memcpy(out + *used, text, n + 1);
  *used += n;
  return 0;
}

int experiment_option_text(const experiment_option *o, const cJSON *value,
                           const char *dir, char *out, size_t len, char *why,
                           size_t whylen) {
  char item[TEXT_MAX];
  size_t used = 0;
  out[0] = '\0';
  switch (o->kind) {
  case EXPERIMENT_FLAG:
  case EXPERIMENT_NOT:
    if (!cJSON_IsBool(value))
      break;
    return cJSON_IsTrue(value) == (o->kind == EXPERIMENT_FLAG) ? 0 : 1;
  case EXPERIMENT_NUMBER:
    if (!cJSON_IsNumber(value))
      break;
    number_text(value->valuedouble, out, len);
    return 0;
  case EXPERIMENT_WORD:
    if (cJSON_IsNumber(value))
      number_text(value->valuedouble, out, len);
    else if (cJSON_IsString(value))
      snprintf(out, len, "%s", value->valuestring);
    else
      break;
    return 0;
  case EXPERIMENT_TEXT:
    if (!cJSON_IsString(value))
      break;
    snprintf(out, len, "%s", value->valuestring);
    return 0;
  case EXPERIMENT_PATH:
    if (!cJSON_IsString(value))
      break;
    if (resolve(dir, value->valuestring, out, len) < 0) {
      snprintf(why, whylen, "the path is too long");
      return -EINVAL;
    }
    return 0;
  case EXPERIMENT_PATHS: {
    if (cJSON_IsString(value))
      return experiment_option_text(
          &(experiment_option){o->key, o->option, EXPERIMENT_PATH, 0}, value,
          dir, out, len, why, whylen);
    if (!cJSON_IsObject(value))
      break;
    const cJSON *e;
    cJSON_ArrayForEach(e, value) {
      if (!cJSON_IsString(e)) {
        snprintf(why, whylen, "expected a path for %s, got %s", e->string,
                 type_name(e));
        return -EINVAL;
      }
      char sep[2] = {o->sep, '\0'};
      if ((used && append(out, len, &used, sep) < 0) ||
          append(out, len, &used, e->string) < 0 ||
          append(out, len, &used, "=") < 0 ||
          resolve(dir, e->valuestring, item, sizeof item) < 0 ||
          append(out, len, &used, item) < 0) {
        snprintf(why, whylen, "the paths are too long");
        return -EINVAL;
      }
    }
    return 0;
  }
  case EXPERIMENT_LIST: {
    if (!cJSON_IsArray(value) && !cJSON_IsString(value) &&
        !cJSON_IsNumber(value))
      break;
    int array = cJSON_IsArray(value);
    if (array && !value->child) {
      snprintf(why, whylen, "expected at least one item");
      return -EINVAL;
    }
    for (const cJSON *e = array ? value->child : value; e;
         e = array ? e->next : NULL) {
      char sep[2] = {o->sep, '\0'};
      if (cJSON_IsNumber(e)) {
        number_text(e->valuedouble, item, sizeof item);
      } else if (cJSON_IsString(e)) {
        snprintf(item, sizeof item, "%s", e->valuestring);
      } else {
        snprintf(why, whylen,
                 "expected an array of strings or numbers, with %s in it",
                 type_name(e));
        return -EINVAL;
      }
      if ((used && append(out, len, &used, sep) < 0) ||
          append(out, len, &used, item) < 0) {
        snprintf(why, whylen, "the list is too long");
        return -EINVAL;
      }
    }
    return 0;
  }
  }
  static const char *const wants[] = {
      [EXPERIMENT_LIST] = "a string, a number or an array of them",
      [EXPERIMENT_TEXT] = "a string",
      [EXPERIMENT_PATH] = "a string (a path)",
      [EXPERIMENT_PATHS] = "a path or a table of paths",
      [EXPERIMENT_NUMBER] = "a number",
      [EXPERIMENT_WORD] = "a string or a number",
      [EXPERIMENT_FLAG] = "true or false",
      [EXPERIMENT_NOT] = "true or false",
  };
  snprintf(why, whylen, "expected %s, got %s", wants[o->kind],
           type_name(value));
  return -EINVAL;
}

static const experiment_option *find_option(const char *key) {
  for (size_t i = 0; i < experiment_noptions; i++)
    if (strcmp(experiment_options[i].key, key) == 0)
      return &experiment_options[i];
  return NULL;
}

/* " (did you mean 'x'?)" for word among n candidates into buf, or "". */
static const char *did_you_mean(const char *word, const char *const *cands,
                                size_t n, char *buf, size_t len) {
  const char *best = suggest_closest(word, cands, n);
  if (best)
    snprintf(buf, len, " (did you mean '%s'?)", best);
  else
    buf[0] = '\0';
  return buf;
}

static int push_arg(experiment *x, const char *text) {
  char **a = realloc(x->args, (size_t)(x->nargs + 2) * sizeof *a);
  if (!a)
    return -ENOMEM;
  x->args = a;
  a[x->nargs] = strdup(text);
  if (!a[x->nargs])
    return -ENOMEM;
  a[++x->nargs] = NULL;
  return 0;
}

/* An option checked alone by the command line's parser, so that a value it
 * refuses is reported at its key: spec_from_args' message without its
 * "-r: " (the key is said instead). */
static int check_option(const experiment *x, const char *key,
                        const char *option, const char *text, char *err,
                        size_t errlen) {
  spec_matrix *scratch = malloc(sizeof *scratch);
  char sub[1024];
  char *argv[] = {"run", (char *)option, (char *)text, NULL};
  if (!scratch)
    return -ENOMEM;
  int rc = spec_from_args(scratch, text ? 3 : 2, argv, sub, sizeof sub);
  spec_free(scratch);
  free(scratch);
  if (rc == 0)
    return 0;
  const char *msg = sub;
  if (sub[0] == '-' && strstr(sub, ": "))
    msg = strstr(sub, ": ") + 2;
  return fail(x, key, err, errlen, "%s", msg);
}

/* A workload item of the file: a built-in name as is, a user file
 * ("path.py" or "path.py:func") resolved against the file's directory. */
static int workload_item(const experiment *x, const char *text, char *out,
                         size_t len) {
  const char *py = strstr(text, ".py:");
  size_t n = strlen(text);
  if (!py && !(n >= 3 && strcmp(text + n - 3, ".py") == 0)) {
    snprintf(out, len, "%s", text);
    return 0;
  }
  return resolve(x->dir, text, out, len);
}

/* Element i of the workloads (a string or a table) into w. */
static int parse_workload(experiment *x, const cJSON *e, size_t i,
                          experiment_workload *w, char *err, size_t errlen) {
  char item[PATH_MAX + 256], key[96], hint[96];
  snprintf(w->key, sizeof w->key, "workloads[%zu]", i);
  if (cJSON_IsString(e)) {
    if (workload_item(x, e->valuestring, item, sizeof item) < 0)
      return fail(x, w->key, err, errlen, "the path is too long");
  } else if (cJSON_IsObject(e)) {
    const cJSON *name = NULL, *file = NULL, *func = NULL, *units = NULL,
                *twin = NULL, *k;
    cJSON_ArrayForEach(k, e) {
      const cJSON **slot = strcmp(k->string, "name") == 0    ? &name
                           : strcmp(k->string, "file") == 0  ? &file
                           : strcmp(k->string, "func") == 0  ? &func
                           : strcmp(k->string, "units") == 0 ? &units
                           : strcmp(k->string, "twin") == 0  ? &twin
                                                             : NULL;
      snprintf(key, sizeof key, "%s.%s", w->key, k->string);
      if (!slot)
        return fail(x, key, err, errlen,
                    "unknown key%s; a workload takes name (a built-in "
                    "workload) or file (a Python file), func, units and twin",
                    did_you_mean(k->string, workload_keys, NWORKLOAD_KEYS, hint,
                                 sizeof hint));
      if (slot != &units && !cJSON_IsString(k))
        return fail(x, key, err, errlen, "expected a string, got %s",
                    type_name(k));
      *slot = k;
    }
    if (!name == !file)
      return fail(x, w->key, err, errlen,
                  "give either name (a built-in workload, e.g. "
                  "\"cpu.primes\") or file (a Python file), not %s",
                  name ? "both" : "neither");
    if (func && !file)
      return fail(x, w->key, err, errlen,
                  "func goes with file (the function of a Python file)");
    /* From here on, errors point at the key that names the workload. */
    snprintf(w->key + strlen(w->key), sizeof w->key - strlen(w->key), ".%s",
             name ? "name" : "file");
    if (name)
      snprintf(item, sizeof item, "%s", name->valuestring);
    else if (resolve(x->dir, file->valuestring, item, sizeof item) < 0)
      return fail(x, w->key, err, errlen, "the path is too long");
    if (func) {
      size_t used = strlen(item);
      snprintf(item + used, sizeof item - used, ":%s", func->valuestring);
    }
    if (units) {
      snprintf(key, sizeof key, "workloads[%zu].units", i);
      if (!cJSON_IsNumber(units) || !(units->valuedouble >= 1) ||
          units->valuedouble > 1e15)
        return fail(x, key, err, errlen,
                    "expected a number of units from 1 to 1e15, got %s",
                    cJSON_IsNumber(units) ? "less" : type_name(units));
      w->units = units->valuedouble;
    }
    if (twin) {
      char path[PATH_MAX];
      snprintf(key, sizeof key, "workloads[%zu].twin", i);
      if (resolve(x->dir, twin->valuestring, path, sizeof path) < 0)
        return fail(x, key, err, errlen, "the path is too long");
      w->twin = strdup(path);
      if (!w->twin)
        return -ENOMEM;
    }
  } else {
    return fail(x, w->key, err, errlen,
                "expected a workload's name, a Python file or a table, got "
                "%s",
                type_name(e));
  }
  if (strchr(item, ','))
    return fail(x, w->key, err, errlen, "'%s': a workload cannot have ','",
                item);
  w->item = strdup(item);
  return w->item ? 0 : -ENOMEM;
}

/* The workloads of the file: each checked by spec_add_workload on a
 * scratch spec, then joined as -w's value. */
static int parse_workloads(experiment *x, const cJSON *v, char *err,
                           size_t errlen) {
  if (!cJSON_IsArray(v) && !cJSON_IsString(v))
    return fail(x, "workloads", err, errlen,
                "expected an array of workloads or [[workloads]] tables, got "
                "%s",
                type_name(v));
  size_t n = cJSON_IsArray(v) ? (size_t)cJSON_GetArraySize(v) : 1;
  if (n == 0 || n > SPEC_MAX_ITEMS)
    return fail(x, "workloads", err, errlen, "expected from 1 to %d workloads",
                SPEC_MAX_ITEMS);
  spec_matrix *scratch = calloc(1, sizeof *scratch);
  char *joined = calloc(1, TEXT_MAX);
  int rc = scratch && joined ? 0 : -ENOMEM;
  size_t used = 0;
  for (size_t i = 0; rc == 0 && i < n; i++) {
    experiment_workload *w = &x->workloads[x->nworkloads++];
    const cJSON *e = cJSON_IsArray(v) ? cJSON_GetArrayItem(v, (int)i) : v;
    rc = parse_workload(x, e, i, w, err, errlen);
    if (rc < 0)
      break;
    char sub[1024], hint[96];
    if (spec_add_workload(scratch, w->item, w->units, w->twin, sub,
                          sizeof sub) < 0) {
      size_t count;
      const wl_workload *all = registry_all(&count);
      const char *names[128];
      count = count < 128 ? count : 128;
      for (size_t k = 0; k < count; k++)
        names[k] = all[k].name;
      const char *best = suggest_closest(w->item, names, count);
      snprintf(hint, sizeof hint, "; did you mean '%s'?", best ? best : "");
      rc = fail(x, w->key, err, errlen, "%s%s", sub,
                best && strstr(sub, "unknown workload") ? hint : "");
      break;
    }
    if ((used && append(joined, TEXT_MAX, &used, ",") < 0) ||
        append(joined, TEXT_MAX, &used, w->item) < 0)
      rc = fail(x, "workloads", err, errlen, "the list is too long");
  }
  if (rc == 0 && (rc = push_arg(x, "-w")) == 0 &&
      (rc = push_arg(x, joined)) == 0)
    x->workloads_arg = x->args[x->nargs - 1];
  if (scratch)
    spec_free(scratch);
  free(scratch);
  free(joined);
  return rc;
}

int experiment_from_json(const char *path, const cJSON *answer,
                         experiment **out, char *err, size_t errlen) {
  *out = NULL;
  experiment *x = calloc(1, sizeof *x);
  if (!x || !(x->path = strdup(path)) || !(x->dir = strdup(path)) ||
      push_arg(x, "run") < 0) {
    experiment_free(x);
    snprintf(err, errlen, "out of memory");
    return -ENOMEM;
  }
  char *slash = strrchr(x->dir, '/');
  if (!slash)
    strcpy(x->dir, ".");
  else if (slash == x->dir)
    slash[1] = '\0';
  else
    *slash = '\0';

  const cJSON *invalid = cJSON_GetObjectItemCaseSensitive(answer, "invalid");
  const cJSON *doc = cJSON_GetObjectItemCaseSensitive(answer, "doc");
  const cJSON *sha = cJSON_GetObjectItemCaseSensitive(answer, "sha256");
  int rc = 0;
  if (invalid) {
    const cJSON *line = cJSON_GetObjectItemCaseSensitive(invalid, "line");
    const cJSON *col = cJSON_GetObjectItemCaseSensitive(invalid, "column");
    const char *msg = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(invalid, "message"));
    if (cJSON_IsNumber(line) && line->valueint > 0)
      snprintf(err, errlen, "%s:%d:%d: %s", path, line->valueint,
               cJSON_IsNumber(col) ? col->valueint : 1, msg ? msg : "invalid");
    else
      snprintf(err, errlen, "%s: %s", path, msg ? msg : "invalid");
    rc = -EINVAL;
    goto done;
  }
  if (!cJSON_IsObject(doc) || !cJSON_IsString(sha)) {
    snprintf(err, errlen, "%s: the runner's answer has no document", path);
    rc = -EIO;
    goto done;
  }
  snprintf(x->sha256, sizeof x->sha256, "%s", sha->valuestring);
  x->keys =
      cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(answer, "keys"), 1);

  const char *known[64];
  size_t nknown = 0;
  known[nknown++] = "workloads";
  for (size_t i = 0; i < experiment_noptions && nknown < 64; i++)
    known[nknown++] = experiment_options[i].key;
  const cJSON *v, *workloads = NULL;
  const experiment_option *seen[64];
  const char *seen_key[64];
  size_t nseen = 0;
  cJSON_ArrayForEach(v, doc) {
    char text[TEXT_MAX], why[512], hint[96];
    if (strcmp(v->string, "workloads") == 0) {
      workloads = v;
      continue;
    }
    const experiment_option *o = find_option(v->string);
    if (!o) {
      rc = fail(x, v->string, err, errlen, "unknown key%s",
                did_you_mean(v->string, known, nknown, hint, sizeof hint));
      if (!hint[0])
        snprintf(err + strlen(err), errlen - strlen(err),
                 " (the keys are `gillab run`'s options: see README, "
                 "\"Experiment files\")");
      goto done;
    }
    for (size_t i = 0; i < nseen; i++)
      if (strcmp(seen[i]->option, o->option) == 0) {
        rc = fail(x, v->string, err, errlen, "given twice (also as %s)",
                  seen_key[i]);
        goto done;
      }
    if (nseen < 64) {
      seen[nseen] = o;
      seen_key[nseen++] = v->string;
    }
    rc = experiment_option_text(o, v, x->dir, text, sizeof text, why,
                                sizeof why);
    if (rc < 0) {
      rc = fail(x, v->string, err, errlen, "%s", why);
      goto done;
    }
    if (rc == 1) { /* a flag set to false */
      rc = 0;
      continue;
    }
    int flag = o->kind == EXPERIMENT_FLAG || o->kind == EXPERIMENT_NOT;
    if ((rc = check_option(x, v->string, o->option, flag ? NULL : text, err,
                           errlen)) < 0 ||
        (rc = push_arg(x, o->option)) < 0 ||
        (!flag && (rc = push_arg(x, text)) < 0))
      goto done;
  }
  if (workloads)
    rc = parse_workloads(x, workloads, err, errlen);
done:
  if (rc == -ENOMEM)
    snprintf(err, errlen, "out of memory");
  if (rc < 0) {
    experiment_free(x);
    return rc;
  }
  *out = x;
  return 0;
}

int experiment_read(const char *path, experiment **out, char *err,
                    size_t errlen) {
  char runner[PATH_MAX];
  *out = NULL;
  if (access(path, R_OK) < 0) {
    int e = errno;
    snprintf(err, errlen, "%s: cannot read the experiment file: %s", path,
             strerror(e));
    return e == ENOENT ? -ENOENT : -EINVAL;
  }
  int rc = runtime_runner_path(GILLAB_DEFAULT_RUNTIME, runner, sizeof runner,
                               err, errlen);
  if (rc < 0)
    return rc;
  char *argv[] = {runner, "--toml", (char *)path, "--result-fd", "3", NULL};
  child_outcome res;
  if ((rc = child_run(argv, 60, NULL, &res, err, errlen)) < 0)
    return rc;
  if (res.status == CHILD_OK) {
    rc = experiment_from_json(path, res.result, out, err, errlen);
  } else {
    snprintf(err, errlen, "%s: the runner could not read it (`%s --toml`): %s",
             path, runner, res.reason);
    rc = -EIO;
  }
  child_outcome_clear(&res);
  return rc;
}

int experiment_spec(const experiment *x, spec_matrix *s, int argc, char **argv,
                    char *err, size_t errlen) {
  int n = x->nargs + argc - 1;
  char **all = calloc((size_t)n + 1, sizeof *all);
  if (!all) {
    snprintf(err, errlen, "out of memory");
    return -ENOMEM;
  }
  memcpy(all, x->args, (size_t)x->nargs * sizeof *all);
  memcpy(all + x->nargs, argv + 1, (size_t)(argc - 1) * sizeof *all);
  int rc = spec_from_args(s, n, all, err, errlen);
  free(all);
  if (rc != 0)
    return rc;
  s->experiment_sha256 = x->sha256;
  /* The file's workloads, unless the command line chose others: again,
   * each with its own units and twin. */
  if (x->workloads_arg && s->workloads_arg == x->workloads_arg) {
    s->nworkloads = 0; /* the rows stay owned by s until spec_free */
    for (size_t i = 0; i < x->nworkloads; i++) {
      const experiment_workload *w = &x->workloads[i];
      char sub[1024];
      if (spec_add_workload(s, w->item, w->units, w->twin, sub, sizeof sub) < 0)
        return fail(x, w->key, err, errlen, "%s", sub);
    }
  }
  return 0;
}

void experiment_free(experiment *x) {
  if (!x)
    return;
  for (int i = 0; i < x->nargs; i++)
    free(x->args[i]);
  free(x->args);
  for (size_t i = 0; i < x->nworkloads; i++) {
    free(x->workloads[i].item);
    free(x->workloads[i].twin);
  }
  cJSON_Delete(x->keys);
  free(x->path);
  free(x->dir);
  free(x);
}
