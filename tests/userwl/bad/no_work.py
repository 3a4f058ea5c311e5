"""The function has another name than work."""
UNITS = 10


def do_work(worker, nworkers, units):
    return units
