"""The ipc.* workloads: messages from a producer to a consumer, by mechanism.

The workers come in pairs: worker 2k produces, worker 2k+1 consumes (the
model decides whether they are threads, processes or subinterpreters; a
cell with an odd number of workers is skipped by the orchestrator). begin()
makes one channel per pair in the cell's main process; threads use it
directly, worker processes get it through share()/attach() (core/wl.h),
pickled as multiprocessing pickles a Process's arguments, so pipes and
sockets reach spawned and forkserver children too; worker interpreters
(ipc.xi_queue) get it pickled by the subinterpreters driver: ids.

A message has the cell's size (GILLAB_MSG_SIZE, bytes) and payload
(GILLAB_PAYLOAD):
  - bytes: a buffer of that size whose first 16 bytes are the sequence
    number and the send time (CLOCK_MONOTONIC ns, the same clock in every
    process) and whose last byte is a tag, tag(seq);
  - object: a dict of lists ("ids" ints, "names" strs, "values" floats)
    sized so that its pickle is about that size (at least the dict's own
    keys: ~150 bytes), with "seq", "t", "tag" and "size". Every mechanism
    that crosses a process pickles it (pickle.dumps in the producer,
    pickle.loads in the consumer, both timed); queue.Queue passes the object
    itself.
The answer is the sum over the messages received of seq + tag(seq), the
same for both payloads and for the C twins (workloads/native/ipc.c).

Times: the pair's span runs from the producer's first send to the
consumer's last message; throughput is the bytes (msg_size per message) and
messages over the longest span. Serialization is the time spent in dumps
and loads; its share is that over the time both sides spent (each side's
span from the first send to its own last message); transport is the rest.
Latency is one-way, from the producer's start of sending (before dumps) to
the consumer's end (after loads), in a stream: it includes the time a
message waits behind earlier ones.

The record gets "ipc" (see end()).
"""

import os
import pickle
import struct
import time

import gillab_lat

HDR = struct.Struct("<QQ")  # sequence number, send time in ns
LEN = struct.Struct("<I")  # a frame's length (object payloads on streams)
SCALE = 16384  # messages(): the size at which a pair sends half the units
QUEUE_MAX = 64  # the bound of queue.Queue and multiprocessing.Queue
SLOTS = 4  # the shared-memory ring's slots


def tag(seq):
    return (seq * 7 + 1) & 0xFF


def messages(units, npairs, pair, size):
    """The messages pair `pair` moves: its share of units scaled down with
    the size (units * SCALE / (SCALE + size): 99.6 % of the units at 64 B,
    1.5 % at 1 MiB), so that a cell takes about as long at every size; at
    least 4. workloads/native/ipc.c computes the same."""
    share = units * (pair + 1) // npairs - units * pair // npairs
    return max(4, share * SCALE // (SCALE + size))


def cell():
    """The cell's message size and payload, as the runner set them."""
    size = int(os.environ.get("GILLAB_MSG_SIZE", "0"))
    payload = os.environ.get("GILLAB_PAYLOAD", "")
    if size < 16 or payload not in ("bytes", "object"):
        raise RuntimeError("an ipc.* workload needs GILLAB_MSG_SIZE and "
                           "GILLAB_PAYLOAD (run it with gillab)")
    return size, payload


def _object(k, size):
    return {"seq": 0, "t": 0, "tag": 0, "size": size,
            "ids": list(range(100000, 100000 + k)),
            "names": ["item%06d" % i for i in range(k)],
            "values": [i * 0.5 for i in range(k)]}


def base_object(size):
    """A dict of lists whose pickle is about `size` bytes: k items in each
    list, from the pickled size at 0 and 64 items."""
    p0 = len(pickle.dumps(_object(0, size), 5))
    p64 = len(pickle.dumps(_object(64, size), 5))
    k = max(0, (size - p0) * 64 // max(1, p64 - p0))
    return _object(k, size)


class _Fd:
    """A file descriptor that multiprocessing can hand to a spawned or
    forkserver child (as it does a Connection's); a forked one inherits
    the number."""

    def __init__(self, fd):
        self.fd = fd

    def __reduce__(self):
        from multiprocessing import reduction
        return _Fd._rebuild, (reduction.DupFd(self.fd),)

    @staticmethod
    def _rebuild(dup):
        return _Fd(dup.detach())


def _read_exact(readinto, view):
    """Fills view from readinto (a readinto-like callable)."""
    got, n = 0, len(view)
    while got < n:
        r = readinto(view[got:])
        if not r:
            raise EOFError("the producer's end closed early")
        got += r


def _buffer(chan, n):
    """A view of n bytes of the consumer's buffer, kept on chan; a new,
    larger one when it is too small (a view of the old one may live)."""
    buf = getattr(chan, "_rbuf", None)
    if buf is None or len(buf) < n:
        buf = chan._rbuf = bytearray(max(n, 2 * len(buf or b"")))
    return memoryview(buf)[:n]


def _write_all(write, data):
    view = memoryview(data)
    while view:
        view = view[write(view):]


class _Stream:
    """A byte stream: a pipe or a connected socket. Raw messages have the
    cell's size, so they go as they are; pickled ones get a 4-byte length
    first (one writev/sendmsg call)."""

    pickles = True

    def __init__(self, tx, rx):
        self.tx, self.rx = tx, rx  # what share() hands over

    def open(self, role):
        pass

    def send(self, data, framed):
        if framed:
            parts = [LEN.pack(len(data)), data]
            n = self._writev(parts)
            if n < 4 + len(data):  # a partial write: the rest, in order
                _write_all(self._write, (parts[0] + bytes(data))[n:])
        else:
            _write_all(self._write, data)

    def recv(self, size, framed):
        """The next message (size bytes, or framed), read into the
        consumer's buffer; returns a view of it, valid until the next."""
        n = size
        if framed:
            head = bytearray(4)
            _read_exact(self._readinto, memoryview(head))
            n = LEN.unpack(head)[0]
        view = _buffer(self, n)
        _read_exact(self._readinto, view)
        return view


class _Pipe(_Stream):
    name = "os.pipe"

    @classmethod
    def make(cls, ctx):
        r, w = os.pipe()
        return cls(_Fd(w), _Fd(r))

    def open(self, role):
        # Both ends: under threads one object serves both roles.
        w, r = self.tx.fd, self.rx.fd
        self._write = lambda v: os.write(w, v)
        self._writev = lambda parts: os.writev(w, parts)
        self._readinto = lambda v: os.readv(r, [v])

    def close(self):
        for f in (self.tx, self.rx):
            try:
                os.close(f.fd)
            except OSError:
                pass


class _Socket(_Stream):
    def open(self, role):
        self._write = self.tx.send
        self._writev = self.tx.sendmsg
        self._readinto = self.rx.recv_into

    def close(self):
        self.tx.close()
        self.rx.close()


class _Unix(_Socket):
    name = "socket.socketpair (AF_UNIX, SOCK_STREAM)"

    @classmethod
    def make(cls, ctx):
        import socket
        a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        return cls(a, b)


class _Tcp(_Socket):
    name = "TCP on 127.0.0.1 (TCP_NODELAY)"

    @classmethod
    def make(cls, ctx):
        import socket
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as ls:
            ls.bind(("127.0.0.1", 0))
            ls.listen(1)
            tx = socket.create_connection(ls.getsockname())
            rx, _ = ls.accept()
        for s in (tx, rx):
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return cls(tx, rx)


class _MpPipe:
    """multiprocessing.Pipe(duplex=False): send_bytes and recv_bytes (what
    Connection.send and recv do after and before pickling)."""

    name = "multiprocessing.Pipe(duplex=False)"
    pickles = True

    def __init__(self, rx, tx):
        self.rx, self.tx = rx, tx

    @classmethod
    def make(cls, ctx):
        return cls(*ctx.Pipe(duplex=False))

    def open(self, role):
        pass

    def send(self, data, framed):
        self.tx.send_bytes(data)

    def recv(self, size, framed):
        return self.rx.recv_bytes()

    def close(self):
        self.tx.close()
        self.rx.close()


class _MpQueue:
    """multiprocessing.Queue(QUEUE_MAX): put returns at once and a feeder
    thread pickles and writes; so put gets a bytes object of its own (a
    copy of the producer's buffer), and the Queue's own pickling of it
    counts as transport."""

    name = "multiprocessing.Queue(maxsize=%d)" % QUEUE_MAX
    pickles = True
    fresh = True  # the object put must not change after put

    def __init__(self, q):
        self.q = q

    @classmethod
    def make(cls, ctx):
        return cls(ctx.Queue(QUEUE_MAX))

    def open(self, role):
        pass

    def send(self, data, framed):
        self.q.put(data)

    def recv(self, size, framed):
        return self.q.get()

    def close(self):
        self.q.close()


class _Queue:
    """queue.Queue(QUEUE_MAX) between threads: the object itself moves, no
    copy and no pickle (a raw message is a bytes object of its own)."""

    name = "queue.Queue(maxsize=%d)" % QUEUE_MAX
    pickles = False
    fresh = True

    def __init__(self, q):
        self.q = q

    @classmethod
    def make(cls, ctx):
        import queue
        return cls(queue.Queue(QUEUE_MAX))

    def open(self, role):
        pass

    def send(self, data, framed):
        self.q.put(data)

    def recv(self, size, framed):
        return self.q.get()

    def close(self):
        pass


class _Shm:
    """multiprocessing.shared_memory: a ring of SLOTS slots, each a length
    (8 bytes) and up to cap bytes, with two semaphores (free slots, full
    slots). The producer copies each message into a slot; the consumer
    copies it out into a buffer of its own and frees the slot."""

    name = ("multiprocessing.shared_memory, a ring of %d slots with two "
            "multiprocessing semaphores" % SLOTS)
    pickles = True

    def __init__(self, shm_name, cap, free, full, owner=None):
        self.shm_name, self.cap, self.free, self.full = shm_name, cap, free, \
            full
        self.owner = owner  # the SharedMemory begin made (unlinked by close)
        self.shm = None
        self.sent = self.got = 0  # per role: threads share this object

    @classmethod
    def make(cls, ctx):
        from multiprocessing import shared_memory
        size, payload = cell()
        cap = size if payload == "bytes" else \
            len(pickle.dumps(base_object(size), 5)) + 256
        shm = shared_memory.SharedMemory(create=True, size=SLOTS * (8 + cap))
        return cls(shm.name, cap, ctx.Semaphore(SLOTS), ctx.Semaphore(0), shm)

    def __reduce__(self):
        return _Shm, (self.shm_name, self.cap, self.free, self.full)

    def open(self, role):
        if self.owner is not None:
            self.shm = self.owner
            return
        from multiprocessing import shared_memory
        # A worker process shares the cell's resource tracker, where begin
        # registered the segment (and end unregisters it): 3.13+ can leave
        # the tracker alone; below, registering again changes nothing.
        try:
            self.shm = shared_memory.SharedMemory(self.shm_name, track=False)
        except TypeError:
            self.shm = shared_memory.SharedMemory(self.shm_name)

    def send(self, data, framed):
        n = len(data)
        if n > self.cap:
            raise ValueError(f"a message of {n} bytes does not fit a slot "
                             f"of {self.cap}")
        self.free.acquire()
        at = (self.sent % SLOTS) * (8 + self.cap)
        buf = self.shm.buf
        struct.pack_into("<Q", buf, at, n)
        buf[at + 8:at + 8 + n] = data
        self.sent += 1
        self.full.release()

    def recv(self, size, framed):
        self.full.acquire()
        at = (self.got % SLOTS) * (8 + self.cap)
        src = self.shm.buf
        n = struct.unpack_from("<Q", src, at)[0]
        view = _buffer(self, n)
        view[:] = src[at + 8:at + 8 + n]
        self.got += 1
        self.free.release()
        return view

    def close(self):
        if self.shm is not None and self.shm is not self.owner:
            self.shm.close()
        if self.owner is not None:
            self.owner.close()
            self.owner.unlink()
            self.owner = None


class _XiQueue:
    """A cross-interpreter queue between two subinterpreters
    (gillab_xi.py): 3.13+'s _interpqueues, bounded at QUEUE_MAX; on 3.11
    and 3.12, which have channels only (unbounded), a channel, with the
    consumer acknowledging every ACK_EVERY messages on a channel back and
    the producer keeping at most QUEUE_MAX unacknowledged. Only shareable
    objects go through, copied into the consumer's interpreter: a raw
    message goes as a bytes object of its own (a copy of the producer's
    buffer, as for multiprocessing.Queue), an object payload pickled. No
    side can block: a full queue or an empty one is polled, with
    os.sched_yield() between tries (each side's empty tries are counted).
    An item goes with the interpreter that put it, so the producer waits
    at the end (after its last send, outside its span) on a Done pipe
    until the consumer took the last message."""

    pickles = True
    fresh = True
    ACK_EVERY = 16

    def __init__(self, kind, xid, ack, done):
        self.kind, self.xid, self.ack, self.done = kind, xid, ack, done
        self.name = self.label(kind)
        self.end = None

    @staticmethod
    def label(kind):
        import gillab_xi
        if kind == "queue":
            return ("cross-interpreter queue (_interpqueues, maxsize=%d), "
                    "polled with os.sched_yield()" % QUEUE_MAX)
        return ("cross-interpreter channel (%s; a window of %d "
                "unacknowledged messages), polled with os.sched_yield()"
                % (gillab_xi.api("channel").split(":")[0], QUEUE_MAX))

    @classmethod
    def make(cls, ctx):
        import gillab_xi
        kinds = gillab_xi.kinds()
        if not kinds:
            raise RuntimeError("ipc.xi_queue needs a cross-interpreter "
                               "queue or channel: "
                               + gillab_xi.missing("queue"))
        kind = "queue" if "queue" in kinds else "channel"
        return cls(kind, gillab_xi.make(kind, QUEUE_MAX),
                   gillab_xi.make("channel") if kind == "channel" else None,
                   gillab_xi.Done().fds())

    def __reduce__(self):
        return _XiQueue, (self.kind, self.xid, self.ack, self.done)

    def open(self, role):
        import gillab_xi
        self.end = gillab_xi.End(self.kind, self.xid)
        self.back = (gillab_xi.End("channel", self.ack)
                     if self.ack is not None else None)
        self.sent = self.acked = self.got = 0

    def send(self, data, framed):
        if self.back is not None:  # a channel: wait for room in the window
            while self.sent - self.acked >= QUEUE_MAX:
                a = self.back.try_recv(None)
                if a is None:
                    self.end.polls += 1
                    os.sched_yield()
                else:
                    self.acked = max(self.acked, a)
        self.end.send(data)
        self.sent += 1

    def recv(self, size, framed):
        m = self.end.recv()
        self.got += 1
        if self.back is not None and self.got % self.ACK_EVERY == 0:
            self.back.send(self.got)
        return m

    def finish(self, role):
        import gillab_xi
        done = gillab_xi.Done(self.done)
        if role == "producer":
            done.wait()
        else:
            done.signal()

    def polls(self):
        return self.end.polls if self.end else 0

    def close(self):
        import gillab_xi
        gillab_xi.destroy(self.kind, self.xid)
        if self.ack is not None:
            gillab_xi.destroy("channel", self.ack)
        gillab_xi.Done(self.done).close()


MECHANISMS = {"pipe": _Pipe, "unix": _Unix, "tcp": _Tcp, "mp_pipe": _MpPipe,
              "mp_queue": _MpQueue, "queue": _Queue, "shm": _Shm,
              "xi_queue": _XiQueue}

_pairs = []  # this process's channels, by pair (begin, attach)


def producer(chan, n, size, payload):
    now, dumps = time.monotonic_ns, pickle.dumps
    fresh = getattr(chan, "fresh", False)
    dumps_ns = wire = 0
    if payload == "bytes":
        buf = bytearray(b"x" * size)
    else:
        base = base_object(size)
    t_first = now()
    for seq in range(n):
        t0 = now()
        if payload == "bytes":
            HDR.pack_into(buf, 0, seq, t0)
            buf[-1] = tag(seq)
            data = bytes(buf) if fresh else buf
            framed = False
        else:
            m = dict(base)
            m["seq"], m["t"], m["tag"] = seq, t0, tag(seq)
            if chan.pickles:
                data = dumps(m, 5)
                dumps_ns += now() - t0
                framed = True
            else:
                data, framed = m, False
        if chan.pickles or payload == "bytes":
            wire += len(data)
        chan.send(data, framed)
    return {"role": "producer", "t_first": t_first, "t_last": now(),
            "dumps_ns": dumps_ns, "sent": n, "wire_bytes": wire}


def consumer(chan, n, size, payload):
    now, loads = time.monotonic_ns, pickle.loads
    lats = [0] * n
    loads_ns = answer = 0
    seen_sizes, seen_kinds = set(), set()
    for i in range(n):
        data = chan.recv(size, payload == "object")
        if payload == "bytes":
            seq, t = HDR.unpack_from(data)
            tg, got = data[-1], len(data)
            seen_kinds.add("bytes")
        else:
            if chan.pickles:
                l0 = now()
                m = loads(data)
                loads_ns += now() - l0
            else:
                m = data
            seen_kinds.add("object" if isinstance(m, dict) else
                           type(m).__name__)
            seq, t, tg, got = m["seq"], m["t"], m["tag"], m["size"]
        t1 = now()
        lats[i] = t1 - t
        if tg != tag(seq):
            raise ValueError(f"message {seq}: tag {tg}, expected {tag(seq)}")
        seen_sizes.add(got)
        answer += seq + tg
    return answer, {"role": "consumer", "t_last": now(), "loads_ns": loads_ns,
                    "received": n, "lat_ns": lats,
                    "sizes_seen": sorted(seen_sizes),
                    "payloads_seen": sorted(seen_kinds)}


def work(worker, nworkers, units):
    size, payload = cell()
    pair, role = worker // 2, ("producer", "consumer")[worker % 2]
    chan = _pairs[pair]
    chan.open(role)
    n = messages(units, nworkers // 2, pair, size)
    if role == "producer":
        extra = producer(chan, n, size, payload)
        ops = answer = 0
    else:
        answer, extra = consumer(chan, n, size, payload)
        ops = n
    if hasattr(chan, "finish"):  # after the side's span
        chan.finish(role)
    if hasattr(chan, "polls"):
        extra["polls"] = chan.polls()
    return ops, answer, extra


def begin(params, mechanism):
    """One channel per pair, made in the cell's main process."""
    import multiprocessing
    ctx = multiprocessing.get_context(params.get("start_method"))
    global _pairs
    _pairs = [MECHANISMS[mechanism].make(ctx)
              for _ in range(params["workers"] // 2)]
    return {"mechanism": mechanism, "pairs": _pairs}


def share(state):
    return state["pairs"]


def attach(pairs):
    global _pairs
    _pairs = pairs


def end(state, extras, wall_s):
    """The record's "ipc": mechanism (its name in Python), msg_size and
    payload as the consumers saw them, pairs, messages, bytes (msg_size
    each), wire_bytes_per_msg (what moved per message: the pickle for
    object payloads), span_s, bytes_per_s, msgs_per_s, ser_s (dumps +
    loads), transport_s, ser_share (null when nothing was pickled),
    pickles, and lat_us (one-way p50, p90, p99, max); for a mechanism
    that polls (ipc.xi_queue), waits (how) and polls_per_msg (both sides'
    empty tries per message)."""
    for chan in state["pairs"]:
        chan.close()
    size, payload = cell()
    mech = MECHANISMS[state["mechanism"]]
    prods = [e for e in extras if e and e.get("role") == "producer"]
    cons = [e for e in extras if e and e.get("role") == "consumer"]
    if not prods or len(prods) != len(cons):
        return {"ipc": None}
    t_first = min(p["t_first"] for p in prods)
    span_ns = max(c["t_last"] for c in cons) - t_first
    msgs = sum(c["received"] for c in cons)
    ser_ns = sum(p["dumps_ns"] for p in prods) + \
        sum(c["loads_ns"] for c in cons)
    sides_ns = sum(p["t_last"] - p["t_first"] for p in prods) + \
        sum(c["t_last"] - p["t_first"] for p, c in zip(prods, cons))
    pickled = payload == "object" and mech.pickles
    sizes = sorted({s for c in cons for s in c["sizes_seen"]})
    kinds = sorted({k for c in cons for k in c["payloads_seen"]})
    span_s = span_ns / 1e9
    name = state["pairs"][0].name if state["pairs"] else mech.name
    polled = {}
    if any("polls" in e for e in prods + cons):
        polled = {"waits": "polls: no blocking put or get, so a side that "
                           "waits tries again after os.sched_yield(), "
                           "keeping its CPU busy",
                  "polls_per_msg": sum(e.get("polls", 0)
                                       for e in prods + cons) / msgs
                  if msgs else None}
    return {"ipc": {
        "mechanism": name,
        "msg_size": sizes[0] if len(sizes) == 1 else sizes,
        "payload": kinds[0] if len(kinds) == 1 else kinds,
        "pairs": len(cons),
        "messages": msgs,
        "bytes": msgs * size,
        "wire_bytes_per_msg": (sum(p["wire_bytes"] for p in prods) / msgs
                               if msgs and (pickled or payload == "bytes")
                               else None),
        "span_s": span_s,
        "bytes_per_s": msgs * size / span_s if span_s > 0 else None,
        "msgs_per_s": msgs / span_s if span_s > 0 else None,
        "pickles": pickled,
        "ser_s": ser_ns / 1e9,
        "transport_s": max(0, sides_ns - ser_ns) / 1e9,
        "ser_share": ser_ns / sides_ns if pickled and sides_ns > 0 else None,
        "lat_us": gillab_lat.pcts([ns for c in cons for ns in c["lat_ns"]]),
        **polled,
    }}
