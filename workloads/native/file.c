/* io.file, C twin of workloads/python/io_file.py, and the file both read.
 *
 * native_file_prepare (the registry's prepare hook, run by the runner before
 * the cell, for Python and native models alike) writes a 64 MiB file in
 * $TMPDIR (or /tmp) and exports its path as GILLAB_IO_FILE, so the workers,
 * whether threads, forked or spawned processes, find it; native_file_cleanup
 * removes it after the cell. Just written, the file is in the page cache:
 * reads measure the system call and the copy, not the disk. A runner killed
 * by the cell timeout cannot clean up: the file's name carries the
 * runner's pid, and prepare removes the files of runners that are gone.
 *
 * One operation is one pread of a 64 KiB chunk, chunk (op * 577) mod 1024;
 * byte k of chunk c is (c + k) mod 256, and the answer adds up byte
 * (op * 7) mod 65536 of each chunk read. Keep the layout and the order
 * equal to the Python module's: tests compare answers.
 */
#include "native.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK (64u * 1024)
#define NCHUNKS 1024u
#define STRIDE 577u
#define ENV_NAME "GILLAB_IO_FILE"

#define PREFIX "gillab-io-file-"

static char path[4096];

/* Removes the files in dir left by runners that no longer run (killed at
 * a timeout before their cleanup). */
static void remove_stale(const char *dir) {
  DIR *d = opendir(dir);
  struct dirent *e;
  while (d && (e = readdir(d))) {
    if (strncmp(e->d_name, PREFIX, strlen(PREFIX)) != 0)
      continue;
    long pid = strtol(e->d_name + strlen(PREFIX), NULL, 10);
    if (pid > 0 && kill((pid_t)pid, 0) < 0 && errno == ESRCH) {
      char stale[4096];
      snprintf(stale, sizeof stale, "%s/%s", dir, e->d_name);
      unlink(stale);
    }
  }
  if (d)
    closedir(d);
}

int native_file_prepare(char *err, size_t errlen) {
  const char *dir = getenv("TMPDIR");
  if (!dir || !*dir)
    dir = "/tmp";
  remove_stale(dir);
  snprintf(path, sizeof path, "%s/" PREFIX "%ld-XXXXXX", dir, (long)getpid());
  int fd = mkstemp(path);
  if (fd < 0) {
    int e = errno;
    snprintf(err, errlen, "io.file: cannot create %s: %s", path, strerror(e));
    path[0] = '\0';
    return -e;
  }
  static unsigned char chunk[CHUNK];
  for (unsigned c = 0; c < NCHUNKS; c++) {
    for (unsigned k = 0; k < CHUNK; k++)
      chunk[k] = (unsigned char)((c + k) & 0xff);
    for (size_t off = 0; off < CHUNK;) {
      ssize_t n = write(fd, chunk + off, CHUNK - off);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0) {
        int e = n < 0 ? errno : ENOSPC;
        snprintf(err, errlen, "io.file: cannot write %s: %s", path,
                 strerror(e));
        close(fd);
        native_file_cleanup();
        return -e;
      }
      off += (size_t)n;
    }
  }
  close(fd);
  setenv(ENV_NAME, path, 1);
  return 0;
}

void native_file_cleanup(void) {
  if (path[0])
    unlink(path);
  path[0] = '\0';
  unsetenv(ENV_NAME);
}

int native_file(unsigned worker, unsigned nworkers, uint64_t units,
                wl_result *out, char *err, size_t errlen) {
  uint64_t first, end;
  wl_share(worker, nworkers, units, &first, &end);
  const char *p = getenv(ENV_NAME);
  int fd = p ? open(p, O_RDONLY) : -1;
  if (fd < 0) {
    snprintf(err, errlen, "io.file: cannot open %s: %s", p ? p : "(no file)",
             p ? strerror(errno) : "GILLAB_IO_FILE is not set");
    return -EIO;
  }
  unsigned char *buf = malloc(CHUNK);
  uint64_t total = 0;
  int rc = buf ? 0 : -ENOMEM;
  for (uint64_t op = first; rc == 0 && op < end; op++) {
    uint64_t c = op * STRIDE % NCHUNKS;
    ssize_t n = pread(fd, buf, CHUNK, (off_t)(c * CHUNK));
    if (n != (ssize_t)CHUNK) {
      snprintf(err, errlen, "io.file: short read of chunk %llu of %s",
               (unsigned long long)c, p);
      rc = -EIO;
      break;
    }
    total += buf[op * 7 % CHUNK];
  }
  free(buf);
  close(fd);
  out->ops = end - first;
  out->answer = total;
  return rc;
}
