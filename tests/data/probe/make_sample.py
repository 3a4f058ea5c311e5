"""Writes a crafted set of per-process probe files (the format of
core/probefile.h) for the orchestrator's and reports' tests: a Python
parent whose two named threads contend for the GIL from the second
interval on, a child that is not Python, a Python child whose GIL the
probe could not verify, a free-threaded child whose GIL an import turned
on at t=1.5 s and whose threads park, killed without a final line and
with a torn last line, and a fork child of the parent (the same program)
that waited for nothing. Run: python3 make_sample.py (writes procs/)."""
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
            "last_ns": t, "gil_waits": waits,
            # the GIL wait the reports show is acquisition + forced switch
            "gil_wait_ns": wait - waits * 20_000,
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

def ft_thread(tid, name, t, park_frac, first):
    wall = t - first
    park = int(wall * park_frac)
    parks = park // 1_000_000
    return {"tid": tid, "name": name, "alive": True, "first_ns": first,
            "last_ns": t, "gil_waits": 0, "gil_wait_ns": 0, "gil_held_ns": 0,
            "drop_requests": 0, "switch_waits": 0, "switch_wait_ns": 0,
            "gil_hist": [], "parks": parks, "park_ns": park,
            "park_hist": hist(parks, 1_048_576), "cpu_ns": wall - park,
            "runq_ns": 0, "vcsw": parks, "ivcsw": 1}

def lines_free_threaded():
    start = T0 + 300_000_000
    out = [{"type": "process", "pid": 1006, "ppid": 1000,
            "exe": "/opt/python3.13t/bin/python3.13t", "argv": ["python3.13t", "ft.py"],
            "start_ns": start, "forked_from": None, "python": True},
           {"type": "runtime", "t_ns": start + 10_000_000, "version": "3.13.0",
            "hexversion": 0x030D00F0, "free_threaded": True, "probed": True, "reason": None,
            "layout": "debug offsets 3.13",
            "check": {"locked_while_held": True, "holder_is_self": True, "interval_us": 5000,
                      "switchinterval_us": 5000, "enabled_field": 0, "gil_enabled": False},
            "probe_tid": 1016}]
    for i in (1, 2):
        t = start + i * S
        on = i == 2
        out.append({"type": "interval", "t_ns": t, "final": False,
                    "process": {"switches": 0, "gil_enabled": on,
                                "gil_reenabled": {"t_ns": T0 + 1_500_000_000,
                                                  "modules": ["legacy_ext"]} if on else None,
                                "lost_threads": 0},
                    "threads": [ft_thread(1006, "MainThread", t, 0.0, start),
                                ft_thread(1007, "pool-1", t, 0.25, start)],
                    "gc": [{"gen": 0, "collections": 3 * i, "pause_ns": 300_000 * i,
                            "max_ns": 150_000, "hist": [[262_144, 3 * i]]}]})
    return out

def lines_fork_child():
    start = T0 + 2_500_000_000
    t = T0 + 3 * S
    return [{"type": "process", "pid": 1008, "ppid": 1000, "exe": "/usr/bin/python3.11",
             "argv": ["python3", "app.py"], "start_ns": start, "forked_from": 1000,
             "python": True},
            {"type": "runtime", "t_ns": start, "version": "3.11.2", "hexversion": 0x030B02F0,
             "free_threaded": False, "probed": True, "reason": None, "layout": "3.11 table",
             "check": {"locked_while_held": True, "holder_is_self": True, "interval_us": 5000,
                       "switchinterval_us": 5000, "enabled_field": None, "gil_enabled": None},
             "probe_tid": 1009},
            {"type": "interval", "t_ns": t, "final": True,
             "process": {"switches": 0, "gil_enabled": True, "gil_reenabled": None,
                         "lost_threads": 0},
             "threads": [thread(1008, None, t, 0.0, first=start)], "gc": []}]

def write(name, lines, torn=None):
    with open(os.path.join("procs", name), "w") as f:
        for line in lines:
            f.write(json.dumps(line, separators=(",", ":")) + "\n")
        if torn:
            f.write(torn)

os.makedirs("procs", exist_ok=True)
write("proc-1006-%d.jsonl" % (T0 + 300_000_000), lines_free_threaded(),
      torn='{"type":"interval","t_ns":1002300000000,"final":fa')
write("proc-1008-%d.jsonl" % (T0 + 2_500_000_000), lines_fork_child())
for name, lines in (("proc-1000-%d.jsonl" % T0, lines_parent()),
                    ("proc-1001-%d.jsonl" % (T0 + 100_000_000), lines_sleep()),
                    ("proc-1004-%d.jsonl" % (T0 + 200_000_000), lines_unverified())):
    with open(os.path.join("procs", name), "w") as f:
        for line in lines:
            f.write(json.dumps(line, separators=(",", ":")) + "\n")
