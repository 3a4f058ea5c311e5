#!/usr/bin/env python3
"""Checks a file against the Trace Event Format (the JSON that
chrome://tracing, Perfetto's UI and speedscope read; "Trace Event Format",
Google's document, the version catapult's docs point to):

  check_trace.py FILE.json [--probe]   prints "ok: N events" or each fault
  check_trace.py --self-test           the checker against broken traces

The rules checked, per the format:
- the file is a JSON object with a "traceEvents" array (the JSON Object
  Format; the bare array form is accepted too); "displayTimeUnit", when
  present, is "ms" or "ns"; "otherData", when present, an object;
- every event is an object with "ph" (a known phase) and "name" (a
  string); "cat", when present, a string; "args", when present, an object;
  "pid" and "tid" numbers (integers) where present;
- "X" (complete) events have "ts" and "dur", numbers, dur >= 0, pid, tid;
- "B"/"E" (duration) and "i"/"I" (instant) events have "ts"; an instant's
  "s" (scope), when present, is "g", "p" or "t";
- "M" (metadata) events are named process_name, process_labels,
  process_sort_index, thread_name or thread_sort_index, with "args": the
  names' {"name": string}, the labels' {"labels": string}, the sort
  indexes' {"sort_index": integer}; and pid (tid too for a thread's);
- "C" (counter) events have "ts" and args of numbers.
With --probe, also what gillab probe promises (lab/report/probe_trace.h):
pid and tid numbers on every event, ts >= 0, only the phases M, X and i,
the names gil_wait, gil_hold, park, gc (X) and drop_request (i), a
thread_name for every thread with events and a process_name for every
process, and otherData's dropped counts.
"""
import json
import sys

PHASES = set("BEXiIMCbneSTpFsftPOND(),=R")
META = {"process_name": "name", "process_labels": "labels",
        "process_sort_index": "sort_index", "thread_name": "name",
        "thread_sort_index": "sort_index"}


def is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def is_int(v):
    return is_num(v) and float(v).is_integer()


def check(doc, probe=False):
    faults = []
    if isinstance(doc, list):
        events = doc
        doc = {}
    elif isinstance(doc, dict) and isinstance(doc.get("traceEvents"), list):
        events = doc["traceEvents"]
    else:
        return ["not a JSON object with a traceEvents array"], 0
    if "displayTimeUnit" in doc and doc["displayTimeUnit"] not in ("ms", "ns"):
        faults.append("displayTimeUnit is neither ms nor ns")
    if "otherData" in doc and not isinstance(doc["otherData"], dict):
        faults.append("otherData is not an object")
    named_threads, named_procs, used = set(), set(), set()
    for i, e in enumerate(events):
        where = "event %d" % i

        def fault(msg):
            faults.append("%s: %s: %s" % (where, msg, json.dumps(e)[:200]))

        if not isinstance(e, dict):
            fault("not an object")
            continue
        ph = e.get("ph")
        if not isinstance(ph, str) or ph not in PHASES:
            fault("no known ph")
            continue
        if not isinstance(e.get("name"), str):
            fault("no name string")
        if "cat" in e and not isinstance(e["cat"], str):
            fault("cat is not a string")
        if "args" in e and not isinstance(e["args"], dict):
            fault("args is not an object")
        for key in ("pid", "tid"):
            if key in e and not is_int(e[key]):
                fault("%s is not an integer" % key)
        if ph in "XBEiIC" and not is_num(e.get("ts")):
            fault("no numeric ts")
        if ph == "X":
            if not is_num(e.get("dur")) or e["dur"] < 0:
                fault("a complete event without a duration >= 0")
            if "pid" not in e or "tid" not in e:
                fault("a complete event without pid and tid")
        if ph in "iI" and "s" in e and e["s"] not in ("g", "p", "t"):
            fault("an instant event's scope is not g, p or t")
        if ph == "M":
            key = META.get(e.get("name"))
            args = e.get("args")
            if key is None:
                fault("unknown metadata name")
            elif not isinstance(args, dict) or key not in args:
                fault("metadata without args.%s" % key)
            elif key == "sort_index" and not is_int(args[key]):
                fault("sort_index is not an integer")
            elif key in ("name", "labels") and not isinstance(args[key], str):
                fault("args.%s is not a string" % key)
            if "pid" not in e:
                fault("metadata without pid")
            if e.get("name", "").startswith("thread_") and "tid" not in e:
                fault("thread metadata without tid")
            if e.get("name") == "thread_name":
                named_threads.add((e.get("pid"), e.get("tid")))
            if e.get("name") == "process_name":
                named_procs.add(e.get("pid"))
        if ph == "C" and (not isinstance(e.get("args"), dict) or not all(
                is_num(v) for v in e["args"].values())):
            fault("a counter's args are not numbers")
        if probe:
            if "pid" not in e or "tid" not in e:
                fault("no pid or tid")
            if ph not in "MXi":
                fault("a phase gillab probe does not write")
            elif ph == "X" and e.get("name") not in (
                    "gil_wait", "gil_hold", "park", "gc"):
                fault("an unknown complete event")
            elif ph == "i" and (e.get("name") != "drop_request"
                                or e.get("s") != "t"):
                fault("an instant event that is not a thread's drop_request")
            if ph in "Xi":
                used.add((e.get("pid"), e.get("tid")))
                if not is_num(e.get("ts")) or e["ts"] < 0:
                    fault("ts before the command started")
    if probe:
        for pid, tid in sorted(used - named_threads, key=str):
            faults.append("thread %s of process %s has events but no "
                          "thread_name" % (tid, pid))
        for pid in sorted({p for p, _ in used} - named_procs, key=str):
            faults.append("process %s has events but no process_name" % pid)
        other = doc.get("otherData", {})
        if not isinstance(other.get("dropped"), dict) or not is_num(
                other.get("dropped_total")):
            faults.append("otherData lacks the dropped counts")
    return faults, len(events)


def self_test():
    good = {"traceEvents": [
        {"name": "process_name", "ph": "M", "pid": 1, "tid": 0,
         "args": {"name": "p"}},
        {"name": "thread_name", "ph": "M", "pid": 1, "tid": 2,
         "args": {"name": "t"}},
        {"name": "gil_wait", "cat": "gil", "ph": "X", "pid": 1, "tid": 2,
         "ts": 1.5, "dur": 2, "args": {}},
        {"name": "drop_request", "ph": "i", "s": "t", "pid": 1, "tid": 2,
         "ts": 3}],
        "otherData": {"dropped": {"1": 0}, "dropped_total": 0}}
    assert check(good, probe=True)[0] == [], check(good, probe=True)
    bad = [
        ("X without dur", {"name": "x", "ph": "X", "pid": 1, "tid": 2, "ts": 1}),
        ("negative dur", {"name": "x", "ph": "X", "pid": 1, "tid": 2, "ts": 1,
                          "dur": -1}),
        ("string pid", {"name": "x", "ph": "X", "pid": "1", "tid": 2, "ts": 1,
                        "dur": 1}),
        ("bad scope", {"name": "x", "ph": "i", "s": "q", "pid": 1, "tid": 2,
                       "ts": 1}),
        ("unknown ph", {"name": "x", "ph": "Z", "pid": 1, "tid": 2, "ts": 1}),
        ("metadata without args", {"name": "thread_name", "ph": "M", "pid": 1,
                                   "tid": 2}),
        ("unknown metadata", {"name": "thread_colour", "ph": "M", "pid": 1,
                              "tid": 2, "args": {"name": "x"}}),
        ("sort index not integer", {"name": "process_sort_index", "ph": "M",
                                    "pid": 1, "args": {"sort_index": "a"}}),
        ("no ts", {"name": "x", "ph": "B", "pid": 1, "tid": 2}),
    ]
    for what, e in bad:
        faults, _ = check({"traceEvents": [e]})
        assert faults, "not caught: " + what
    unnamed = json.loads(json.dumps(good))
    del unnamed["traceEvents"][1]
    assert check(unnamed, probe=True)[0], "a thread without a name not caught"
    assert check({"events": []})[0], "no traceEvents not caught"
    print("ok: the checker catches %d broken traces" % (len(bad) + 2))


def main():
    if sys.argv[1:] == ["--self-test"]:
        self_test()
        return 0
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    with open(sys.argv[1]) as f:
        doc = json.load(f)
    faults, n = check(doc, probe="--probe" in sys.argv[2:])
    for msg in faults:
        print("FAIL " + msg)
    if not faults:
        print("ok: %d events" % n)
    return 1 if faults else 0


if __name__ == "__main__":
    sys.exit(main())
