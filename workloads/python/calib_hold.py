"""calib.hold: ground truth for the GIL probe (gillab calibrate).

Worker 0 holds the GIL in C for known spans (_gillab.hold_gil), sleeping in
between (which releases the GIL); worker 1 keeps running Python meanwhile,
so each hold makes it wait for exactly that long. The answer is the total
time held, in microseconds: worker 1's measured GIL wait must equal it.
Needs 2 workers; `units` is the number of holds.
"""

import time

import _gillab

HOLD_S = 0.05
GAP_S = 0.02
_done = False


def work(worker, nworkers, units):
    global _done
    if nworkers != 2:
        raise ValueError("calib.hold needs exactly 2 workers")
    if worker == 0:
        held = 0.0
        for _ in range(units):
            time.sleep(GAP_S)
            held += _gillab.hold_gil(HOLD_S)
        _done = True
        return units, round(held * 1e6)
    spins = 0
    while not _done:
        spins += 1
    return spins, 0
