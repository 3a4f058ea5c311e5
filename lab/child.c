/* child — see child.h.
 *
 * Notes about the implementation: the parent polls the two pipes with a
 * short timeout and checks the child with waitpid(WNOHANG) between polls.
 * Once the child has exited, its process group is killed (leftover
 * grandchildren would otherwise hold the pipes open) and the pipes drained.
 */
#include "child.h"

#include "outfile.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct {
  char *data;
  size_t len, cap;
} buf_t;

unsigned long long child_memory_limit(const child_limits *lim) {
  if (lim && lim->memory_bytes)
    return lim->memory_bytes;
  long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
  return pages > 0 && size > 0
             ? (unsigned long long)(CHILD_MEMORY_DEFAULT * (double)pages *
                                    (double)size)
             : 0;
}

/* The resident memory of pid and its descendants, in bytes: RSS from
 * /proc/PID/statm, descendants from /proc/PID/task/TID/children (every
 * thread's, as any thread may fork). depth bounds the recursion. */
static unsigned long long tree_rss(pid_t pid, int depth) {
  char path[64], buf[4096];
  snprintf(path, sizeof path, "/proc/%d/statm", (int)pid);
  FILE *f = fopen(path, "r");
  unsigned long long size, resident = 0;
  if (f) {
    if (fscanf(f, "%llu %llu", &size, &resident) != 2)
      resident = 0;
    fclose(f);
  }
  resident *= (unsigned long long)sysconf(_SC_PAGESIZE);
  if (depth <= 0)
    return resident;
  snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
  DIR *d = opendir(path);
  struct dirent *e;
  while (d && (e = readdir(d))) {
    if (e->d_name[0] == '.')
      continue;
    snprintf(path, sizeof path, "/proc/%d/task/%.16s/children", (int)pid,
             e->d_name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
    if (fd >= 0)
      close(fd);
    buf[n > 0 ? n : 0] = '\0';
    for (char *p = buf, *end; *p; p = end) {
      long kid = strtol(p, &end, 10);
      if (end == p)
        break;
      resident += tree_rss((pid_t)kid, depth - 1);
    }
  }
  if (d)
    closedir(d);
  return resident;
}

/* The pids of this process's children now, into kids (at most max);
 * returns how many. With gillab the subreaper of what it starts, they are
 * what a child left behind. */
static size_t own_children(pid_t *kids, size_t max) {
  char path[64], buf[4096];
  size_t n = 0;
  DIR *d = opendir("/proc/self/task");
  struct dirent *e;
  while (d && (e = readdir(d))) {
    if (e->d_name[0] == '.')
      continue;
    snprintf(path, sizeof path, "/proc/self/task/%.16s/children", e->d_name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t got = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
    if (fd >= 0)
      close(fd);
    buf[got > 0 ? got : 0] = '\0';
    for (char *p = buf, *end; *p && n < max; p = end) {
      long kid = strtol(p, &end, 10);
      if (end == p)
        break;
      kids[n++] = (pid_t)kid;
    }
  }
  if (d)
    closedir(d);
  return n;
}

/* Kills and reaps what a finished child left: processes of its that
 * escaped its process group (setsid) and were handed to gillab, the
 * subreaper, when their parents died; and the zombies of its group. A
 * process killed may hand its own children over in turn, so until a round
 * finds none. Returns how many were killed. */
static unsigned reap_leftovers(void) {
  unsigned killed = 0;
  for (int round = 0; round < 50; round++) {
    pid_t kids[256];
    size_t n = own_children(kids, 256);
    int st;
    while (waitpid(-1, &st, WNOHANG) > 0)
      ;
    if (n == 0)
      break;
    for (size_t i = 0; i < n; i++)
      if (kill(kids[i], SIGKILL) == 0)
        killed++;
    for (size_t i = 0; i < n; i++)
      waitpid(kids[i], &st, 0);
  }
  return killed;
}

/* rm -r of a cell's temporary directory (nftw's callback). */
static int remove_one(const char *path, const struct stat *st, int flag,
                      struct FTW *ftw) {
  (void)st;
  (void)ftw;
  (flag == FTW_DP ? rmdir : unlink)(path);
  return 0;
}

/* Removes the cells' temporary directories in base that a gillab killed
 * with SIGKILL left (gillab-cell-PID-*, PID no longer running). */
static void sweep_stale(const char *base) {
  DIR *d = opendir(base);
  struct dirent *e;
  char path[PATH_MAX];
  while (d && (e = readdir(d))) {
    char *end;
    if (strncmp(e->d_name, "gillab-cell-", 12) != 0)
      continue;
    long owner = strtol(e->d_name + 12, &end, 10);
    if (end == e->d_name + 12 || *end != '-' || owner <= 0 ||
        kill((pid_t)owner, 0) == 0 || errno != ESRCH)
      continue;
    snprintf(path, sizeof path, "%s/%s", base, e->d_name);
    nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
  }
  if (d)
    closedir(d);
}

static void buf_append(buf_t *b, const char *p, size_t n) {
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    while (b->len + n + 1 > cap)
      cap *= 2;
    char *d = realloc(b->data, cap);
    if (!d)
      return; /* keep what fits; the record says the result was unreadable */
    b->data = d;
    b->cap = cap;
  }
  memcpy(b->data + b->len, p, n);
  b->len += n;
  b->data[b->len] = '\0';
}

/* Keeps only the last CHILD_TAIL_MAX - 1 bytes of the output. */
static void tail_append(char *tail, size_t *len, const char *p, size_t n) {
  size_t max = CHILD_TAIL_MAX - 1;
  if (n >= max) {
    memcpy(tail, p + n - max, max);
    *len = max;
  } else {
    if (*len + n > max) {
      size_t drop = *len + n - max;
      memmove(tail, tail + drop, *len - drop);
      *len -= drop;
    }
    memcpy(tail + *len, p, n);
    *len += n;
  }
  tail[*len] = '\0';
}

/* Reads what is available on fd; returns 0 at EOF, 1 if more may come. */
static int drain(int fd, buf_t *result, char *tail, size_t *tail_len) {
  char chunk[4096];
  for (;;) {
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n > 0) {
      if (result)
        buf_append(result, chunk, (size_t)n);
      else
        tail_append(tail, tail_len, chunk, (size_t)n);
      continue;
    }
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && errno == EAGAIN)
      return 1;
    return 0;
  }
}

static void describe_exit(int wstatus, char *reason, size_t len) {
  if (WIFSIGNALED(wstatus)) {
    int sig = WTERMSIG(wstatus);
    snprintf(reason, len, "crashed: killed by signal %d (%s)%s", sig,
             strsignal(sig), WCOREDUMP(wstatus) ? ", core dumped" : "");
  } else if (WIFEXITED(wstatus)) {
    snprintf(reason, len, "exited with status %d", WEXITSTATUS(wstatus));
  } else {
    snprintf(reason, len, "ended in an unknown way (status 0x%x)", wstatus);
  }
}

/* When the tail is full its first line was cut: drop it, so the tail
 * starts with a whole line. Trailing newlines are dropped too. */
static void tidy_tail(char *tail) {
  size_t len = strlen(tail);
  if (len == CHILD_TAIL_MAX - 1) {
    char *nl = strchr(tail, '\n');
    if (nl) {
      len -= (size_t)(nl + 1 - tail);
      memmove(tail, nl + 1, len + 1);
    }
  }
  while (len && tail[len - 1] == '\n')
    tail[--len] = '\0';
}

int child_run(char *const argv[], double timeout_s, volatile int *stop,
              child_outcome *out, char *err, size_t errlen) {
  return child_run_limited(argv, timeout_s, stop, NULL, out, err, errlen);
}

int child_run_limited(char *const argv[], double timeout_s, volatile int *stop,
                      const child_limits *lim, child_outcome *out, char *err,
                      size_t errlen) {
  int res[2] = {-1, -1}, outp[2] = {-1, -1};
  unsigned long long mem_max = child_memory_limit(lim);
  unsigned long long res_max =
      lim && lim->result_bytes ? lim->result_bytes : CHILD_RESULT_DEFAULT;
  memset(out, 0, sizeof *out);
  /* Processes the child starts and orphans come back to gillab, not to
   * PID 1: reap_leftovers ends them. */
  static int subreaper;
  if (!subreaper)
    subreaper = prctl(PR_SET_CHILD_SUBREAPER, 1) == 0 ? 1 : -1;
  /* A temporary directory of the child's own (its TMPDIR), removed after
   * it, whatever it left there (a timed-out io.file cell's 64 MiB file). */
  const char *base = getenv("TMPDIR");
  base = base && base[0] == '/' ? base : "/tmp";
  static int swept;
  if (!swept++)
    sweep_stale(base);
  char tmpdir[PATH_MAX];
  snprintf(tmpdir, sizeof tmpdir, "%s/gillab-cell-%ld-XXXXXX", base,
           (long)getpid());
  int tmp_track = -1;
  sigset_t all, old;
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, &old); /* until it is in outfile's table */
  if (!mkdtemp(tmpdir))
    tmpdir[0] = '\0';
  else
    tmp_track = outfile_track(tmpdir); /* a signal's handler: rmdir if empty */
  sigprocmask(SIG_SETMASK, &old, NULL);
  if (pipe2(res, O_CLOEXEC) < 0 || pipe2(outp, O_CLOEXEC) < 0) {
    snprintf(err, errlen, "pipe: %s", strerror(errno));
    goto fail;
  }
  uint64_t t0 = util_now_ns();
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    snprintf(err, errlen, "fork: %s", strerror(errno));
    goto fail;
  }
  if (pid == 0) {
    setpgid(0, 0);
    /* The runner dies with gillab, however gillab dies (SIGKILL too): a
     * cell must not outlive its run. Kept across exec; if gillab died
     * before this line, getppid() is no longer it. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
      _exit(126);
    if (tmpdir[0])
      setenv("TMPDIR", tmpdir, 1);
    /* The runner passes the death on to the processes it forks or spawns
     * (embed/runner.c). */
    setenv("GILLAB_DIE_WITH_PARENT", "1", 1);
    /* If gillab was started with fds 0-3 closed, the pipes may sit on
     * them, and one dup2 would overwrite another's source. Move both write
     * ends above the targets first; dup2 then gives the targets without
     * O_CLOEXEC, and the originals close at exec. */
    int out_w = fcntl(outp[1], F_DUPFD_CLOEXEC, 10);
    int res_w = fcntl(res[1], F_DUPFD_CLOEXEC, 10);
    int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (out_w < 0 || res_w < 0 || devnull < 0)
      _exit(126);
    if (dup2(devnull, STDIN_FILENO) < 0 || dup2(out_w, STDOUT_FILENO) < 0 ||
        dup2(out_w, STDERR_FILENO) < 0 || dup2(res_w, CHILD_RESULT_FD) < 0)
      _exit(126);
    execv(argv[0], argv);
    fprintf(stderr, "gillab: cannot execute %s: %s\n", argv[0],
            strerror(errno));
    _exit(127);
  }
  setpgid(pid, pid); /* also in the parent, so the kill below cannot race */
  close(res[1]);
  close(outp[1]);
  fcntl(res[0], F_SETFL, O_NONBLOCK);
  fcntl(outp[0], F_SETFL, O_NONBLOCK);

  buf_t result = {0};
  size_t tail_len = 0;
  int wstatus = 0, exited = 0, killed = 0;
  uint64_t deadline = t0 + (uint64_t)(timeout_s * 1e9);
  /* A pipe at EOF is left out of the poll (fd -1), or poll would return at
   * once each time and spin while the child still runs. */
  int res_open = 1, out_open = 1;
  uint64_t next_mem = t0;
  while (!exited) {
    struct pollfd pfd[2] = {{res_open ? res[0] : -1, POLLIN, 0},
                            {out_open ? outp[0] : -1, POLLIN, 0}};
    poll(pfd, 2, 50);
    if (res_open)
      res_open = drain(res[0], &result, NULL, NULL);
    if (out_open)
      out_open = drain(outp[0], NULL, out->tail, &tail_len);
    pid_t w = waitpid(pid, &wstatus, WNOHANG);
    if (w == pid) {
      exited = 1;
      break;
    }
    unsigned long long rss = 0;
    uint64_t now = util_now_ns();
    if (!killed && mem_max && now >= next_mem) {
      next_mem = now + CHILD_MEMORY_POLL_MS * 1000000ull;
      rss = tree_rss(pid, 8);
    }
    if (!killed && mem_max && rss > mem_max) {
      out->status = CHILD_FAILED;
      snprintf(out->reason, sizeof out->reason,
               "killed: memory limit (its processes held %.1f MiB, over "
               "the limit of %.0f MiB; --memory-limit raises it)",
               (double)rss / 1048576, (double)mem_max / 1048576);
      killed = 1;
      kill(-pid, SIGKILL);
    } else if (!killed && result.len > res_max) {
      out->status = CHILD_FAILED;
      snprintf(out->reason, sizeof out->reason,
               "killed: result larger than %.0f MiB (a record that size "
               "would swell results.jsonl and every report)",
               (double)res_max / 1048576);
      killed = 1;
      kill(-pid, SIGKILL);
      res_open = 0; /* read no more of it */
    }
    if (!killed && stop && *stop) {
      out->status = CHILD_INTERRUPT;
      snprintf(out->reason, sizeof out->reason, "interrupted by the user");
      killed = 1;
      kill(-pid, SIGKILL);
    } else if (!killed && util_now_ns() > deadline) {
      out->status = CHILD_TIMEOUT;
      snprintf(out->reason, sizeof out->reason,
               "timed out after %.1f s (raise --timeout if the cell needs "
               "longer)",
               timeout_s);
      killed = 1;
      kill(-pid, SIGKILL);
    }
  }
  out->elapsed_s = (double)(util_now_ns() - t0) / 1e9;
  kill(-pid, SIGKILL); /* leftovers of the cell, if any */
  unsigned left = reap_leftovers();
  if (res_open && result.len <= res_max)
    drain(res[0], &result, NULL, NULL);
  drain(outp[0], NULL, out->tail, &tail_len);
  close(res[0]);
  close(outp[0]);
  tidy_tail(out->tail);
  if (left) {
    char note[128];
    snprintf(note, sizeof note,
             "%sgillab: killed %u process%s the cell left running outside "
             "its process group",
             tail_len ? "\n" : "", left, left == 1 ? "" : "es");
    tail_append(out->tail, &tail_len, note, strlen(note));
  }
  if (tmpdir[0]) {
    nftw(tmpdir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    outfile_untrack(tmp_track);
  }

  if (result.data && result.len <= res_max)
    out->result = cJSON_Parse(result.data);
  free(result.data);
  if (killed)
    return 0;
  const cJSON *error = cJSON_GetObjectItemCaseSensitive(out->result, "error");
  if (cJSON_IsString(error)) {
    out->status = CHILD_FAILED;
    snprintf(out->reason, sizeof out->reason, "%s", error->valuestring);
  } else if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
    out->status = CHILD_FAILED;
    describe_exit(wstatus, out->reason, sizeof out->reason);
  } else if (!out->result) {
    out->status = CHILD_FAILED;
    snprintf(out->reason, sizeof out->reason,
             "exited without a readable result");
  } else {
    out->status = CHILD_OK;
  }
  return 0;
fail:
  if (tmpdir[0]) {
    rmdir(tmpdir);
    outfile_untrack(tmp_track);
  }
  for (int i = 0; i < 2; i++) {
    if (res[i] >= 0)
      close(res[i]);
    if (outp[i] >= 0)
      close(outp[i]);
  }
  return -1;
}

void child_outcome_clear(child_outcome *out) {
  cJSON_Delete(out->result);
  out->result = NULL;
}

int child_run_cell(const char *runner, const cellspec *spec, double timeout_s,
                   volatile int *stop, const child_limits *lim,
                   child_outcome *out, char *err, size_t errlen) {
  char *text = cellspec_to_json(spec, err, errlen);
  if (!text)
    return -EINVAL;
  char fd[16];
  snprintf(fd, sizeof fd, "%d", CHILD_RESULT_FD);
  char *argv[] = {(char *)runner, "--cell", text, "--result-fd", fd, NULL};
  int rc = child_run_limited(argv, timeout_s, stop, lim, out, err, errlen);
  free(text);
  return rc;
}
