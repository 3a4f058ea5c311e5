/* native-procs: the C twin in N forked processes; see drive.h.
 *
 * Each child binds itself where the plan says (workers_enter, in its own copy
 * of the table), says it is ready, and waits for the start byte; the timed
 * region runs from the parent's start bytes to the last child's report. A
 * child reports over its own pipe: its result, its span's time split,
 * the CPUs it saw itself on and the CPUs it read back after binding. A child
 * that dies reports nothing, and the cell fails with how it died. Once its
 * report is sent, a child reads its own memory (memuse.h) and sends that
 * too, outside the timed region: the parent reads it after stopping its
 * clock. All children
 * share the runner's process group, so the orchestrator's timeout reaches them
 * too.
 */
#include "drive.h"

#include "memuse.h"
#include "util.h"
#include "workers.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct {
  int rc;
  char err[256];
  wl_result result;
  tstat t0, t1;
  int cpu0, cpu1;
  char cpus[WORKERS_CPUS_LEN]; /* read back after binding */
} child_report;

/* A child's own memory at the end of its span, sent after its report. */
typedef struct {
  int rc;
  memuse_sample m;
} child_mem;

static void write_full(int fd, const void *buf, size_t len) {
  size_t off = 0;
  while (off < len) {
    ssize_t n = write(fd, (const char *)buf + off, len - off);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return;
    off += (size_t)n;
  }
}

/* The child: bind, get ready, wait for the start, work, report, exit. */
static void child_main(const wl_workload *wl, unsigned i, unsigned n,
                       uint64_t units, int ready_w, int go_r, int report_w) {
  child_report rep;
  memset(&rep, 0, sizeof rep);
  rep.rc = workers_enter(i, NULL, rep.err, sizeof rep.err);
  snprintf(rep.cpus, sizeof rep.cpus, "%s", workers_cpus(i));
  char byte = 'r';
  write_full(ready_w, &byte, 1);
  if (util_read_full(go_r, &byte, 1) < 0)
    _exit(3);
  tstat_read(&rep.t0);
  rep.cpu0 = sched_getcpu();
  if (rep.rc == 0)
    rep.rc = wl->native(i, n, units, &rep.result, rep.err, sizeof rep.err);
  tstat_read(&rep.t1);
  rep.cpu1 = sched_getcpu();
  write_full(report_w, &rep, sizeof rep);
  child_mem mem;
  mem.rc = smaps_read(0, &mem.m);
  write_full(report_w, &mem, sizeof mem);
  _exit(0);
}

static void describe_death(int status, char *buf, size_t len) {
  if (WIFSIGNALED(status))
    snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(status),
             strsignal(WTERMSIG(status)));
  else if (WIFEXITED(status))
    snprintf(buf, len, "exited with status %d without a report",
             WEXITSTATUS(status));
  else
    snprintf(buf, len, "ended without a report");
}

int drive_native_procs(const wl_workload *wl, unsigned n, uint64_t units,
                       wl_result *total, double *wall_s, uint64_t *start_ns,
                       char *err, size_t errlen) {
  if (!wl->native) {
    snprintf(err, errlen, "workload %s has no C twin", wl->name);
    return -ENOTSUP;
  }
  int ready[2], go[2];
  int *reports = calloc(n, sizeof *reports);
  pid_t *pids = calloc(n, sizeof *pids);
  if (!reports || !pids || pipe(ready) < 0 || pipe(go) < 0) {
    snprintf(err, errlen, "cannot set up %u worker processes: %s", n,
             strerror(errno));
    free(reports);
    free(pids);
    return -ENOMEM;
  }
  unsigned started = 0;
  for (; started < n; started++) {
    int rep[2];
    if (pipe(rep) < 0)
      break;
    pid_t pid = fork();
    if (pid < 0) {
      close(rep[0]);
      close(rep[1]);
      break;
    }
    if (pid == 0) {
      close(ready[0]);
      close(go[1]);
      close(rep[0]);
      child_main(wl, started, n, units, ready[1], go[0], rep[1]);
    }
    close(rep[1]);
    reports[started] = rep[0];
    pids[started] = pid;
  }
  close(ready[1]);
  close(go[0]);
  int rc = 0;
  if (started < n) {
    snprintf(err, errlen, "cannot start worker process %u of %u: %s", started,
             n, strerror(errno));
    rc = -EAGAIN;
  }
  char byte;
  for (unsigned i = 0; rc == 0 && i < n; i++)
    if (util_read_full(ready[0], &byte, 1) < 0) {
      snprintf(err, errlen, "a worker process died before it was ready");
      rc = -EIO;
    }
  /* Adopted once every child is bound and ready, so the sampler (and the
   * core-use region, which starts at the first adoption) covers the work,
   * not the forks. */
  for (unsigned i = 0; rc == 0 && i < n; i++)
    workers_adopt(i, pids[i]);
  uint64_t t0 = util_now_ns();
  *start_ns = t0;
  if (rc == 0) {
    char go_bytes[256];
    memset(go_bytes, 'g', sizeof go_bytes);
    for (unsigned left = n; left > 0;) {
      unsigned k = left < sizeof go_bytes ? left : (unsigned)sizeof go_bytes;
      write_full(go[1], go_bytes, k);
      left -= k;
    }
  }
  close(go[1]);
  *total = (wl_result){0, 0};
  for (unsigned i = 0; i < started; i++) {
    child_report rep;
    int got = rc == 0 && util_read_full(reports[i], &rep, sizeof rep) == 0;
    if (got) {
      total->ops += rep.result.ops;
      total->answer += rep.result.answer;
      workers_adopted_done(i, &rep.t0, &rep.t1, rep.cpu0, rep.cpu1, NULL,
                           rep.cpus);
      if (rep.rc && rc == 0) {
        snprintf(err, errlen, "worker %u: %s", i, rep.err);
        rc = rep.rc;
      }
    } else if (rc == 0) {
      int status = 0;
      char how[128];
      waitpid(pids[i], &status, 0);
      pids[i] = 0;
      describe_death(status, how, sizeof how);
      snprintf(err, errlen, "worker process %u (pid %d) %s", i, (int)pids[i],
               how);
      rc = -ECHILD;
    }
  }
  *wall_s = (double)(util_now_ns() - t0) / 1e9;
  memuse_end();
  for (unsigned i = 0; rc == 0 && i < started; i++) {
    child_mem mem;
    if (util_read_full(reports[i], &mem, sizeof mem) == 0 && mem.rc == 0)
      memuse_worker_end(i, pids[i], &mem.m);
  }
  for (unsigned i = 0; i < started; i++) {
    if (rc != 0 && pids[i])
      kill(pids[i], SIGKILL);
    if (pids[i])
      waitpid(pids[i], NULL, 0);
    close(reports[i]);
  }
  close(ready[0]);
  free(reports);
  free(pids);
  return rc;
}
