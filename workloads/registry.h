/* registry — the built-in workloads: names, Python module, C twin, sizes.
 *
 * What a workload is: core/wl.h. Adding a workload: write
 * workloads/python/<module>.py, its C twin in workloads/native/<name>.c
 * (declared in native/native.h), and add one row to the table in
 * registry.c.
 */
#ifndef GILLAB_REGISTRY_H
#define GILLAB_REGISTRY_H

#include "wl.h"

#include <stddef.h>

/* The workload named name, or NULL. */
const wl_workload *registry_find(const char *name);
/* All workloads; *n receives the count. The table is static. */
const wl_workload *registry_all(size_t *n);

#endif
