"""ipc.tcp: messages from a producer to a consumer over TCP on 127.0.0.1 with TCP_NODELAY.

See gillab_ipc.py for the messages, the pairs of workers and the record.
"""

import gillab_ipc

MECHANISM = "tcp"
work = gillab_ipc.work
share = gillab_ipc.share
attach = gillab_ipc.attach
end = gillab_ipc.end


def begin(params):
    return gillab_ipc.begin(params, MECHANISM)
