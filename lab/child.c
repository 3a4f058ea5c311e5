/* child — see child.h.
 *
 * Notes about the implementation: the parent polls the two pipes with a
 * short timeout and checks the child with waitpid(WNOHANG) between polls.
 * Once the child has exited, its process group is killed (leftover
 * grandchildren would otherwise hold the pipes open) and the pipes drained.
 */
#include "child.h"

#include "util.h"

#include <errno.h>
#include <fcntl.h>
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
  int res[2] = {-1, -1}, outp[2] = {-1, -1};
  memset(out, 0, sizeof *out);
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
  drain(res[0], &result, NULL, NULL);
  drain(outp[0], NULL, out->tail, &tail_len);
  close(res[0]);
  close(outp[0]);
  tidy_tail(out->tail);

  if (result.data)
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
                   volatile int *stop, child_outcome *out, char *err,
                   size_t errlen) {
  char *text = cellspec_to_json(spec, err, errlen);
  if (!text)
    return -EINVAL;
  char fd[16];
  snprintf(fd, sizeof fd, "%d", CHILD_RESULT_FD);
  char *argv[] = {(char *)runner, "--cell", text, "--result-fd", fd, NULL};
  int rc = child_run(argv, timeout_s, stop, out, err, errlen);
  free(text);
  return rc;
}
