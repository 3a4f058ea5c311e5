"""Latency summaries of samples taken in Python, defined as core/lat.c
defines them for samples taken in C (keep the two equal): nearest-rank
percentiles over the sorted samples, in microseconds, and a histogram with
one bucket per power of two of microseconds."""

import math


def pct(sorted_ns, q):
    """Nearest-rank percentile q (0..1] of sorted samples, in ns."""
    if not sorted_ns:
        return 0
    rank = min(max(math.ceil(q * len(sorted_ns)), 1), len(sorted_ns))
    return sorted_ns[rank - 1]


def pcts(samples_ns):
    """{"p50", "p90", "p99", "max"} in microseconds (None when empty)."""
    s = sorted(samples_ns)
    return {name: (pct(s, q) / 1e3 if s else None)
            for name, q in (("p50", 0.5), ("p90", 0.9), ("p99", 0.99),
                            ("max", 1.0))}


def summary(samples_ns):
    """{"n", "p50", "p90", "p99", "max"}."""
    return {"n": len(samples_ns), **pcts(samples_ns)}


def hist(samples_ns):
    """[[upper_us, count], ...], buckets 1, 2, 4, ... us, from the first to
    the last non-empty one."""
    counts = {}
    for ns in samples_ns:
        b = 0
        while b < 63 and ns > 1e3 * 2 ** b:
            b += 1
        counts[b] = counts.get(b, 0) + 1
    if not counts:
        return []
    return [[2 ** b, counts.get(b, 0)]
            for b in range(min(counts), max(counts) + 1)]
