/* gillab_twin — the C ABI of a user workload's C twin: the one header a
 * twin includes (it is installed nowhere: copy it, or point -I at
 * workloads/). See README, "Bring your own workload".
 *
 * A twin is a shared object (`cc -shared -fPIC -o libtwin.so twin.c`) given
 * to `gillab run -w bench.py --twin libtwin.so`. The runner loads it with
 * dlopen and runs gillab_twin_work under the native models, native-threads
 * (one pthread per worker) and native-procs (one forked process per
 * worker), exactly as it runs the built-in workloads' twins (core/wl.h):
 * the same meaning as the Python work(worker, nworkers, units), so that
 * throughputs compare and the answers can be checked against each other
 * (summary.md says whether they agree).
 *
 * Both functions return 0, or non-zero with a sentence in err (errlen
 * bytes, NUL-terminated), which fails the cell and goes into its record.
 */
#ifndef GILLAB_GILLAB_TWIN_H
#define GILLAB_GILLAB_TWIN_H

#include <stddef.h>
#include <stdint.h>

/* Required. Worker `worker` (0 .. nworkers-1) does its share of `units`
 * (strong scaling: the shares add up to units, e.g. the block
 * [units*worker/nworkers, units*(worker+1)/nworkers)), then sets *ops to
 * the operations it did and *answer to a checksum of its work, which the
 * runner adds up over the workers (modulo 2^64) as it adds up the Python
 * answers. Called once per worker, concurrently from several threads
 * (native-threads) or in forked processes (native-procs): keep state per
 * worker or read-only. */
int gillab_twin_work(unsigned worker, unsigned nworkers, uint64_t units,
                     uint64_t *ops, uint64_t *answer, char *err, size_t errlen);

/* Optional. Called once in the runner before any worker starts, outside the
 * timed region (native-procs workers are forked after it, so they inherit
 * what it prepared), as Python's setup(params) is. */
int gillab_twin_setup(unsigned nworkers, uint64_t units, char *err,
                      size_t errlen);

/* The types of the two, for dlsym. */
typedef int (*gillab_twin_work_fn)(unsigned worker, unsigned nworkers,
                                   uint64_t units, uint64_t *ops,
                                   uint64_t *answer, char *err, size_t errlen);
typedef int (*gillab_twin_setup_fn)(unsigned nworkers, uint64_t units,
                                    char *err, size_t errlen);

#endif
