"""Forgot a comma."""


def work(worker, nworkers units):
    return units
