"""A workload whose file name is a standard library module's."""
UNITS = 10


def work(worker, nworkers, units):
    return units
