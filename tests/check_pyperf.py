#!/usr/bin/env python3
"""check_pyperf.py — does a file of `gillab export --pyperf` pass the checks
pyperf makes when it loads a suite? Standard library only: pyperf itself is
on PyPI only (no Debian suite packages it), so e2e_export.sh runs pyperf
when it can be imported and this otherwise.

The rules are pyperf's, as its loader states them (pyperf/_bench.py
BenchmarkSuite._json_load, Benchmark, Run; pyperf/_metadata.py
parse_metadata), stricter where pyperf's are loose by accident (a JSON
true passes pyperf's isinstance(value, int); here it does not):

  - "version" is "1.0" (the format of pyperf 1.0 and later; warm-up values
    per loop iteration), "benchmarks" a non-empty list;
  - metadata (the suite's, each benchmark's, each run's) maps names to
    strings, integers or floats; a string is not empty once stripped and
    has no line break; loops and inner_loops are integers >= 1; duration,
    uptime are numbers >= 0; unit is second, byte or integer; date is a
    string Python's datetime.fromisoformat reads;
  - each run has values (numbers > 0) and/or warmups ([loops >= 1,
    value >= 0] pairs);
  - each benchmark's first run has a name; every run of a benchmark
    agrees on the metadata pyperf's add_run checks; no two benchmarks of
    a suite share a name.

  check_pyperf.py load FILE     prints one line per benchmark (name, runs,
                                values, warmups, mean); exits 1 with the
                                reason on a file pyperf would refuse
  check_pyperf.py compare A B   matches the benchmarks of A and B by name,
                                as compare_to does, and prints one line per
                                match ("NAME: mean A -> mean B: 1.05x
                                slower"); exits 1 when none match
"""
import datetime
import json
import statistics
import sys

# pyperf/_bench.py, _CHECKED_METADATA: every run of a benchmark has the
# same value for these (or none has them).
CHECKED = ("aslr", "cpu_count", "cpu_model_name", "hostname", "inner_loops",
           "name", "platform", "python_executable", "python_implementation",
           "python_unicode", "python_version", "unit")
UNITS = ("second", "byte", "integer")


class Refused(Exception):
    pass


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def check_metadata(md, where):
    if not isinstance(md, dict):
        raise Refused(f"{where}: metadata is not an object")
    for name, value in md.items():
        w = f"{where}: metadata {name!r}"
        if isinstance(value, str):
            if "\n" in value or "\r" in value:
                raise Refused(f"{w}: a line break")
            if not value.strip():
                raise Refused(f"{w}: empty")
        elif not is_number(value):
            raise Refused(f"{w}: a {type(value).__name__}, not a string or number")
        if name in ("loops", "inner_loops") and not (
                isinstance(value, int) and not isinstance(value, bool) and value >= 1):
            raise Refused(f"{w}: {value!r} is not an integer >= 1")
        if name in ("duration", "uptime") and not (is_number(value) and value >= 0):
            raise Refused(f"{w}: {value!r} is not a number >= 0")
        if name == "unit" and value not in UNITS:
            raise Refused(f"{w}: {value!r} is not one of {UNITS}")
        if name == "date":
            if not isinstance(value, str):
                raise Refused(f"{w}: not a string")
            datetime.datetime.fromisoformat(value)


def load(path):
    """The suite as [(name, [run metadata], values, warmups)]."""
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    if data.get("version") != "1.0":
        raise Refused(f"format version {data.get('version')!r}, not '1.0'")
    suite_md = data.get("metadata", {})
    check_metadata(suite_md, "suite")
    benches = data.get("benchmarks")
    if not isinstance(benches, list) or not benches:
        raise Refused("no benchmarks")
    out, names = [], set()
    for b, bench in enumerate(benches):
        bench_md = bench.get("metadata", {})
        check_metadata(bench_md, f"benchmark {b}")
        runs = bench.get("runs")
        if not isinstance(runs, list) or not runs:
            raise Refused(f"benchmark {b}: no runs")
        mds, values, warmups = [], [], []
        for r, run in enumerate(runs):
            where = f"benchmark {b} run {r}"
            run_md = run.get("metadata", {})
            check_metadata(run_md, where)
            md = dict(suite_md, **bench_md)
            md.update(run_md)
            vals = run.get("values", [])
            warm = run.get("warmups", [])
            if not vals and not warm:
                raise Refused(f"{where}: neither values nor warmups")
            if not all(is_number(v) and v > 0 for v in vals):
                raise Refused(f"{where}: values must be numbers > 0: {vals}")
            for item in warm:
                if not (isinstance(item, list) and len(item) == 2
                        and isinstance(item[0], int) and item[0] >= 1
                        and is_number(item[1]) and item[1] >= 0):
                    raise Refused(f"{where}: warmup {item!r} is not [loops >= 1, value >= 0]")
            if mds:
                for key in CHECKED:
                    if md.get(key) != mds[0].get(key):
                        raise Refused(f"{where}: metadata {key} {md.get(key)!r} differs "
                                      f"from the first run's {mds[0].get(key)!r}")
            mds.append(md)
            values += vals
            warmups += warm
        name = mds[0].get("name")
        if not name:
            raise Refused(f"benchmark {b}: its first run has no name")
        if name in names:
            raise Refused(f"two benchmarks named {name!r}")
        names.add(name)
        out.append((name, mds, values, warmups))
    return out


def main(argv):
    try:
        if len(argv) == 3 and argv[1] == "load":
            for name, mds, values, warmups in load(argv[2]):
                print(f"{name}: {len(mds)} runs, {len(values)} values, "
                      f"{len(warmups)} warmups, mean {statistics.mean(values):.6g} "
                      f"{mds[0].get('unit', 'second')}")
            return 0
        if len(argv) == 4 and argv[1] == "compare":
            a = {n: v for n, _, v, _ in load(argv[2])}
            b = {n: v for n, _, v, _ in load(argv[3])}
            common = [n for n in a if n in b]
            for n in common:
                ratio = statistics.mean(b[n]) / statistics.mean(a[n])
                how = ("no change" if ratio == 1 else f"{1 / ratio:.2f}x faster"
                       if ratio < 1 else f"{ratio:.2f}x slower")
                print(f"{n}: {statistics.mean(a[n]):.6g} -> "
                      f"{statistics.mean(b[n]):.6g}: {how}")
            if not common:
                print("no benchmark in common", file=sys.stderr)
                return 1
            return 0
    except (Refused, ValueError, KeyError, TypeError, AttributeError) as e:
        print(f"{argv[-1]}: pyperf would refuse it: {e}", file=sys.stderr)
        return 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
