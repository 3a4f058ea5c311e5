/* native-threads: the C twin on pthreads; see drive.h. */
#include "drive.h"

#include "util.h"
#include "workers.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  const wl_workload *wl;
  unsigned index, n;
  uint64_t units;
  pthread_barrier_t *start;
  wl_result result;
  int rc;
  char err[256];
} worker_arg;

static void *worker_main(void *p) {
  worker_arg *a = p;
  a->rc = workers_enter(a->index, NULL, a->err, sizeof a->err);
  /* Every worker reaches the barrier, even one that failed to bind, so the
   * others are not left waiting; the failure is reported after the join. */
  pthread_barrier_wait(a->start);
  workers_begin(a->index);
  if (a->rc == 0)
    a->rc = a->wl->native(a->index, a->n, a->units, &a->result, a->err,
                          sizeof a->err);
  workers_leave(a->index);
  return NULL;
}

int drive_native_threads(const wl_workload *wl, unsigned n, uint64_t units,
                         wl_result *total, double *wall_s, uint64_t *start_ns,
                         char *err, size_t errlen) {
  if (!wl->native) {
    snprintf(err, errlen, "workload %s has no C twin", wl->name);
    return -ENOTSUP;
  }
  pthread_barrier_t start;
  worker_arg *args = calloc(n, sizeof *args);
  pthread_t *threads = calloc(n, sizeof *threads);
  unsigned started = 0;
  int rc = 0;
  if (!args || !threads) {
    snprintf(err, errlen, "out of memory for %u workers", n);
    rc = -ENOMEM;
    goto out;
  }
  pthread_barrier_init(&start, NULL, n + 1);
  for (; started < n; started++) {
    args[started] = (worker_arg){
        .wl = wl, .index = started, .n = n, .units = units, .start = &start};
    int e =
        pthread_create(&threads[started], NULL, worker_main, &args[started]);
    if (e) {
      /* The barrier counts n + 1 parties; a cell that cannot start all its
       * threads cannot run, and the ones started are stuck. Exit hard: the
       * orchestrator records the cell as failed with this message. */
      fprintf(stderr, "gillab: cannot start worker thread %u of %u: %s\n",
              started, n, strerror(e));
      exit(3);
    }
  }
  pthread_barrier_wait(&start);
  uint64_t t0 = util_now_ns();
  *start_ns = t0;
  for (unsigned i = 0; i < n; i++)
    pthread_join(threads[i], NULL);
  *wall_s = (double)(util_now_ns() - t0) / 1e9;
  pthread_barrier_destroy(&start);
  *total = (wl_result){0, 0};
  for (unsigned i = 0; i < n; i++) {
    if (args[i].rc && rc == 0) {
      snprintf(err, errlen, "worker %u: %s", i, args[i].err);
      rc = args[i].rc;
    }
    total->ops += args[i].result.ops;
    total->answer += args[i].result.answer;
  }
out:
  free(args);
  free(threads);
  return rc;
}
