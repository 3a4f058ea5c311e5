/* lat — latency samples and their summary: percentiles and a histogram.
 *
 * The GC, deallocation, hiccup and round-trip probes all record durations
 * and report them the same way: {"p50", "p90", "p99", "max"} in
 * microseconds, exact (nearest rank over the sorted samples, not bucket
 * edges), and a histogram [[upper_us, count], ...] with one bucket per power
 * of two of microseconds. workloads/python/gillab_lat.py computes the same
 * summary for samples taken in Python; keep the two definitions equal.
 *
 * A lat_samples grows as samples arrive (malloc), so it must not be fed
 * from a context that cannot allocate. It has no lock: one writer at a time.
 */
#ifndef GILLAB_LAT_H
#define GILLAB_LAT_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
  uint64_t *ns; /* n samples, in nanoseconds; owned */
  size_t n, cap;
  uint64_t total_ns;
} lat_samples;

/* Appends one sample; -ENOMEM when it cannot grow (the sample is lost). */
int lat_add(lat_samples *s, uint64_t ns);
/* Appends every sample of from to into. */
int lat_merge(lat_samples *into, const lat_samples *from);
/* Frees the samples and empties s. */
void lat_clear(lat_samples *s);

/* Nearest-rank percentile q (0..1] in nanoseconds; 0 when empty. Sorts s. */
uint64_t lat_pct(lat_samples *s, double q);

/* Adds to obj "p50", "p90", "p99", "max" (microseconds; null when empty). */
void lat_add_pcts(cJSON *obj, lat_samples *s);
/* A new object {"n", "p50", "p90", "p99", "max"}. */
cJSON *lat_summary(lat_samples *s);
/* A new array [[upper_us, count], ...]: buckets 1, 2, 4, ... us, from the
 * first to the last non-empty one. */
cJSON *lat_hist(const lat_samples *s);

#endif
