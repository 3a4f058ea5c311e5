"""The runtime's cross-interpreter channels and queues, as far as it has
them, behind one small interface (os.switch and ipc.xi_queue under the
subinterpreters model).

CPython offers them before 3.14 only through internal modules, each named
in the records (api()):

  3.11   _xxsubinterpreters.channel_*   channels (the interpreters share
                                        the GIL)
  3.12   _xxinterpchannels              channels
  3.13   _interpchannels                channels
         _interpqueues                  queues (bounded: maxsize)

Only shareable objects go through them (bytes, str, int, float, None,
...): they are copied into the receiving interpreter, never shared; any
other object must be pickled first, as the runtime's own wrapper does.

None of them blocks on receive: a channel's recv and a queue's get return
at once, empty or not, and a full queue's put raises. (3.13's channel send
waits by default until the item is received; it is called here with
blocking=False, since a receiver that polls cannot be woken.) The
runtime's own wrappers (test.support.interpreters, 3.13) poll with
time.sleep(0.01) between tries. Here the side that waits polls: it tries,
and between tries calls os.sched_yield(), which releases its GIL for the
call and lets another thread on its CPU run; on a CPU of its own it keeps
that CPU busy. A figure measured with these is a hand-off between two
pollers, not a wake-up (there is none), so it says what polling costs on
this runtime, and the waits are counted (End.polls: empty tries).

An item in a queue or channel belongs to the interpreter that put it: when
that interpreter ends, the item goes (3.12 and 3.13 drop it, 3.13's
"unbound" items of PEP 734; 3.11 fails to receive it with a SystemError),
and a channel whose every end has closed is closed. So the last sender
must not let its interpreter end before its last item was taken: the
receiver says so through Done, an os.pipe (file descriptors belong to the
process, so every interpreter can use them by number), on which the sender
blocks. The maker (the cell's main interpreter) keeps a channel alive
until it destroys it.
"""

import os
import sys

# What happens to an item whose interpreter ended: 1 = removed (the
# runtime's UNBOUND_REMOVE); the senders here never let that happen.
_UNBOUND_REMOVE = 1
_SHARED_ONLY = 0  # a queue's format: shareable objects only, not pickled


def _channels():
    """(module, its name, create, send, recv(cid, default) -> obj,
    destroy), or None when this runtime has no channels."""
    try:
        import _interpchannels as m  # 3.13+

        def recv(cid, default):
            r = m.recv(cid, default)
            return default if r is default else r[0]  # (obj, unboundop)
        return (m, "_interpchannels", lambda: m.create(_UNBOUND_REMOVE),
                lambda cid, obj: m.send(cid, obj, blocking=False), recv,
                m.destroy)
    except ImportError:
        pass
    try:
        import _xxinterpchannels as m  # 3.12
        return (m, "_xxinterpchannels", m.create, m.send,
                m.recv, m.destroy)
    except ImportError:
        pass
    try:
        import _xxsubinterpreters as m  # 3.11: channels inside
        if hasattr(m, "channel_create"):
            return (m, "_xxsubinterpreters",
                    m.channel_create, m.channel_send,
                    m.channel_recv, m.channel_destroy)
    except ImportError:
        pass
    return None


def _queues():
    """The _interpqueues module (3.13+), or None."""
    try:
        import _interpqueues as m
        return m
    except ImportError:
        return None


def kinds():
    """What this runtime offers: a subset of ("channel", "queue")."""
    out = []
    if _channels():
        out.append("channel")
    if _queues():
        out.append("queue")
    return tuple(out)


def missing(kind):
    """Why `kind` cannot run on this runtime (a sentence), or None."""
    if kind in kinds():
        return None
    v = "%d.%d" % sys.version_info[:2]
    if kind == "queue":
        return (f"CPython {v} has no cross-interpreter queue (_interpqueues "
                f"is 3.13+)")
    return f"CPython {v} has no cross-interpreter channel"


def api(kind):
    """The module and calls `kind` uses here, for the record."""
    if kind == "queue":
        return ("_interpqueues: put(qid, obj) when not is_full, get(qid) "
                "when get_count > 0; the waiting side polls with "
                "os.sched_yield() between tries")
    name = _channels()[1]
    send = "send(cid, obj, blocking=False)" if name == "_interpchannels" \
        else "send(cid, obj)"
    if name == "_xxsubinterpreters":
        send, recv = "channel_send(cid, obj)", "channel_recv(cid, default)"
    else:
        recv = "recv(cid, default)"
    return (f"{name}: {send}, {recv}; the receiver polls with "
            f"os.sched_yield() between tries")


# The channels made here, by id: a channel lives while its ChannelID
# object does (the object holds a reference to it), so the maker keeps it.
_made = {}


def make(kind, maxsize=0):
    """A new channel or queue (maxsize: a queue's bound, 0 for none;
    channels have none). Made in the interpreter that destroys it (the
    cell's main one); its id is an int any interpreter can use."""
    if kind == "queue":
        return int(_queues().create(maxsize, _SHARED_ONLY, _UNBOUND_REMOVE))
    cid = _channels()[2]()
    _made[int(cid)] = cid
    return int(cid)


def destroy(kind, xid):
    _made.pop(xid, None)
    try:
        if kind == "queue":
            _queues().destroy(xid)
        else:
            _channels()[5](xid)
    except Exception:
        pass  # gone already


class End:
    """One interpreter's use of a channel or queue: put() and get(), each
    polling while it cannot go on (counting its empty tries in polls)."""

    def __init__(self, kind, xid):
        self.kind, self.xid, self.polls = kind, xid, 0
        yield_ = os.sched_yield
        if kind == "queue":
            q = _queues()
            put, get, count, full = q.put, q.get, q.get_count, q.is_full

            # 3.13.0's is_full says True for an unbounded queue (maxsize
            # 0): only a bounded one is asked.
            bounded = q.get_maxsize(xid) > 0

            def send(obj):
                while bounded and full(xid):
                    self.polls += 1
                    yield_()
                put(xid, obj, _SHARED_ONLY, _UNBOUND_REMOVE)

            def recv():
                while not count(xid):
                    self.polls += 1
                    yield_()
                return get(xid)[0]

        else:
            _, _, _, send_, recv_, _ = _channels()
            empty = object()

            def send(obj):
                send_(xid, obj)

            def recv():
                while True:
                    obj = recv_(xid, empty)
                    if obj is not empty:
                        return obj
                    self.polls += 1
                    yield_()

        self.send, self.recv = send, recv

    def try_recv(self, default=None):
        """The next item, or default when there is none (one try)."""
        if self.kind == "queue":
            q = _queues()
            return q.get(self.xid)[0] if q.get_count(self.xid) else default
        _, _, _, _, recv_, _ = _channels()
        return recv_(self.xid, default)


class Done:
    """A one-byte signal between interpreters of one process: an os.pipe
    made by the cell's main interpreter, passed by its descriptors'
    numbers. wait() blocks in read(2) (its GIL released) until signal();
    close() is the maker's."""

    def __init__(self, fds=None):
        self.r, self.w = fds if fds else os.pipe()

    def fds(self):
        return self.r, self.w

    def signal(self):
        os.write(self.w, b"!")

    def wait(self):
        if not os.read(self.r, 1):
            raise EOFError("the Done pipe was closed")

    def close(self):
        for fd in (self.r, self.w):
            try:
                os.close(fd)
            except OSError:
                pass
