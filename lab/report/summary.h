/* summary — summary.md from a results file: first the answers page and
 * the runtimes side by side (answers.h, runtimes.h), then per workload tables
 * of throughput, speedup, efficiency, GIL wait, GC and hiccup pauses by model x
 * workers (x runtime), each median with its confidence interval, and under
 * each table a finding in plain words computed from the same figures; the
 * cells that failed, with why. Made from the records alone, so it can be
 * remade from a results directory at any time. */
#ifndef GILLAB_SUMMARY_H
#define GILLAB_SUMMARY_H

#include "results.h"

#include <stddef.h>
#include <stdio.h>

/* Writes the summary of r to f. */
void summary_render(const results *r, FILE *f);

/* The number of "## " headings summary_render writes before the first
 * workload's: the answers page's and the runtimes' (answers.h,
 * runtimes.h); 0 for a merge of machines that differ, which has neither.
 * report.html counts its sections by these headings. */
size_t summary_lead_sections(const results *r);

/* Writes the summary of r to dir/summary.md. Returns 0, or a negative
 * code with err. */
int summary_write(const results *r, const char *dir, char *err, size_t errlen);

#endif
