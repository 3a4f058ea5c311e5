/* registry — the workloads gillab knows: names, Python module, C twin, sizes.
 *
 * A workload is one unit of work written twice: a Python module in
 * workloads/python/ with a function work(worker, nworkers, units) and a C
 * twin in workloads/native/ with the same meaning. Both return how many
 * operations they did and an answer (e.g. the number of primes found) so a
 * test can check that the twins compute the same thing.
 *
 * Adding a workload: write workloads/python/<module>.py, its C twin in
 * workloads/native/<name>.c, and add one row to the table in registry.c.
 */
#ifndef GILLAB_REGISTRY_H
#define GILLAB_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

/* What a worker did. ops are the workload's unit of work (the same unit in
 * Python and C, so throughputs compare); answer is a checksum of the work. */
typedef struct {
  uint64_t ops;
  uint64_t answer;
} wl_result;

/* The C twin of a workload, run by worker `worker` of `nworkers`: it does
 * its share of `units` (strong scaling: the shares add up to units).
 * Returns 0, or a negative code with a sentence in err. */
typedef int (*wl_native_fn)(unsigned worker, unsigned nworkers, uint64_t units,
                            wl_result *out, char *err, size_t errlen);

typedef struct {
  const char *name;      /* "cpu.primes" */
  const char *summary;   /* one line for `gillab list` */
  const char *py_module; /* module in workloads/python, NULL if none */
  wl_native_fn native;   /* C twin, NULL if none */
  unsigned models;       /* MODEL_BIT()s of the models that fit */
  uint64_t units_py;     /* total units at --size 1 for Python models */
  uint64_t units_native; /* total units at --size 1 for native models */
  int hidden;            /* test-only workloads, listed with --all */
} wl_workload;

/* The workload named name, or NULL. */
const wl_workload *wl_find(const char *name);
/* All workloads; *n receives the count. The table is static. */
const wl_workload *wl_all(size_t *n);

/* C twins (workloads/native/). */
int wl_primes_native(unsigned worker, unsigned nworkers, uint64_t units,
                     wl_result *out, char *err, size_t errlen);
int wl_crash_native(unsigned worker, unsigned nworkers, uint64_t units,
                    wl_result *out, char *err, size_t errlen);
int wl_hang_native(unsigned worker, unsigned nworkers, uint64_t units,
                   wl_result *out, char *err, size_t errlen);

#endif
