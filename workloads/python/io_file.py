"""io.file: 64 KiB reads from a file in the page cache.

One operation is one os.preadv of a 64 KiB chunk into a buffer the worker
reuses; operation op reads chunk (op * 577) mod 1024 of a 64 MiB file, so
consecutive operations jump around the file. The file is written before the
timed region by the runner (workloads/native/file.c: the registry's prepare
hook), which passes its path in GILLAB_IO_FILE and removes it after the
cell; having just been written, it sits in the page cache, so this measures
the system call and the copy, not the disk. The GIL is released during the
read. Byte k of chunk c is (c + k) mod 256; the answer adds up byte
(op * 7) mod 65536 of each chunk read, which checks that every read
returned the right data.

Run outside gillab (no GILLAB_IO_FILE), the module writes the file itself
in the temporary directory and removes it at exit.
"""

import atexit
import os
import tempfile

CHUNK = 64 * 1024
NCHUNKS = 1024  # a 64 MiB file
STRIDE = 577    # odd, so op * STRIDE visits every chunk


def _own_file():
    fd, path = tempfile.mkstemp(prefix="gillab-io-file-")
    try:
        period = bytes(range(256)) * 2
        for c in range(NCHUNKS):
            start = c % 256
            os.write(fd, period[start:start + 256] * (CHUNK // 256))
    finally:
        os.close(fd)
    atexit.register(os.unlink, path)
    return path


PATH = os.environ.get("GILLAB_IO_FILE") or _own_file()


def work(worker, nworkers, units):
    """Worker `worker` of `nworkers` does its block of the `units` reads;
    returns (operations, sum of one checked byte per chunk)."""
    first = units * worker // nworkers
    end = units * (worker + 1) // nworkers
    buf = bytearray(CHUNK)
    total = 0
    fd = os.open(PATH, os.O_RDONLY)
    try:
        for op in range(first, end):
            c = op * STRIDE % NCHUNKS
            if os.preadv(fd, [buf], c * CHUNK) != CHUNK:
                raise OSError(f"short read of chunk {c} of {PATH}")
            total += buf[op * 7 % CHUNK]
    finally:
        os.close(fd)
    return end - first, total
