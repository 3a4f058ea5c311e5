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

/* The preamble every chart script starts with: the SVG terminal at
 * width x height pixels, and a readable default style. */
void chart_preamble(FILE *script, int width, int height);

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
