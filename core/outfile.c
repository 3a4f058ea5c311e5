/* outfile — see outfile.h.
 *
 * Notes about the implementation: o->f is a stdio stream on a cookie
 * (fopencookie) whose write function calls write(2) itself and keeps the
 * errno of the first failure, since stdio's ferror() remembers that a
 * write failed but not why. The table of temporary files is static: a
 * slot's name is written before the slot is marked used, and the mark is
 * a sig_atomic_t, so a signal handler reading the table sees either no
 * entry or a whole name. */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define OUTFILE_SLOTS 32

static char slot_path[OUTFILE_SLOTS][PATH_MAX];
static volatile sig_atomic_t slot_used[OUTFILE_SLOTS];

int outfile_track(const char *path) {
  if (strlen(path) >= PATH_MAX)
    return -1;
  for (int i = 0; i < OUTFILE_SLOTS; i++)
    if (!slot_used[i]) {
      strcpy(slot_path[i], path);
      slot_used[i] = 1;
      return i;
    }
  return -1;
}

void outfile_untrack(int slot) {
  if (slot >= 0 && slot < OUTFILE_SLOTS)
    slot_used[slot] = 0;
}

void outfile_remove_all(void) {
  for (int i = 0; i < OUTFILE_SLOTS; i++)
    if (slot_used[i] && unlink(slot_path[i]) < 0 && errno == EISDIR)
      rmdir(slot_path[i]); /* a directory tracked: gone if empty */
}

static ssize_t cookie_write(void *cookie, const char *buf, size_t len) {
  outfile *o = cookie;
  size_t done = 0;
  while (done < len) {
    ssize_t w = write(o->fd, buf + done, len - done);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0) {
      if (!o->error)
        o->error = w < 0 ? errno : ENOSPC;
      return 0; /* stdio then marks the stream failed */
    }
    done += (size_t)w;
  }
  return (ssize_t)len;
}

static int cookie_close(void *cookie) {
  outfile *o = cookie;
  int rc = close(o->fd);
  if (rc < 0 && !o->error)
    o->error = errno;
  o->fd = -1;
  return rc;
}

static void release(outfile *o) {
  outfile_untrack(o->slot);
  free(o->path);
  free(o->tmp);
  o->path = o->tmp = NULL;
  o->slot = -1;
}

int outfile_open(outfile *o, const char *path, char *err, size_t errlen) {
  static unsigned serial;
  memset(o, 0, sizeof *o);
  o->fd = o->slot = -1;
  struct stat st;
  if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
    snprintf(err, errlen,
             "%s is a symbolic link: gillab does not write through one "
             "(remove it, or write elsewhere)",
             path);
    return -ELOOP;
  }
  if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
    snprintf(err, errlen, "cannot write %s: not a regular file", path);
    return -EISDIR;
  }
  const char *slash = strrchr(path, '/');
  size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
  size_t cap = strlen(path) + 64;
  o->path = strdup(path);
  o->tmp = malloc(cap);
  if (!o->path || !o->tmp) {
    release(o);
    snprintf(err, errlen, "out of memory writing %s", path);
    return -ENOMEM;
  }
  for (int tries = 0; o->fd < 0 && tries < 100; tries++) {
    snprintf(o->tmp, cap, "%.*s.%s.tmp-%ld-%u", (int)dirlen, path,
             path + dirlen, (long)getpid(), serial++);
    if (o->slot < 0)
      o->slot = outfile_track(o->tmp);
    else
      strcpy(slot_path[o->slot], o->tmp);
    o->fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                 0666);
    if (o->fd < 0 && errno != EEXIST)
      break;
  }
  if (o->fd < 0) {
    int e = errno;
    snprintf(err, errlen, "cannot write %s: %s", path, strerror(e));
    release(o);
    return -e;
  }
  cookie_io_functions_t io = {.write = cookie_write, .close = cookie_close};
  o->f = fopencookie(o, "w", io);
  if (!o->f) {
    close(o->fd);
    unlink(o->tmp);
    release(o);
    snprintf(err, errlen, "out of memory writing %s", path);
    return -ENOMEM;
  }
  return 0;
}

int outfile_commit(outfile *o, char *err, size_t errlen) {
  if (!o->f)
    return -EBADF;
  int flushed = fflush(o->f);
  if (flushed == 0 && !o->error && fsync(o->fd) < 0 && errno != EINVAL)
    o->error = errno;
  if (fclose(o->f) != 0 && !o->error)
    o->error = errno ? errno : EIO;
  if (flushed != 0 && !o->error)
    o->error = EIO;
  o->f = NULL;
  if (!o->error && rename(o->tmp, o->path) < 0)
    o->error = errno;
  int e = o->error;
  if (e) {
    unlink(o->tmp);
    snprintf(err, errlen, "cannot write %s: %s", o->path, strerror(e));
  }
  release(o);
  return -e;
}

void outfile_abort(outfile *o) {
  if (o->f) {
    fclose(o->f);
    o->f = NULL;
  }
  if (o->tmp)
    unlink(o->tmp);
  release(o);
}

int outfile_write(const char *path, const char *data, size_t len, char *err,
                  size_t errlen) {
  outfile o;
  int rc = outfile_open(&o, path, err, errlen);
  if (rc < 0)
    return rc;
  fwrite(data, 1, len, o.f);
  return outfile_commit(&o, err, errlen);
}
