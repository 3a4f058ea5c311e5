/* echosrv — a native TCP echo server on 127.0.0.1, in a thread of its own.
 *
 * io.echo and mixed.convoy measure request/response round trips over
 * loopback TCP. The server is plain C (no Python, so it takes no GIL and
 * adds no contention of its own): the runner starts it before a cell's
 * timed region and stops it after, on an ephemeral port that the workload
 * learns from wl_context()->echo_port (C) or the GILLAB_ECHO_PORT
 * environment variable (Python, also in worker processes).
 *
 * Notes about the implementation: one thread serves every connection with
 * epoll; it echoes whatever it reads. An eventfd wakes it to stop. The
 * counters are written by the server thread only, with relaxed atomics, a
 * request counted before its reply is written, so a report taken after the
 * clients have their replies counts every request; cpus_seen (where the server
 * thread woke up: on these VMs a wake-up across cores is slow, so where the
 * server ran shapes the round-trip time) is a bitmask updated with relaxed
 * atomics.
 */
#ifndef GILLAB_ECHOSRV_H
#define GILLAB_ECHOSRV_H

#include <cjson/cJSON.h>
#include <stddef.h>

typedef struct echosrv echosrv;

/* Starts the server; *out must be stopped with echosrv_stop. service_us > 0
 * delays every reply by that long after its request was read (one request
 * at a time: a single-threaded server with work to do); 0 echoes at once.
 * Returns 0 or a negative errno with err. */
int echosrv_start(echosrv **out, unsigned service_us, char *err, size_t errlen);
/* The port it listens on. */
int echosrv_port(const echosrv *s);
/* Stops the thread, closes every socket and frees s. */
void echosrv_stop(echosrv *s);
/* A new object {"port", "service_us", "tid", "bound": null, "cpus_seen": [...],
 * "conns", "reads", "bytes"}: every request whose reply was received. */
cJSON *echosrv_report(const echosrv *s);

#endif
