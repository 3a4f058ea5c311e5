"""A poller: three threads that wake up now and then to look at a clock."""
import threading
import time

ticks = []


def poll(name):
    for _ in range(15):
        time.sleep(0.1)
        ticks.append((name, time.time()))


threads = [threading.Thread(target=poll, args=(f"poller-{i}",), name=f"poller-{i}")
           for i in range(3)]
[t.start() for t in threads]
[t.join() for t in threads]
print(len(ticks), "ticks")
