/* servetable — summary.md's section on the server workloads (net.serve*):
 * requests per second and latency by connections, not scaling by workers.
 *
 * A server cell varies by server kind (the workload and its model: a
 * thread per connection, a pool, asyncio, SO_REUSEPORT or pre-forked
 * processes, the C twin), workers, handler and connections; the section
 * has, per handler, one table per figure with a row per server, runtime
 * and workers and a column per connection count: requests per second,
 * p99 latency, the error rate (when any cell had errors) and the memory
 * (USS per connection for in-process servers, per worker process for the
 * others). Its findings are computed from the same medians: where the GIL
 * caps threads (the cpu handler), whether one event loop saturated its
 * core (its thread's CPU time over its span), what a blocking handler does
 * to asyncio's latency, how SO_REUSEPORT processes scale and what each
 * costs in memory, and asyncio against threads on pure I/O. A finding
 * states a cause only when the figures show it.
 */
#ifndef GILLAB_SERVETABLE_H
#define GILLAB_SERVETABLE_H

#include "results.h"

#include <stdio.h>

/* Whether workload wl's records are server cells (they carry the handler
 * the orchestrator asked for). */
int servetable_is_serve(const results *r, const char *wl);

/* The section for every server workload of r ("## Servers: ..."), or
 * nothing when r has none. */
void servetable_write(FILE *f, const results *r);

/* The server group of r (of a Python model with python_only) with the
 * most requests per second (median over its ok repetitions, into *rps when
 * not NULL), or NULL when r has none: the answers page's headline for the
 * servers. */
const results_group *servetable_best(const results *r, int python_only,
                                     double *rps);

/* The kind of server group g as the tables name it ("a thread per
 * connection", ...). */
const char *servetable_kind_label(const results_group *g);

#endif
