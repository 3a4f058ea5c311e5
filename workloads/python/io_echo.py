"""io.echo: request/response round trips over loopback TCP.

Each worker opens one connection (TCP_NODELAY) to the echo server the
runner runs in a native thread of its own (workloads/native/echosrv.c; its
port is in GILLAB_ECHO_PORT), and does its share of `units` round trips of
a 16-byte message, timing each one. The answer is the number of replies that
matched their request (it must equal ops). The C twin is
workloads/native/echo.c; keep the message format equal to its.

The record gets "echo": {"round_trips", "round_trips_per_s", "rtt_us":
{"p50", "p90", "p99", "max"}}; where the server thread ran is in
"echo_server".
"""

import os
import socket
import time

import gillab_lat

MSG_LEN = 16


def connect():
    port = int(os.environ.get("GILLAB_ECHO_PORT", "0"))
    if not port:
        raise RuntimeError("no echo server runs for this cell "
                           "(GILLAB_ECHO_PORT is not set)")
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def loop(count=None, until_ns=None):
    """Round trips on one connection: `count` of them, or as many as fit
    before `until_ns` (time.monotonic_ns). Returns (round trips, matched,
    each round trip's time in ns)."""
    now = time.monotonic_ns
    rtts = []
    matched = done = 0
    with connect() as s:
        send, recv = s.sendall, s.recv
        while True:
            t0 = now()
            if (done >= count) if count is not None else (t0 >= until_ns):
                break
            msg = b"gillab %09d" % done
            send(msg)
            reply = recv(MSG_LEN)
            while len(reply) < MSG_LEN:
                more = recv(MSG_LEN - len(reply))
                if not more:
                    raise ConnectionError("the echo server closed the "
                                          "connection")
                reply += more
            rtts.append(now() - t0)
            matched += reply == msg
            done += 1
    return done, matched, rtts


def work(worker, nworkers, units):
    first = units * worker // nworkers
    end = units * (worker + 1) // nworkers
    done, matched, rtts = loop(count=end - first)
    return done, matched, rtts


async def awork(worker, nworkers, units):
    """The same round trips as a task of the asyncio model: every await
    yields to the event loop, so the tasks of one loop overlap their
    waits."""
    import asyncio

    port = int(os.environ.get("GILLAB_ECHO_PORT", "0"))
    if not port:
        raise RuntimeError("no echo server runs for this cell")
    first = units * worker // nworkers
    end = units * (worker + 1) // nworkers
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.get_extra_info("socket").setsockopt(
        socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    now = time.monotonic_ns
    rtts = []
    matched = 0
    try:
        for i in range(end - first):
            t0 = now()
            msg = b"gillab %09d" % i
            writer.write(msg)
            reply = await reader.readexactly(MSG_LEN)
            rtts.append(now() - t0)
            matched += reply == msg
    finally:
        writer.close()
    return end - first, matched, rtts


def rtt_report(extras, wall_s):
    """The workers' round trips as {"round_trips", "round_trips_per_s",
    "rtt_us"}."""
    rtts = [ns for e in extras if e for ns in e]
    return {
        "round_trips": len(rtts),
        "round_trips_per_s": len(rtts) / wall_s if wall_s > 0 else 0,
        "rtt_us": gillab_lat.pcts(rtts),
    }


def end(state, extras, wall_s):
    return {"echo": rtt_report(extras, wall_s)}
