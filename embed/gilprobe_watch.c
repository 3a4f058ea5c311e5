/* gilprobe_watch — registering an interpreter's GIL with the probe, by its
 * location in the runtime this runner was compiled against (internal.c).
 * Apart from gilprobe.c so that the probe library, which serves runtimes
 * it was not compiled against, links the interposer without it.
 *
 * The location comes from the runtime's own headers, but a runtime built
 * with a configuration its headers do not show would still be misread, so
 * the runner checks it as the probe library does (gillayout_check) before
 * counting: the caller holds the GIL, so it must read locked, with the
 * caller as last holder, and its interval must be the switch interval. */
#include "gilprobe.h"

#include "gillayout.h"

#include <stdio.h>

static char refused[256];

int gilprobe_watch(void *interp) {
  internal_gil_view v;
  if (internal_gil_locate(interp, &v) < 0) {
    snprintf(refused, sizeof refused, "the interpreter has no GIL");
    return -1;
  }
  if (gilprobe__watching_gil(v.gil))
    return 0;
  gillayout_seen s = {
      .locked_while_held = __atomic_load_n(v.locked, __ATOMIC_RELAXED) == 1,
      .holder_is_self =
          __atomic_load_n((void **)v.last_holder, __ATOMIC_RELAXED) ==
          internal_current_tstate(),
      .interval_us = (long)*v.interval,
      .switchinterval_us = internal_switch_interval_us(),
      .enabled_field = v.enabled ? *v.enabled : -1,
      .gil_enabled = v.enabled ? *v.enabled > 0 : -1,
  };
  char why[200];
  if (!gillayout_check(&s, v.enabled != NULL, why, sizeof why)) {
    snprintf(refused, sizeof refused, "%s", why);
    return -1;
  }
  return gilprobe__add(&v);
}

const char *gilprobe_refused(void) {
  return refused;
}

int gilprobe_watching(void *interp) {
  internal_gil_view v;
  if (internal_gil_locate(interp, &v) < 0)
    return 0;
  return gilprobe__watching_gil(v.gil);
}
