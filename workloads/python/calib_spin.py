"""calib.spin: N threads run Python for the same span (gillab calibrate).

Every worker spins until worker 0 has seen `units` milliseconds pass, so all
of them are CPU-bound for the whole span: with a GIL each must wait for it
(N-1)/N of the time. (cpu.primes would do, but its workers finish one after
the other, and the last runs alone.)
"""

import time

_done = False


def work(worker, nworkers, units):
    global _done
    spins = 0
    if worker == 0:
        end = time.perf_counter() + units / 1000
        while not _done:
            spins += 1
            if (spins & 1023) == 0 and time.perf_counter() >= end:
                _done = True
    else:
        while not _done:
            spins += 1
    return spins, 0
