"""SHA-256 of 1 MiB blobs with hashlib, which releases the GIL while it hashes."""
import hashlib

UNITS = 1400
BLOB_SIZE = 1 << 20

_blob = None


def setup(params):
    # Built once per process (or interpreter), outside the timed region.
    global _blob
    _blob = bytes(range(256)) * (BLOB_SIZE // 256)


def work(worker, nworkers, units):
    if _blob is None:
        raise RuntimeError("setup() was not called before work()")
    first = units * worker // nworkers
    last = units * (worker + 1) // nworkers
    total = 0
    for n in range(first, last):
        h = hashlib.sha256(n.to_bytes(8, "little"))
        h.update(_blob)
        total += h.digest()[0]
    return last - first, total


async def awork(worker, nworkers, units):
    # hashlib blocks: hand it to a thread so the event loop stays free.
    # (asyncio is imported here, not at the top: CPython 3.12.1 aborts when a
    # subinterpreter that imported it ends.)
    import asyncio
    return await asyncio.to_thread(work, worker, nworkers, units)
