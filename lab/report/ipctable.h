/* ipctable — summary.md's section on the ipc.* workloads: throughput and
 * latency by mechanism x message size, not scaling by workers.
 *
 * Each ipc.* workload is one mechanism (ipc.pipe, ipc.shm, ...) and its
 * cells vary by message size and payload (the records' msg_size and
 * payload), so the section has one table per figure with a row per
 * mechanism, runtime, model and payload and a column per message size:
 * bytes per second, messages per second, the serialization share
 * (pickle.dumps + pickle.loads over the time both sides spent) and the
 * one-way latency. Its findings are computed from the same medians and
 * intervals: at the largest size, shared memory against
 * multiprocessing.Queue (and the fastest and slowest mechanism); at the
 * smallest, the serialization share of every mechanism that pickles.
 */
#ifndef GILLAB_IPCTABLE_H
#define GILLAB_IPCTABLE_H

#include "results.h"

#include <stdio.h>

/* Whether workload wl's records move messages (they carry the payload
 * the orchestrator asked for). */
int ipctable_is_ipc(const results *r, const char *wl);

/* The section for every ipc.* workload of r ("## ipc.*: ..."), or nothing
 * when r has none. */
void ipctable_write(FILE *f, const results *r);

/* The largest message size of r's ipc cells, NAN when it has none. */
double ipctable_largest_size(const results *r);

/* Among the Python ipc groups of r at message size `size` that move bytes
 * (queue.Queue passes objects by reference), of payload `payload` (NULL:
 * any), the one with the most bytes per second (the fewest with
 * slowest), its median into *bytes_per_s when not NULL; NULL when there
 * is none. */
const results_group *ipctable_extreme(const results *r, double size,
                                      const char *payload, int slowest,
                                      double *bytes_per_s);

/* "64 B", "4k", "1M": a message size as --msg-size writes it. */
void ipctable_size_name(char *buf, size_t len, double bytes);

#endif
