"""mixed.convoy: the convoy effect (Beazley; bpo-7946).

One echo worker (io_echo's round trips) runs for `units` milliseconds while
`cpu_threads` CPU-bound loops run beside it. Under a GIL, a thread that
comes back from blocking I/O must wait for the GIL held by a CPU-bound
thread: up to a switch interval (5 ms) per reacquisition, so round trips
slow down by orders of magnitude. With model `processes` the CPU loops run
in processes of their own (the same start method), each with its own GIL,
and the round trips should barely slow down. The C twin
(workloads/native/echo.c) spins C threads instead.

The record gets "convoy": {"cpu_threads", "cpu_where", "round_trips",
"round_trips_per_s", "rtt_us": {"p50", "p90", "p99", "max"},
"cpu_loops_per_s"}.
"""

import threading
import time

import io_echo

LOOP = 1000  # iterations between looks at the stop flag


def work(worker, nworkers, units):
    done, matched, rtts = io_echo.loop(
        until_ns=time.monotonic_ns() + units * 1_000_000)
    return done, matched, rtts


def _spin_thread(stop, counts, i):
    loops = 0
    while not stop.is_set():
        x = 0
        for k in range(LOOP):
            x += k
        loops += LOOP
    counts[i] = loops


def _spin_process(stop, ready, count):
    ready.release()
    loops = 0
    while not stop.is_set():
        x = 0
        for k in range(LOOP * 10):
            x += k
        loops += LOOP * 10
    count.value = loops


def begin(params):
    """Starts the CPU-bound loops: threads of this process, or processes
    for model `processes`; returns once they all run."""
    k = params.get("cpu_threads", 0)
    state = {"k": k, "t0": time.monotonic_ns(),
             "where": "processes" if params["model"] == "processes"
             else "threads"}
    if state["where"] == "processes":
        import multiprocessing
        ctx = multiprocessing.get_context(params.get("start_method"))
        stop, ready = ctx.Event(), ctx.Semaphore(0)
        counts = [ctx.Value("Q", 0) for _ in range(k)]
        procs = [ctx.Process(target=_spin_process, args=(stop, ready, c),
                             name=f"gillab-cpu-{i}", daemon=True)
                 for i, c in enumerate(counts)]
        for p in procs:
            p.start()
        for _ in procs:
            ready.acquire(timeout=60)
    else:
        stop = threading.Event()
        counts = [0] * k
        procs = [threading.Thread(target=_spin_thread, args=(stop, counts, i),
                                  name=f"gillab-cpu-{i}", daemon=True)
                 for i in range(k)]
        for t in procs:
            t.start()
    state.update(stop=stop, procs=procs, counts=counts)
    return state


def end(state, extras, wall_s):
    state["stop"].set()
    for p in state["procs"]:
        p.join()
    span_s = (time.monotonic_ns() - state["t0"]) / 1e9
    loops = sum(c if isinstance(c, int) else c.value for c in state["counts"])
    convoy = {"cpu_threads": state["k"], "cpu_where": state["where"]}
    convoy.update(io_echo.rtt_report(extras, wall_s))
    convoy["cpu_loops_per_s"] = loops / span_s if span_s > 0 else 0
    return {"convoy": convoy}
