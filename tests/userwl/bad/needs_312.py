"""Needs Python 3.12 (a module this file pretends only 3.12 and newer have)."""
import sys

if sys.version_info < (3, 12):
    import gillab_test_module_only_on_312  # noqa: F401  (no such module)

UNITS = 3000


def work(worker, nworkers, units):
    total = 0
    for i in range(worker, units, nworkers):
        total += i * i % 7
    return len(range(worker, units, nworkers)), total
