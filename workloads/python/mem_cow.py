"""mem.cow: why a forked worker pool slowly loses its shared memory, and
what gc.freeze() saves.

The cell's main process builds a heap of Python objects in begin(), before
the processes driver forks the workers (units: MB of heap, as the parent's
Rss grew while building it), then forks them; they never write to the heap
on purpose. Each worker reads its own /proc/self/smaps_rollup at the end of
each phase:

  start   as soon as work() runs (the fork, multiprocessing's bootstrap
          and the start barrier behind it): the baseline
  idle    after IDLE_S doing nothing
  gc      after a full gc.collect()
  read    after reading every object of the heap once

and the record's "cow" object says, per phase, how much of the heap the
phase turned private in a child (Private_Clean + Private_Dirty grown during
it), with the raw smaps_rollup figures per child and sample.

Copy-on-write is per page: the first write to a shared page, by anyone, gives
the writer its own copy, private from then on. Nothing here writes to the
heap on purpose, but CPython writes to an object when it
  - changes its reference count (every read of it through a variable or a
    container: an increment, then a decrement), which from 3.12 skips only
    immortal objects (None, small ints, interned strings: PEP 683), not the
    heap's own; and
  - collects: a full collection writes into the GC header (PyGC_Head) of
    every container it tracks (gc_refs, the list links), wherever the
    container sits in memory; objects gc.freeze() moved to the permanent
    generation are not examined.

The automatic collector is off in the parent from the build on (as the gc
documentation advises for a pre-fork server) and so in the forked children,
so that the only collection is the gc phase's. The heap is built, collected
once (untracking the tuples and dicts the collector never needs to see,
as a long-running program's would be) and, in the mem.cow_freeze variant
(mem_cow_freeze.py), frozen with gc.freeze() before the fork.

Only the fork start method applies: spawn and forkserver start a fresh
interpreter that does not inherit the parent's heap (begin() refuses them;
the orchestrator skips such cells before they run). There is no C twin: C
has no reference counts or collector to un-share pages, so the comparison
would measure nothing.

work() returns (objects read, a checksum of the ints read, extra); end()
makes the record's "cow" object (see report()).
"""

import gc
import os
import time

import gillab_lat

IDLE_S = 0.3
# Records built between two looks at the Rss while building.
CHUNK = 4096
PHASES = ("start", "idle", "gc", "read")
FIELDS = (("Rss", "rss_kb"), ("Pss", "pss_kb"),
          ("Shared_Clean", "shared_clean_kb"),
          ("Shared_Dirty", "shared_dirty_kb"),
          ("Private_Clean", "private_clean_kb"),
          ("Private_Dirty", "private_dirty_kb"))

# The heap: built by begin() in the cell's main process, inherited by the
# forked workers; None elsewhere (a spawned worker would see None).
HEAP = None


def smaps():
    """This process's /proc/self/smaps_rollup as {"rss_kb", "pss_kb",
    "shared_clean_kb", "shared_dirty_kb", "private_clean_kb",
    "private_dirty_kb"} (kB)."""
    names = dict((k.encode() + b":", v) for k, v in FIELDS)
    out = {}
    with open("/proc/self/smaps_rollup", "rb") as f:
        for line in f:
            key = line.split(None, 1)[0]
            if key in names:
                out[names[key]] = int(line.split()[1])
    return out


def _rss_kb():
    """Resident set size in kB, from /proc/self/statm (cheaper than
    smaps_rollup; for the build loop)."""
    with open("/proc/self/statm", "rb") as f:
        return int(f.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)


def _record(k):
    """One record of the heap: containers the collector tracks (the list,
    the dict that holds a list, the list of tags) beside objects it does
    not (an int, a float, a str, a tuple of ints), as a cache or a table
    preloaded before a fork would hold them."""
    big = 10 ** 12 + k  # not a cached small int: an object of its own
    return [big, k / 3.0, "item-%08d" % k, (big, k + 1),
            {"id": big, "tags": [k % 7, k % 11, k % 13]}]


def build(mb):
    """A list of records, appended until this process's Rss has grown by
    `mb` MB. Returns (heap, facts)."""
    t0 = time.perf_counter()
    rss0 = _rss_kb()
    target = mb * 1024
    heap = []
    k = 0
    while _rss_kb() - rss0 < target:
        heap.extend(_record(i) for i in range(k, k + CHUNK))
        k += CHUNK
    return heap, {"target_mb": mb, "records": len(heap),
                  "build_s": time.perf_counter() - t0}


def begin(params, freeze=False):
    global HEAP
    import multiprocessing

    method = multiprocessing.get_context(
        params.get("start_method")).get_start_method()
    if method != "fork":
        raise RuntimeError(
            f"mem.cow needs the fork start method, not {method}: a spawned "
            f"or forkserver worker starts a fresh interpreter and does not "
            f"inherit the parent's heap")
    gc.disable()
    before = smaps()
    # Some runtimes start with objects of their own in the permanent
    # generation (3.12.1: 375): count only what this freeze moved there.
    frozen0 = gc.get_freeze_count()
    HEAP, facts = build(params["units"])
    gc.collect()  # what a long-running program's heap has been through
    tracked = sum(1 for r in HEAP for o in (r, r[3], r[4], r[4]["tags"])
                  if gc.is_tracked(o))
    if freeze:
        gc.freeze()
    after = smaps()
    facts.update(
        rss_kb=after["rss_kb"] - before["rss_kb"],
        private_kb=(after["private_dirty_kb"] + after["private_clean_kb"]
                    - before["private_dirty_kb"] - before["private_clean_kb"]),
        objects=len(HEAP) * 8 + 1,  # per record: 8 objects (_record)
        tracked=tracked + 1,  # and the list that holds them
        frozen=gc.get_freeze_count() - frozen0)
    return {"freeze": freeze, "heap": facts}


def _read(heap):
    """Reads every object of the heap once; returns (objects, checksum)."""
    total = 0
    n = 1
    for rec in heap:
        big, third, name, pair, d = rec
        tags = d["tags"]
        total += big + int(third) + len(name) + pair[1] + d["id"] + tags[2]
        n += 8
    return n, total % (2 ** 64)


def _uss(s):
    return s["private_clean_kb"] + s["private_dirty_kb"]


def work(worker, nworkers, units):
    heap = HEAP
    if heap is None:
        raise RuntimeError("mem.cow: no heap in this worker (it was not "
                           "forked from the process that built it)")
    now = time.perf_counter
    t0 = now()
    samples = []

    def sample(phase, took):
        s = smaps()
        s.update(phase=phase, t_s=now() - t0, took_s=took)
        samples.append(s)

    sample("start", 0.0)
    time.sleep(IDLE_S)
    sample("idle", IDLE_S)
    t = now()
    gc.collect()
    sample("gc", now() - t)
    t = now()
    n, answer = _read(heap)
    sample("read", now() - t)
    return n, answer, {"worker": worker, "pid": os.getpid(),
                       "samples": samples}


def _median(values):
    v = sorted(values)
    return gillab_lat.pct(v, 0.5) if v else None


def report(state, extras):
    """The record's "cow" object: {"freeze", "heap": {"target_mb",
    "records", "objects", "tracked", "frozen", "rss_kb", "private_kb",
    "build_s"}, "phases": [...], "children": [{"worker", "pid",
    "samples": [{"phase", "t_s", "took_s", "rss_kb", "pss_kb",
    "shared_clean_kb", "shared_dirty_kb", "private_clean_kb",
    "private_dirty_kb"}]}], and per phase PHASE: {"private_kb" (USS grown
    since start), "share" (of heap.rss_kb), "step_kb" (USS grown during
    the phase), "step_share", "shared_kb" (Shared_Clean + Shared_Dirty),
    "pss_kb", "uss_kb", "took_s"}: medians over the children}."""
    children = [e for e in extras if e]
    heap_kb = state["heap"]["rss_kb"]
    out = {"freeze": state["freeze"], "heap": state["heap"],
           "phases": list(PHASES), "children": children}
    for i, phase in enumerate(PHASES):
        rows = []
        for c in children:
            by = {s["phase"]: s for s in c["samples"]}
            s, start = by[phase], by["start"]
            prev = by[PHASES[max(i - 1, 0)]]
            rows.append({
                "private_kb": _uss(s) - _uss(start),
                "step_kb": _uss(s) - _uss(prev),
                "shared_kb": s["shared_clean_kb"] + s["shared_dirty_kb"],
                "pss_kb": s["pss_kb"], "uss_kb": _uss(s),
                "took_s": s["took_s"]})
        p = {k: _median([r[k] for r in rows])
             for k in ("private_kb", "step_kb", "shared_kb", "pss_kb",
                       "uss_kb", "took_s")}
        p["share"] = (p["private_kb"] / heap_kb
                      if heap_kb > 0 and p["private_kb"] is not None else None)
        p["step_share"] = (p["step_kb"] / heap_kb
                           if heap_kb > 0 and p["step_kb"] is not None
                           else None)
        out[phase] = p
    return out


def end(state, extras, wall_s):
    global HEAP
    gc.enable()
    if state is None:
        return {}
    cow = report(state, extras)
    # Frozen or not, the heap goes with the process; unfreezing first lets
    # the collector see it again, as it would in a program that went on.
    gc.unfreeze()
    HEAP = None
    return {"cow": cow}
