/* registry — the table of workloads; see registry.h. */
#include "registry.h"

#include "model.h"

#include <string.h>

#define BOTH                                                                   \
  (MODEL_BIT(MODEL_THREADS) | MODEL_BIT(MODEL_PROCESSES) |                     \
   MODEL_BIT(MODEL_ASYNCIO) | MODEL_BIT(MODEL_SUBINTERPRETERS) |               \
   MODEL_BIT(MODEL_NATIVE_THREADS) | MODEL_BIT(MODEL_NATIVE_PROCS))

/* Python-only workloads (no C twin: C has nothing to compare with). */
#define PY_ONLY                                                                \
  (MODEL_BIT(MODEL_THREADS) | MODEL_BIT(MODEL_PROCESSES) |                     \
   MODEL_BIT(MODEL_ASYNCIO))

/* The models of workloads whose C twin needs its results in the runner's
 * own memory (native-procs children would keep them to themselves). */
#define NET                                                                    \
  (MODEL_BIT(MODEL_THREADS) | MODEL_BIT(MODEL_PROCESSES) |                     \
   MODEL_BIT(MODEL_NATIVE_THREADS))

/* Sizes: at --size 1 one cell of 1 worker takes about a second on a 2-core
 * VM (Python: ~3 us per primality test near 10^6; C: ~0.1 us). */
static const wl_workload workloads[] = {
    {"cpu.primes", "count primes by trial division (pure Python integers)",
     "cpu_primes", wl_primes_native, BOTH, 300000, 10000000, 0, 0, NULL},
    /* A loopback round trip costs ~8-15 us from Python or C on these VMs
     * (p50 7 us; the mean is pulled up by cross-core wake-ups). */
    {"io.echo",
     "request/response round trips over loopback TCP to a native "
     "echo server (one connection per worker)",
     "io_echo", wl_echo_native, NET | MODEL_BIT(MODEL_ASYNCIO), 80000, 100000,
     0, WL_ECHO_SERVER, &wl_echo_hooks},
    /* units are milliseconds: each echo worker runs that long, whatever
     * the number of CPU-bound threads beside it. */
    {"mixed.convoy",
     "the convoy effect: echo round trips while "
     "--cpu-threads K CPU-bound threads run (bpo-7946)",
     "mixed_convoy", wl_convoy_native, NET, 1000, 1000, 0,
     WL_ECHO_SERVER | WL_ECHO_SERVICE | WL_CPU_THREADS, &wl_convoy_hooks},
    /* ~1.2 us per pair of cyclic nodes on 3.11 here. */
    {"mem.gc", "cyclic garbage for the GC; its pauses per generation", "mem_gc",
     NULL, PY_ONLY, 600000, 1, 0, 0, NULL},
    /* One drop: ~15-25 ms to build the graph and drop it (3.11 here). */
    {"mem.dealloc",
     "build and drop large object graphs with the GC off; "
     "each drop's pause",
     "mem_dealloc", NULL, PY_ONLY, 36, 1, 0, 0, NULL},
    {"calib.hold",
     "calibration: one worker holds the GIL for known spans, one waits",
     "calib_hold", NULL, MODEL_BIT(MODEL_THREADS), 20, 1, 1, 0, NULL},
    {"calib.spin",
     "calibration: every worker runs Python for the same span (ms)",
     "calib_spin", NULL, MODEL_BIT(MODEL_THREADS), 1000, 1, 1, 0, NULL},
    {"calib.sleep",
     "calibration: workers sleep 1 ms at a time, the GIL released",
     "calib_sleep", NULL, MODEL_BIT(MODEL_THREADS), 400, 1, 1, 0, NULL},
    {"debug.crash", "test: the process aborts (SIGABRT) after 50 ms",
     "debug_crash", wl_crash_native, BOTH, 1, 1, 1, 0, NULL},
    {"debug.hang", "test: never finishes, to exercise the cell timeout",
     "debug_hang", wl_hang_native, BOTH, 1, 1, 1, 0, NULL},
    {"debug.raise", "test: the Python workload raises an exception",
     "debug_raise", NULL, MODEL_BIT(MODEL_THREADS), 1, 1, 1, 0, NULL},
};

static wl_ctx context;

const wl_ctx *wl_context(void) {
  return &context;
}

void wl_set_context(const wl_ctx *ctx) {
  context = *ctx;
}

const wl_workload *wl_find(const char *name) {
  for (size_t i = 0; i < sizeof workloads / sizeof workloads[0]; i++)
    if (strcmp(workloads[i].name, name) == 0)
      return &workloads[i];
  return NULL;
}

const wl_workload *wl_all(size_t *n) {
  *n = sizeof workloads / sizeof workloads[0];
  return workloads;
}
