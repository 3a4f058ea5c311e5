/* smaps — one process's memory from /proc/PID/smaps_rollup: RSS, PSS and
 * USS (private: Private_Clean + Private_Dirty, what its exit would free),
 * in kB as the kernel gives them. Shared by the runners' memory sampler
 * (embed/memuse.c) and the workloads that measure what a worker adds
 * (os.spawn's C twin). */
#ifndef GILLAB_SMAPS_H
#define GILLAB_SMAPS_H

#include <stdint.h>
#include <sys/types.h>

/* One reading of one process, in kB. */
typedef struct {
  uint64_t rss_kb, pss_kb, uss_kb;
} smaps_sample;

/* Parses the text of a smaps_rollup file (Rss, Pss, Private_Clean,
 * Private_Dirty lines; the others are skipped) into *out. Returns 0, or
 * -EINVAL when a line it needs is missing (an empty file: a process
 * without memory, such as a zombie). */
int smaps_parse_rollup(const char *text, smaps_sample *out);

/* Reads /proc/PID/smaps_rollup (pid 0: this process). Returns 0, or
 * -errno (-ESRCH when the process has gone, -EINVAL as above). */
int smaps_read(pid_t pid, smaps_sample *out);

#endif
