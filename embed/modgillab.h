/* modgillab — the builtin module _gillab, which workloads and drivers
 * import: a monotonic clock, native thread ids, worker binding, and
 * hold_gil, the ground truth the GIL probes are tested against. */
#ifndef GILLAB_MODGILLAB_H
#define GILLAB_MODGILLAB_H

#include <Python.h>

/* Module init for PyImport_AppendInittab("_gillab", modgillab_init). */
PyObject *modgillab_init(void);

#endif
