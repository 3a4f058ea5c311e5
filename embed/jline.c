/* jline — see jline.h. */
#include "jline.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int grow(jline *j, size_t need) {
  if (j->broken)
    return -1;
  if (j->len + need + 2 <= j->cap)
    return 0;
  size_t cap = j->cap ? j->cap : 4096;
  while (cap < j->len + need + 2)
    cap *= 2;
  char *p = realloc(j->buf, cap);
  if (!p) {
    j->broken = 1;
    return -1;
  }
  j->buf = p;
  j->cap = cap;
  return 0;
}

void jline_add(jline *j, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0 || grow(j, (size_t)n) < 0)
    return;
  va_start(ap, fmt);
  vsnprintf(j->buf + j->len, j->cap - j->len, fmt, ap);
  va_end(ap);
  j->len += (size_t)n;
}

void jline_str(jline *j, const char *s) {
  if (!s) {
    jline_add(j, "null");
    return;
  }
  jline_add(j, "\"");
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\')
      jline_add(j, "\\%c", c);
    else if (c < 0x20)
      jline_add(j, "\\u%04x", c);
    else if (grow(j, 1) == 0)
      j->buf[j->len++] = (char)c;
  }
  jline_add(j, "\"");
}

int jline_write(jline *j, int fd) {
  int rc = -1;
  if (!j->broken && grow(j, 1) == 0) {
    j->buf[j->len++] = '\n';
    size_t off = 0;
    while (off < j->len) {
      ssize_t n = write(fd, j->buf + off, j->len - off);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      off += (size_t)n;
    }
    rc = off == j->len ? 0 : -1;
  }
  j->len = 0;
  j->broken = 0;
  return rc;
}

void jline_free(jline *j) {
  free(j->buf);
  j->buf = NULL;
  j->len = j->cap = 0;
}
