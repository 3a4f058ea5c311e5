/* probe_csv — a probe's figures for pandas and spreadsheets, in two files
 * that open with the reproducibility header as "# " comment lines (read
 * them with pandas.read_csv(path, comment='#')), text fields quoted, a
 * figure the records lack an empty field:
 *
 * DIR/results.csv, one row per process x thread (a process without
 * threads, e.g. one that is not CPython, has one row with the thread
 * fields empty), its threads as the process's last interval line shows
 * them (cumulative):
 *   pid, file, exe, python, probed, reason (why not probed), version,
 *   free_threaded, forked_from, final (a normal exit's last line seen),
 *   tid, thread (its name; empty when none), alive, wall_s,
 *   gil_wait_s, gil_wait_share, gil_waits (contended acquisitions),
 *   acq_p50_us, acq_p99_us, acq_max_us (bucket upper edges), gil_held_s,
 *   gil_held_share, drop_requests, switch_waits, switch_wait_s, parks,
 *   park_s, park_share, cpu_s, runq_s, blocked_s, cpu_share, runq_share,
 *   blocked_share, vcsw, ivcsw
 * (the GIL and park columns empty for an unprobed process; gil_wait_s
 * includes switch_wait_s: probe_data_gil_wait_ns);
 *
 * DIR/intervals.csv, one row per process x thread x interval, what
 * changed over the interval:
 *   pid, tid, thread, interval (from 0), t_start_s, t_end_s (since the
 *   command started), wall_s, gil_wait_s, gil_wait_share, gil_held_s,
 *   park_s, cpu_s, runq_s
 * (GIL and park columns empty for an unprobed process).
 */
#ifndef GILLAB_PROBE_CSV_H
#define GILLAB_PROBE_CSV_H

#include "probe_data.h"

#include <stddef.h>
#include <stdio.h>

void probe_csv_render(const probe_data *d, FILE *f);
void probe_csv_render_intervals(const probe_data *d, FILE *f);

/* Writes dir/results.csv and dir/intervals.csv. Returns 0 or a negative
 * code with err. */
int probe_csv_write(const probe_data *d, const char *dir, char *err,
                    size_t errlen);

#endif
