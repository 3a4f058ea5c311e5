"""ipc.xi_queue: messages from a producer to a consumer, two subinterpreters of one process, through the runtime's cross-interpreter queue (3.13+ _interpqueues; a channel on 3.11 and 3.12), polled: no copy through the kernel, a copy into the consumer's interpreter.

See gillab_ipc.py for the messages, the pairs of workers and the record,
and gillab_xi.py for the APIs and why the sides poll.
"""

import gillab_ipc

MECHANISM = "xi_queue"
work = gillab_ipc.work
share = gillab_ipc.share
attach = gillab_ipc.attach
end = gillab_ipc.end


def begin(params):
    return gillab_ipc.begin(params, MECHANISM)
