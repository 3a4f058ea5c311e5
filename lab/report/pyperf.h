/* pyperf — a results directory as a pyperf benchmark suite (`gillab export
 * --pyperf DIR OUT`), for `python3 -m pyperf stats OUT` and `python3 -m
 * pyperf compare_to A.json B.json`.
 *
 * The file is pyperf's JSON format version "1.0" (pyperf 1.0 and later:
 * pyperf/_bench.py, _JSON_VERSION): {"version": "1.0", "metadata": {...},
 * "benchmarks": [{"metadata": {"name": ...}, "runs": [{"metadata": {...},
 * "warmups": [[1, v]], "values": [v]}]}]}.
 *
 * One benchmark per cell key (every axis of the matrix but the
 * repetition: results.h's groups), named by the key in words that stay the
 * same from one run of an experiment to the next, so that compare_to
 * matches the cells of two runs by name: "cpu.primes threads n=2 3.11",
 * with the axes that are not at their default appended ("placement=compact",
 * "scaling=weak", "start_method=spawn", "si=1ms", "cpu_threads=2",
 * "msg_size=1024", "payload=bytes", "machine=m2").
 *
 * One pyperf run per measured repetition (ok and not a warm-up), each with
 * one value: the repetition's seconds per operation, 1/throughput (lower
 * is better, as pyperf's values are; the same unit whatever --size was).
 * A cell whose records have no throughput gets its wall_s instead; every
 * benchmark's "gillab_value" metadata says which it holds. The cell's
 * warm-up repetitions (run --warmup) become pyperf warmups of its first
 * run: they ran before it, though each in a process of its own.
 *
 * Metadata is pyperf's where pyperf has a name for it (unit, hostname,
 * cpu_model_name, cpu_count, platform, python_version,
 * python_implementation, duration) and gillab_* otherwise (gillab's
 * version and git revision, the command, the workload, model, workers,
 * placement, runtime, scaling, repetition, ...). pyperf accepts strings,
 * integers and floats only, and no string that is empty or holds a line
 * break: such a value is left out.
 */
#ifndef GILLAB_PYPERF_H
#define GILLAB_PYPERF_H

#include "results.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdio.h>

/* What an export held: benchmarks (cells), runs (measured repetitions),
 * warm-ups; and what was left out (cells skipped, or whose every
 * repetition failed; repetitions that failed). */
typedef struct {
  size_t benchmarks, runs, warmups;
  size_t cells_left_out, reps_left_out;
} pyperf_counts;

/* The suite of r as a new cJSON object (the caller frees it with
 * cJSON_Delete). With runtime (a tag, e.g. "3.13"), only that runtime's
 * cells and the native ones, and the names leave the tag out: an export
 * of 3.11's cells and one of 3.13's then match by name in compare_to (the
 * version is in each benchmark's python_version); NULL: every cell. What is
 * left out is said in one line each on notes (the CLI passes stderr; NULL says
 * nothing). *counts, when not NULL, receives the counts. Returns NULL when
 * memory ran out. */
cJSON *pyperf_suite(const results *r, const char *runtime, FILE *notes,
                    pyperf_counts *counts);

/* Writes the suite of the results directory dir (its results.jsonl) to
 * path, whole or not at all (core/outfile.h); runtime as for
 * pyperf_suite. Returns 0, or a negative code with err: -ENOENT and the
 * like when dir cannot be read, -EINVAL when it is a probe's (gillab
 * probe) or no cell is of runtime,
 * -ENODATA when it holds no measured repetition to export. */
int pyperf_write(const char *dir, const char *path, const char *runtime,
                 FILE *notes, pyperf_counts *counts, char *err, size_t errlen);

#endif
