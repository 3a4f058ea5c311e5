"""mem.cow_freeze: mem.cow with gc.freeze() in the parent before the fork
(see mem_cow.py): the heap moves to the collector's permanent generation,
which no collection examines, so a child's gc.collect() leaves its GC
headers alone; what it cannot stop is the reference-count writes of
reading the objects."""

import mem_cow

work = mem_cow.work
end = mem_cow.end


def begin(params):
    return mem_cow.begin(params, freeze=True)
