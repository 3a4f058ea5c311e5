/* machine — the facts of the machine a measurement was taken on, as the
 * "machine" object of a metadata record: host name, CPU model, frequency
 * governor, the topology's PUs, cores, packages and NUMA nodes and its
 * summary, the kernel and the OS. Shared by `gillab run`'s metadata
 * (meta.h) and `gillab probe`'s, which has no runtimes nor spec of its
 * own. */
#ifndef GILLAB_MACHINE_H
#define GILLAB_MACHINE_H

#include "place.h"

#include <cjson/cJSON.h>

/* A new object describing this machine (free with cJSON_Delete); topo is
 * its topology (borrowed). */
cJSON *machine_describe(const place_topo *topo);

#endif
