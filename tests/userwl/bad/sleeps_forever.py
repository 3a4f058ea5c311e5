"""Waits for a server that never answers."""
import time

UNITS = 10


def work(worker, nworkers, units):
    while True:
        time.sleep(1)
