"""ipc.mp_queue: messages from a producer to a consumer over multiprocessing.Queue(64): put and get (a feeder thread writes to a pipe).

See gillab_ipc.py for the messages, the pairs of workers and the record.
"""

import gillab_ipc

MECHANISM = "mp_queue"
work = gillab_ipc.work
share = gillab_ipc.share
attach = gillab_ipc.attach
end = gillab_ipc.end


def begin(params):
    return gillab_ipc.begin(params, MECHANISM)
