"""debug.crash: the process aborts, to test that gillab records a crashed
cell as failed and goes on with the others."""

import os
import time


def work(worker, nworkers, units):
    time.sleep(0.05)
    if worker == 0:
        os.abort()
    time.sleep(3600)
    return 0, 0
