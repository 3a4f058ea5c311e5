"""mem.dealloc: deallocation cascades, the pauses of dropping large graphs.

Each operation builds one large object graph and drops its last reference
with the cyclic GC disabled, so what is timed is the reference-counting
cascade alone: the drop's pause. The graphs take turns: a list of 100 000
dicts (like parsed JSON records), a binary tree of lists 16 levels deep
(65 535 nodes), and a chain of 50 000 nested lists (deep recursion that the
interpreter's trashcan mechanism unrolls). On 3.13+ runtimes a PyRefTracer
hook (embed/reftrace.c) counts the objects each drop destroyed, per thread.

The record gets "dealloc": {"drops", "total_s", "p50_us", "p99_us",
"max_us", "objects" (destroyed, summed over the drops; null below 3.13),
"hist"}. No C twin. The answer is the number of nodes dropped, which the
Python version alone defines.
"""

import gc
import threading

import _gillab
import gillab_lat

RECORDS = 100_000
TREE_DEPTH = 16
CHAIN = 50_000

_gc_lock = threading.Lock()
_gc_off = 0  # threads inside a drop: the GC is back on when none is


def _records():
    return [{"id": i, "name": "user", "score": i * 0.5} for i in range(RECORDS)]


def _tree(depth):
    if depth == 0:
        return None
    return [_tree(depth - 1), _tree(depth - 1), depth]


def _chain():
    head = None
    for i in range(CHAIN):
        head = [head, i]
    return head


BUILDERS = [(_records, RECORDS), (lambda: _tree(TREE_DEPTH),
                                  2 ** TREE_DEPTH - 1), (_chain, CHAIN)]


def _drop(holder):
    """Drops holder[0], the graph's last reference; returns (pause ns,
    objects destroyed or None)."""
    global _gc_off
    with _gc_lock:
        _gc_off += 1
        gc.disable()
    c0 = _gillab.dealloc_objects()
    t0 = _gillab.now_ns()
    holder[0] = None
    t1 = _gillab.now_ns()
    c1 = _gillab.dealloc_objects()
    with _gc_lock:
        _gc_off -= 1
        if _gc_off == 0:
            gc.enable()
    return t1 - t0, (c1 - c0 if c0 is not None else None)


def work(worker, nworkers, units):
    # Installed here, not in begin(): worker processes need their own.
    _gillab.dealloc_trace(True)
    first = units * worker // nworkers
    end = units * (worker + 1) // nworkers
    drops, nodes = [], 0
    for i in range(first, end):
        build, size = BUILDERS[i % len(BUILDERS)]
        holder = [build()]
        drops.append(_drop(holder))
        nodes += size
    return end - first, nodes, drops


def end(state, extras, wall_s):
    _gillab.dealloc_trace(False)
    drops = [d for e in extras if e for d in e]
    pauses = [p for p, _ in drops]
    counts = [c for _, c in drops]
    p = gillab_lat.pcts(pauses)
    return {"dealloc": {
        "drops": len(drops),
        "total_s": sum(pauses) / 1e9,
        "p50_us": p["p50"], "p99_us": p["p99"], "max_us": p["max"],
        "objects": (None if not counts or None in counts else sum(counts)),
        "hist": gillab_lat.hist(pauses),
    }}
