/* chart — see chart.h. */
#include "chart.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

void chart_preamble(FILE *script, int width, int height) {
  fprintf(script,
          "set terminal svg size %d,%d noenhanced font 'sans-serif,11' "
          "background '#ffffff'\n"
          "set encoding utf8\n"
          "set key outside right top vertical Left reverse noautotitle\n"
          "set grid lc rgb '#dddddd'\n"
          "set border lc rgb '#444444'\n"
          "set style line 99 lc rgb '#888888' dt 2 lw 1.5\n",
          width, height);
}

/* Single quotes, not double: gnuplot runs the command in `backquotes`
 * anywhere on a command line but inside single quotes ("substitution" in
 * gnuplot's manual), and expands \ escapes in double quotes only (gnuplot
 * 6 also reads \U+xxxx in single quotes, which only changes the text
 * drawn). A quote in s is not doubled ('') as the manual allows: gnuplot
 * 5.4's scanner ends the string at a '' right after the opening quote or
 * after another '', and would read the rest as commands. Nor is it written
 * as "'": the macro expander counts every ' of the line, even in double
 * quotes, to tell what is quoted, and would expand @name after it. So the
 * string is closed, "\047" (a quote, in double quotes with no ' nor `)
 * appended with the . operator, and a new string opened: the ' of the line
 * stay paired and every @ of s inside single quotes. A line break would
 * end the command, so control characters become spaces. Checked with
 * gnuplot 5.4 on random strings of ' " ` @ \ # $( ; ! and text, in
 * titles, tic labels and print: all printed back unchanged, no command
 * run. */
void chart_quote(FILE *script, const char *s) {
  fputc('\'', script);
  for (; s && *s; s++) {
    unsigned char ch = (unsigned char)*s;
    if (ch == '\'')
      fputs("'.\"\\047\".'", script);
    else
      fputc(ch < 0x20 || ch == 0x7f ? ' ' : ch, script);
  }
  fputc('\'', script);
}

/* The SVG drawn by gnuplot: the script is written to its stdin and the
 * SVG read from its stdout while it runs, its complaints from stderr, all
 * three at once (poll), since gnuplot draws a chart before it has read the
 * script's end and a pipe holds only 64 KiB. No file is made, so nothing
 * is left behind however gillab ends. stdin is a socket, so that a write
 * after gnuplot ended fails (MSG_NOSIGNAL) instead of raising SIGPIPE. */
typedef struct {
  int fd; /* -1 once at its end */
  char *buf;
  size_t len, cap;
} drain;

/* Reads what fd has into d (up to d->cap - 1 bytes kept; more grows buf
 * when grow, else is read and dropped). Returns -1 on a failure to grow. */
static int drain_read(drain *d, int grow) {
  char scratch[4096];
  if (grow && d->cap - d->len < 4096) {
    size_t cap = d->cap ? d->cap * 2 : 1 << 16;
    char *more = realloc(d->buf, cap);
    if (!more)
      return -1;
    d->buf = more;
    d->cap = cap;
  }
  int room = d->len + 1 < d->cap;
  ssize_t got = room ? read(d->fd, d->buf + d->len, d->cap - d->len - 1)
                     : read(d->fd, scratch, sizeof scratch);
  if (got < 0 && (errno == EINTR || errno == EAGAIN))
    return 0;
  if (got <= 0) {
    close(d->fd);
    d->fd = -1;
  } else if (room) {
    d->len += (size_t)got;
  }
  if (d->buf)
    d->buf[d->len] = '\0';
  return 0;
}

/* The child's side of chart_render: gnuplot on the three descriptors,
 * killed when gillab dies (a report interrupted, even by SIGKILL, leaves
 * no gnuplot running). Reports exec's errno on status (close-on-exec). */
static void gnuplot_child(pid_t parent, int in, int out, int errfd,
                          int status) {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
    _exit(127);
  /* Above the targets first, so that no dup2 overwrites another's source
   * (gillab may have been started with 0-2 closed). */
  in = fcntl(in, F_DUPFD_CLOEXEC, 10);
  out = fcntl(out, F_DUPFD_CLOEXEC, 10);
  errfd = fcntl(errfd, F_DUPFD_CLOEXEC, 10);
  if (in >= 0 && out >= 0 && errfd >= 0 && dup2(in, STDIN_FILENO) >= 0 &&
      dup2(out, STDOUT_FILENO) >= 0 && dup2(errfd, STDERR_FILENO) >= 0) {
    char *argv[] = {"gnuplot", NULL};
    execvp("gnuplot", argv);
  }
  int e = errno;
  ssize_t w = write(status, &e, sizeof e);
  (void)w;
  _exit(127);
}

int chart_render(const char *script, char **svg, char *err, size_t errlen) {
  int in[2] = {-1, -1}, out[2] = {-1, -1}, ers[2] = {-1, -1}, st[2] = {-1, -1},
      rc = 0, status = 0;
  drain o = {-1, NULL, 0, 0}, e = {-1, NULL, 0, 0};
  char msg[512] = "";
  pid_t pid = -1, parent = getpid();
  int reaped = 0;
  *svg = NULL;
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) < 0 ||
      pipe2(out, O_CLOEXEC) < 0 || pipe2(ers, O_CLOEXEC) < 0 ||
      pipe2(st, O_CLOEXEC) < 0 || (pid = fork()) < 0) {
    rc = -errno;
    snprintf(err, errlen, "cannot set up gnuplot: %s", strerror(errno));
    goto done;
  }
  if (pid == 0)
    gnuplot_child(parent, in[1], out[1], ers[1], st[1]);
  close(in[1]);
  close(out[1]);
  close(ers[1]);
  close(st[1]);
  in[1] = out[1] = ers[1] = st[1] = -1;
  int exec_errno = 0;
  ssize_t got;
  while ((got = read(st[0], &exec_errno, sizeof exec_errno)) < 0 &&
         errno == EINTR)
    ;
  if (got == (ssize_t)sizeof exec_errno) {
    rc = -exec_errno;
    snprintf(err, errlen,
             "cannot run gnuplot: %s (install gnuplot-nox; "
             "scripts/bootstrap does)",
             strerror(exec_errno));
    goto done;
  }
  o.fd = out[0];
  e.fd = ers[0];
  out[0] = ers[0] = -1;
  e.buf = msg;
  e.cap = sizeof msg;
  fcntl(in[0], F_SETFL, O_NONBLOCK);
  size_t len = strlen(script), sent = 0;
  while (o.fd >= 0 || e.fd >= 0) {
    struct pollfd p[3] = {
        {in[0], POLLOUT, 0}, {o.fd, POLLIN, 0}, {e.fd, POLLIN, 0}};
    if (poll(p, 3, -1) < 0) {
      if (errno == EINTR)
        continue;
      rc = -errno;
      break;
    }
    if (in[0] >= 0 && p[0].revents) {
      ssize_t w = send(in[0], script + sent, len - sent, MSG_NOSIGNAL);
      if (w > 0)
        sent += (size_t)w;
      /* All sent (gnuplot then sees the script's end), or gnuplot gone. */
      if (sent == len || (w < 0 && errno != EINTR && errno != EAGAIN)) {
        close(in[0]);
        in[0] = -1;
      }
    }
    if (o.fd >= 0 && p[1].revents && drain_read(&o, 1) < 0) {
      rc = -ENOMEM;
      break;
    }
    if (e.fd >= 0 && p[2].revents)
      drain_read(&e, 0);
  }
  if (in[0] >= 0) {
    close(in[0]);
    in[0] = -1;
  }
  if (o.fd >= 0)
    close(o.fd);
  if (e.fd >= 0)
    close(e.fd);
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  reaped = 1;
  if (rc == -ENOMEM) {
    snprintf(err, errlen, "out of memory for gnuplot's output");
  } else if (rc < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
             !o.buf || !strstr(o.buf, "<svg")) {
    snprintf(err, errlen, "gnuplot failed: %s", msg[0] ? msg : "no output");
    rc = -EIO;
  } else {
    *svg = o.buf;
    o.buf = NULL;
  }
done:
  free(o.buf);
  for (int i = 0; i < 2; i++) {
    int *fds[] = {in, out, ers, st};
    for (int k = 0; k < 4; k++)
      if (fds[k][i] >= 0)
        close(fds[k][i]);
  }
  if (pid > 0 && !reaped)
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
      ;
  return rc;
}

int chart_available(void) {
  static int known = -1;
  if (known < 0) {
    char *svg = NULL, err[256];
    known =
        chart_render("set terminal svg\nplot 1\n", &svg, err, sizeof err) == 0;
    free(svg);
  }
  return known;
}
