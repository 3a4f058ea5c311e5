/* chart — see chart.h. */
#include "chart.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* Okabe and Ito's palette ("Color Universal Design", 2002) without its
 * yellow, darkest first: told apart with any colour vision deficiency. */
static const char *const chart_colours[] = {
    "#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000",
};
#define NCOLOURS (sizeof chart_colours / sizeof chart_colours[0])

/* gnuplot's point types: filled circle, square, triangle, inverted
 * triangle, diamond, pentagon, then open circle and square. Eight, one
 * more than the colours, so that (colour, marker) repeats only after 56
 * series. */
static const int chart_markers[] = {7, 5, 9, 11, 13, 15, 6, 4};
#define NMARKERS (sizeof chart_markers / sizeof chart_markers[0])

/* The text's size in pixels: a 960-pixel chart shown at half size still
 * has 9-pixel text. */
#define FONT_PX 18

void chart_size(FILE *script, int width, int height, size_t nkeys,
                size_t longest) {
  /* gnuplot's key: a column is the longest title and the sample (samplen
   * 3, and gaps) wide, at about 0.6 font size a character; a row is 1.5
   * font sizes high times the key's spacing, 1.1. */
  size_t column = (longest + 7) * FONT_PX * 3 / 5;
  size_t cols = 2 * column <= (size_t)width ? 2 : 1;
  size_t rows = (nkeys + cols - 1) / cols;
  fprintf(script,
          "set terminal svg size %d,%zu noenhanced font 'sans-serif,%d' "
          "background '#ffffff'\n",
          width,
          (size_t)height + rows * FONT_PX * 33 / 20 + (nkeys ? FONT_PX : 0),
          FONT_PX);
}

void chart_preamble(FILE *script, int width, int height) {
  chart_size(script, width, height, 0, 0);
  fprintf(script,
          "set encoding utf8\n"
          "set key outside below center horizontal maxcols 2 Left reverse "
          "noautotitle samplen 3 spacing 1.1\n"
          "set grid lc rgb '#dddddd' lw 1\n"
          "set border lc rgb '#444444' lw 1.5\n"
          "set tics nomirror\n"
          "set style line %d lc rgb '#666666' dt 2 lw 2\n",
          CHART_REF);
}

void chart_series(FILE *script, size_t k) {
  /* Dashes change every seven series, with five patterns (solid first):
   * with the colour (k % 7) and marker (k % 8) that tells apart 280. */
  fprintf(script, " lc rgb '%s' lw 2.5 pt %d ps 1.3 dt %zu",
          chart_colours[k % NCOLOURS], chart_markers[k % NMARKERS],
          1 + k / NCOLOURS % 5);
}

const char *chart_colour(size_t k) {
  return chart_colours[k % NCOLOURS];
}

int chart_count_axis(FILE *script, char axis, const double *v, size_t n) {
  fprintf(script, "set %ctics (", axis);
  for (size_t i = 0; i < n; i++)
    fprintf(script, "%s'%g' %g", i ? ", " : "", v[i], v[i]);
  fputs(")\n", script);
  if (!n)
    return 0;
  double lo = v[0], hi = v[n - 1];
  if (lo > 0 && hi / lo >= 8) {
    fprintf(script, "set logscale %c 2\nset m%ctics 1\nset %crange [%g:%g]\n",
            axis, axis, axis, lo / 1.15, hi * 1.15);
    return 1;
  }
  /* A margin of 4 % of the span (at least 0.15 of a unit) keeps the
   * first and last points off the border without a tic beyond them. */
  double pad = fmax(0.15, (hi - lo) * 0.04);
  fprintf(script, "set %crange [%g:%g]\n", axis, lo - pad, hi + pad);
  return 0;
}

/* x rounded to two significant digits, up (dir 1) or down (-1). */
static double round2(double x, int dir) {
  double m = pow(10, floor(log10(x)) - 1), q = x / m;
  /* The slack keeps 1.3 at 1.3 when 1.3 / 0.1 is 13.000000000000002. */
  return (dir > 0 ? ceil(q - 1e-9) : floor(q + 1e-9)) * m;
}

void chart_log_axis(FILE *script, char axis, double lo, double hi) {
  if (!(lo > 0) || !(hi >= lo))
    return;
  static const double steps125[] = {1, 2, 5}, steps1[] = {1};
  int decades = hi / lo >= 100;
  const double *steps = decades ? steps1 : steps125;
  size_t nsteps = decades ? 1 : 3, n = 0;
  double tics[64];
  for (double p = pow(10, floor(log10(lo))); p <= hi && n < 60; p *= 10)
    for (size_t i = 0; i < nsteps; i++) {
      double v = p * steps[i];
      /* A relative slack: 1000 is a tic for data from 1000 * (1 + 1e-12). */
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9))
        tics[n++] = v;
    }
  /* Data within less than a 1-2-5 step: its ends, rounded inwards, give
   * the axis two tics to read it by. */
  if (n < 2) {
    double a = round2(lo, 1), b = round2(hi, -1);
    if (n == 0 || a < tics[0]) {
      memmove(&tics[1], &tics[0], n * sizeof tics[0]);
      tics[0] = a;
      n++;
    }
    if (b > tics[n - 1])
      tics[n++] = b;
  }
  fprintf(script, "set logscale %c\nset %crange [%g:%g]\nset %ctics (", axis,
          axis, lo / 1.2, hi * 1.2, axis);
  for (size_t i = 0; i < n; i++)
    fprintf(script, "%s'%g' %g", i ? ", " : "", tics[i], tics[i]);
  fputs(")\n", script);
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
