/* provenance — where a run's figures come from, said the same way by every
 * output: the reproducibility header (command, the experiment file and its
 * SHA-256 when there was one, start, host, CPU, topology, kernel,
 * governor, each runtime's build and the environment its cells imported
 * from, gillab's version), read from the
 * metadata record of a results file (lab/meta.h writes it). */
#ifndef GILLAB_PROVENANCE_H
#define GILLAB_PROVENANCE_H

#include <cjson/cJSON.h>

/* The header from a metadata record (borrowed; NULL gives one line saying
 * it is missing): calls fn once per line with a label ("CPU", "topology",
 * "kernel", "governor", "runtime 3.11", "environment 3.11" (when the
 * record has one), "gillab", "command", ...) and its
 * value, in a fixed order, so that summary.md, report.html, results.csv and
 * `gillab compare` say the same. */
typedef void (*provenance_line_fn)(void *ctx, const char *label,
                                   const char *value);
void provenance_describe(const cJSON *meta, provenance_line_fn fn, void *ctx);

/* The question the run was to answer (`--question`, or an experiment
 * file's), borrowed from meta; NULL when it has none (meta may be NULL).
 * Each output shows it first: summary.md's and report.html's title, a line
 * of compare's and results.csv's headers. */
const char *provenance_question(const cJSON *meta);

/* Whether meta is of a partial merge (gillab merge --partial with shards
 * missing, doubled or incomplete: "merged.partial"). */
int provenance_partial(const cJSON *meta);

/* How many machines that differ the merged shards ran on ("merged.
 * machines"); 0 when meta is not of a merge. */
int provenance_machines(const cJSON *meta);

#endif
