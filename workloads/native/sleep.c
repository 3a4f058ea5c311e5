/* io.sleep, C twin of workloads/python/io_sleep.py: each operation is one
 * 1 ms nanosleep; the answer counts them. The baseline for how many
 * concurrent waits the OS itself completes per second. */
#include "native.h"

#include <errno.h>
#include <time.h>

int native_sleep(unsigned worker, unsigned nworkers, uint64_t units,
                 wl_result *out, char *err, size_t errlen) {
  (void)err;
  (void)errlen;
  uint64_t first, end;
  wl_share(worker, nworkers, units, &first, &end);
  for (uint64_t op = first; op < end; op++) {
    struct timespec t = {0, 1000000};
    while (nanosleep(&t, &t) < 0 && errno == EINTR)
      ;
  }
  out->ops = end - first;
  out->answer = end - first;
  return 0;
}
