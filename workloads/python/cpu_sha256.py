"""cpu.sha256: SHA-256 of 1 MiB buffers, the GIL released while hashing.

One operation hashes the operation's number (8 bytes, little-endian)
followed by a fixed 1 MiB buffer. hashlib releases the GIL while it hashes
more than 2047 bytes at once, so threads can hash in parallel: this is
CPU-bound work that scales with threads on a GIL build, unlike pure Python.
The answer adds up the first 4 bytes of each digest (little-endian), which
keeps it below 2**53 (JSON numbers are doubles) for any sane size.

The C twin (workloads/native/sha256.c) hashes the same bytes with
OpenSSL's libcrypto, the library behind hashlib's sha256 on these builds.
Keep the buffer, the prefix and the split equal to the C file's.
"""

try:
    # What hashlib.sha256 is on every runtime gillab embeds here (OpenSSL's
    # EVP SHA-256, checked with `gillab-runner-TAG -c 'import hashlib;
    # print(hashlib.sha256)'`), taken directly: on 3.12.1 an own-GIL
    # subinterpreter that imported the whole hashlib module dies freeing an
    # invalid pointer when it ends, while _hashlib alone is fine.
    from _hashlib import openssl_sha256 as sha256
except ImportError:  # a build without OpenSSL: hashlib's own SHA-256
    from hashlib import sha256

BUF = bytes(range(256)) * 4096  # 1 MiB


def work(worker, nworkers, units):
    """Worker `worker` of `nworkers` hashes its block of the `units`
    buffers; returns (operations, sum of the digests' first 4 bytes)."""
    first = units * worker // nworkers
    end = units * (worker + 1) // nworkers
    total = 0
    for op in range(first, end):
        h = sha256(op.to_bytes(8, "little"))
        h.update(BUF)
        total += int.from_bytes(h.digest()[:4], "little")
    return end - first, total
