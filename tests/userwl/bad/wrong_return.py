"""Returns a message instead of numbers."""
UNITS = 10


def work(worker, nworkers, units):
    return f"processed {units} items"
