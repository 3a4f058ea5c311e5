/* httpsrv — net.serve's C twin: the same HTTP/1.1 GET protocol as the
 * Python servers (loadgen.h), served with epoll by N threads, each with a
 * listening socket of its own on one port (SO_REUSEPORT: the kernel
 * balances the connections), each bound where the cell's placement says.
 *
 * The handlers are the built-in ones of workloads/python/net_serve.py, in
 * C: "none" (the reply at once), "cpu" (spin handler_us microseconds of the
 * thread's CPU time: the same CPU cost as the Python loop calibrated to that
 * long, not the same instructions, which C would run many times faster), "hash"
 * (SHA-256 of a 64 KiB buffer, as the Python one with hashlib), "sleep" (block
 * handler_us microseconds: the thread serves nothing else meanwhile, as a
 * single-threaded event loop would). Every reply's body is the request's path.
 *
 * Notes about the implementation: each thread owns its listener, epoll and
 * connections; the counters are per thread and read after the threads are
 * joined. An eventfd wakes every thread to stop.
 */
#ifndef GILLAB_HTTPSRV_H
#define GILLAB_HTTPSRV_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

typedef struct httpsrv httpsrv;

/* Called on server thread i when it starts (enter 1, before it serves)
 * and when it ends (enter 0): the runner registers it as a worker of the
 * cell there (binding it and accounting for its time). */
typedef void (*httpsrv_thread_fn)(unsigned i, int enter, void *arg);

/* Starts nthreads server threads, thread i bound to sets[i] (list syntax,
 * "" unbound; sets may be NULL) and serving with handler (one of the four
 * above) costing handler_us; cpu_loops > 0 makes the cpu handler run that
 * many iterations of the Python cpu handler's loop in C instead of a spin
 * (the same arithmetic: net_serve.py's _cpu_loop); on_thread (NULL: none)
 * is called with arg on each thread; udp: each thread has a UDP socket of
 * its own on the port (SO_REUSEPORT) and answers each request datagram
 * with one reply datagram. *out must be stopped with
 * httpsrv_stop. Returns 0 or a negative errno with err. */
int httpsrv_start(httpsrv **out, unsigned nthreads, char *const *sets,
                  const char *handler, unsigned handler_us, uint64_t cpu_loops,
                  int udp, httpsrv_thread_fn on_thread, void *arg, char *err,
                  size_t errlen);
/* The port it listens on. */
int httpsrv_port(const httpsrv *s);
/* Stops the threads, closes every socket and frees s (NULL is fine). */
void httpsrv_stop(httpsrv *s);
/* A new object {"server": "c-epoll", "threads": [{"thread", "tid",
 * "bound", "cpus_seen", "conns", "requests"}], "conns", "requests"};
 * call between the load's end and httpsrv_stop. */
cJSON *httpsrv_report(httpsrv *s);

#endif
