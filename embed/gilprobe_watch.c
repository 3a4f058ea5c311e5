/* gilprobe_watch — registering an interpreter's GIL with the probe, by its
 * location in the runtime this runner was compiled against (internal.c).
 * Apart from gilprobe.c so that the probe library, which serves runtimes
 * it was not compiled against, links the interposer without it. */
#include "gilprobe.h"

int gilprobe_watch(void *interp) {
  internal_gil_view v;
  if (internal_gil_locate(interp, &v) < 0)
    return -1;
  return gilprobe__add(&v);
}

int gilprobe_watching(void *interp) {
  internal_gil_view v;
  if (internal_gil_locate(interp, &v) < 0)
    return 0;
  return gilprobe__watching_gil(v.gil);
}
