"""Reads what the probe library wrote into a `gillab probe` directory
(DIR/procs/*.jsonl, the contract of core/probefile.h) and prints one JSON
document the end-to-end tests check with jq: per process file, its pid,
exe, whether it is CPython and probed (and why not), whether it ended with
a final line, and per thread of its last interval line the shares of its
wall time (GIL wait = acquisition + forced-switch waits, as gillab run's
cells count it; blocked = wall - on-CPU - run queue; parked).
Usage: python3 probe_facts.py DIR"""
import glob
import json
import os
import sys


def facts(path):
    lines = []
    with open(path) as f:
        for raw in f:
            try:
                lines.append(json.loads(raw))
            except ValueError:
                pass  # a torn last line of a killed process
    proc = lines[0]
    rt = next((l for l in lines if l["type"] == "runtime"), None)
    ints = [l for l in lines if l["type"] == "interval"]
    traces = [e for l in lines if l["type"] == "trace" for e in l["events"]]
    out = {"pid": proc["pid"], "exe": os.path.basename(proc["exe"]),
           "python": proc["python"], "forked_from": proc["forked_from"],
           "probed": bool(rt and rt["probed"]), "reason": rt and rt["reason"],
           "version": rt and rt["version"], "intervals": len(ints),
           "final": bool(ints and ints[-1]["final"]),
           "process": ints[-1]["process"] if ints else None,
           "trace_kinds": sorted({(e[0]) for e in traces}),
           "trace_tids": sorted({e[1] for e in traces if e[0] == "gil_wait"}),
           "threads": []}
    for t in ints[-1]["threads"] if ints else []:
        wall = (t["last_ns"] - t["first_ns"]) / 1e9
        wait = (t.get("gil_wait_ns", 0) + t.get("switch_wait_ns", 0)) / 1e9
        blocked = wall - (t["cpu_ns"] + t["runq_ns"]) / 1e9
        out["threads"].append({
            "tid": t["tid"], "name": t["name"], "wall_s": wall,
            "has_gil_figures": "gil_wait_ns" in t,
            "wait_s": wait, "wait_share": wait / wall if wall else 0,
            "blocked_s": blocked, "waits": t.get("gil_waits"),
            "held_share": t.get("gil_held_ns", 0) / 1e9 / wall if wall else 0,
            "park_s": t.get("park_ns", 0) / 1e9 if "park_ns" in t else None,
            "parks": t.get("parks")})
    return out


d = sys.argv[1]
print(json.dumps([facts(p) for p in sorted(glob.glob(os.path.join(d, "procs", "*.jsonl")))],
                 indent=1))
