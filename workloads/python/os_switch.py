"""os.switch: the hand-off latency between two workers that take turns
(ping-pong).

The cell's workers pair up: worker 2i serves the ball, worker 2i + 1
returns it (a lone last worker, e.g. at 1 worker, plays against itself:
the mechanism's own cost with no hand-off, the baseline). Where the two
run is the cell's placement (-p one-core: the same CPU; -p compact or
scatter: two cores), and the record's per_worker says where they ran.
Each mechanism of the model gets an equal slice of `units` milliseconds,
one after the other, and every round trip is timed by the server:

  threads          event (two threading.Event), condition (one
                   threading.Condition and a turn), queue (two
                   queue.Queue), pipe (two os.pipe)
  processes        pipe (two FIFOs: os.mkfifo in the cell's directory,
                   so every start method opens them), mp_pipe
                   (multiprocessing.connection over AF_UNIX: the
                   Connection class multiprocessing.Pipe returns,
                   send()/recv() of a pickled int)
  asyncio          future (two tasks of one loop hand a future's result
                   back and forth)
  subinterpreters  channel (two cross-interpreter channels: 3.11
                   _xxsubinterpreters.channel_*, 3.12 _xxinterpchannels,
                   3.13 _interpchannels), queue (two _interpqueues queues,
                   3.13+); gillab_xi.py

Under subinterpreters nothing blocks: the runtime's channels and queues
have no blocking receive, so the side that waits polls, calling
os.sched_yield() between tries (gillab_xi.py). Such a hand-off is the
poller seeing the item, not a wake-up: it needs no OS wake-up, but the
waiting side keeps its CPU busy, and on one CPU the two take turns at the
scheduler's pace. The record says so for those kinds ("waits") and counts
the server's empty tries per round trip ("polls_per_round_trip"). The
channels and queues are made in the main interpreter by begin() and reach
the worker interpreters by id (share/attach); an item belongs to the
interpreter that sent it and goes when that interpreter ends, so at the end
of each mechanism the returner tells the server through an os.pipe that it
took the STOP, and the server waits for that before going on.

A hand-off is half a round trip. The C twin is workloads/native/switch.c
(futex, condition variable, pipe).

The record gets "switch": {"partner" ("another worker" or "itself"),
"kinds": [MECHANISM, ...], MECHANISM: {"api", "round_trips", "rtt_us":
{"p50", "p90", "p99", "max"}}}. The answer is the number of round trips
whose reply matched (it equals ops).
"""

import os
import threading
import time

import gillab_lat

MAX_TRIPS = 200000  # per mechanism and pair: the samples stay small
STOP = -1

MECHANISMS = {
    "threads": ("event", "condition", "queue", "pipe"),
    "processes": ("pipe", "mp_pipe"),
    "asyncio": ("future",),
}
API = {
    "event": "threading.Event: set() one, wait() and clear() the other",
    "condition": "threading.Condition: notify() under the lock, wait() "
                 "for the turn",
    "queue": "queue.Queue: put() an int, get() it",
    "pipe": "os.write / os.read of 8 bytes on two pipes",
    "mp_pipe": "multiprocessing.connection Connection (AF_UNIX, as "
               "multiprocessing.Pipe): send(int) / recv()",
    "future": "asyncio future per turn: set_result() one, await the other",
}
WAITS = ("polls: no blocking receive, so each side tries and calls "
         "os.sched_yield() between tries, keeping its CPU busy; a hand-off "
         "is a poller seeing the item, not an OS wake-up")
_xi = None  # subinterpreters: what begin made, by id (attach)


def _model():
    return os.environ["GILLAB_SWITCH_MODEL"]


def _names(model):
    if model == "subinterpreters":
        import gillab_xi
        return gillab_xi.kinds()
    return MECHANISMS[model]


def begin(params):
    import tempfile

    model, n = params["model"], params["workers"]
    os.environ["GILLAB_SWITCH_MODEL"] = model
    d = tempfile.mkdtemp(prefix="gillab-switch-")
    os.environ["GILLAB_SWITCH_DIR"] = d
    state = {"dir": d, "xi": None}
    if model == "processes":
        for p in range(n // 2):
            os.mkfifo(os.path.join(d, f"p{p}.serve"))
            os.mkfifo(os.path.join(d, f"p{p}.back"))
    if model == "subinterpreters":
        import gillab_xi
        if not gillab_xi.kinds():
            raise RuntimeError("os.switch under subinterpreters needs a "
                               "cross-interpreter channel or queue: "
                               + gillab_xi.missing("channel"))
        # Per pair and kind, the server's channel and the returner's (one,
        # when the server plays alone); per pair, the Done pipe.
        xi = {"ids": {}, "done": {}}
        for pair in range((n + 1) // 2):
            alone = 2 * pair + 1 >= n
            for k in gillab_xi.kinds():
                a = gillab_xi.make(k)
                xi["ids"][(pair, k)] = (a, a if alone else gillab_xi.make(k))
            xi["done"][pair] = gillab_xi.Done().fds()
        state["xi"] = xi
    return state


def share(state):
    return state["xi"]


def attach(xi):
    global _xi
    _xi = xi


def end(state, extras, wall_s):
    import shutil

    if state["xi"]:
        import gillab_xi
        for (pair, k), ids in state["xi"]["ids"].items():
            for xid in set(ids):
                gillab_xi.destroy(k, xid)
        for fds in state["xi"]["done"].values():
            gillab_xi.Done(fds).close()
    shutil.rmtree(state["dir"], ignore_errors=True)
    return {"switch": report(extras)}


def report(extras):
    """The servers' samples as the record's "switch" object."""
    out = {"partner": None, "kinds": []}
    rtts, polls = {}, {}
    for e in extras:
        if not e:
            continue  # a returner: the server timed the round trips
        out["partner"] = e["partner"]
        for name, samples in e["rtts"]:
            if name not in rtts:
                out["kinds"].append(name)
                rtts[name] = []
            rtts[name].extend(samples)
        for name, n in e.get("polls", {}).items():
            polls[name] = polls.get(name, 0) + n
    for name in out["kinds"]:
        n = len(rtts[name])
        out[name] = {"api": API.get(name) or _xi_api(name),
                     "round_trips": n, "rtt_us": gillab_lat.pcts(rtts[name])}
        if name in polls:
            out[name]["waits"] = WAITS
            out[name]["polls_per_round_trip"] = polls[name] / n if n else None
    return out


def _xi_api(name):
    import gillab_xi
    return gillab_xi.api(name)


# --- the channels ------------------------------------------------------------
# Each is (send(int), recv() -> int, close()) for one side of a pair.

_shared = {}
_shared_lock = threading.Lock()


def _pair_objects(pair, name, make):
    """The objects pair `pair` shares for mechanism `name` (threads: both
    sides see this module's globals), made by the first side to ask."""
    with _shared_lock:
        key = (pair, name)
        if key not in _shared:
            _shared[key] = make()
        return _shared[key]


def _thread_channel(name, pair, server, alone):
    if name == "event":
        if alone:
            e = threading.Event()

            last = [0]

            def send(v):
                last[0] = v
                e.set()

            def recv():
                e.wait()
                e.clear()
                return last[0]
            return send, recv, lambda: None
        a, b, box = _pair_objects(pair, name, lambda: (
            threading.Event(), threading.Event(), [0, 0]))
        mine, theirs = (b, a) if server else (a, b)
        slot_in, slot_out = (1, 0) if server else (0, 1)

        def send(v):
            box[slot_out] = v
            theirs.set()

        def recv():
            mine.wait()
            mine.clear()
            return box[slot_in]
        return send, recv, lambda: None
    if name == "condition":
        if alone:
            c, last = threading.Condition(), [0]

            def send(v):
                with c:
                    last[0] = v
                    c.notify()
            return send, lambda: last[0], lambda: None
        c, st = _pair_objects(pair, name, lambda: (
            threading.Condition(), {"turn": -1, "v": 0}))
        me = 1 if server else 0  # whose turn to receive

        def send(v):
            with c:
                st["v"] = v
                st["turn"] = 1 - me
                c.notify()

        def recv():
            with c:
                while st["turn"] != me:
                    c.wait()
                st["turn"] = -1
                return st["v"]
        return send, recv, lambda: None
    if name == "queue":
        import queue
        if alone:
            q = queue.Queue()
            return q.put, q.get, lambda: None
        a, b = _pair_objects(pair, name, lambda: (queue.Queue(),
                                                  queue.Queue()))
        mine, theirs = (b, a) if server else (a, b)
        return theirs.put, mine.get, lambda: None
    if name == "pipe":
        if alone:
            r, w = os.pipe()
            return _fd_channel(r, w, (r, w))
        (ar, aw), (br, bw) = _pair_objects(pair, name,
                                           lambda: (os.pipe(), os.pipe()))
        # a: server -> returner; b: returner -> server. Closed by end's
        # process exit (a cell is one process).
        return _fd_channel(br, aw, ()) if server else _fd_channel(ar, bw, ())
    raise ValueError(name)


def _fd_channel(r, w, owned):
    def send(v):
        os.write(w, v.to_bytes(8, "little", signed=True))

    def recv():
        b = b""
        while len(b) < 8:
            more = os.read(r, 8 - len(b))
            if not more:
                raise EOFError("the partner closed its pipe")
            b += more
        return int.from_bytes(b, "little", signed=True)

    def close():
        for fd in owned:
            os.close(fd)
    return send, recv, close


def _process_channel(name, pair, server, alone):
    d = os.environ["GILLAB_SWITCH_DIR"]
    if name == "pipe":
        if alone:
            r, w = os.pipe()
            return _fd_channel(r, w, (r, w))
        serve, back = (os.path.join(d, f"p{pair}.serve"),
                       os.path.join(d, f"p{pair}.back"))
        # Opening a FIFO waits for its other end: both sides open "serve"
        # first, so they never wait for each other crosswise.
        if server:
            w = os.open(serve, os.O_WRONLY)
            r = os.open(back, os.O_RDONLY)
        else:
            r = os.open(serve, os.O_RDONLY)
            w = os.open(back, os.O_WRONLY)
        return _fd_channel(r, w, (r, w))
    if name == "mp_pipe":
        import multiprocessing
        import multiprocessing.connection as mpc
        if alone:
            a, b = multiprocessing.Pipe()
            return a.send, b.recv, lambda: (a.close(), b.close())
        addr = os.path.join(d, f"p{pair}.sock")
        if server:
            with mpc.Listener(addr, family="AF_UNIX") as lst:
                conn = lst.accept()
        else:
            deadline = time.monotonic() + 60
            while True:
                try:
                    conn = mpc.Client(addr, family="AF_UNIX")
                    break
                except (FileNotFoundError, ConnectionRefusedError):
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.001)
        return conn.send, conn.recv, conn.close
    raise ValueError(name)


_polls = {}  # subinterpreters: the server's empty tries, by mechanism


def _xi_channel(name, pair, server, alone):
    """A channel or queue each way between two interpreters (one, when the
    server plays alone). close() is the end of the mechanism: the returner
    signals Done once it took the STOP, and the server waits for that, so
    that no item is left to go with an interpreter that ends."""
    import gillab_xi
    serve, back = _xi["ids"][(pair, name)]
    done = gillab_xi.Done(_xi["done"][pair])
    out, into = (serve, back) if server else (back, serve)
    tx, rx = gillab_xi.End(name, out), gillab_xi.End(name, into)

    def close():
        if server:
            _polls[name] = rx.polls
            if not alone:
                done.wait()
        else:
            done.signal()
    return tx.send, rx.recv, close


def _channel(model, name, pair, server, alone):
    if model == "processes":
        return _process_channel(name, pair, server, alone)
    if model == "subinterpreters":
        return _xi_channel(name, pair, server, alone)
    return _thread_channel(name, pair, server, alone)


def _serve(send, recv, until_ns, rtts):
    """Round trips until until_ns (or MAX_TRIPS); returns how many
    matched."""
    now = time.monotonic_ns
    matched = i = 0
    while i < MAX_TRIPS:
        t0 = now()
        if t0 >= until_ns and i > 0:
            break
        send(i)
        v = recv()
        rtts.append(now() - t0)
        matched += v == i
        i += 1
    send(STOP)
    return matched


def _return(send, recv):
    while True:
        v = recv()
        if v == STOP:
            return
        send(v)


def work(worker, nworkers, units):
    model = _model()
    names = _names(model)
    pair, server = worker // 2, worker % 2 == 0
    alone = server and worker + 1 >= nworkers
    slice_ns = units * 1_000_000 // len(names)
    matched = done = 0
    out = []
    for name in names:
        send, recv, close = _channel(model, name, pair, server, alone)
        try:
            if server:
                rtts = []
                matched += _serve(send, recv, time.monotonic_ns() + slice_ns,
                                  rtts)
                if alone:
                    recv()  # the STOP it sent itself
                done += len(rtts)
                out.append((name, rtts))
            else:
                _return(send, recv)
        finally:
            close()
    if not server:
        return 0, 0, None
    extra = {"partner": "itself" if alone else "another worker", "rtts": out}
    if model == "subinterpreters":
        extra["polls"] = dict(_polls)
    return done, matched, extra


async def awork(worker, nworkers, units):
    """The asyncio model: two tasks of one loop hand a future's result back
    and forth."""
    import asyncio

    loop = asyncio.get_running_loop()
    pair, server = worker // 2, worker % 2 == 0
    alone = server and worker + 1 >= nworkers
    now = time.monotonic_ns
    if alone:
        rtts, i = [], 0
        until_ns = now() + units * 1_000_000
        while i < MAX_TRIPS and (i == 0 or now() < until_ns):
            t0 = now()
            f = loop.create_future()
            f.set_result(i)
            await f
            rtts.append(now() - t0)
            i += 1
        return i, i, {"partner": "itself", "rtts": [("future", rtts)]}
    box = _pair_objects(pair, "future", lambda: {"req": None, "reply": None})
    if not server:
        while True:
            box["req"] = loop.create_future()
            v = await box["req"]
            if v == STOP:
                return 0, 0, None
            box["reply"].set_result(v)
    while box["req"] is None:
        await asyncio.sleep(0)
    rtts, matched, i = [], 0, 0
    until_ns = now() + units * 1_000_000
    while i < MAX_TRIPS and (i == 0 or now() < until_ns):
        t0 = now()
        box["reply"] = loop.create_future()
        box["req"].set_result(i)
        v = await box["reply"]
        rtts.append(now() - t0)
        matched += v == i
        i += 1
    box["req"].set_result(STOP)
    return i, matched, {"partner": "another worker",
                        "rtts": [("future", rtts)]}
