#!/usr/bin/env python3
"""Two worker threads that crunch numbers for a while (default 2 s)."""
import sys
import threading
import time

SECONDS = float(sys.argv[1]) if len(sys.argv) > 1 else 2.0


def crunch(deadline):
    total = 0
    while time.monotonic() < deadline:
        total += sum(i * i for i in range(2000))
    return total


deadline = time.monotonic() + SECONDS
workers = [threading.Thread(target=crunch, args=(deadline,), name=name)
           for name in ("parser", "scorer")]
for w in workers:
    w.start()
for w in workers:
    w.join()
print("done")
