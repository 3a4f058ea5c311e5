/* loadgen — the native load generator of net.serve: HTTP/1.1 GET with
 * keep-alive over loopback TCP, closed loop or at a fixed rate.
 *
 * The protocol (served by workloads/python/net_serve.py and the C twin,
 * httpsrv.h): a request is
 *   "GET /c<conn>/<seq> HTTP/1.1\r\nHost: gillab\r\n\r\n"
 * and a reply "HTTP/1.1 <status> <reason>\r\nContent-Length: <n>\r\n\r\n"
 * followed by n bytes of body; the connection stays open (HTTP/1.1's
 * default), one request in flight per connection. The built-in handlers
 * answer 200 with the request's path as the body, so the generator checks
 * that each reply is the one to its own request (check_body); a user's
 * handler answers what it likes, and only the status and the framing are
 * checked. The same requests and replies travel as UDP datagrams, one
 * each, when opts.udp is set (net.serve_udp).
 *
 * Closed loop (rate 0), like wrk: `connections` connections each send their
 * next request when the reply to the last one has arrived, and latency is
 * measured from the send. Open loop (rate > 0), like wrk2: request k of
 * connection i is due at t0 + (i + k * connections) / rate; a connection
 * still waiting for a reply sends its next request as soon as the reply
 * arrives, and the latency is measured from when the request was due, not
 * sent, so a slow server cannot hide its queue (coordinated omission).
 *
 * Notes about the implementation: one thread of its own (bound to cpuset,
 * read back) drives every connection with epoll; nothing is shared with the
 * caller until the thread has been joined.
 */
#ifndef GILLAB_LOADGEN_H
#define GILLAB_LOADGEN_H

#include "lat.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#define LOADGEN_MAX_CONNECTIONS 4096
/* The longest reply the generator accepts (head and body). */
#define LOADGEN_MAX_REPLY 65536

typedef struct {
  int port;             /* 127.0.0.1:port */
  unsigned connections; /* 1 .. LOADGEN_MAX_CONNECTIONS */
  double duration_s;    /* how long requests are sent */
  double rate;          /* requests per second over all connections; 0:
                           closed loop */
  double timeout_s;     /* a reply later than this is a timeout (the
                           connection is closed and opened again) */
  int check_body;       /* the body must be the request's path */
  const char *cpuset;   /* the generator thread's CPUs (list syntax: "1",
                           "0-1"); NULL or "": unbound */
  int udp;              /* datagrams: a "connection" is a connected UDP
                           socket, a request and its reply one datagram
                           each; a lost one is a timeout and the next
                           request goes out on the same socket */
} loadgen_opts;

typedef struct {
  double wall_s;          /* from the first request to the end of sending */
  uint64_t start_ns;      /* util_now_ns when the first request went out */
  uint64_t requests;      /* replies received, any status */
  uint64_t ok;            /* status 200 (and the right body when checked) */
  uint64_t status_errors; /* a well-formed reply with another status */
  uint64_t bad_replies;   /* malformed, or the body of another request */
  uint64_t timeouts;
  uint64_t conn_errors;      /* connects refused, connections reset */
  uint64_t in_flight_at_end; /* sent before the end, not answered by it */
  uint64_t late_sends;       /* open loop: requests sent after they were due */
  uint64_t stale_replies;    /* UDP: a reply after its request timed out */
  unsigned conns_served;     /* connections that got at least one 200 */
  lat_samples lat;           /* per reply (owned: loadgen_result_clear) */
  char bound[256];           /* the thread's CPUs read back after binding */
  uint64_t cpus_seen;        /* bit i: it was seen on CPU i (i < 64) */
  char first_error[160];     /* the first bad reply or error, for the record */
} loadgen_result;

/* Runs the load for opts->duration_s on a thread of its own and waits for
 * it. Returns 0 (errors of the server are counted in *out, not returned),
 * or a negative errno with err when the generator itself cannot run (no
 * thread, the binding refused, bad options). *out must be cleared with
 * loadgen_result_clear in every case. */
int loadgen_run(const loadgen_opts *opts, loadgen_result *out, char *err,
                size_t errlen);

/* Binds the calling thread to set, in the plans' list syntax ("1", "0-1",
 * "0,2-3", OS indexes); "" or NULL leaves it unbound. Returns 0 or
 * -errno (-EINVAL: malformed). Also the C server's (httpsrv.h). */
int loadgen_bind_list(const char *set);

/* Frees what *r holds. */
void loadgen_result_clear(loadgen_result *r);

/* The record's view of a result: a new object {"requests", "ok",
 * "requests_per_s", "errors", "error_rate", "status_errors", "bad_replies",
 * "timeouts", "conn_errors", "in_flight_at_end", "late_sends",
 * "stale_replies",
 * "conns_served", "latency_us": {n, p50, p90, p99, max}, "latency_hist",
 * "bound", "cpus_seen", "first_error"} (caller owns it). Sorts r->lat. */
cJSON *loadgen_report(loadgen_result *r, const loadgen_opts *opts);

#endif
