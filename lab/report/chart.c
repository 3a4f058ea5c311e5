/* chart — see chart.h. */
#include "chart.h"

#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

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

/* Reads all of fd into a new string. */
static char *slurp(int fd) {
  size_t cap = 1 << 16, len = 0;
  char *buf = malloc(cap);
  ssize_t got;
  while (buf && (got = read(fd, buf + len, cap - len - 1)) != 0) {
    if (got < 0) {
      if (errno == EINTR)
        continue;
      break;
    }
    len += (size_t)got;
    if (cap - len < 4096) {
      char *more = realloc(buf, cap *= 2);
      if (!more) {
        free(buf);
        return NULL;
      }
      buf = more;
    }
  }
  if (buf)
    buf[len] = '\0';
  return buf;
}

/* Writes the script to a temporary file, so that gnuplot's stdout carries
 * the SVG alone and its stderr the complaints. */
int chart_render(const char *script, char **svg, char *err, size_t errlen) {
  char path[] = "/tmp/gillab-chart-XXXXXX", epath[] = "/tmp/gillab-err-XXXXXX";
  /* Removed by a signal's handler too (outfile_remove_all): signals wait
   * until the files are in its table. */
  sigset_t all, old;
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, &old);
  int sfd = mkstemp(path), efd = sfd < 0 ? -1 : mkstemp(epath);
  int out[2] = {-1, -1}, rc = 0;
  int sslot = sfd >= 0 ? outfile_track(path) : -1;
  int eslot = efd >= 0 ? outfile_track(epath) : -1;
  sigprocmask(SIG_SETMASK, &old, NULL);
  *svg = NULL;
  if (sfd < 0 || efd < 0 || pipe(out) < 0) {
    rc = -errno;
    snprintf(err, errlen, "cannot set up gnuplot: %s", strerror(errno));
    goto done;
  }
  size_t len = strlen(script);
  if (write(sfd, script, len) != (ssize_t)len) {
    rc = -EIO;
    snprintf(err, errlen, "cannot write the chart script to %s", path);
    goto done;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&fa, efd, STDERR_FILENO);
  posix_spawn_file_actions_addclose(&fa, out[0]);
  char *argv[] = {"gnuplot", path, NULL};
  pid_t pid;
  int sp = posix_spawnp(&pid, "gnuplot", &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  close(out[1]);
  out[1] = -1;
  if (sp != 0) {
    rc = -sp;
    snprintf(err, errlen,
             "cannot run gnuplot: %s (install gnuplot-nox; "
             "scripts/bootstrap does)",
             strerror(sp));
    goto done;
  }
  *svg = slurp(out[0]);
  int status;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !*svg ||
      !strstr(*svg, "<svg")) {
    char msg[512] = "";
    lseek(efd, 0, SEEK_SET);
    ssize_t n = read(efd, msg, sizeof msg - 1);
    msg[n > 0 ? n : 0] = '\0';
    snprintf(err, errlen, "gnuplot failed: %s", msg[0] ? msg : "no output");
    free(*svg);
    *svg = NULL;
    rc = -EIO;
  }
done:
  if (out[0] >= 0)
    close(out[0]);
  if (out[1] >= 0)
    close(out[1]);
  if (sfd >= 0) {
    close(sfd);
    unlink(path);
  }
  if (efd >= 0) {
    close(efd);
    unlink(epath);
  }
  outfile_untrack(sslot);
  outfile_untrack(eslot);
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
