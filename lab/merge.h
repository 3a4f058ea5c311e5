/* merge — `gillab merge OUT DIR...`: the shards of one run (`gillab run
 * --shard`, lab/shard.h), written on one machine each, joined into one
 * results directory with the usual outputs (issue 19).
 *
 * The directories must be shards of one run: the same spec (its hash,
 * spec_sha256 in each metadata record) and the same count of shards. A
 * missing shard, a shard given twice, or one with fewer cells than it was
 * to run (interrupted) is named, and nothing is written, unless partial is
 * set: then what is there is merged (the first of two copies of a shard
 * is kept), and the metadata's "merged" says it is partial and what is
 * missing, which every report then shows.
 *
 * Every record keeps where it was measured: "shard" (its index), and the
 * metadata's "merged" lists each shard's directory, host and machine.
 * When the shards ran on machines that differ (CPU model, topology,
 * kernel, or a runtime's build), each machine gets an id (m1, m2, ... in
 * the order of the shards) that every record carries as "machine": it is
 * part of a cell's key in the reports (lab/report/results.h), so no table,
 * chart or finding ever puts cells of two machines together.
 */
#ifndef GILLAB_MERGE_H
#define GILLAB_MERGE_H

#include <stddef.h>

/* Merges the ndirs shard directories dirs into out (created; its
 * results.jsonl must not exist yet) and writes the reports. notes (a
 * caller's buffer of noteslen bytes) receives what a partial merge lacks,
 * one line each, for the CLI to print. Returns 0, or a negative code with
 * err: -EINVAL when the directories are not (all) the shards of one run,
 * or a shard is missing, doubled or incomplete without partial. */
int merge_run(const char *out, char *const *dirs, size_t ndirs, int partial,
              char *notes, size_t noteslen, char *err, size_t errlen);

#endif
