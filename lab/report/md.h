/* md — the Markdown that summary.md and `gillab compare` share: the
 * reproducibility header as a list, table cells and rules, a figure with
 * its interval, and the count of verdicts over many comparisons. Both
 * outputs write these through this module, so a figure, a header or a
 * table reads the same in either. */
#ifndef GILLAB_MD_H
#define GILLAB_MD_H

#include "stats.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdio.h>

/* How a figure is shown. */
typedef enum {
  MD_SI,       /* three significant digits and a prefix: "297k" */
  MD_RATIO,    /* two decimals: "1.93" */
  MD_PERCENT,  /* a fraction as a whole percentage: "93%" */
  MD_US,       /* microseconds, as MD_SI */
  MD_MIB,      /* a size in kB shown in MiB, two decimals: "5.96" */
  MD_PERCENT1, /* a fraction as a percentage with one decimal: "0.4%" */
} md_fmt;

/* v as fmt shows it into buf; "–" when v is not finite. */
void md_value(char *buf, size_t len, double v, md_fmt fmt);

/* A median with its interval into buf: "255k [249k–260k]", or the median
 * alone when fewer than 2 values made it. */
void md_ci(char *buf, size_t len, const stats_ci *c, md_fmt fmt);

/* The reproducibility header of a metadata record (provenance.h; NULL
 * says it is missing) as list items "- label: value", each line after
 * indent ("" for a list of its own, "  " under an item); values escaped,
 * the command as a code span that backticks in it cannot end. */
void md_header(FILE *f, const cJSON *meta, const char *indent);

/* One table cell after the row's opening '|': " text |", text escaped. */
void md_cell(FILE *f, const char *text);

/* A row (a cell key) as findings name it, escaped: "threads (3.11)",
 * "processes fork (3.11, compact)" (the placement when not "none"). */
void md_row_name(FILE *f, const cJSON *row);

/* The rule under a table's head, with its newline: "|---|---:|" for
 * align "lr", one letter a column, 'r' right-aligned (numbers). */
void md_rule(FILE *f, const char *align);

/* Verdicts counted over many comparisons, by stats_verdict. */
typedef struct {
  size_t n[STATS_TOO_FEW + 1];
} md_verdicts;

/* The counts as one phrase, in the order of stats_verdict (higher, lower,
 * no difference, too noisy, too few) and separated by ", ": words[v] is a
 * printf format with one %zu for count v ("%zu higher in B", "lower in
 * %zu"). */
void md_verdicts_write(FILE *f, const md_verdicts *v,
                       const char *const words[STATS_TOO_FEW + 1]);

#endif
