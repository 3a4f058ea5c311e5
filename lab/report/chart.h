/* chart — an SVG chart drawn by gnuplot (Debian's gnuplot-nox), run as a
 * child process on a script that carries its own data (gnuplot 5 data
 * blocks), given on its stdin: no file is made, so none is left behind
 * however gillab ends, and gnuplot is killed when gillab dies
 * (PR_SET_PDEATHSIG), so an interrupted report leaves none running.
 *
 * The SVG terminal is used without `mouse`, so the output holds no
 * <script>, and with a generic font family, so nothing is fetched. Text is
 * drawn `noenhanced` (no ^ _ @ markup) and gnuplot escapes & and < in it.
 * Every text that comes from a results file (names of workloads, runtimes,
 * models, placements, ...) goes into a script through chart_quote only,
 * never into a data block nor between double quotes: gnuplot runs the
 * command in `backquotes` found in a double-quoted string.
 */
#ifndef GILLAB_CHART_H
#define GILLAB_CHART_H

#include <stddef.h>
#include <stdio.h>

/* The one style of every chart, run report's and probe report's alike,
 * in report.html and in the .svg files beside it (the same SVG text): a
 * CHART_WIDTH wide SVG with text, lines and points large enough to read
 * at half size (a slide, a page zoomed out to 50 %), a grid, and the key
 * below the plot, outside it, so that it covers no data.
 *
 * Series k (0, 1, ...) of a chart is drawn with chart_series(k): colour
 * k % 7 of Okabe and Ito's colour-blind-safe palette (its yellow left
 * out: it does not show on white), marker k % 8 and, from the eighth
 * series on, a dash pattern, so that no two series of a chart look alike
 * (distinct up to 280 series). Reference lines (an ideal, a bound) are
 * grey and dashed: `ls CHART_REF`. */
#define CHART_WIDTH 960
#define CHART_REF 99

/* The preamble every chart script starts with: the SVG terminal at
 * width x height pixels, and the style above. */
void chart_preamble(FILE *script, int width, int height);

/* Sets the terminal's size again, the plot's height plus room for the key
 * of nkeys entries below it, the longest `longest` characters (two to a
 * row when two that long fit side by side): a script writes it once it
 * knows the lines it draws. */
void chart_size(FILE *script, int width, int height, size_t nkeys,
                size_t longest);

/* Writes the style of series k (" lc rgb ... lw ... pt ... ps ... dt ..."),
 * for a plot element's options. */
void chart_series(FILE *script, size_t k);

/* The colour of series k as "#rrggbb" (a static string): for bars and
 * areas, which have no marker. */
const char *chart_colour(size_t k);

/* An axis ('x' or 'y') of counts (workers, threads): its tics at the n
 * values v[] the data has (sorted, distinct), its range just around them,
 * so that it starts where the data does; log scale (base 2) when the
 * values span 8 times or more. Returns 1 when it set the log scale, else
 * 0. */
int chart_count_axis(FILE *script, char axis, const double *v, size_t n);

/* A log-scale axis ('x' or 'y') for data from lo to hi (both > 0): its
 * range a little wider, its tics labelled at 1, 2 and 5 times the powers
 * of ten (at the powers of ten alone when the data spans two decades or
 * more), none below lo nor above hi. */
void chart_log_axis(FILE *script, char axis, double lo, double hi);

/* s as a gnuplot string expression that gnuplot takes as text, whatever
 * s holds: single-quoted, quotes included ('it'."\047".'s' for "it's"),
 * control characters (line breaks) as spaces. NULL is the empty string.
 * Usable wherever gnuplot takes a string (titles, labels, tic labels, an
 * assignment); the caller must not write a ' right after it. */
void chart_quote(FILE *script, const char *s);

/* Runs gnuplot on script (a complete script, NUL-terminated) and returns
 * the SVG it drew as a new string (free()) in *svg. Returns 0, or a
 * negative code with gnuplot's complaint in err. */
int chart_render(const char *script, char **svg, char *err, size_t errlen);

/* Whether gnuplot can be run (looked up once). */
int chart_available(void);

#endif
