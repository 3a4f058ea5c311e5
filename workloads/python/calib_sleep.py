"""calib.sleep: threads that sleep 1 ms at a time (the GIL released), so
their GIL wait must be about zero (gillab calibrate). `units` sleeps in all,
split across the workers."""

import time


def work(worker, nworkers, units):
    first = units * worker // nworkers
    end = units * (worker + 1) // nworkers
    for _ in range(first, end):
        time.sleep(0.001)
    return end - first, 0
