"""ipc.queue: messages from a producer to a consumer over queue.Queue(64) between threads: the object itself moves, no copy.

See gillab_ipc.py for the messages, the pairs of workers and the record.
"""

import gillab_ipc

MECHANISM = "queue"
work = gillab_ipc.work
share = gillab_ipc.share
attach = gillab_ipc.attach
end = gillab_ipc.end


def begin(params):
    return gillab_ipc.begin(params, MECHANISM)
