/* debug.crash and debug.hang, C twins of the test workloads that exercise
 * gillab's handling of a cell that dies or never ends. */
#include "native.h"

#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int native_crash(unsigned worker, unsigned nworkers, uint64_t units,
                 wl_result *out, char *err, size_t errlen) {
  (void)nworkers, (void)units, (void)out, (void)err, (void)errlen;
  struct timespec delay = {0, 50 * 1000 * 1000};
  nanosleep(&delay, NULL);
  if (worker == 0)
    abort();
  for (;;)
    pause();
}

int native_hang(unsigned worker, unsigned nworkers, uint64_t units,
                wl_result *out, char *err, size_t errlen) {
  (void)worker, (void)nworkers, (void)units, (void)out, (void)err, (void)errlen;
  for (;;)
    pause();
}
