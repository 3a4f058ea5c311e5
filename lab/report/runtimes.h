/* runtimes — summary.md's "Runtimes side by side": with two or more
 * Python runtimes in a run, per workload whose headline is a speedup
 * (cellkind.h), each runtime against the first one listed:
 *
 *  - per-thread speed: throughput at 1 worker of the same model (threads
 *    when measured) as a ratio to the first runtime's, with the verdict of
 *    the two intervals (stats_compare);
 *  - scaling: the best Python model's speedup at the machine's CPU count;
 *  - the GIL state of its threads (shared, or none when free-threaded
 *    with the GIL off).
 *
 * The build caveats that change those figures stand next to them, from
 * the metadata's runtimes[]: configure without --enable-optimizations
 * (PGO) or --with-lto, a free-threaded build (its single-thread
 * overhead), a debug build (--with-pydebug).
 */
#ifndef GILLAB_RUNTIMES_H
#define GILLAB_RUNTIMES_H

#include "results.h"

#include <stddef.h>
#include <stdio.h>

/* The build caveats of runtime tag (its metadata entry) that change speed,
 * as one phrase into buf ("no PGO or LTO in configure; free-threaded"),
 * "" when none or when the metadata does not describe it. */
const char *runtimes_caveats(const results *r, const char *tag, char *buf,
                             size_t len);

/* The number of "## " headings runtimes_write writes (0 or 1). */
size_t runtimes_sections(const results *r);

/* The section "## Runtimes side by side", or nothing with fewer than two
 * Python runtimes or no workload with a speedup. */
void runtimes_write(FILE *f, const results *r);

#endif
