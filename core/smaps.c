/* smaps — see smaps.h. */
#include "smaps.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int smaps_parse_rollup(const char *text, smaps_sample *out) {
  static const char *const keys[] = {
      "Rss:", "Pss:", "Private_Clean:", "Private_Dirty:"};
  uint64_t v[4] = {0};
  int seen = 0;
  for (const char *line = text; line && *line;) {
    for (int k = 0; k < 4; k++) {
      size_t len = strlen(keys[k]);
      if (strncmp(line, keys[k], len) == 0) {
        char *end;
        unsigned long long x = strtoull(line + len, &end, 10);
        if (end == line + len)
          return -EINVAL;
        v[k] = x;
        seen |= 1 << k;
      }
    }
    const char *next = strchr(line, '\n');
    line = next ? next + 1 : NULL;
  }
  if (seen != 0xf)
    return -EINVAL;
  *out = (smaps_sample){.rss_kb = v[0], .pss_kb = v[1], .uss_kb = v[2] + v[3]};
  return 0;
}

int smaps_read(pid_t pid, smaps_sample *out) {
  char path[64], buf[4096];
  if (pid > 0)
    snprintf(path, sizeof path, "/proc/%d/smaps_rollup", (int)pid);
  else
    snprintf(path, sizeof path, "/proc/self/smaps_rollup");
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -errno;
  /* The file is about 700 bytes; a single read returns it whole. */
  size_t len = 0;
  for (;;) {
    ssize_t n = read(fd, buf + len, sizeof buf - 1 - len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int e = errno;
      close(fd);
      return -e;
    }
    len += (size_t)n;
    if (n == 0 || len == sizeof buf - 1)
      break;
  }
  close(fd);
  buf[len] = '\0';
  return smaps_parse_rollup(buf, out);
}
