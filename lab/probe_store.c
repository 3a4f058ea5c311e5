/* probe_store — see probe_store.h.
 *
 * A directory is reused only when gillab probe could have made it: any
 * other file in it might be the user's, and removing it (or writing
 * through a symbolic link planted there) would lose or overwrite what
 * gillab does not own. Names are checked with lstat and removed with
 * unlinkat relative to a directory opened with O_NOFOLLOW, so a symbolic
 * link is never followed below DIR itself (DIR may be one: the user named
 * it).
 */
#include "probe_store.h"

#include "probe_report.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Whether name is one of the files gillab probe writes into DIR. */
static int is_output(const char *name) {
  if (strcmp(name, "results.jsonl") == 0 ||
      strcmp(name, "results.jsonl.tmp") == 0)
    return 1;
  for (size_t i = 0; probe_report_files[i]; i++)
    if (strcmp(name, probe_report_files[i]) == 0)
      return 1;
  return 0;
}

/* Whether name is a process file's name: proc-<pid>-<start_ns>.jsonl. */
static int is_proc_file(const char *name, long *pid, uint64_t *start) {
  long p;
  unsigned long long s;
  int end = 0;
  if (sscanf(name, "proc-%ld-%llu.jsonl%n", &p, &s, &end) != 2 ||
      name[end] != '\0')
    return 0;
  if (pid)
    *pid = p;
  if (start)
    *start = s;
  return 1;
}

/* Whether the first line of the file name in dfd is a probe's metadata
 * record. The file is opened without following a symbolic link. */
static int is_probe_results(int dfd, const char *name) {
  int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
  if (!f) {
    if (fd >= 0)
      close(fd);
    return 0;
  }
  char *line = NULL;
  size_t cap = 0;
  int ok = 0;
  if (getline(&line, &cap, f) > 0) {
    cJSON *meta = cJSON_Parse(line);
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(meta, "kind");
    ok = cJSON_IsString(kind) && strcmp(kind->valuestring, "probe") == 0;
    cJSON_Delete(meta);
  }
  free(line);
  fclose(f);
  return ok;
}

/* Checks that every entry of the directory dfd (the procs directory when
 * procs) is one gillab probe writes, as a regular file (or procs/ as a
 * directory); removes them when remove is set. Returns 0, or -EEXIST with
 * err naming the first entry that is not. */
static int check_entries(int dfd, const char *dir, int procs, int remove,
                         char *err, size_t errlen) {
  DIR *d = fdopendir(dup(dfd));
  if (!d) {
    snprintf(err, errlen, "cannot read %s: %s", dir, strerror(errno));
    return -errno;
  }
  /* A dup shares its file offset: an earlier pass left it at the end. */
  rewinddir(d);
  int rc = 0;
  struct dirent *e;
  while (rc == 0 && (e = readdir(d))) {
    const char *n = e->d_name;
    if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
      continue;
    struct stat st;
    if (fstatat(dfd, n, &st, AT_SYMLINK_NOFOLLOW) < 0) {
      rc = -errno;
      snprintf(err, errlen, "cannot examine %s/%s: %s", dir, n, strerror(-rc));
      break;
    }
    int want_dir = !procs && strcmp(n, PROBE_STORE_PROCS) == 0;
    int known = procs ? is_proc_file(n, NULL, NULL) : want_dir || is_output(n);
    if (!known || (want_dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode))) {
      snprintf(err, errlen,
               "%s is not empty and not a directory gillab probe made (it "
               "holds %s%s%s); choose another directory with -o, or remove "
               "it",
               dir, n, S_ISLNK(st.st_mode) ? ", a symbolic link" : "",
               procs ? " in " PROBE_STORE_PROCS "/" : "");
      rc = -EEXIST;
    } else if (!procs && strcmp(n, "results.jsonl") == 0 &&
               !is_probe_results(dfd, n)) {
      snprintf(err, errlen,
               "%s holds a results.jsonl that gillab probe did not write (the "
               "results of a gillab run?); choose another directory with -o",
               dir);
      rc = -EEXIST;
    } else if (remove && !want_dir && unlinkat(dfd, n, 0) < 0) {
      rc = -errno;
      snprintf(err, errlen, "cannot remove %s/%s: %s", dir, n, strerror(-rc));
    }
  }
  closedir(d);
  return rc;
}

/* Checks (remove = 0), then empties (remove = 1), dir's outputs and its
 * procs/ directory. */
static int clear_previous(int dfd, const char *dir, int remove, char *err,
                          size_t errlen) {
  int rc = check_entries(dfd, dir, 0, remove, err, errlen);
  if (rc < 0)
    return rc;
  int pfd = openat(dfd, PROBE_STORE_PROCS,
                   O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (pfd < 0)
    return errno == ENOENT ? 0 : -errno;
  char sub[PATH_MAX + 16];
  snprintf(sub, sizeof sub, "%s/" PROBE_STORE_PROCS, dir);
  rc = check_entries(pfd, sub, 1, remove, err, errlen);
  close(pfd);
  return rc;
}

int probe_store_prepare(const char *dir, char *procs, size_t len, char *err,
                        size_t errlen) {
  int rc = util_make_dirs(dir);
  if (rc < 0) {
    snprintf(err, errlen, "cannot create results directory %s: %s", dir,
             strerror(-rc));
    return rc;
  }
  int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) {
    rc = -errno;
    snprintf(err, errlen, "cannot open results directory %s: %s", dir,
             strerror(-rc));
    return rc;
  }
  /* Everything is checked before anything is removed. */
  rc = clear_previous(dfd, dir, 0, err, errlen);
  if (rc == 0)
    rc = clear_previous(dfd, dir, 1, err, errlen);
  if (rc == 0 && mkdirat(dfd, PROBE_STORE_PROCS, 0777) < 0 && errno != EEXIST) {
    rc = -errno;
    snprintf(err, errlen, "cannot create %s/" PROBE_STORE_PROCS ": %s", dir,
             strerror(-rc));
  }
  close(dfd);
  snprintf(procs, len, "%s/" PROBE_STORE_PROCS, dir);
  return rc;
}

/* One process file, read. */
typedef struct {
  char name[NAME_MAX + 1];
  long pid;
  uint64_t start;
  cJSON **lines;
  size_t n;
} proc_file;

static int by_start(const void *a, const void *b) {
  const proc_file *x = a, *y = b;
  if (x->start != y->start)
    return x->start < y->start ? -1 : 1;
  return (x->pid > y->pid) - (x->pid < y->pid);
}

/* Appends a skipped line's description to skipped. */
static void skip_line(cJSON *skipped, const char *file, size_t lineno,
                      const char *why) {
  cJSON *s = cJSON_CreateObject();
  cJSON_AddStringToObject(s, "file", file);
  cJSON_AddNumberToObject(s, "line", (double)lineno);
  cJSON_AddStringToObject(s, "why", why);
  cJSON_AddItemToArray(skipped, s);
}

/* Reads the lines of the process file p (in procs) that are whole JSON
 * objects. A last line without its '\n' is torn (the process was killed
 * while writing it): left out, and said in skipped. */
static int read_proc_file(const char *procs, proc_file *p, cJSON *skipped) {
  char path[PATH_MAX * 2];
  snprintf(path, sizeof path, "%s/%s", procs, p->name);
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
  if (!f) {
    int e = errno;
    if (fd >= 0)
      close(fd);
    return -e;
  }
  char *line = NULL;
  size_t cap = 0, lineno = 0;
  ssize_t got;
  int rc = 0;
  while ((got = getline(&line, &cap, f)) > 0) {
    lineno++;
    int torn = line[got - 1] != '\n';
    cJSON *rec = torn ? NULL : cJSON_Parse(line);
    if (!cJSON_IsObject(rec)) {
      skip_line(skipped, p->name, lineno,
                torn ? "torn last line (the process was killed while "
                       "writing it)"
                     : "not a JSON object");
      cJSON_Delete(rec);
      continue;
    }
    if (!cJSON_GetObjectItemCaseSensitive(rec, "pid"))
      cJSON_AddNumberToObject(rec, "pid", (double)p->pid);
    cJSON_DeleteItemFromObjectCaseSensitive(rec, "file");
    cJSON_AddStringToObject(rec, "file", p->name);
    cJSON **more = realloc(p->lines, (p->n + 1) * sizeof *more);
    if (!more) {
      cJSON_Delete(rec);
      rc = -ENOMEM;
      break;
    }
    p->lines = more;
    p->lines[p->n++] = rec;
  }
  free(line);
  fclose(f);
  return rc;
}

/* The process files of procs, read, sorted by start; *n receives how
 * many. NULL with *rc set on failure. */
static proc_file *read_procs(const char *procs, size_t *n, cJSON *skipped,
                             int *rc) {
  proc_file *ps = NULL;
  *n = 0;
  *rc = 0;
  DIR *d = opendir(procs);
  if (!d) {
    *rc = errno == ENOENT ? 0 : -errno;
    return NULL;
  }
  struct dirent *e;
  while ((e = readdir(d))) {
    proc_file p = {.lines = NULL};
    if (!is_proc_file(e->d_name, &p.pid, &p.start))
      continue; /* something else the command left there */
    snprintf(p.name, sizeof p.name, "%s", e->d_name);
    proc_file *more = realloc(ps, (*n + 1) * sizeof *more);
    if (!more) {
      *rc = -ENOMEM;
      break;
    }
    ps = more;
    ps[(*n)++] = p;
  }
  closedir(d);
  for (size_t i = 0; *rc == 0 && i < *n; i++)
    *rc = read_proc_file(procs, &ps[i], skipped);
  if (*n)
    qsort(ps, *n, sizeof *ps, by_start);
  return ps;
}

static void free_procs(proc_file *ps, size_t n) {
  for (size_t i = 0; i < n; i++) {
    for (size_t k = 0; k < ps[i].n; k++)
      cJSON_Delete(ps[i].lines[k]);
    free(ps[i].lines);
  }
  free(ps);
}

static int write_line(FILE *f, const cJSON *rec) {
  char *text = cJSON_PrintUnformatted(rec);
  if (!text)
    return -ENOMEM;
  int rc = fprintf(f, "%s\n", text) < 0 ? -EIO : 0;
  cJSON_free(text);
  return rc;
}

int probe_store_merge(const char *dir, cJSON *meta, char *err, size_t errlen) {
  char procs[PATH_MAX + 16], path[PATH_MAX + 32], tmp[PATH_MAX + 32];
  snprintf(procs, sizeof procs, "%s/" PROBE_STORE_PROCS, dir);
  cJSON *skipped = cJSON_CreateArray();
  size_t n, records = 0;
  int rc;
  proc_file *ps = read_procs(procs, &n, skipped, &rc);
  if (rc < 0) {
    snprintf(err, errlen, "cannot read the process files in %s: %s", procs,
             strerror(-rc));
    cJSON_Delete(skipped);
    free_procs(ps, n);
    return rc;
  }
  for (size_t i = 0; i < n; i++)
    records += ps[i].n;
  cJSON_DeleteItemFromObjectCaseSensitive(meta, "procs");
  cJSON *pc = cJSON_AddObjectToObject(meta, "procs");
  cJSON_AddNumberToObject(pc, "files", (double)n);
  cJSON_AddNumberToObject(pc, "records", (double)records);
  cJSON_AddItemToObject(pc, "skipped", skipped);

  /* A temporary file renamed over results.jsonl: a reader never sees half
   * a file, and a symbolic link in its place is replaced, not followed. */
  snprintf(path, sizeof path, "%s/results.jsonl", dir);
  snprintf(tmp, sizeof tmp, "%s/results.jsonl.tmp", dir);
  unlink(tmp);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
  if (!f) {
    rc = -errno;
    snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(-rc));
    if (fd >= 0)
      close(fd);
    free_procs(ps, n);
    return rc;
  }
  rc = write_line(f, meta);
  for (size_t i = 0; rc == 0 && i < n; i++)
    for (size_t k = 0; rc == 0 && k < ps[i].n; k++)
      rc = write_line(f, ps[i].lines[k]);
  if (rc == 0 && (fflush(f) != 0 || fsync(fileno(f)) < 0))
    rc = -errno;
  if (fclose(f) != 0 && rc == 0)
    rc = -EIO;
  if (rc == 0 && rename(tmp, path) < 0)
    rc = -errno;
  if (rc < 0) {
    snprintf(err, errlen, "cannot write %s: %s", path, strerror(-rc));
    unlink(tmp);
  }
  free_procs(ps, n);
  return rc;
}
