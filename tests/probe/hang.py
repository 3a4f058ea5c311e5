import threading
import time
threading.Thread(target=lambda: time.sleep(3600), name="stuck", daemon=True).start()
while True:
    time.sleep(0.05)
