/* summary — DIR/summary.md from DIR/results.jsonl: per workload, tables of
 * median throughput and speedup by model x workers, and the cells that
 * failed, with why. Made from the records alone, so it can be remade from a
 * results directory at any time. */
#ifndef GILLAB_SUMMARY_H
#define GILLAB_SUMMARY_H

#include <stddef.h>

/* Reads dir/results.jsonl and writes dir/summary.md. Returns 0, or a
 * negative code with err. */
int summary_write(const char *dir, char *err, size_t errlen);

#endif
