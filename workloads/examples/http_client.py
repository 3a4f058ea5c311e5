"""An I/O-bound client, in a sync and an async version: each worker opens
one connection to a backend and makes requests one after the other,
waiting for each reply, as a service calling another service does.

The backend stands in for a remote service that takes 2 ms to answer: a
small threaded TCP server started by setup() in the same process (one per
worker process), on 127.0.0.1. Its threads are light, but they run Python
too: under threads on a GIL build they take turns with the clients, as a
real in-process server would.

A unit is one request and its reply. The answer is a checksum of the
replies.
"""
import socket
import socketserver
import threading
import time

UNITS = 400  # requests: about a second for one worker at 2 ms each
LATENCY_S = 0.002

_port = None


class _Backend(socketserver.StreamRequestHandler):
    def handle(self):
        for line in self.rfile:
            time.sleep(LATENCY_S)  # the remote service's own work
            self.wfile.write(b"200 " + line)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    # socketserver's default backlog is 5: with more clients connecting at
    # once the kernel drops their SYNs, and each retries a second later.
    request_queue_size = 128


def setup(params):
    """Starts the backend in this process, once."""
    global _port
    server = _Server(("127.0.0.1", 0), _Backend)
    _port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()


def _share(worker, nworkers, units):
    return units * worker // nworkers, units * (worker + 1) // nworkers


def work(worker, nworkers, units):
    """Blocking sockets: the thread waits in recv, the GIL released."""
    first, last = _share(worker, nworkers, units)
    checksum = 0
    with socket.create_connection(("127.0.0.1", _port)) as sock:
        reader = sock.makefile("rb")
        for n in range(first, last):
            sock.sendall(b"GET /item/%d\n" % n)
            reply = reader.readline()
            checksum = (checksum + len(reply)) & 0xFFFFFFFF
    return last - first, checksum


async def awork(worker, nworkers, units):
    """asyncio streams: the task waits in the event loop."""
    import asyncio

    first, last = _share(worker, nworkers, units)
    checksum = 0
    reader, writer = await asyncio.open_connection("127.0.0.1", _port)
    try:
        for n in range(first, last):
            writer.write(b"GET /item/%d\n" % n)
            await writer.drain()
            reply = await reader.readline()
            checksum = (checksum + len(reply)) & 0xFFFFFFFF
    finally:
        writer.close()
        await writer.wait_closed()
    return last - first, checksum
