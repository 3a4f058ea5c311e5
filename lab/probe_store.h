/* probe_store — the results directory of `gillab probe`: made ready before
 * the command runs, and DIR/results.jsonl written from what the processes
 * left in DIR/procs after it ends.
 *
 * results.jsonl holds, one JSON object a line:
 *  - the metadata record {"type": "meta", "kind": "probe", ...} (probe.c
 *    builds it; see README "gillab probe"), to which probe_store_merge adds
 *    "procs": {"files": how many process files were read, "records": how
 *    many lines were kept, "skipped": [{"file", "line", "why"}] the lines
 *    left out (a torn last line of a killed process, or a line that is
 *    not a JSON object)};
 *  - every line of every DIR/procs/proc-<pid>-<start_ns>.jsonl, the files
 *    in the order their processes started (start_ns, then pid), each line
 *    as the library wrote it (core/probefile.h) with two members added at
 *    its end: "file", the process file's name, and "pid", the process's
 *    id (already there in a "process" line).
 * Everything a report needs is in it, so `gillab report DIR` remakes the
 * reports from results.jsonl alone, as for a run.
 */
#ifndef GILLAB_PROBE_STORE_H
#define GILLAB_PROBE_STORE_H

#include <cjson/cJSON.h>
#include <stddef.h>

/* The name of the directory of the process files inside DIR. */
#define PROBE_STORE_PROCS "procs"

/* Makes dir ready for a new probe: creates it (and its parents) when
 * missing; accepts an existing one only when it is empty or a previous
 * probe directory (nothing in it but what `gillab probe` writes, its
 * results.jsonl, if any, of kind "probe", no symbolic link among them),
 * whose outputs are then removed and its procs/ emptied. Makes dir/procs
 * and writes its path into procs. Returns 0, -EEXIST with err when dir is
 * refused, or another negative errno with err. */
int probe_store_prepare(const char *dir, char *procs, size_t len, char *err,
                        size_t errlen);

/* Reads dir/procs/proc-*.jsonl and writes dir/results.jsonl (through a
 * temporary file renamed over it): meta first, with its "procs" object
 * added (meta is changed, still owned by the caller), then the lines.
 * Returns 0, or a negative errno with err. */
int probe_store_merge(const char *dir, cJSON *meta, char *err, size_t errlen);

#endif
