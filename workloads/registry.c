/* registry — the table of workloads; see registry.h. */
#include "registry.h"

#include "model.h"
#include "native.h"

#include <string.h>

#define BOTH (MODEL_BITS_PYTHON | MODEL_BITS_NATIVE)

/* Python-only workloads (no C twin: C has nothing to compare with). */
#define PY_ONLY                                                                \
  (MODEL_BIT(MODEL_THREADS) | MODEL_BIT(MODEL_PROCESSES) |                     \
   MODEL_BIT(MODEL_ASYNCIO))

/* The models of workloads whose C twin needs its results in the runner's
 * own memory (native-procs children would keep them to themselves). */
#define NET                                                                    \
  (MODEL_BIT(MODEL_THREADS) | MODEL_BIT(MODEL_PROCESSES) |                     \
   MODEL_BIT(MODEL_NATIVE_THREADS))

/* The ipc.* workloads: a producer and a consumer in one process (threads)
 * or two (processes); the C twins on pthreads or in forked processes. */
#define IPC_PY (MODEL_BIT(MODEL_THREADS) | MODEL_BIT(MODEL_PROCESSES))
#define IPC_NATIVE                                                             \
  (MODEL_BIT(MODEL_NATIVE_THREADS) | MODEL_BIT(MODEL_NATIVE_PROCS))

/* Sizes: at --size 1 one cell of 1 worker takes about a second on a 2-core
 * VM (measured with `gillab run -w NAME -m threads,native-threads -n 1`;
 * the per-operation costs in the comments are from such runs). Python:
 * ~3 us per primality test near 10^6; C: ~0.1 us. */
static const wl_workload workloads[] = {
    {.name = "cpu.primes",
     .summary = "count primes by trial division (pure Python integers)",
     .py_module = "cpu_primes",
     .flags = WL_WARMUP,
     .native = native_primes,
     .models = BOTH,
     .units_py = 300000,
     .units_native = 10000000},
    /* One op: 100 steps of a 5-body system, ~0.7 ms in Python, ~9 us in C. */
    {.name = "cpu.nbody",
     .summary = "n-body orbits stepped in floats (pure Python floats)",
     .py_module = "cpu_nbody",
     .flags = WL_WARMUP,
     .native = native_nbody,
     .models = BOTH,
     .units_py = 1800,
     .units_native = 130000},
    /* One op: one request parsed and answered, ~17 us in Python, ~2.5 us
     * in C. */
    {.name = "cpu.dicts",
     .summary =
         "parse requests into dicts, build and serialize responses (str churn)",
     .py_module = "cpu_dicts",
     .flags = WL_WARMUP,
     .native = native_dicts,
     .models = BOTH,
     .units_py = 100000,
     .units_native = 500000},
    /* hashlib and zlib release the GIL for the whole hash or deflate, and
     * the C twins call the same libraries, so Python and C cost about the
     * same per operation: ~0.85 ms per 1 MiB hashed (no SHA extensions on
     * this VM's CPU), ~7 ms per 64 KiB deflated. */
    {.name = "cpu.sha256",
     .summary = "SHA-256 of 1 MiB buffers (hashlib releases the GIL)",
     .py_module = "cpu_sha256",
     .flags = WL_WARMUP,
     .native = native_sha256,
     .models = BOTH,
     .units_py = 1400,
     .units_native = 1400},
    {.name = "cpu.zlib",
     .summary = "zlib level 6 of 64 KiB text windows (releases the GIL)",
     .py_module = "cpu_zlib",
     .flags = WL_WARMUP,
     .native = native_zlib,
     .models = BOTH,
     .units_py = 170,
     .units_native = 170},
    /* Weak scaling (per_worker): each worker is one waiter doing units
     * sleeps of 1 ms, so N waiters ideally take as long as one and the
     * throughput grows N-fold; what a model loses per wake-up shows as
     * the shortfall. Split strongly, 200 waiters would do 5 sleeps each
     * and the cell would measure thread start-up, not waiting. */
    {.name = "io.sleep",
     .summary = "1 ms sleeps: time.sleep, asyncio.sleep, nanosleep",
     .py_module = "io_sleep",
     .native = native_sleep,
     .models = BOTH,
     .units_py = 800,
     .units_native = 800,
     .per_worker = 1},
    /* ~12 us per 64 KiB read, Python and C alike (the copy dominates). */
    {.name = "io.file",
     .summary = "64 KiB preads from a 64 MiB file in the page cache",
     .py_module = "io_file",
     .native = native_file,
     .models = BOTH,
     .units_py = 100000,
     .units_native = 100000,
     .prepare = native_file_prepare,
     .cleanup = native_file_cleanup},
    /* A loopback round trip costs ~8-15 us from Python or C on these VMs
     * (p50 7 us; the mean is pulled up by cross-core wake-ups). */
    {.name = "io.echo",
     .summary = "request/response round trips over loopback TCP to a native "
                "echo server (one connection per worker)",
     .py_module = "io_echo",
     .native = native_echo,
     .models = NET | MODEL_BIT(MODEL_ASYNCIO),
     .units_py = 80000,
     .units_native = 100000,
     .flags = WL_ECHO_SERVER,
     .hooks = &native_echo_hooks},
    /* units are milliseconds: each echo worker runs that long, whatever
     * the number of CPU-bound threads beside it. */
    {.name = "mixed.convoy",
     .summary = "the convoy effect: echo round trips while "
                "--cpu-threads K CPU-bound threads run (bpo-7946)",
     .py_module = "mixed_convoy",
     .native = native_convoy,
     .models = NET,
     .units_py = 1000,
     .units_native = 1000,
     .flags = WL_ECHO_SERVER | WL_ECHO_SERVICE | WL_CPU_THREADS,
     .hooks = &native_convoy_hooks},
    /* Latency workloads (WL_LATENCY): units are milliseconds, the figures
     * are each creation's or round trip's time, and the reports show
     * those, not a speedup. */
    {.name = "os.spawn",
     .summary = "start a worker of the model's kind, get its first result "
                "back, join it: each creation's latency and memory",
     .py_module = "os_spawn",
     .native = native_spawn,
     .models = BOTH,
     .units_py = 1000,
     .units_native = 1000,
     .flags = WL_LATENCY,
     .hooks = &native_spawn_hooks},
    {.name = "os.switch",
     .summary = "two workers take turns (ping-pong) through each mechanism "
                "of the model: the hand-off latency",
     .py_module = "os_switch",
     .native = native_switch,
     .models = BOTH,
     .units_py = 1000,
     .units_native = 1000,
     .flags = WL_LATENCY,
     .hooks = &native_switch_hooks},
    /* ~1.2 us per pair of cyclic nodes on 3.11 here. */
    {.name = "mem.gc",
     .summary = "cyclic garbage for the GC; its pauses per generation",
     .py_module = "mem_gc",
     .models = PY_ONLY,
     .units_py = 600000,
     .units_native = 1},
    /* One drop: ~15-25 ms to build the graph and drop it (3.11 here). */
    {.name = "mem.dealloc",
     .summary = "build and drop large object graphs with the GC off; "
                "each drop's pause",
     .py_module = "mem_dealloc",
     .models = PY_ONLY,
     .units_py = 36,
     .units_native = 1},
    /* Messages from a producer to a consumer (gillab_ipc.py,
     * native/ipc.c): each pair of workers moves units * 16384 / (16384 +
     * size) messages, so a cell takes about as long at every size. Python,
     * 64 B: ~5 us a message over a pipe, ~30 us through
     * multiprocessing.Queue; 1 MiB: ~0.3 to 3 ms. C: ~2 us at 64 B. */
    {.name = "ipc.pipe",
     .summary = "messages from a producer to a consumer over os.pipe",
     .py_module = "ipc_pipe",
     .native = native_ipc_pipe,
     .models = IPC_PY | IPC_NATIVE,
     .units_py = 20000,
     .units_native = 200000,
     .flags = WL_MESSAGES,
     .hooks = &native_ipc_pipe_hooks},
    {.name = "ipc.mp_pipe",
     .summary = "messages from a producer to a consumer over "
                "multiprocessing.Pipe",
     .py_module = "ipc_mp_pipe",
     .models = IPC_PY,
     .units_py = 20000,
     .units_native = 1,
     .flags = WL_MESSAGES},
    {.name = "ipc.mp_queue",
     .summary = "messages from a producer to a consumer through "
                "multiprocessing.Queue",
     .py_module = "ipc_mp_queue",
     .models = IPC_PY,
     .units_py = 20000,
     .units_native = 1,
     .flags = WL_MESSAGES},
    {.name = "ipc.shm",
     .summary = "messages from a producer to a consumer through shared "
                "memory (multiprocessing.shared_memory; C: a futex)",
     .py_module = "ipc_shm",
     .native = native_ipc_shm,
     .models = MODEL_BIT(MODEL_PROCESSES) | IPC_NATIVE,
     .units_py = 20000,
     .units_native = 200000,
     .flags = WL_MESSAGES,
     .hooks = &native_ipc_shm_hooks},
    {.name = "ipc.unix",
     .summary = "messages from a producer to a consumer over a Unix domain "
                "socket (C: socketpair)",
     .py_module = "ipc_unix",
     .native = native_ipc_unix,
     .models = IPC_PY | IPC_NATIVE,
     .units_py = 20000,
     .units_native = 200000,
     .flags = WL_MESSAGES,
     .hooks = &native_ipc_unix_hooks},
    {.name = "ipc.tcp",
     .summary = "messages from a producer to a consumer over TCP on loopback",
     .py_module = "ipc_tcp",
     .models = IPC_PY,
     .units_py = 20000,
     .units_native = 1,
     .flags = WL_MESSAGES},
    {.name = "ipc.queue",
     .summary = "messages from a producer thread to a consumer thread "
                "through queue.Queue (no copy, no pickle)",
     .py_module = "ipc_queue",
     .models = MODEL_BIT(MODEL_THREADS),
     .units_py = 20000,
     .units_native = 1,
     .flags = WL_MESSAGES},
    /* units are MB of heap (the parent's Rss grown while building it),
     * whatever the workers: one heap, shared by every forked worker. ~0.8 s
     * to build 100 MB here (3.11). No C twin: C has no reference counts or
     * collector that would un-share the pages. Two rows, not an axis:
     * gc.freeze() is something the program under test does before it
     * forks, like the heap itself, and an axis would multiply every other
     * workload's cells by a setting they ignore. */
    {.name = "mem.cow",
     .summary = "copy-on-write: a parent's heap of Python objects, forked "
                "workers that only collect and read it; shared vs private "
                "memory per phase",
     .py_module = "mem_cow",
     .models = MODEL_BIT(MODEL_PROCESSES),
     .units_py = 256,
     .units_native = 1,
     .flags = WL_MEMORY | WL_FORK_ONLY},
    {.name = "mem.cow_freeze",
     .summary = "mem.cow with gc.freeze() in the parent before the fork",
     .py_module = "mem_cow_freeze",
     .models = MODEL_BIT(MODEL_PROCESSES),
     .units_py = 256,
     .units_native = 1,
     .flags = WL_MEMORY | WL_FORK_ONLY},
    /* Two subinterpreters of one process; ~5 us a message at 64 B on 3.13
     * (gillab_xi.py: both sides poll). */
    {.name = "ipc.xi_queue",
     .summary = "messages from a producer to a consumer, two "
                "subinterpreters, through a cross-interpreter queue (3.13+; "
                "a channel on 3.11, 3.12), polled",
     .py_module = "ipc_xi_queue",
     .models = MODEL_BIT(MODEL_SUBINTERPRETERS),
     .units_py = 20000,
     .units_native = 1,
     .flags = WL_MESSAGES},
    {.name = "calib.hold",
     .summary =
         "calibration: one worker holds the GIL for known spans, one waits",
     .py_module = "calib_hold",
     .models = MODEL_BIT(MODEL_THREADS),
     .units_py = 20,
     .units_native = 1,
     .hidden = 1},
    {.name = "calib.spin",
     .summary = "calibration: every worker runs Python for the same span (ms)",
     .py_module = "calib_spin",
     .models = MODEL_BIT(MODEL_THREADS),
     .units_py = 1000,
     .units_native = 1,
     .hidden = 1},
    {.name = "calib.sleep",
     .summary = "calibration: workers sleep 1 ms at a time, the GIL released",
     .py_module = "calib_sleep",
     .models = MODEL_BIT(MODEL_THREADS),
     .units_py = 400,
     .units_native = 1,
     .hidden = 1},
    {.name = "debug.crash",
     .summary = "test: the process aborts (SIGABRT) after 50 ms",
     .py_module = "debug_crash",
     .native = native_crash,
     .models = BOTH,
     .units_py = 1,
     .units_native = 1,
     .hidden = 1},
    {.name = "debug.hang",
     .summary = "test: never finishes, to exercise the cell timeout",
     .py_module = "debug_hang",
     .native = native_hang,
     .models = BOTH,
     .units_py = 1,
     .units_native = 1,
     .hidden = 1},
    /* What the user installed, imported in every Python model (issue 13):
     * the module GILLAB_TEST_IMPORT names (tests/e2e_venv.sh). */
    {.name = "debug.imports",
     .summary = "test: imports the module GILLAB_TEST_IMPORT names",
     .py_module = "debug_imports",
     .models = PY_ONLY | MODEL_BIT(MODEL_SUBINTERPRETERS),
     .units_py = 1000,
     .units_native = 1,
     .hidden = 1},
    {.name = "debug.raise",
     .summary = "test: the Python workload raises an exception",
     .py_module = "debug_raise",
     .models = MODEL_BIT(MODEL_THREADS),
     .units_py = 1,
     .units_native = 1,
     .hidden = 1},
    /* Servers (WL_SERVE): units are milliseconds of load; the
     * connections, handler and rate are axes of their own. */
    {.name = "net.serve",
     .summary = "an HTTP/1.1 server: a thread per connection, one asyncio "
                "loop, or SO_REUSEPORT processes; loaded by a C client",
     .py_module = "net_serve",
     .flags = WL_SERVE | WL_CPU_THREADS,
     .models = MODEL_BIT(MODEL_THREADS) | MODEL_BIT(MODEL_ASYNCIO) |
               MODEL_BIT(MODEL_PROCESSES) | MODEL_BIT(MODEL_SUBINTERPRETERS) |
               MODEL_BIT(MODEL_NATIVE_THREADS),
     .units_py = 1000,
     .units_native = 1000},
    {.name = "net.serve_pool",
     .summary = "an HTTP/1.1 server: a selector and a pool of N handler "
                "threads (threads), or N processes pre-forked on one "
                "listening socket (processes)",
     .py_module = "net_serve",
     .flags = WL_SERVE | WL_SERVE_SHARED | WL_FORK_ONLY | WL_CPU_THREADS,
     .models = MODEL_BIT(MODEL_THREADS) | MODEL_BIT(MODEL_PROCESSES),
     .units_py = 1000,
     .units_native = 1000},
    {.name = "net.serve_udp",
     .summary = "the same requests and replies in UDP datagrams: N receiving "
                "threads, an asyncio endpoint, SO_REUSEPORT processes",
     .py_module = "net_serve",
     .flags = WL_SERVE | WL_SERVE_UDP,
     .models = MODEL_BIT(MODEL_THREADS) | MODEL_BIT(MODEL_ASYNCIO) |
               MODEL_BIT(MODEL_PROCESSES) | MODEL_BIT(MODEL_NATIVE_THREADS),
     .units_py = 1000,
     .units_native = 1000},
};

const wl_workload *registry_find(const char *name) {
  for (size_t i = 0; i < sizeof workloads / sizeof workloads[0]; i++)
    if (strcmp(workloads[i].name, name) == 0)
      return &workloads[i];
  return NULL;
}

const wl_workload *registry_all(size_t *n) {
  *n = sizeof workloads / sizeof workloads[0];
  return workloads;
}
