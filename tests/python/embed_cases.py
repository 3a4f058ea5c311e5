"""Python halves of the embedding tests (tests/test_embed.c).

Each function runs inside the embedded interpreter of the test host and
returns a dict of facts that the C side asserts on.
"""

import os
import sys
import threading
import time

import _gillab


def facts():
    """What the interpreter looks like from inside."""
    return {
        "executable": sys.executable,
        "isolated": sys.flags.isolated,
        "no_site": sys.flags.no_site,
        "ignore_environment": sys.flags.ignore_environment,
        "path": sys.path,
        "hexversion": sys.hexversion,
        "tid": _gillab.native_tid(),
        "os_tid": threading.get_native_id(),
        "now_ns": _gillab.now_ns(),
    }


def hold_gil(seconds):
    """A Python thread ticks in a loop while the main thread holds the GIL
    in C for `seconds`: the ticker's longest gap is the time it waited."""
    stop = False
    ticking = threading.Event()
    gaps = []

    def ticker():
        last = time.perf_counter()
        longest = 0.0
        ticking.set()
        while not stop:
            now = time.perf_counter()
            longest = max(longest, now - last)
            last = now
        gaps.append(longest)

    t = threading.Thread(target=ticker)
    t.start()
    ticking.wait()
    time.sleep(0.05)  # let the ticker settle into its loop
    held = _gillab.hold_gil(seconds)
    time.sleep(0.05)
    stop = True
    t.join()
    is_gil_enabled = getattr(sys, "_is_gil_enabled", None)
    return {"held": held, "longest_gap": gaps[0],
            "gil_enabled": is_gil_enabled() if is_gil_enabled else True}


def square_in_child(x):
    import _gillab as g  # the child must have the builtin module too

    return {"square": x * x, "pid": os.getpid(),
            "executable": sys.executable, "tid": g.native_tid(),
            "hash": hash("gillab")}


def spawn(method):
    """Runs square_in_child in two children started with `method`."""
    import multiprocessing

    ctx = multiprocessing.get_context(method)
    with ctx.Pool(2) as pool:
        results = pool.map(square_in_child, [3, 4])
    return {"results": results, "parent_pid": os.getpid(),
            "executable": sys.executable, "hash": hash("gillab")}
