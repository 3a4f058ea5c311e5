"""A GIL-releasing step: zlib compression of 1 MiB buffers, as a service
that compresses uploads or log batches does. zlib.compress releases the
GIL while it deflates, so threads can use every core even on a GIL build.

A unit is one buffer compressed. The answer is a checksum of the
compressed sizes.
"""
import random
import zlib

UNITS = 60  # buffers: about a second of one worker's time here (3.11)
SIZE = 1 << 20

_data = None


def setup(params):
    """Makes 4 MiB of text-like data once per process (outside the timed
    region): words drawn from a small vocabulary, compressible about 3:1."""
    global _data
    rng = random.Random(12345)
    words = [
        "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 9)))
        for _ in range(2000)
    ]
    out = bytearray()
    while len(out) < 4 * SIZE:
        out += rng.choice(words).encode() + b" "
    _data = bytes(out)


def work(worker, nworkers, units):
    first = units * worker // nworkers
    last = units * (worker + 1) // nworkers
    checksum = 0
    for n in range(first, last):
        start = (n * 65537) % (len(_data) - SIZE)
        packed = zlib.compress(_data[start:start + SIZE], 6)
        checksum = (checksum + len(packed)) & 0xFFFFFFFF
    return last - first, checksum
