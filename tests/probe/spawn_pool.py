"""Fans work out to a pool of 2 spawned processes; each task uses 2 threads."""
import multiprocessing
import threading
import time


def spin(until):
    x = 0
    while time.monotonic() < until:
        x = (x * 31 + 7) % 1000003
    return x


def task(seconds):
    until = time.monotonic() + seconds
    pair = [threading.Thread(target=spin, args=(until,), name=f"half-{k}")
            for k in range(2)]
    for t in pair:
        t.start()
    for t in pair:
        t.join()
    return seconds


if __name__ == "__main__":
    ctx = multiprocessing.get_context("spawn")
    pool = ctx.Pool(processes=2)
    print(sum(pool.map(task, [1.5, 1.5], chunksize=1)))
    pool.close()
    pool.join()
