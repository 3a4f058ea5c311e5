/* coreuse — per-CPU busy fractions and process CPU time; see coreuse.h. */
#include "coreuse.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

int coreuse_parse_stat(const char *text, coreuse_stat *out) {
  memset(out, 0, sizeof *out);
  int parsed = 0;
  for (const char *line = text; line && *line;) {
    const char *next = strchr(line, '\n');
    /* "cpu0 ..." but not the summary line "cpu  ...". */
    if (strncmp(line, "cpu", 3) == 0 && line[3] >= '0' && line[3] <= '9') {
      char *end;
      long cpu = strtol(line + 3, &end, 10);
      unsigned long long f[8] = {0};
      int nf = 0;
      for (; nf < 8; nf++) {
        char *e;
        errno = 0;
        f[nf] = strtoull(end, &e, 10);
        if (e == end || errno)
          break;
        end = e;
        if (next && end > next)
          return -EINVAL;
      }
      /* user nice system idle iowait irq softirq steal: kernels since 2.6.11
       * give all eight (guest time is already inside user). */
      if (cpu < 0 || nf < 4)
        return -EINVAL;
      if (cpu < COREUSE_MAX_CPUS) {
        out->present[cpu] = 1;
        out->busy[cpu] = f[0] + f[1] + f[2] + f[5] + f[6];
        out->total[cpu] = out->busy[cpu] + f[3] + f[4] + f[7];
        if (cpu + 1 > out->ncpu)
          out->ncpu = (int)cpu + 1;
        parsed++;
      }
    }
    line = next ? next + 1 : NULL;
  }
  return parsed > 0 ? parsed : -EINVAL;
}

int coreuse_read_stat(coreuse_stat *out) {
  /* /proc/stat is one read's worth of text for a few hundred CPUs; it also
   * lists interrupts, which can make it long, so grow the buffer. */
  FILE *f = fopen("/proc/stat", "r");
  if (!f)
    return -errno;
  size_t cap = 1 << 16, len = 0;
  char *buf = malloc(cap);
  while (buf) {
    len += fread(buf + len, 1, cap - 1 - len, f);
    if (len < cap - 1)
      break;
    char *bigger = realloc(buf, cap * 2);
    if (!bigger) {
      free(buf);
      buf = NULL;
      break;
    }
    buf = bigger;
    cap *= 2;
  }
  fclose(f);
  if (!buf)
    return -ENOMEM;
  buf[len] = '\0';
  int rc = coreuse_parse_stat(buf, out);
  free(buf);
  return rc;
}

cJSON *coreuse_busy_json(const coreuse_stat *a, const coreuse_stat *b) {
  cJSON *arr = cJSON_CreateArray();
  int n = a->ncpu > b->ncpu ? a->ncpu : b->ncpu;
  for (int c = 0; arr && c < n; c++) {
    if (!a->present[c] || !b->present[c] || b->total[c] < a->total[c] ||
        b->busy[c] < a->busy[c]) {
      cJSON_AddItemToArray(arr, cJSON_CreateNull());
      continue;
    }
    uint64_t total = b->total[c] - a->total[c];
    uint64_t busy = b->busy[c] - a->busy[c];
    cJSON_AddItemToArray(
        arr, cJSON_CreateNumber(total ? (double)busy / (double)total : 0));
  }
  return arr;
}

static struct {
  int begun, ended;
  coreuse_stat stat0, stat1;
  struct rusage self0, self1, kids0;
} cu;

void coreuse_reset(void) {
  cu.begun = cu.ended = 0;
}

void coreuse_begin(void) {
  getrusage(RUSAGE_SELF, &cu.self0);
  getrusage(RUSAGE_CHILDREN, &cu.kids0);
  cu.begun = coreuse_read_stat(&cu.stat0) > 0 ? 1 : -1;
}

void coreuse_end(void) {
  if (!cu.begun)
    return;
  if (cu.begun > 0 && coreuse_read_stat(&cu.stat1) <= 0)
    cu.begun = -1;
  getrusage(RUSAGE_SELF, &cu.self1);
  cu.ended = 1;
}

static double tv_s(struct timeval a, struct timeval b) {
  return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_usec - a.tv_usec) / 1e6;
}

cJSON *coreuse_report(void) {
  if (!cu.begun)
    return NULL;
  if (!cu.ended)
    coreuse_end();
  struct rusage kids1;
  getrusage(RUSAGE_CHILDREN, &kids1);
  cJSON *o = cJSON_CreateObject();
  if (cu.begun > 0)
    cJSON_AddItemToObject(o, "busy", coreuse_busy_json(&cu.stat0, &cu.stat1));
  else
    cJSON_AddNullToObject(o, "busy");
  cJSON_AddNumberToObject(o, "user_s",
                          tv_s(cu.self0.ru_utime, cu.self1.ru_utime) +
                              tv_s(cu.kids0.ru_utime, kids1.ru_utime));
  cJSON_AddNumberToObject(o, "sys_s",
                          tv_s(cu.self0.ru_stime, cu.self1.ru_stime) +
                              tv_s(cu.kids0.ru_stime, kids1.ru_stime));
  long rss = cu.self1.ru_maxrss > kids1.ru_maxrss ? cu.self1.ru_maxrss
                                                  : kids1.ru_maxrss;
  cJSON_AddNumberToObject(o, "maxrss_kb", (double)rss);
  return o;
}
