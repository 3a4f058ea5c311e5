"""net.serve: a Python HTTP/1.1 server under each server model, loaded by
gillab's native load generator (workloads/native/loadgen.h).

The protocol is the smallest useful part of HTTP/1.1: a `GET` request (its
head only, ended by an empty line), a reply `HTTP/1.1 200 OK` with a
Content-Length and a body, keep-alive (HTTP/1.1's default), one request in
flight per connection. A handler maps the request's bytes to the reply's
body; one that raises makes the server answer `500 Internal Server Error`
with an empty body and count the error.

Server models (the driver, embed/python/gillab_drive.py `serve`, starts one,
loads it, stops it):
  per_conn   a thread per connection (socketserver.ThreadingTCPServer's way)
  pool       a selector thread reads requests, a fixed pool of N threads
             runs the handler and writes the reply
  asyncio    one event loop, asyncio.start_server
  reuseport  N processes, each with a listening socket of its own on one
             port (SO_REUSEPORT: the kernel balances connections), a thread
             per connection inside each
  prefork    N processes accepting on one listening socket made before the
             fork, a thread per connection inside each

Built-in handlers (their body is the request's path, which the generator
checks): none (pure I/O), cpu (handler_us microseconds of pure-Python work,
as a calibrated loop count), hash (SHA-256 of a 64 KiB buffer: hashlib
releases the GIL), sleep (time.sleep(handler_us): a blocking call, as a
synchronous database client would make, also under asyncio). A user's
handler is "path/app.py:func": func(request: bytes) -> bytes; under asyncio
an `async def a<func>` in the same file is awaited instead when there is
one, and func itself when it is a coroutine function.
"""

import hashlib
import importlib.util
import os
import selectors
import socket
import sys
import threading
import time
import traceback

HASH_BYTES = 65536
_HASH_BUF = bytes(range(256)) * (HASH_BYTES // 256)
HEAD_END = b"\r\n\r\n"
MAX_HEAD = 65536


def _cpu_loop(n):
    """Pure-Python work: n iterations of integer arithmetic."""
    x = 0
    for i in range(n):
        x = (x + i * i) % 1000003
    return x


def calibrate(us):
    """Loop iterations that take `us` microseconds in this process, alone:
    the median of 5 timings of a 20 ms loop. Done once before the timed
    region, so that each request does the same work, whatever it waits."""
    if us <= 0:
        return 0, 0.0
    n = 20000
    rates = []
    for _ in range(5):
        t0 = time.perf_counter()
        _cpu_loop(n)
        rates.append(n / (time.perf_counter() - t0))
    rate = sorted(rates)[2]
    return max(1, int(rate * us / 1e6)), rate


def calibration(us):
    """calibrate() for the runner (JSON): what the C twin's cpu handler
    repeats in C, so that it does the same arithmetic as the Python one."""
    loops, rate = calibrate(us)
    return {"loops": loops, "loops_per_s": round(rate)}


def _path(req):
    parts = req.split(b" ", 2)
    if len(parts) < 3 or parts[0] != b"GET":
        raise ValueError("not a GET request")
    return parts[1]


def builtin_handler(kind, handler_us, loops):
    """The built-in handler `kind` as a function of the request."""
    if kind == "none":
        return _path
    if kind == "cpu":
        def cpu(req):
            _cpu_loop(loops)
            return _path(req)
        return cpu
    if kind == "hash":
        def hash_(req):
            hashlib.sha256(_HASH_BUF).digest()
            return _path(req)
        return hash_
    if kind == "sleep":
        s = handler_us / 1e6

        def sleep(req):
            time.sleep(s)
            return _path(req)
        return sleep
    raise ValueError(f"unknown handler {kind!r}")


def load_user(spec):
    """A user's handler "path/app.py:func" -> (func, async variant or None,
    the file's SHA-256). The file is imported as a module of its own name,
    its directory first on sys.path (as `python app.py` would see it)."""
    path, _, func = spec.rpartition(":")
    if not path.endswith(".py"):
        path, func = spec, "handle"
    d = os.path.dirname(os.path.abspath(path))
    if d not in sys.path:
        sys.path.insert(0, d)
    name = os.path.splitext(os.path.basename(path))[0]
    mod = sys.modules.get(name)
    if mod is None or getattr(mod, "__file__", None) != os.path.abspath(path):
        sp = importlib.util.spec_from_file_location(name, path)
        mod = importlib.util.module_from_spec(sp)
        sys.modules[name] = mod
        sp.loader.exec_module(mod)
    fn = getattr(mod, func, None)
    if not callable(fn):
        raise ValueError(f"{path} has no function {func}")
    afn = getattr(mod, "a" + func, None)
    import inspect
    if inspect.iscoroutinefunction(fn):
        afn = fn
        fn = None
    elif afn is not None and not inspect.iscoroutinefunction(afn):
        afn = None
    with open(path, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    return fn, afn, sha


def make_handler(cfg):
    """(sync handler, async handler or None) for the cell's cfg."""
    h = cfg["handler"]
    if h in ("none", "cpu", "hash", "sleep"):
        return builtin_handler(h, cfg["handler_us"], cfg.get("loops", 0)), None
    fn, afn, _ = load_user(h)
    if fn is None:
        import asyncio

        def fn(req, _afn=afn):
            return asyncio.run(_afn(req))
    return fn, afn


class Stats:
    """A server's counters; one lock, since connection threads share it
    (free-threaded builds too)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.conns = self.requests = self.errors = 0
        self.first_error = None

    def error(self):
        with self.lock:
            self.errors += 1
            if self.first_error is None:
                self.first_error = traceback.format_exc().rstrip()[-2000:]

    def as_dict(self):
        return {"conns": self.conns, "requests": self.requests,
                "handler_errors": self.errors,
                "first_error": self.first_error}


def reply(body):
    if not isinstance(body, (bytes, bytearray, memoryview)):
        raise TypeError(f"the handler returned {type(body).__name__}, "
                        f"not bytes")
    return (b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body)
            + bytes(body))


ERROR_REPLY = (b"HTTP/1.1 500 Internal Server Error\r\n"
               b"Content-Length: 0\r\n\r\n")


def respond(handle, req, stats):
    try:
        out = reply(handle(req))
    except Exception:
        stats.error()
        out = ERROR_REPLY
    with stats.lock:
        stats.requests += 1
    return out


def serve_conn(sock, handle, stats):
    """A connection on a thread of its own: requests one after another
    until the peer closes."""
    with stats.lock:
        stats.conns += 1
    buf = b""
    try:
        while True:
            i = buf.find(HEAD_END)
            if i < 0:
                if len(buf) > MAX_HEAD:
                    return
                data = sock.recv(65536)
                if not data:
                    return
                buf += data
                continue
            req, buf = buf[:i + 4], buf[i + 4:]
            sock.sendall(respond(handle, req, stats))
    except OSError:
        pass
    finally:
        sock.close()


def listener(port=0, reuseport=False):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuseport:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    s.bind(("127.0.0.1", port))
    s.listen(4096)
    return s


def accept_loop(lsock, handle, stats, stop, threads, daemon=True):
    """Accepts until stop is set; a thread per connection (daemon: a
    connection the client never closes does not hold the process; own-GIL
    interpreters allow no daemon threads, and join theirs)."""
    lsock.settimeout(0.05)
    while not stop.is_set():
        try:
            c, _ = lsock.accept()
        except socket.timeout:
            continue
        except OSError:
            break
        c.settimeout(None)
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        t = threading.Thread(target=serve_conn, args=(c, handle, stats),
                             daemon=daemon)
        t.start()
        threads.append(t)


class Pool:
    """A selector thread and `n` handler threads. The selector reads
    requests; a whole request goes to the pool's queue with its connection
    taken off the selector, and the thread that answers it gives the
    connection back (through a queue and a wake-up socket, since only the
    selector thread touches the selector)."""

    def __init__(self, lsock, handle, stats, n, on_thread):
        import queue
        self.lsock, self.handle, self.stats = lsock, handle, stats
        self.jobs, self.back = queue.SimpleQueue(), queue.SimpleQueue()
        self.wake_r, self.wake_w = socket.socketpair()
        self.stop = threading.Event()
        self.bufs = {}
        self.workers = [threading.Thread(target=self._work, args=(i, on_thread),
                                         daemon=True) for i in range(n)]
        self.selector = threading.Thread(target=self._select, daemon=True)

    def start(self):
        for w in self.workers:
            w.start()
        self.selector.start()

    def _work(self, i, on_thread):
        on_thread(i, "enter")
        try:
            while True:
                job = self.jobs.get()
                if job is None:
                    return
                c, req = job
                try:
                    c.sendall(respond(self.handle, req, self.stats))
                    self.back.put(c)
                except OSError:
                    self.back.put((c, "close"))
                self.wake_w.send(b"x")
        finally:
            on_thread(i, "leave")

    def _select(self):
        sel = selectors.DefaultSelector()
        self.lsock.setblocking(False)
        sel.register(self.lsock, selectors.EVENT_READ, "accept")
        sel.register(self.wake_r, selectors.EVENT_READ, "wake")
        while not self.stop.is_set():
            for key, _ in sel.select(0.05):
                if key.data == "accept":
                    try:
                        c, _ = self.lsock.accept()
                    except OSError:
                        continue
                    c.setblocking(True)
                    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    with self.stats.lock:
                        self.stats.conns += 1
                    self.bufs[c] = b""
                    sel.register(c, selectors.EVENT_READ, "conn")
                elif key.data == "wake":
                    self.wake_r.recv(4096)
                    while not self.back.empty():
                        item = self.back.get()
                        if isinstance(item, tuple):
                            self.bufs.pop(item[0], None)
                            item[0].close()
                            continue
                        self._next(sel, item, register=True)
                else:
                    c = key.fileobj
                    try:
                        data = c.recv(65536)
                    except OSError:
                        data = b""
                    if not data:
                        sel.unregister(c)
                        self.bufs.pop(c, None)
                        c.close()
                        continue
                    self.bufs[c] += data
                    self._next(sel, c, register=False)
        sel.close()

    def _next(self, sel, c, register):
        """Hands c's next whole request to the pool, or waits for more."""
        buf = self.bufs.get(c)
        if buf is None:
            return
        i = buf.find(HEAD_END)
        if i < 0:
            if register:
                sel.register(c, selectors.EVENT_READ, "conn")
            return
        self.bufs[c] = buf[i + 4:]
        if not register:
            sel.unregister(c)
        self.jobs.put((c, buf[:i + 4]))

    def close(self):
        self.stop.set()
        self.selector.join()
        for _ in self.workers:
            self.jobs.put(None)
        for w in self.workers:
            w.join()


async def _aserve(reader, writer, handle, ahandle, stats):
    import asyncio
    with stats.lock:
        stats.conns += 1
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        while True:
            try:
                req = await reader.readuntil(HEAD_END)
            except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                break
            try:
                body = await ahandle(req) if ahandle else handle(req)
                out = reply(body)
            except Exception:
                stats.error()
                out = ERROR_REPLY
            with stats.lock:
                stats.requests += 1
            writer.write(out)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


def run_asyncio(lsock, handle, ahandle, stats, ready, stop_box):
    """The event loop, on the calling thread, until stop_box[0] is set."""
    import asyncio

    async def main():
        stop = asyncio.Event()
        stop_box.append((asyncio.get_running_loop(), stop))
        server = await asyncio.start_server(
            lambda r, w: _aserve(r, w, handle, ahandle, stats), sock=lsock)
        ready.set()
        await stop.wait()
        server.close()
        await asyncio.sleep(0)
        for t in asyncio.all_tasks():
            if t is not asyncio.current_task():
                t.cancel()

    asyncio.run(main())


# UDP (net.serve_udp): one request datagram, one reply datagram; a server
# cannot tell connections apart, so `conns` counts the distinct peers.

def udp_socket(port=0, reuseport=False):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    if reuseport:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    s.bind(("127.0.0.1", port))
    return s


def _datagram_reply(handle, data, stats):
    i = data.find(HEAD_END)
    return respond(handle, data[:i + 4] if i >= 0 else data, stats)


def serve_udp(sock, handle, stats, stop, peers):
    """Answers datagrams on sock until stop is set (a blocking recvfrom
    with a short timeout, so that stop is seen)."""
    sock.settimeout(0.05)
    while not stop.is_set():
        try:
            data, addr = sock.recvfrom(65536)
        except socket.timeout:
            continue
        except OSError:
            return
        if addr not in peers:
            with stats.lock:
                peers.add(addr)
                stats.conns = len(peers)
        try:
            sock.sendto(_datagram_reply(handle, data, stats), addr)
        except OSError:
            pass


def run_asyncio_udp(sock, handle, ahandle, stats, ready, stop_box):
    """An asyncio datagram endpoint on the calling thread's event loop,
    until stop_box's event is set. An async handler runs as a task per
    datagram."""
    import asyncio
    peers = set()

    class Proto(asyncio.DatagramProtocol):
        def connection_made(self, transport):
            self.t = transport

        def datagram_received(self, data, addr):
            if addr not in peers:
                peers.add(addr)
                stats.conns = len(peers)
            if ahandle is None:
                self.t.sendto(_datagram_reply(handle, data, stats), addr)
            else:
                asyncio.get_running_loop().create_task(self._a(data, addr))

        async def _a(self, data, addr):
            i = data.find(HEAD_END)
            req = data[:i + 4] if i >= 0 else data
            try:
                out = reply(await ahandle(req))
            except Exception:
                stats.error()
                out = ERROR_REPLY
            with stats.lock:
                stats.requests += 1
            self.t.sendto(out, addr)

    async def main():
        stop = asyncio.Event()
        stop_box.append((asyncio.get_running_loop(), stop))
        transport, _ = await asyncio.get_running_loop() \
            .create_datagram_endpoint(Proto, sock=sock)
        ready.set()
        await stop.wait()
        transport.close()

    asyncio.run(main())


# Subinterpreters (net.serve under `subinterpreters`): each worker's
# interpreter runs sub_work, which serves on a listening socket of its own
# on the cell's port (SO_REUSEPORT, as the processes do), a thread per
# connection, until the driver's stop pipe is readable. Interpreters share
# no objects: the configuration comes in the environment (GILLAB_SERVE,
# JSON), the readiness and the stop as pipe descriptors, the counts back
# as work()'s (ops, answer): ops the requests, answer conns << 32 plus the
# handler's errors, summed over the workers.

class _FdEvent:
    """stop.is_set() for accept_loop: the stop pipe is readable (the
    driver closed its end)."""

    def __init__(self, fd):
        self.fd = fd

    def is_set(self):
        import select
        return bool(select.select([self.fd], [], [], 0)[0])


def sub_work(worker, nworkers, units):
    import json
    cfg = json.loads(os.environ["GILLAB_SERVE"])
    handle, _ = make_handler(cfg)
    lsock = listener(cfg["port"], reuseport=True)
    stats = Stats()
    os.write(cfg["ready_fd"], b"x")
    threads = []
    try:
        accept_loop(lsock, handle, stats, _FdEvent(cfg["stop_fd"]), threads,
                    daemon=False)
    finally:
        lsock.close()
        # The generator has closed its connections by now: each thread's
        # recv sees the end and returns.
        for t in threads:
            t.join()
    return stats.requests, (stats.conns << 32) + stats.errors
