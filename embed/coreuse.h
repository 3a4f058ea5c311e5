/* coreuse — how the cell used the machine's cores over its timed region:
 * each CPU's busy fraction from /proc/stat deltas, and the CPU time and peak
 * memory of the runner and the worker processes it reaped (getrusage).
 *
 * The worker table (workers.c) marks the region: coreuse_begin when the first
 * worker begins (or the first worker process is adopted), coreuse_end when the
 * last one leaves. coreuse_report, called once the driver has returned (and so
 * has reaped its worker processes), builds the record's `cores` object.
 *
 * /proc/stat is machine-wide: busy fractions include whatever else ran on
 * the machine meanwhile, which is the point (a report can tell an idle
 * machine from a shared one) and a caveat. The kernel counts in USER_HZ
 * ticks (10 ms), so a region of 1 s gives each fraction to about 1 %.
 * A child process's CPU time reaches RUSAGE_CHILDREN only when it is
 * reaped, and then whole: the children's share of user_s and sys_s is their
 * whole lifetime (start-up included), not just the timed region.
 *
 * Notes about the implementation: coreuse_begin and coreuse_end are each called
 * once per cell, from whichever worker thread gets there first/last (the worker
 * table's atomic counters decide); coreuse_report runs after every worker has
 * left. The state is a static snapshot pair; no lock is needed.
 */
#ifndef GILLAB_COREUSE_H
#define GILLAB_COREUSE_H

#include <cjson/cJSON.h>
#include <stdint.h>

#define COREUSE_MAX_CPUS 1024

/* Per-CPU tick counters from one read of /proc/stat. */
typedef struct {
  int ncpu; /* highest CPU number present + 1 */
  uint8_t present[COREUSE_MAX_CPUS];
  uint64_t busy[COREUSE_MAX_CPUS];  /* user + nice + system + irq + softirq */
  uint64_t total[COREUSE_MAX_CPUS]; /* busy + idle + iowait + steal */
} coreuse_stat;

/* Parses the text of /proc/stat (the per-CPU "cpuN ..." lines; the summary
 * "cpu" line and the rest are skipped) into *out. Returns the number of
 * CPUs parsed, or -EINVAL if there were none or a cpu line was malformed. */
int coreuse_parse_stat(const char *text, coreuse_stat *out);

/* Reads and parses /proc/stat. Returns as coreuse_parse_stat, or -errno. */
int coreuse_read_stat(coreuse_stat *out);

/* The busy fraction of each CPU between a and b (b later) as a new JSON
 * array indexed by CPU number: null for a CPU absent from either read, 0
 * when no tick passed. Caller owns it (cJSON_Delete). */
cJSON *coreuse_busy_json(const coreuse_stat *a, const coreuse_stat *b);

/* Forgets the last cell's marks (workers_setup calls it). */
void coreuse_reset(void);
/* The timed region starts / ends now. */
void coreuse_begin(void);
void coreuse_end(void);

/* The record's `cores` object, new (caller owns it): {"busy": [...],
 * "user_s", "sys_s", "maxrss_kb"}; user_s and sys_s are this process's
 * (every thread's) over the region plus the reaped children's since the
 * region began; maxrss_kb the larger of this process's peak and the largest
 * reaped child's. Without a coreuse_end (a worker never left), the region ends
 * now. NULL if coreuse_begin never ran. */
cJSON *coreuse_report(void);

#endif
