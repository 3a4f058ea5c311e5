/* csv — DIR/results.csv: a flat export of results.jsonl for pandas and
 * spreadsheets, one row per cell repetition (warm-ups included, flagged),
 * with a fixed list of columns (README: "results.csv") that only ever
 * grows at the end. Figures a record lacks are empty fields.
 *
 * The file opens with the reproducibility header as comment lines
 * ("# CPU: ..."): read it with pandas.read_csv(path, comment='#'). Every
 * text field is quoted, so a '#' inside one is not taken for a comment.
 */
#ifndef GILLAB_CSV_H
#define GILLAB_CSV_H

#include "results.h"

#include <stddef.h>
#include <stdio.h>

/* Writes r as CSV to f. */
void csv_render(const results *r, FILE *f);

/* Writes dir/results.csv. Returns 0 or a negative code with err. */
int csv_write(const results *r, const char *dir, char *err, size_t errlen);

#endif
