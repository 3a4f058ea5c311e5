"""ipc.shm: messages from a producer to a consumer over multiprocessing.shared_memory: a ring of 4 slots with two semaphores.

See gillab_ipc.py for the messages, the pairs of workers and the record.
"""

import gillab_ipc

MECHANISM = "shm"
work = gillab_ipc.work
share = gillab_ipc.share
attach = gillab_ipc.attach
end = gillab_ipc.end


def begin(params):
    return gillab_ipc.begin(params, MECHANISM)
