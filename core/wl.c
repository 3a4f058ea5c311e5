/* wl — see wl.h: the cell's context, the one piece of state. */
#include "wl.h"

static wl_ctx context;

const wl_ctx *wl_context(void) {
  return &context;
}

void wl_set_context(const wl_ctx *ctx) {
  context = *ctx;
}
