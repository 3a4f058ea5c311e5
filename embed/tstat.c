/* tstat — see tstat.h. */
#include "tstat.h"

#include "util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static ssize_t read_file(const char *path, char *buf, size_t len) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  ssize_t n = read(fd, buf, len - 1);
  close(fd);
  if (n >= 0)
    buf[n] = '\0';
  return n;
}

static uint64_t field(const char *text, const char *key) {
  const char *p = strstr(text, key);
  return p ? strtoull(p + strlen(key), NULL, 10) : 0;
}

static int read_at(const char *dir, tstat *out) {
  char buf[4096], path[64];
  int rc = 0;
  memset(out, 0, sizeof *out);
  out->wall_ns = util_now_ns();
  snprintf(path, sizeof path, "%s/schedstat", dir);
  if (read_file(path, buf, sizeof buf) > 0) {
    unsigned long long cpu = 0, runq = 0;
    if (sscanf(buf, "%llu %llu", &cpu, &runq) == 2) {
      out->cpu_ns = cpu;
      out->runq_ns = runq;
    } else {
      rc = -1;
    }
  } else {
    rc = -1;
  }
  snprintf(path, sizeof path, "%s/status", dir);
  if (read_file(path, buf, sizeof buf) > 0) {
    out->vcsw = field(buf, "\nvoluntary_ctxt_switches:");
    out->ivcsw = field(buf, "\nnonvoluntary_ctxt_switches:");
  } else {
    rc = -1;
  }
  return rc;
}

int tstat_read(tstat *out) {
  return read_at("/proc/thread-self", out);
}

int tstat_read_task(int tid, tstat *out) {
  char dir[48];
  snprintf(dir, sizeof dir, "/proc/self/task/%d", tid);
  return read_at(dir, out);
}
