"""Drivers of the Python execution models, called by the runner (embed/cell.c).

Each driver runs a workload module's work(worker, nworkers, units) under one
model and returns {"wall_s", "ops", "answer", "start_ns"} (start_ns: when the
timed region began, on _gillab.now_ns's clock). Workers register with
_gillab.worker_enter(i), which binds them where the cell's placement says,
before a start barrier, call _gillab.worker_begin(i) when it releases them
and _gillab.worker_leave(i) when done; the timed region runs from the
barrier's release to the last worker's end, as in the native drivers
(workloads/native/).

Every driver also reports what it observed of the cell's set-up, as the
record's `applied` (_applied): the switch interval, how str hashes and the
GIL probe's state in this process, and each worker's own view of itself
once bound (_worker_view: the CPUs the kernel lets it run on, the warm-up it
ran, measured around the loop, and, in worker processes and interpreters,
the same readings taken there). Read back, never copied from what the
runner was asked for.

A workload may add fields of its own to the record (core/wl.h):
work() may return (ops, answer, extra), and the module may define
begin(params) -> state, called here before the workers start, and
end(state, extras, wall_s) -> dict of record fields, called after the timed
region. `params` (from the runner) also asks for the hiccup probe:
{"hiccup": true} runs a Python thread that sleeps 1 ms at a time and records
how late it wakes up, outside the workers (not bound, not counted).
"""

import importlib
import json
import os
import sys
import sysconfig
import threading
import time

import _gillab
import gillab_env
import gillab_lat

# The process this module was imported in: a forked worker inherits it
# from its parent, a spawned one imports it itself (_started_by).
_IMPORTED_IN = os.getpid()


class _Hiccup:
    """A Python thread sleeping 1 ms in a loop, recording its lateness (the
    GIL, the GC and the OS together). Unbound: it runs where the OS puts
    it, and is not one of the cell's workers."""

    PERIOD_NS = 1_000_000

    def __init__(self):
        self.samples = []  # (woke_ns, late_ns)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="gillab-hiccup",
                                       daemon=True)
        self.thread.start()

    def _run(self):
        now, sleep, period = time.monotonic_ns, time.sleep, self.PERIOD_NS
        add, cpu, cpus = self.samples.append, _gillab.cpu, set()
        while not self.stop.is_set():
            t0 = now()
            sleep(period / 1e9)
            t1 = now()
            add((t0, t1 - t0 - period))
            cpus.add(cpu())
        self.cpus = sorted(cpus)

    def report(self, t0, t1):
        """Lateness of the sleeps that lay inside the timed region."""
        self.stop.set()
        self.thread.join()
        late = [max(0, d) for w, d in self.samples if w >= t0 and w <= t1]
        return {"python_us": gillab_lat.summary(late),
                "python_cpus_seen": self.cpus}


def _begin(mod, params, model, workers, units):
    """The module's begin hook, and the hiccup thread when asked for."""
    p = dict(params or {})
    p.update(model=model, workers=workers, units=units)
    state = mod.begin(p) if hasattr(mod, "begin") else None
    hiccup = _Hiccup() if p.get("hiccup") else None
    return state, hiccup


def _finish(mod, state, hiccup, results, out, t0):
    """ops, answer and the module's own fields into out (the driver's
    result); results are the workers' return values."""
    out["ops"] = sum(r[0] for r in results)
    out["answer"] = sum(r[1] for r in results)
    extras = [r[2] if len(r) > 2 else None for r in results]
    if hiccup:
        out["hiccup"] = hiccup.report(t0, t0 + int(out["wall_s"] * 1e9))
    if hasattr(mod, "end"):
        out.update(mod.end(state, extras, out["wall_s"]))
    return out


def _gil_enabled():
    is_gil_enabled = getattr(sys, "_is_gil_enabled", None)
    return is_gil_enabled() if is_gil_enabled else True


def _gil_report(before_import):
    """The GIL's state for the record. On a free-threaded build, importing
    an extension module that does not declare Py_mod_gil turns the GIL back
    on: `reenabled` says the workload's imports did that."""
    free_threaded = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
    enabled = _gil_enabled()
    return {
        "enabled": enabled,
        "free_threaded_build": free_threaded,
        "reenabled": free_threaded and not before_import and enabled,
    }


def _hash_view(seed):
    """How this process hashes str, seen from inside it: hash("gillab") (the
    same in every process that hashes alike; 64 bits as hex, which JSON
    numbers would round), sys.flags.hash_randomization, and hash_seed:
    `seed`, the cell's, when this process's hash secret is the one that seed
    gives (_gillab.hash_secret_is), else None (a random seed, or not the
    one asked for)."""
    seed = -1 if seed is None else seed
    return {
        "hash_gillab": format(hash("gillab") & 0xFFFFFFFFFFFFFFFF, "016x"),
        "hash_randomization": bool(sys.flags.hash_randomization),
        "hash_seed": seed if seed >= 0 and _gillab.hash_secret_is(seed)
        else None,
    }


def _worker_view(i, warmup_s, seed):
    """What worker i sees of itself, on its own thread once bound: the CPUs
    the kernel lets it run on, the warm-up it ran (seconds, measured around
    the loop; 0.0 when none ran), its interpreter's switch interval and how
    its process hashes."""
    view = {"worker": i, "cpus": _gillab.affinity(), "warmup_s": warmup_s,
            "switch_interval_s": sys.getswitchinterval()}
    view.update(_hash_view(seed))
    return view


def _applied(params, views, **more):
    """The record's `applied`: what this (main) process observes of the
    cell's set-up, `more` (e.g. the start method its processes were started
    with) and the workers' own views, by worker."""
    applied = {"switch_interval_s": sys.getswitchinterval()}
    applied.update(_hash_view((params or {}).get("hash_seed")))
    applied["gil_probe"] = _gillab.probe_state()
    applied.update(gillab_env.applied(views))  # the user's environment
    applied.update(more)
    applied["workers"] = sorted(views, key=lambda v: v["worker"])
    return applied


def _started_by(main_pid):
    """How this worker process was started, told from inside it: a fork
    server's child has the server, not the cell's main process, for parent;
    a forked child inherited this module, imported in another process; a
    spawned one imported it itself."""
    if os.getppid() != main_pid:
        return "forkserver"
    return "fork" if _IMPORTED_IN != os.getpid() else "spawn"


def threads(module, workers, units, switch_interval=None, params=None):
    """Model `threads`: `workers` Python threads in this interpreter."""
    if switch_interval:
        sys.setswitchinterval(switch_interval)
    gil_before_import = _gil_enabled()
    mod = importlib.import_module(module)
    state, hiccup = _begin(mod, params, "threads", workers, units)
    seed = (params or {}).get("hash_seed")
    start = threading.Barrier(workers + 1)
    results = [None] * workers
    errors = [None] * workers
    views = [None] * workers

    def worker(i):
        try:
            _gillab.worker_enter(i)
            views[i] = _worker_view(i, 0.0, seed)
        except BaseException as e:  # still reach the barrier: see below
            errors[i] = e
        # Every worker reaches the barrier, even one that failed to bind,
        # so the others are not left waiting.
        start.wait()
        _gillab.worker_begin(i)
        if errors[i] is None:
            try:
                results[i] = mod.work(i, workers, units)
            except BaseException as e:
                errors[i] = e
        _gillab.worker_leave(i)

    pool = [threading.Thread(target=worker, args=(i,), name=f"gillab-worker-{i}")
            for i in range(workers)]
    for t in pool:
        t.start()
    start.wait()
    t0 = _gillab.now_ns()
    for t in pool:
        t.join()
    wall_ns = _gillab.now_ns() - t0
    for i, e in enumerate(errors):
        if e is not None:
            if hasattr(mod, "end"):
                mod.end(state, [None] * workers, 0)
            raise RuntimeError(f"worker {i} of {workers} failed: {e!r}") from e
    out = {
        "wall_s": wall_ns / 1e9,
        "start_ns": t0,
        "gil": _gil_report(gil_before_import),
        "applied": _applied(params, views),
    }
    return _finish(mod, state, hiccup, results, out, t0)


def _warm_up(work, i, workers, units, seconds):
    """Runs work() untimed for `seconds` in small slices (about 1/64 of the
    worker's share each): a fresh process or interpreter touches its memory
    and fills its caches here, not in the timed region. Returns the seconds
    it ran, measured around the loop (0.0 when asked for none)."""
    if seconds <= 0:
        return 0.0
    t0 = time.perf_counter()
    end = t0 + seconds
    small = max(workers, units // 64)
    while time.perf_counter() < end:
        work(i, workers, small)
    return time.perf_counter() - t0


def _fresh_view(work, i, workers, units, warmup_s, seed):
    """Worker i of the `subinterpreters` model, in its own interpreter once
    bound (embed/subinterp.c): the warm-up, then its view of itself with the
    GIL probe's state there, as JSON text (objects do not cross
    interpreters)."""
    warmed = _warm_up(work, i, workers, units, warmup_s)
    view = _worker_view(i, warmed, seed)
    view["gil_probe"] = _gillab.probe_state()
    view.update(gillab_env.applied())  # its own sys.path, its own GIL
    return json.dumps(view)


def _process_worker(module, i, workers, units, cpuset, barrier, conn, opts):
    """Worker i of the `processes` model, in a process of its own: takes the
    cell's switch interval and GIL probe setting (a spawned child starts
    with the runtime's own, a forked one with its parent's), binds itself,
    warms up, says what it sees of itself, waits at the start barrier,
    works, and sends back its result, its time split and its GIL counters
    over the span. opts: warmup_s, switch_interval, gil_probe, hash_seed,
    main_pid."""
    report = {"worker": i, "error": None}
    try:
        if opts["switch_interval"]:
            sys.setswitchinterval(opts["switch_interval"])
        _gillab.bind(cpuset)
        _gillab.probe_enable(opts["gil_probe"])
        if opts["gil_probe"]:
            _gillab.probe_watch()
        mod = importlib.import_module(module)
        warmed = _warm_up(mod.work, i, workers, units, opts["warmup_s"])
        view = _worker_view(i, warmed, opts["hash_seed"])
        view.update(pid=os.getpid(), start_method=_started_by(opts["main_pid"]),
                    gil_probe=_gillab.probe_state())
        view.update(gillab_env.applied())  # its own sys.path, its own GIL
        report["applied"] = view
    except BaseException as e:
        report["error"] = repr(e)
        conn.send(report)
        barrier.abort()
        return
    barrier.wait()
    # This process's GC is its own: it runs the GC probe itself over its
    # span and the parent merges what it saw (embed/gcprobe.h).
    _gillab.gc_probe_child_begin()
    s0, g0 = _gillab.thread_stats(), _gillab.gil_counts()
    try:
        report["result"] = tuple(mod.work(i, workers, units))
    except BaseException as e:
        report["error"] = repr(e)
    s1, g1 = _gillab.thread_stats(), _gillab.gil_counts()
    report.update(t0=s0, t1=s1, gil={k: g1[k] - g0[k] for k in g1},
                  gc=_gillab.gc_probe_child_take())
    conn.send(report)


def processes(module, workers, units, start_method=None,
              switch_interval=None, params=None):
    """Model `processes`: `workers` multiprocessing processes started with
    `start_method` (fork, spawn, forkserver; None: the runtime's default).
    The parent adopts each child into the cell's worker table (the sampler
    follows it) and gathers what each child measured of itself. The timed
    region runs from the start barrier to the last child's report."""
    import multiprocessing
    import multiprocessing.connection

    if switch_interval:
        sys.setswitchinterval(switch_interval)
    ctx = multiprocessing.get_context(start_method)
    gil_before_import = _gil_enabled()
    mod = importlib.import_module(module)
    state, hiccup = _begin(mod, dict(params or {}, start_method=start_method),
                           "processes", workers, units)
    barrier = ctx.Barrier(workers + 1)
    pipes = [ctx.Pipe(duplex=False) for _ in range(workers)]
    prm = params or {}
    opts = {"warmup_s": prm.get("warmup_s", 0.0),
            "switch_interval": switch_interval or 0.0,
            "gil_probe": prm.get("gil_probe", False),
            "hash_seed": prm.get("hash_seed"), "main_pid": os.getpid()}
    procs = [ctx.Process(target=_process_worker, name=f"gillab-worker-{i}",
                         args=(module, i, workers, units,
                               _gillab.worker_set(i), barrier, pipes[i][1],
                               opts))
             for i in range(workers)]
    for i, p in enumerate(procs):
        p.start()
        pipes[i][1].close()
    reports = {}
    try:
        barrier.wait(timeout=120)
        t0 = _gillab.now_ns()
        # Adopted after the barrier, when every child has bound itself, so
        # the sampler sees only where they ran while they worked.
        for i, p in enumerate(procs):
            _gillab.worker_adopt(i, p.pid)
        pending = set(range(workers))
        while pending:
            conns = {pipes[i][0]: i for i in pending}
            ends = {procs[i].sentinel: i for i in pending}
            for r in multiprocessing.connection.wait(list(conns) + list(ends)):
                i = conns.get(r, ends.get(r))
                if i not in pending or (r in ends and pipes[i][0].poll()):
                    continue  # reported, or its report is waiting to be read
                try:
                    reports[i] = pipes[i][0].recv()
                    pending.discard(i)
                except EOFError:
                    procs[i].join()
                    raise RuntimeError(
                        f"worker process {i} (pid {procs[i].pid}) died "
                        f"without a report, exit code {procs[i].exitcode}"
                    ) from None
        wall_ns = _gillab.now_ns() - t0
    except threading.BrokenBarrierError:
        wall_ns, t0 = 0, 0
    finally:
        for p in procs:
            if p.is_alive() and len(reports) < workers:
                p.kill()
            p.join()
    errors = [r["error"] for r in reports.values() if r["error"]]
    if errors or len(reports) < workers:
        if hasattr(mod, "end"):
            mod.end(state, [None] * workers, 0)
        raise RuntimeError(f"a worker process failed: "
                           f"{errors[0] if errors else 'no report'}")
    for i, r in reports.items():
        _gillab.worker_adopted_done(i, r["t0"], r["t1"], r["gil"],
                                    r["applied"]["cpus"])
        _gillab.gc_probe_merge(r["gc"])
    out = {
        "wall_s": wall_ns / 1e9,
        "start_ns": t0,
        "gil": _gil_report(gil_before_import),
        "applied": _applied(params, [r["applied"] for r in reports.values()],
                            start_method=ctx.get_start_method()),
    }
    return _finish(mod, state, hiccup,
                   [reports[i]["result"] for i in range(workers)], out, t0)


def asyncio_tasks(module, workers, units, switch_interval=None, params=None):
    """Model `asyncio`: one event loop on this thread running `workers`
    tasks. A task awaits the module's `awork(worker, nworkers, units)` when
    it has one; otherwise it calls `work()`, which never yields, so CPU-bound
    tasks run one after another: what asyncio gives CPU-bound code. The loop's
    thread is the cell's one worker thread, bound where worker 0 is placed."""
    import asyncio

    if switch_interval:
        sys.setswitchinterval(switch_interval)
    gil_before_import = _gil_enabled()
    mod = importlib.import_module(module)
    awork = getattr(mod, "awork", None)
    state, hiccup = _begin(mod, params, "asyncio", workers, units)

    async def task(i):
        await asyncio.sleep(0)  # every task starts before any works
        if awork is not None:
            return await awork(i, workers, units)
        return mod.work(i, workers, units)

    async def main():
        return await asyncio.gather(*(task(i) for i in range(workers)))

    _gillab.worker_enter(0)
    views = [_worker_view(0, 0.0, (params or {}).get("hash_seed"))]
    loop = asyncio.new_event_loop()
    try:
        _gillab.worker_begin(0)
        t0 = _gillab.now_ns()
        results = loop.run_until_complete(main())
        wall_ns = _gillab.now_ns() - t0
        _gillab.worker_leave(0)
    finally:
        loop.close()
    out = {
        "wall_s": wall_ns / 1e9,
        "start_ns": t0,
        "gil": _gil_report(gil_before_import),
        "applied": _applied(params, views),
    }
    return _finish(mod, state, hiccup, results, out, t0)


def subinterpreters(module, workers, units, switch_interval=None,
                    params=None):
    """Model `subinterpreters`: one interpreter per worker, each on a host
    thread of its own (embed/subinterp.c). On 3.12+ each has its own GIL;
    on 3.11 they share the one GIL. The workers bind themselves, import the
    workload in their own interpreter and start together at a barrier."""
    import importlib.util

    # Each interpreter takes the interval (embed/subinterp.c); the main one
    # too, like every model's main interpreter (it runs the hiccup thread).
    if switch_interval:
        sys.setswitchinterval(switch_interval)
    gil = _gil_report(_gil_enabled())
    # The workload's own directory goes on each interpreter's sys.path
    # (found without importing it here, in the main interpreter).
    where = os.path.dirname(importlib.util.find_spec(module).origin)
    # Workloads with begin/end hooks do not run here (registry.c): only the
    # hiccup probe, in the main interpreter, beside the workers.
    hiccup = _Hiccup() if (params or {}).get("hiccup") else None
    p = params or {}
    r = _gillab.run_subinterpreters(module, workers, units, where,
                                    switch_interval or 0.0,
                                    p.get("warmup_s", 0.0),
                                    p.get("hash_seed", -1))
    r["applied"] = _applied(p, [json.loads(v) for v in r.pop("views")])
    if hiccup:
        r["hiccup"] = hiccup.report(r["start_ns"],
                                    r["start_ns"] + int(r["wall_s"] * 1e9))
    gil["own_gil"] = r.pop("own_gil")
    gil["gils_watched"] = r.pop("gils_watched")
    r["gil"] = gil
    r["interpreters"] = "own GIL" if gil["own_gil"] else "shared GIL"
    return r


def overhead(module, workers, units, pairs, switch_interval=None,
             control=False):
    """The GIL probe's cost, measured inside one process: `workers` threads
    do the same work (`units`) in 2 * pairs timed phases, the probe on in
    one phase of each pair and off in the other (the order alternating from
    pair to pair), after one warm-up phase. One process means one memory
    layout and one hash seed for both sides, and pairs a fraction of a
    second apart see the same machine. Returns each pair's on/off ratio of
    wall time. With `control`, the probe stays on in both phases of a pair:
    the ratios then show the machine's noise alone (an A/A test)."""
    if switch_interval:
        sys.setswitchinterval(switch_interval)
    mod = importlib.import_module(module)
    phases = 1 + 2 * pairs
    start = threading.Barrier(workers + 1)
    done = threading.Barrier(workers + 1)
    errors = []
    # CPU time of each worker in each phase (CLOCK_THREAD_CPUTIME_ID): on a
    # VM with steal-time accounting it leaves out the time the host took
    # the vCPU away, the largest noise in wall time here.
    cpu = [[0] * phases for _ in range(workers)]

    def worker(i):
        try:
            _gillab.worker_enter(i)
            for phase in range(phases):
                start.wait()
                c0 = time.thread_time_ns()
                mod.work(i, workers, units)
                cpu[i][phase] = time.thread_time_ns() - c0
                done.wait()
        except BaseException as e:  # a broken barrier ends the others too
            errors.append(e)
            start.abort()
            done.abort()

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(workers)]
    for t in pool:
        t.start()
    walls = {True: [], False: []}
    try:
        for phase in range(phases):
            pair = (phase - 1) // 2
            on = phase == 0 or ((phase - 1) % 2 == 0) == (pair % 2 == 0)
            _gillab.probe_enable(on or control)
            start.wait()
            t0 = _gillab.now_ns()
            done.wait()
            if phase > 0:
                walls[on].append(_gillab.now_ns() - t0)
    except threading.BrokenBarrierError:
        pass
    _gillab.probe_enable(True)
    for t in pool:
        t.join()
    if errors:
        raise RuntimeError(f"overhead: a worker failed: {errors[0]!r}")
    ratios = [a / b for a, b in zip(walls[True], walls[False])]
    phase_cpu = [sum(c[p] for c in cpu) for p in range(phases)]
    cpu_on, cpu_off = [], []
    for phase in range(1, phases):
        pair = (phase - 1) // 2
        on = ((phase - 1) % 2 == 0) == (pair % 2 == 0)
        (cpu_on if on else cpu_off).append(phase_cpu[phase])
    cpu_ratios = [a / b for a, b in zip(cpu_on, cpu_off) if b > 0]
    return {"ratios": ratios, "cpu_ratios": cpu_ratios,
            "wall_s": sum(walls[True] + walls[False]) / 1e9,
            "ops": 0, "answer": 0}


def runtime_info():
    """What this runtime is, for the metadata record and `gillab version`."""
    return {
        "version": sys.version.split()[0],
        "build": sys.version,
        "implementation": sys.implementation.name,
        "hexversion": sys.hexversion,
        "free_threaded": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
        "gil_enabled": _gil_enabled(),
        "prefix": sys.prefix,
        "executable": sys.executable,
        "library": sysconfig.get_config_var("LDLIBRARY"),
        "config_args": sysconfig.get_config_var("CONFIG_ARGS"),
        "cflags": sysconfig.get_config_var("CFLAGS"),
        "switch_interval_s": sys.getswitchinterval(),
    }
