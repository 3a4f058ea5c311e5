"""Works alone; the second worker trips over its input."""
UNITS = 2000


def parse_record(line):
    key, value = line.split("=")
    return key, int(value)


def work(worker, nworkers, units):
    done = 0
    for i in range(worker, units, nworkers):
        line = f"k{i}={i}" if worker == 0 else f"k{i}=oops"
        parse_record(line)
        done += 1
    return done, 0
