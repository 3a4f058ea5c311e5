"""os.spawn: what it costs to start a worker, get its first result back,
then join it.

Each gillab worker creates workers of the kind its cell's model names, one
after another, for `units` milliseconds (at least MIN_CREATIONS of them):

  threads          threading.Thread
  processes        multiprocessing.Process with the cell's start method
                   (fork, spawn, forkserver)
  asyncio          a task on the cell's event loop (awork)
  subinterpreters  an interpreter, created by the worker's own
                   interpreter through the runtime's internal module (no
                   public API before 3.14): _xxsubinterpreters.create on
                   3.11 (one GIL shared) and 3.12 (isolated=True: own
                   GIL), _interpreters.create("isolated") on 3.13+ (own
                   GIL, read back from its config); the record's api
                   names the module, the calls and the GIL

One creation is timed in two parts: `first` from the call that creates the
worker to its first result back in the creator (the child computes
k * k + 1 for creation k and hands it over: an Event for a thread, a Pipe
for a process, a future for a task, an os.pipe for an interpreter), and
`join` from telling it to finish to its end (join, await, destroy). In
between, outside both, the creator samples memory: for a process the
child's own /proc/PID/smaps_rollup (Rss, and Private_Clean + Private_Dirty
as USS: what the child adds to the machine), for a thread, task or
interpreter the creator's process before the creation and while the new
worker lives (the delta). The C twin is workloads/native/spawn.c.

The record gets "spawn": {"kinds": [KIND], KIND: {"api", "creations",
"first_us", "join_us", "total_us" ({"p50", "p90", "p99", "max"}), "mem":
{"what", "samples", "rss_kb", "uss_kb" ({"p50", "max"})}}}. The answer is
the number of first results that were right (it equals ops).
"""

import os
import threading
import time

import gillab_lat

MIN_CREATIONS = 5
MAX_CREATIONS = 50000  # per worker: the samples stay small


def _mem_sample(k):
    """Whether creation k samples memory: the first 32, then every 16th
    (reading smaps_rollup costs more than creating a thread)."""
    return k < 32 or k % 16 == 0


def smaps(pid="self"):
    """(rss_kb, uss_kb) of a process from /proc/PID/smaps_rollup; None when
    it cannot be read (the process ended)."""
    rss = uss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
            for line in f:
                if line.startswith(b"Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith((b"Private_Clean:", b"Private_Dirty:")):
                    uss += int(line.split()[1])
    except OSError:
        return None
    return rss, uss


def _kind():
    """What this worker creates, as begin() put it in the environment (so
    that worker processes, forked, spawned or from a fork server, see it),
    or an interpreter when this runs in a subinterpreter."""
    kind = os.environ.get("GILLAB_SPAWN_KIND")
    if kind:
        return kind
    return "subinterpreter"


def begin(params):
    model = params["model"]
    if model == "processes":
        import multiprocessing
        sm = multiprocessing.get_context(
            params.get("start_method")).get_start_method()
        os.environ["GILLAB_SPAWN_KIND"] = sm
    elif model == "asyncio":
        os.environ["GILLAB_SPAWN_KIND"] = "task"
    elif model == "subinterpreters":
        # Seen by the worker interpreters, which read the process's
        # environment when they start.
        os.environ["GILLAB_SPAWN_KIND"] = "subinterpreter"
    else:
        os.environ["GILLAB_SPAWN_KIND"] = "thread"
    return None


class _Samples:
    def __init__(self, kind, api, what):
        self.kind, self.api, self.what = kind, api, what
        self.first, self.join, self.rss, self.uss = [], [], [], []
        self.right = 0

    def extra(self):
        return {"kind": self.kind, "api": self.api, "what": self.what,
                "first": self.first, "join": self.join, "rss": self.rss,
                "uss": self.uss, "right": self.right}


def _loop(one, until_ns):
    """Calls one(k) for k = 0, 1, ... until until_ns has passed and at
    least MIN_CREATIONS ran (or MAX_CREATIONS did)."""
    now = time.monotonic_ns
    k = 0
    while k < MAX_CREATIONS and (k < MIN_CREATIONS or now() < until_ns):
        one(k)
        k += 1


# --- threads -----------------------------------------------------------------

def _thread_child(box, k, got, go):
    box[0] = k * k + 1
    got.set()
    go.wait()


def _threads(until_ns):
    s = _Samples("thread", "threading.Thread(target).start(), "
                 "Event for the result, join()",
                 "the creating process's Rss and USS while the thread "
                 "lives, minus before it started")
    now = time.monotonic_ns

    def one(k):
        mem0 = smaps() if _mem_sample(k) else None
        t0 = now()
        box, got, go = [None], threading.Event(), threading.Event()
        t = threading.Thread(target=_thread_child, args=(box, k, got, go))
        t.start()
        got.wait()
        t1 = now()
        mem1 = smaps() if mem0 else None
        t2 = now()
        go.set()
        t.join()
        t3 = now()
        s.first.append(t1 - t0)
        s.join.append(t3 - t2)
        s.right += box[0] == k * k + 1
        if mem0 and mem1:
            s.rss.append(mem1[0] - mem0[0])
            s.uss.append(mem1[1] - mem0[1])

    _loop(one, until_ns)
    return s


# --- processes ---------------------------------------------------------------

def _process_child(conn, k):
    conn.send(k * k + 1)
    conn.recv()  # until the creator says to finish


def _processes(until_ns, method):
    import multiprocessing

    ctx = multiprocessing.get_context(method)
    s = _Samples(method, f"multiprocessing.get_context({method!r})"
                 ".Process(target).start(), Pipe for the result, join()",
                 "the child's own Rss and USS (Private_Clean + "
                 "Private_Dirty) from /proc/PID/smaps_rollup, after its "
                 "first result")
    now = time.monotonic_ns

    def one(k):
        t0 = now()
        mine, theirs = ctx.Pipe()
        p = ctx.Process(target=_process_child, args=(theirs, k), daemon=True)
        p.start()
        got = mine.recv()
        t1 = now()
        mem = smaps(p.pid) if _mem_sample(k) else None
        t2 = now()
        mine.send(None)
        p.join()
        t3 = now()
        theirs.close()
        mine.close()
        if p.exitcode != 0:
            raise RuntimeError(f"created process {k} exited with "
                               f"{p.exitcode}")
        s.first.append(t1 - t0)
        s.join.append(t3 - t2)
        s.right += got == k * k + 1
        if mem:
            s.rss.append(mem[0])
            s.uss.append(mem[1])

    if method == "forkserver":
        # The fork server starts with the first Process; a pool pays that
        # once, so it is not one of the creations timed.
        _warm_forkserver(ctx)
    _loop(one, until_ns)
    return s


def _warm_forkserver(ctx):
    mine, theirs = ctx.Pipe()
    p = ctx.Process(target=_process_child, args=(theirs, 0), daemon=True)
    p.start()
    mine.recv()
    mine.send(None)
    p.join()


# --- subinterpreters ----------------------------------------------------------

def _interp_api():
    """(module, its name, create(), run(id, code), destroy(id), what the
    created interpreters' GIL is)."""
    import sys
    try:
        import _interpreters as m  # 3.13+

        iid = m.create("isolated")
        gil = getattr(m.get_config(iid), "gil", None)
        m.destroy(iid)
        return (m, "_interpreters", lambda: m.create("isolated"),
                m.exec, m.destroy, f"config isolated: gil={gil!r}")
    except ImportError:
        import _xxsubinterpreters as m  # 3.11, 3.12

        gil = ("isolated=True: own GIL" if sys.version_info >= (3, 12)
               else "one GIL shared by every interpreter: 3.11")
        return (m, "_xxsubinterpreters", lambda: m.create(isolated=True),
                m.run_string, m.destroy, gil)


def _subinterpreters(until_ns):
    m, name, create, run, destroy, gil = _interp_api()
    s = _Samples("subinterpreter",
                 f"{name}.create, {name}.{run.__name__} of a statement "
                 f"that writes its result to an os.pipe, {name}.destroy "
                 f"({gil})",
                 "the process's Rss and USS while the interpreter lives, "
                 "minus before it was created")
    now = time.monotonic_ns
    r, w = os.pipe()
    try:
        def one(k):
            mem0 = smaps() if _mem_sample(k) else None
            t0 = now()
            iid = create()
            failed = run(iid, f"import os; os.write({w}, b'%d\\n' % "
                             f"({k} * {k} + 1))")
            if failed is not None:  # 3.13's exec returns what was raised
                raise RuntimeError(f"the interpreter's statement failed: "
                                   f"{failed}")
            got = os.read(r, 64)
            t1 = now()
            mem1 = smaps() if mem0 else None
            t2 = now()
            destroy(iid)
            t3 = now()
            s.first.append(t1 - t0)
            s.join.append(t3 - t2)
            s.right += got == b"%d\n" % (k * k + 1)
            if mem0 and mem1:
                s.rss.append(mem1[0] - mem0[0])
                s.uss.append(mem1[1] - mem0[1])

        _loop(one, until_ns)
    finally:
        os.close(r)
        os.close(w)
    return s


def work(worker, nworkers, units):
    until_ns = time.monotonic_ns() + units * 1_000_000
    kind = _kind()
    if kind == "thread":
        s = _threads(until_ns)
    elif kind == "subinterpreter":
        s = _subinterpreters(until_ns)
    else:
        s = _processes(until_ns, kind)
    return len(s.first), s.right, s.extra()


# --- asyncio -----------------------------------------------------------------

async def _task_child(fut, go, k):
    fut.set_result(k * k + 1)
    await go


async def awork(worker, nworkers, units):
    import asyncio

    loop = asyncio.get_running_loop()
    s = _Samples("task", "asyncio.create_task(coro) on the running loop, "
                 "a future for the result, await task",
                 "the process's Rss and USS while the task lives, minus "
                 "before it was created")
    now = time.monotonic_ns
    until_ns = now() + units * 1_000_000
    k = 0
    while k < MAX_CREATIONS and (k < MIN_CREATIONS or now() < until_ns):
        mem0 = smaps() if _mem_sample(k) else None
        t0 = now()
        fut, go = loop.create_future(), loop.create_future()
        task = asyncio.create_task(_task_child(fut, go, k))
        got = await fut
        t1 = now()
        mem1 = smaps() if mem0 else None
        t2 = now()
        go.set_result(None)
        await task
        t3 = now()
        s.first.append(t1 - t0)
        s.join.append(t3 - t2)
        s.right += got == k * k + 1
        if mem0 and mem1:
            s.rss.append(mem1[0] - mem0[0])
            s.uss.append(mem1[1] - mem0[1])
        k += 1
    return k, s.right, s.extra()


def _kb(values):
    """{"p50", "max"} of kB figures (None when none were sampled)."""
    v = sorted(values)
    return {"p50": gillab_lat.pct(v, 0.5) if v else None,
            "max": v[-1] if v else None}


def report(extras):
    """The workers' samples as the record's "spawn" object (also what the
    subinterpreters driver gets back as each worker's extra)."""
    out = {"kinds": []}
    for e in extras:
        if not e:
            continue
        k = e["kind"]
        if k not in out:
            out["kinds"].append(k)
            out[k] = {"api": e["api"], "first": [], "join": [], "rss": [],
                      "uss": [], "right": 0, "what": e["what"]}
        for f in ("first", "join", "rss", "uss"):
            out[k][f].extend(e[f])
        out[k]["right"] += e["right"]
    for k in out["kinds"]:
        d = out[k]
        total = [a + b for a, b in zip(d["first"], d["join"])]
        out[k] = {
            "api": d["api"],
            "creations": len(d["first"]),
            "first_us": gillab_lat.pcts(d["first"]),
            "join_us": gillab_lat.pcts(d["join"]),
            "total_us": gillab_lat.pcts(total),
            "mem": {"what": d["what"], "samples": len(d["uss"]),
                    "rss_kb": _kb(d["rss"]), "uss_kb": _kb(d["uss"])},
        }
    return out


def end(state, extras, wall_s):
    return {"spawn": report(extras)}
