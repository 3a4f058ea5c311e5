"""debug.raise: the workload raises, to test that the exception's text
reaches the cell record."""


def work(worker, nworkers, units):
    raise ValueError(f"debug.raise: worker {worker} fails on purpose")
