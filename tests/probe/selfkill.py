"""Works for a while with two threads, then dies by SIGKILL (a crash)."""
import os
import signal
import threading
import time


def work():
    end = time.monotonic() + 5
    while time.monotonic() < end:
        sum(range(1000))


for i in range(2):
    threading.Thread(target=work, name=f"doomed-{i}", daemon=True).start()
time.sleep(1.5)
os.kill(os.getpid(), signal.SIGKILL)
