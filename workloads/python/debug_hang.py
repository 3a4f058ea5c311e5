"""debug.hang: never finishes, to test the per-cell timeout."""

import time


def work(worker, nworkers, units):
    while True:
        time.sleep(3600)
