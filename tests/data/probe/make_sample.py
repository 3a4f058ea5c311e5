"""Writes a crafted set of per-process probe files (the format of
core/probefile.h) for the orchestrator's and reports' tests: a Python
parent whose two named threads contend for the GIL from the second
interval on, a child that is not Python, and a Python child whose GIL the
probe could not verify. Run: python3 make_sample.py (writes procs/)."""
import json, os

T0 = 1_000_000_000_000  # CLOCK_MONOTONIC ns at the command's start
S = 1_000_000_000

def hist(n, upper):
    return [[upper, n]] if n else []

def thread(tid, name, t, wait_frac, first=T0, alive=True):
    wall = t - first
    wait = int(wall * wait_frac)
    waits = wait // 5_000_000
    return {"tid": tid, "name": name, "alive": alive, "first_ns": first,
            "last_ns": t, "gil_waits": waits, "gil_wait_ns": wait,
            "gil_held_ns": wall - wait, "drop_requests": waits,
            "switch_waits": waits // 2, "switch_wait_ns": waits * 20_000,
            "gil_hist": hist(waits, 5_242_880), "parks": 1 if name == "MainThread" else 0,
            "park_ns": wall if name == "MainThread" else 0,
            "park_hist": hist(1 if name == "MainThread" else 0, 4_294_967_296),
            "cpu_ns": wall - wait, "runq_ns": 1_000_000, "vcsw": waits, "ivcsw": 3}

def lines_parent():
    out = [{"type": "process", "pid": 1000, "ppid": 999, "exe": "/usr/bin/python3.11",
            "argv": ["python3", "app.py"], "start_ns": T0, "forked_from": None, "python": True},
           {"type": "runtime", "t_ns": T0 + 20_000_000, "version": "3.11.2", "hexversion": 0x030B02F0,
            "free_threaded": False, "probed": True, "reason": None, "layout": "3.11 table",
            "check": {"locked_while_held": True, "holder_is_self": True, "interval_us": 5000,
                      "switchinterval_us": 5000, "enabled_field": None, "gil_enabled": None},
            "probe_tid": 1009}]
    for i in (1, 2, 3):
        t = T0 + i * S
        frac = 0.0 if i == 1 else 0.5 * (t - T0 - S) / (t - T0)
        ths = [{**thread(1000, "MainThread", t, 0.0), "gil_held_ns": 0, "cpu_ns": 10_000_000},
               thread(1002, "worker-a", t, frac), thread(1003, "worker-b", t, frac)]
        out.append({"type": "interval", "t_ns": t, "final": i == 3,
                    "process": {"switches": 200 * (i - 1), "gil_enabled": True,
                                "gil_reenabled": None, "lost_threads": 0},
                    "threads": ths,
                    "gc": [{"gen": g, "collections": 10 * i >> g, "pause_ns": 50_000 * i << g,
                            "max_ns": 20_000 << g, "hist": [[32_768 << g, 10 * i >> g]]} for g in (0, 1, 2)]})
        if i >= 2:
            out.append({"type": "trace", "dropped": 0, "events": [
                ["gil_wait", 1002, t - 500_000_000, 5_100_000, None],
                ["gil_hold", 1003, t - 500_000_000, 5_000_000, None],
                ["drop_request", 1002, t - 495_000_000, 0, None],
                ["gc", 1003, t - 400_000_000, 120_000, 2],
                ["park", 1000, t - S, S, None]]})
    return out

def lines_sleep():
    return [{"type": "process", "pid": 1001, "ppid": 1000, "exe": "/usr/bin/sleep",
             "argv": ["sleep", "1"], "start_ns": T0 + 100_000_000, "forked_from": None, "python": False}]

def lines_unverified():
    t = T0 + 2 * S
    return [{"type": "process", "pid": 1004, "ppid": 1000, "exe": "/opt/python3.15/bin/python3.15",
             "argv": ["python3.15", "-c", "pass"], "start_ns": T0 + 200_000_000, "forked_from": None,
             "python": True},
            {"type": "runtime", "t_ns": T0 + 210_000_000, "version": "3.15.0a1", "hexversion": 0x030F00A1,
             "free_threaded": False, "probed": False,
             "reason": "no known GIL layout for CPython 3.15 (debug offsets version 0x30f00a1 unknown)",
             "layout": None, "check": None, "probe_tid": 1005},
            {"type": "interval", "t_ns": t, "final": True, "process": {"gil_enabled": None},
             "threads": [{"tid": 1004, "name": None, "alive": True, "first_ns": T0 + 200_000_000,
                          "last_ns": t, "cpu_ns": 1_700_000_000, "runq_ns": 2_000_000,
                          "vcsw": 2, "ivcsw": 5}], "gc": []}]

os.makedirs("procs", exist_ok=True)
for name, lines in (("proc-1000-%d.jsonl" % T0, lines_parent()),
                    ("proc-1001-%d.jsonl" % (T0 + 100_000_000), lines_sleep()),
                    ("proc-1004-%d.jsonl" % (T0 + 200_000_000), lines_unverified())):
    with open(os.path.join("procs", name), "w") as f:
        for line in lines:
            f.write(json.dumps(line, separators=(",", ":")) + "\n")
