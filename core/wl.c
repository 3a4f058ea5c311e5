/* wl — see wl.h: the cell's context, the one piece of state, and the
 * items of -w that name a user's file. */
#include "wl.h"

#include "model.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

static wl_ctx context;

const wl_ctx *wl_context(void) {
  return &context;
}

void wl_set_context(const wl_ctx *ctx) {
  context = *ctx;
}

/* Where ":func" starts in item (at its last ':' followed by a Python
 * identifier), or NULL. */
static const char *func_part(const char *item) {
  const char *colon = strrchr(item, ':');
  if (!colon || !(isalpha((unsigned char)colon[1]) || colon[1] == '_'))
    return NULL;
  for (const char *p = colon + 1; *p; p++)
    if (!(isalnum((unsigned char)*p) || *p == '_'))
      return NULL;
  return colon;
}

int wl_is_file_item(const char *item) {
  const char *colon = func_part(item);
  size_t len = colon ? (size_t)(colon - item) : strlen(item);
  return strchr(item, '/') ||
         (len >= 3 && strncmp(item + len - 3, ".py", 3) == 0);
}

int wl_split_file_item(const char *item, char *file, size_t flen, char *func,
                       size_t funclen) {
  const char *colon = func_part(item);
  size_t len = colon ? (size_t)(colon - item) : strlen(item);
  const char *name = colon ? colon + 1 : "work";
  if (len >= flen || strlen(name) >= funclen)
    return -ENAMETOOLONG;
  snprintf(file, flen, "%.*s", (int)len, item);
  snprintf(func, funclen, "%s", name);
  return 0;
}

unsigned wl_file_models(int twin) {
  return MODEL_BITS_PYTHON | (twin ? MODEL_BITS_NATIVE : 0);
}
