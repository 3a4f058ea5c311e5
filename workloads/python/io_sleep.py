"""io.sleep: many 1 ms waits, the I/O-bound situation in its purest form.

One operation is one 1 ms sleep: time.sleep in work() (threads, processes;
the GIL is released while a thread sleeps) and asyncio.sleep in awork()
(the asyncio model: one event loop, every worker a task). The answer counts
the sleeps. The registry runs io.sleep with weak scaling (units per worker):
each worker is one waiter doing the same number of sleeps whatever the
worker count, so N waiters ideally finish in the time of one and throughput
grows N-fold; the shortfall is what the model costs per wake-up.

The C twin (workloads/native/sleep.c) sleeps with nanosleep.
"""

import time

SLEEP_S = 0.001


def work(worker, nworkers, units):
    """Worker `worker` of `nworkers` sleeps its share of `units` times
    1 ms; returns (operations, operations)."""
    first = units * worker // nworkers
    end = units * (worker + 1) // nworkers
    for _ in range(first, end):
        time.sleep(SLEEP_S)
    return end - first, end - first


async def awork(worker, nworkers, units):
    """The same as work(), as a coroutine sleeping with asyncio.sleep."""
    # Imported here, not at the top: the subinterpreters model imports this
    # module in each interpreter and calls work() only, and on 3.12.1 an
    # own-GIL subinterpreter that imported _asyncio crashes at its end.
    import asyncio

    first = units * worker // nworkers
    end = units * (worker + 1) // nworkers
    for _ in range(first, end):
        await asyncio.sleep(SLEEP_S)
    return end - first, end - first
