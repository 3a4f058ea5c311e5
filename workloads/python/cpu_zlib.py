"""cpu.zlib: zlib compression of text, the GIL released while deflating.

One operation compresses a 64 KiB window of a fixed 256 KiB pseudo-text
(words drawn by a linear congruential generator, so it compresses like
prose, about 3:1) at level 6; the window starts at (op * 4099) mod
(256 KiB - 64 KiB), so operations differ but cost about the same. zlib
releases the GIL while it deflates, so threads compress in parallel. The
answer adds up the compressed lengths.

The C twin (workloads/native/zlib.c) builds the same text and calls
compress2 of the same libz (deflate's output is fully determined by the
input, the level and the library). Keep the text generator, the window and
the split equal to the C file's: tests compare answers.
"""

import zlib

WORDS = ("the", "of", "and", "to", "in", "a", "is", "that", "for", "it",
         "as", "was", "with", "be", "by", "on", "not", "he", "this", "are",
         "or", "his", "from", "at", "which", "but", "have", "an", "had",
         "they", "you", "were", "their", "one", "all", "we", "can", "her",
         "has", "there", "been", "if", "more", "when", "will", "would",
         "who", "so", "no", "interpreter", "lock", "thread", "process",
         "core", "memory", "latency", "throughput", "measure", "python",
         "native", "worker", "queue", "garbage", "collection")
TEXT_SIZE = 256 * 1024
CHUNK = 64 * 1024
STRIDE = 4099
LEVEL = 6


def make_text():
    """The pseudo-text: words and separators drawn by an LCG (bytes)."""
    parts = []
    n = 0
    x = 12345
    while n < TEXT_SIZE:
        x = (x * 1103515245 + 12345) & 0x7FFFFFFF
        word = WORDS[(x >> 16) % len(WORDS)]
        sep = "\n" if (x >> 8) % 16 == 0 else " "
        parts.append(word)
        parts.append(sep)
        n += len(word) + 1
    return "".join(parts).encode()[:TEXT_SIZE]


TEXT = make_text()


def work(worker, nworkers, units):
    """Worker `worker` of `nworkers` compresses its block of the `units`
    windows; returns (operations, sum of the compressed lengths)."""
    first = units * worker // nworkers
    end = units * (worker + 1) // nworkers
    text = memoryview(TEXT)
    total = 0
    for op in range(first, end):
        off = op * STRIDE % (TEXT_SIZE - CHUNK)
        total += len(zlib.compress(text[off:off + CHUNK], LEVEL))
    return end - first, total
