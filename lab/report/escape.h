/* escape — names and messages made safe for the formats reports write:
 * Markdown (summary.md, compare.md), HTML (report.html) and CSV. Workload,
 * model and runtime names, placements and error messages come from users
 * and from Python tracebacks, so every one is escaped where it is written.
 */
#ifndef GILLAB_ESCAPE_H
#define GILLAB_ESCAPE_H

#include <stdio.h>

/* s for Markdown text and table cells: a backslash before each of
 * \ ` * _ [ ] < > # | ~ & (emphasis, code, links, HTML and entities,
 * headings, table cells, strike-through), and newlines as spaces (a newline
 * would end a table row). Dashes and dots stay as they are: "native-threads"
 * and "cpu.primes" read the same escaped or not. */
void escape_md(FILE *f, const char *s);

/* s as one Markdown code span, fences included, for text shown as typed
 * (the command line): a code span takes backslashes literally, so instead
 * of escaping, the fence is made longer than any run of backticks in s (two
 * at least), with a space inside each fence; line breaks become spaces, so
 * that s cannot end the line and start a new Markdown block (a heading, a
 * list, a table). */
void escape_md_code(FILE *f, const char *s);

/* s for HTML text and attribute values: & < > " ' as entities. */
void escape_html(FILE *f, const char *s);

/* s as one CSV field (RFC 4180): quoted, with quotes doubled; line feeds
 * kept inside the quotes (RFC 4180 allows them there), carriage returns
 * as spaces. A field that starts
 * with = + - @, a tab or a carriage return is opened with a ' so that no
 * spreadsheet reads it as a formula. */
void escape_csv(FILE *f, const char *s);

#endif
