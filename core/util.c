/* util — see util.h. */
#include "util.h"

#include <sched.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

uint64_t util_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int util_split(const char *s, char *buf, size_t bufsize, char **items,
               int max) {
  size_t len = strlen(s);
  if (len + 1 > bufsize)
    return -1;
  memcpy(buf, s, len + 1);
  int n = 0;
  char *p = buf;
  for (;;) {
    char *comma = strchr(p, ',');
    if (comma)
      *comma = '\0';
    if (*p == '\0' || n == max)
      return -1;
    items[n++] = p;
    if (!comma)
      return n;
    p = comma + 1;
  }
}

int util_self_exe(char *buf, size_t len) {
  ssize_t n = readlink("/proc/self/exe", buf, len - 1);
  if (n < 0)
    return -errno;
  if ((size_t)n >= len - 1)
    return -ENAMETOOLONG;
  buf[n] = '\0';
  return 0;
}

int util_self_dir(char *buf, size_t len) {
  int rc = util_self_exe(buf, len);
  if (rc < 0)
    return rc;
  char *slash = strrchr(buf, '/');
  if (slash && slash != buf)
    *slash = '\0';
  return 0;
}

/* An argument needs quotes unless it is made only of characters a shell
 * takes literally. */
static int needs_quotes(const char *a) {
  if (*a == '\0')
    return 1;
  for (; *a; a++)
    if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                "0123456789-_./=:,+@%",
                *a))
      return 1;
  return 0;
}

char *util_join_argv(int argc, char **argv) {
  size_t cap = 1;
  for (int i = 0; i < argc; i++)
    cap += 4 * strlen(argv[i]) + 3;
  char *out = malloc(cap), *p = out;
  if (!out)
    return NULL;
  for (int i = 0; i < argc; i++) {
    if (i)
      *p++ = ' ';
    if (!needs_quotes(argv[i])) {
      p = stpcpy(p, argv[i]);
      continue;
    }
    *p++ = '\'';
    for (const char *a = argv[i]; *a; a++) {
      if (*a == '\'')
        p = stpcpy(p, "'\\''");
      else
        *p++ = *a;
    }
    *p++ = '\'';
  }
  *p = '\0';
  return out;
}

unsigned util_ncpus(void) {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) < 0)
    return 1;
  int n = CPU_COUNT(&set);
  return n > 0 ? (unsigned)n : 1;
}

int util_dir_is_empty(const char *dir) {
  DIR *d = opendir(dir);
  if (!d)
    return 1;
  struct dirent *e;
  int empty = 1;
  while (empty && (e = readdir(d)))
    empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
  closedir(d);
  return empty;
}

int util_make_dirs(const char *path) {
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s", path);
  for (char *p = tmp + 1; *p; p++) {
    if (*p != '/')
      continue;
    *p = '\0';
    if (mkdir(tmp, 0777) < 0 && errno != EEXIST)
      return -errno;
    *p = '/';
  }
  if (mkdir(tmp, 0777) < 0 && errno != EEXIST)
    return -errno;
  return 0;
}

int util_read_full(int fd, void *buf, size_t len) {
  size_t off = 0;
  while (off < len) {
    ssize_t n = read(fd, (char *)buf + off, len - off);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return -1;
    off += (size_t)n;
  }
  return 0;
}

/* The length of the well-formed UTF-8 sequence at s, or 0 (RFC 3629's
 * table of well-formed byte sequences). */
static size_t utf8_len(const unsigned char *s) {
  unsigned char c = s[0];
  if (c < 0x80)
    return 1;
  size_t n;
  unsigned char lo = 0x80, hi = 0xbf;
  if (c >= 0xc2 && c <= 0xdf)
    n = 2;
  else if (c >= 0xe0 && c <= 0xef) {
    n = 3;
    if (c == 0xe0)
      lo = 0xa0; /* overlong */
    else if (c == 0xed)
      hi = 0x9f; /* surrogates */
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4;
    if (c == 0xf0)
      lo = 0x90; /* overlong */
    else if (c == 0xf4)
      hi = 0x8f; /* above U+10FFFF */
  } else
    return 0;
  if (s[1] < lo || s[1] > hi)
    return 0;
  for (size_t i = 2; i < n; i++)
    if (s[i] < 0x80 || s[i] > 0xbf)
      return 0;
  return n;
}

char *util_utf8_trim(char *s) {
  size_t len = strlen(s), i = len;
  /* Back over continuation bytes (at most 3) to the sequence's first. */
  while (i > 0 && len - i < 3 && ((unsigned char)s[i - 1] & 0xc0) == 0x80)
    i--;
  if (i == 0)
    return s;
  unsigned char lead = (unsigned char)s[i - 1];
  size_t need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  if (len - (i - 1) < need)
    s[i - 1] = '\0';
  return s;
}

size_t util_utf8_fix(char *s) {
  size_t fixed = 0;
  unsigned char *p = (unsigned char *)s;
  while (p && *p) {
    size_t n = utf8_len(p);
    if (n == 0) {
      *p++ = '?';
      fixed++;
    } else
      p += n;
  }
  return fixed;
}
