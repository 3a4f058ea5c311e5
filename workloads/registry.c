/* registry — the table of workloads; see registry.h. */
#include "registry.h"

#include "model.h"

#include <string.h>

#define BOTH                                                                   \
  (MODEL_BIT(MODEL_THREADS) | MODEL_BIT(MODEL_PROCESSES) |                     \
   MODEL_BIT(MODEL_ASYNCIO) | MODEL_BIT(MODEL_SUBINTERPRETERS) |               \
   MODEL_BIT(MODEL_NATIVE_THREADS) | MODEL_BIT(MODEL_NATIVE_PROCS))

/* Sizes: at --size 1 one cell of 1 worker takes about a second on a 2-core
 * VM (Python: ~3 us per primality test near 10^6; C: ~0.1 us). */
static const wl_workload workloads[] = {
    {"cpu.primes", "count primes by trial division (pure Python integers)",
     "cpu_primes", wl_primes_native, BOTH, 300000, 10000000, 0},
    {"calib.hold",
     "calibration: one worker holds the GIL for known spans, one waits",
     "calib_hold", NULL, MODEL_BIT(MODEL_THREADS), 20, 1, 1},
    {"calib.spin",
     "calibration: every worker runs Python for the same span (ms)",
     "calib_spin", NULL, MODEL_BIT(MODEL_THREADS), 1000, 1, 1},
    {"calib.sleep",
     "calibration: workers sleep 1 ms at a time, the GIL released",
     "calib_sleep", NULL, MODEL_BIT(MODEL_THREADS), 400, 1, 1},
    {"debug.crash", "test: the process aborts (SIGABRT) after 50 ms",
     "debug_crash", wl_crash_native, BOTH, 1, 1, 1},
    {"debug.hang", "test: never finishes, to exercise the cell timeout",
     "debug_hang", wl_hang_native, BOTH, 1, 1, 1},
    {"debug.raise", "test: the Python workload raises an exception",
     "debug_raise", NULL, MODEL_BIT(MODEL_THREADS), 1, 1, 1},
};

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
