/* twin — a user workload's C twin; see twin.h. */
#include "twin.h"

#include "digest.h"
#include "gillab_twin.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

static gillab_twin_work_fn loaded_work;
static gillab_twin_setup_fn loaded_setup;

/* The ABI's names, written once (dlsym takes strings). */
#define WORK_SYMBOL "gillab_twin_work"
#define SETUP_SYMBOL "gillab_twin_setup"

/* A twin that failed without a word still fails with one. */
static int twin_error(int rc, const char *what, char *err, size_t errlen) {
  if (!err[0])
    snprintf(err, errlen, "%s returned %d", what, rc);
  return -EIO;
}

static int twin_native(unsigned worker, unsigned nworkers, uint64_t units,
                       wl_result *out, char *err, size_t errlen) {
  err[0] = '\0';
  int rc = loaded_work(worker, nworkers, units, &out->ops, &out->answer, err,
                       errlen);
  return rc ? twin_error(rc, WORK_SYMBOL "()", err, errlen) : 0;
}

static int twin_begin(const wl_ctx *ctx, char *err, size_t errlen) {
  err[0] = '\0';
  int rc = loaded_setup(ctx->workers, ctx->units, err, errlen);
  return rc ? twin_error(rc, SETUP_SYMBOL "()", err, errlen) : 0;
}

static const wl_native_hooks twin_hooks = {.begin = twin_begin};

/* dlsym's result as a function pointer: ISO C has no conversion from
 * void *, POSIX guarantees this one works. */
static void *symbol(void *handle, const char *name) {
  dlerror();
  return dlsym(handle, name);
}

int twin_load(const char *path, wl_workload *wl, char *err, size_t errlen) {
  void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    snprintf(err, errlen, "cannot load the C twin %s: %s", path, dlerror());
    return -ENOENT;
  }
  void *work = symbol(h, WORK_SYMBOL), *setup = symbol(h, SETUP_SYMBOL);
  if (!work) {
    snprintf(err, errlen,
             "the C twin %s has no function " WORK_SYMBOL
             " (see workloads/gillab_twin.h)",
             path);
    dlclose(h);
    return -ENOENT;
  }
  memcpy(&loaded_work, &work, sizeof work);
  memcpy(&loaded_setup, &setup, sizeof setup);
  wl->native = twin_native;
  wl->hooks = setup ? &twin_hooks : NULL;
  return 0; /* the handle stays open for the runner's life */
}

cJSON *twin_applied(void) {
  if (!loaded_work)
    return NULL;
  void *work;
  Dl_info info;
  memcpy(&work, &loaded_work, sizeof work);
  cJSON *o = cJSON_CreateObject();
  if (dladdr(work, &info) && info.dli_fname) {
    char hex[DIGEST_HEX_LEN], err[256];
    cJSON_AddStringToObject(o, "path", info.dli_fname);
    if (digest_file(info.dli_fname, hex, err, sizeof err) == 0)
      cJSON_AddStringToObject(o, "sha256", hex);
    else
      cJSON_AddNullToObject(o, "sha256");
  } else {
    cJSON_AddNullToObject(o, "path");
    cJSON_AddNullToObject(o, "sha256");
  }
  cJSON_AddBoolToObject(o, "setup", loaded_setup != NULL);
  return o;
}

cJSON *twin_inspect(const char *path) {
  cJSON *o = cJSON_CreateObject();
  void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  int work = h && symbol(h, WORK_SYMBOL);
  int setup = h && symbol(h, SETUP_SYMBOL);
  cJSON_AddBoolToObject(o, "work", work);
  cJSON_AddBoolToObject(o, "setup", setup);
  if (!h) {
    cJSON_AddStringToObject(o, "error", dlerror());
  } else if (!work) {
    char msg[512];
    snprintf(msg, sizeof msg,
             "%s has no function " WORK_SYMBOL
             " (see workloads/gillab_twin.h; declared extern \"C\" in C++)",
             path);
    cJSON_AddStringToObject(o, "error", msg);
  } else {
    cJSON_AddNullToObject(o, "error");
  }
  if (h)
    dlclose(h);
  return o;
}
