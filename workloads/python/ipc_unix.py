"""ipc.unix: messages from a producer to a consumer over a Unix domain stream socket (socket.socketpair).

See gillab_ipc.py for the messages, the pairs of workers and the record.
"""

import gillab_ipc

MECHANISM = "unix"
work = gillab_ipc.work
share = gillab_ipc.share
attach = gillab_ipc.attach
end = gillab_ipc.end


def begin(params):
    return gillab_ipc.begin(params, MECHANISM)
