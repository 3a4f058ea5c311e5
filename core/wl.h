/* wl — what a workload is: the types every folder shares.
 *
 * A workload is one unit of work written twice: a Python module with a
 * function work(worker, nworkers, units) and a C twin with the same
 * meaning. Both return how many operations they did and an answer (e.g. the
 * number of primes found) so a test can check that the twins compute the
 * same thing. This header says what a workload is (wl_workload), what a
 * worker returns (wl_result), what a cell gives it (wl_ctx) and how units
 * are shared; the table of the built-in workloads is workloads/registry.h,
 * the C twins are workloads/native/native.h.
 *
 * Beyond ops and answer, a workload can put fields of its own into the cell
 * record (e.g. "convoy", "dealloc"), in both halves the same way:
 *  - Python: work() may return (ops, answer, extra), extra any JSON-able
 *    value; the module may define begin(params) -> state, called by the
 *    driver in the cell's main process before the workers start (params:
 *    {"model", "workers", "units", "cpu_threads", "echo_port",
 *    "start_method", "msg_size", "payload"}), and end(state, extras,
 *    wall_s) -> dict, called after
 *    the timed region with every worker's extra (None for a worker that
 *    returned two values); the dict's items become record fields. Under
 *    `processes`, share(state) -> object, when the module defines it, is
 *    handed to every worker process (pickled as multiprocessing pickles a
 *    Process's arguments, so pipes, sockets, queues and semaphores made by
 *    begin reach spawned and forkserver children too), which calls
 *    attach(object) before the start barrier. Under `subinterpreters` the
 *    hooks of a built-in workload run in the main interpreter, share's
 *    object reaches each worker's interpreter pickled (ids, descriptor
 *    numbers: objects cannot cross), and each extra comes back pickled
 *    (it must be picklable).
 *  - C: the row's hooks (wl_native_hooks): begin before the workers start,
 *    end after the timed region, adding fields to the result object.
 * Probes that serve every cell (GC pauses, hiccups) live in embed/ and add
 * their own objects in embed/cell.c.
 *
 * A user workload (a Python file given to `gillab run -w`, lab/userwl.h) is
 * a row like the built-in ones, made by the orchestrator from what a runner
 * found in the file (`gillab-runner-TAG --inspect`) and owned by the spec:
 * `file` names it, py_module is the file's stem, `func` its work function,
 * `twin` the shared object of its C twin (workloads/gillab_twin.h), loaded
 * by the runner, which builds its own row for the cell (embed/cell.c).
 */
#ifndef GILLAB_WL_H
#define GILLAB_WL_H

#include <cjson/cJSON.h>
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

/* What a cell gives its workload beyond (worker, nworkers, units), set by
 * the runner before the workers start and constant during the cell. */
typedef struct {
  unsigned workers;
  uint64_t units;
  unsigned cpu_threads; /* CPU-bound threads beside the workers (convoy) */
  int echo_port;        /* the echo server's port; 0 when none runs */
  uint64_t msg_size;    /* bytes per message (WL_MESSAGES); 0 otherwise */
  const char *payload;  /* "bytes" or "object" (WL_MESSAGES); NULL */
} wl_ctx;

/* The cell's context (never NULL; zeros before wl_set_context). */
const wl_ctx *wl_context(void);
/* Sets the context (copied); called by the runner only. */
void wl_set_context(const wl_ctx *ctx);

/* Optional hooks of a C twin, run on the runner's main thread. begin runs
 * before the workers start (outside the timed region; e.g. starts helper
 * threads) and returns 0 or a negative code with err; end runs after the
 * timed region, whatever happened, stops what begin started and adds the
 * workload's own fields to out (the cell's result object). */
typedef struct {
  int (*begin)(const wl_ctx *ctx, char *err, size_t errlen);
  void (*end)(cJSON *out, double wall_s);
} wl_native_hooks;

/* Flags of a workload. */
#define WL_ECHO_SERVER 0x1u /* the runner runs the echo server (echosrv.h) */
#define WL_CPU_THREADS 0x2u /* takes the --cpu-threads axis */
/* The echo server answers WL_ECHO_SERVICE_US after each request, as a
 * service with work to do would. mixed.convoy needs it: an immediate
 * loopback reply (7 us here) often comes back before a CPU-bound thread,
 * woken by the GIL's release, has taken the GIL, so the I/O thread keeps
 * it and the convoy shows in only some round trips (6x to 15x fewer round
 * trips with 1 CPU thread on 3.11, from run to run); with 50 us every
 * blocking recv hands the GIL over, as over a real network (~40x). */
#define WL_ECHO_SERVICE 0x4u
#define WL_ECHO_SERVICE_US 50
/* Pure computation, no state across calls of work(): a worker that starts
 * in a fresh process or interpreter (processes, subinterpreters) runs it
 * untimed for --worker-warmup seconds before the start barrier. */
#define WL_WARMUP 0x8u
/* What a user workload's file offers beside its work function (found by
 * `gillab-runner-TAG --inspect`): a coroutine function awork(worker,
 * nworkers, units), which the asyncio model needs (without it asyncio
 * cells are skipped), and setup(params), which the drivers call once per
 * worker process or interpreter (once in the process for threads and
 * asyncio) before the timed region. */
#define WL_AWORK 0x10u
#define WL_SETUP 0x20u
/* A latency experiment (os.spawn, os.switch): its units are milliseconds
 * of measuring, whatever the workers, and what it measures is the latency
 * of each operation (in its own record fields), so the reports show those
 * percentiles and no speedup or efficiency, which would compare nothing. */
#define WL_LATENCY 0x40u
/* Moves messages from a producer to a consumer (ipc.*): takes the
 * --msg-size and --payload axes (the cell's msg_size and payload, in
 * wl_ctx and, for Python, GILLAB_MSG_SIZE and GILLAB_PAYLOAD), and its
 * workers come in pairs, worker 2k producing for worker 2k+1, so a cell
 * with an odd number of workers is skipped. */
#define WL_MESSAGES 0x80u
/* A memory experiment (mem.cow): what it measures is the memory its
 * worker processes hold, in its own record fields ("cow"), so the reports
 * show those and no throughput, speedup or efficiency. */
#define WL_MEMORY 0x100u
/* Needs the fork start method (mem.cow: the workers must inherit what the
 * cell's process built before forking them): processes cells with spawn or
 * forkserver are skipped, saying why. */
#define WL_FORK_ONLY 0x200u
/* A server (net.serve*): the cell runs a server with `workers` workers
 * (threads, processes, or the C twin's epoll threads) and gillab's native
 * load generator against it for `units` milliseconds, over the
 * --connections, --handler and --rate axes (cellspec.h); what it measures
 * is requests per second and latency by concurrency (record field
 * "serve"), so the reports show those and no speedup. WL_SERVE_SHARED:
 * the workers share one socket: a pool of handler threads behind one
 * selector (threads) or processes accepting on one listening socket made
 * before the fork (processes); without it, a thread per connection
 * (threads), one event loop (asyncio) and processes with a listening
 * socket each (SO_REUSEPORT). */
#define WL_SERVE 0x400u
#define WL_SERVE_SHARED 0x800u
/* A server over UDP (net.serve_udp): a request and its reply are one
 * datagram each; threads are N receivers on one socket, processes N
 * sockets on one port (SO_REUSEPORT), asyncio a datagram endpoint. */
#define WL_SERVE_UDP 0x1000u

typedef struct {
  const char *name;             /* "cpu.primes" */
  const char *summary;          /* one line for `gillab list` */
  const char *py_module;        /* module in workloads/python, NULL if none */
  wl_native_fn native;          /* C twin, NULL if none */
  unsigned models;              /* MODEL_BIT()s of the models that fit */
  uint64_t units_py;            /* total units at --size 1 for Python models */
  uint64_t units_native;        /* total units at --size 1 for native models */
  int hidden;                   /* test-only workloads, listed with --all */
  unsigned flags;               /* WL_ECHO_SERVER, WL_CPU_THREADS, ... */
  const wl_native_hooks *hooks; /* the C twin's hooks, NULL if none */
  /* The units are each worker's, whatever --scaling says (weak scaling):
   * for workloads where a worker is one client or waiter, so N workers
   * ideally finish in the time of one. */
  int per_worker;
  /* Run by the runner before the cell's workers start (any model, unlike
   * hooks, which serve the C twin) and after they are done: e.g. a file
   * the workload reads. NULL: none. prepare returns 0, or a negative code
   * with a sentence in err. */
  int (*prepare)(char *err, size_t errlen);
  void (*cleanup)(void);
  /* A user workload's file; NULL for the built-in ones. The strings belong
   * to whoever made the row (the spec: spec_free). */
  const char *file;   /* absolute path of the Python file */
  const char *func;   /* its work function ("work", or "file.py:func") */
  const char *sha256; /* SHA-256 of the file as the orchestrator read it */
  const char *twin;   /* absolute path of its C twin (.so), NULL: none */
} wl_workload;

/* Whether an item of `gillab run -w` names a user workload's file rather
 * than a built-in workload: it contains a '/' or ends in ".py" (or
 * ".py:func"). */
int wl_is_file_item(const char *item);

/* The models a user workload (a file) runs under: every Python model
 * (asyncio needs its awork: lab/userwl.h says why a cell is skipped), and
 * the native ones when it has a C twin (twin non-zero). */
unsigned wl_file_models(int twin);

/* Splits a user workload's item "path/bench.py" or "path/bench.py:func"
 * into the file (file, flen bytes) and the function (func, funclen bytes;
 * "work" when not named). A ':' names a function only when a Python
 * identifier follows it. Returns 0, or -ENAMETOOLONG when a part does not
 * fit. */
int wl_split_file_item(const char *item, char *file, size_t flen, char *func,
                       size_t funclen);

/* Worker `worker`'s share of `units` under strong scaling: the block
 * [*first, *end). Blocks, not an interleaved split: interleaving would give
 * one of two workers every even number of cpu.primes, which it rejects at
 * once. The Python halves compute the same bounds (units * worker //
 * nworkers), so the twins do the same operations. */
static inline void wl_share(unsigned worker, unsigned nworkers, uint64_t units,
                            uint64_t *first, uint64_t *end) {
  *first = units * worker / nworkers;
  *end = units * (worker + 1) / nworkers;
}

#endif
