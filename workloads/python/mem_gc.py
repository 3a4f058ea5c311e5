"""mem.gc: allocation of cyclic garbage, the work of the cyclic GC.

Each operation makes a pair of objects that point at each other (and a dict
each): garbage that only the cyclic GC can reclaim. One pair in 64 is kept
for a while in a ring of 4096 slots, so that some cycles survive young
collections and the older generations have work too. The pauses come from
the GC probe every Python cell has (embed/gcprobe.c): the record's "gc"
object, with gc.get_stats()'s own count beside it. No C twin: C has no
cyclic GC to compare with. The answer is a checksum of the work.
"""

RING = 4096


class Node:
    def __init__(self, i):
        self.i = i
        self.peer = None
        self.attrs = {"i": i}


def work(worker, nworkers, units):
    first = units * worker // nworkers
    end = units * (worker + 1) // nworkers
    ring = [None] * RING
    check = 0
    for i in range(first, end):
        a, b = Node(i), Node(i + 1)
        a.peer, b.peer = b, a
        if i % 64 == 0:
            ring[(i >> 6) % RING] = a
        check += b.peer.i & 7
    return end - first, check
