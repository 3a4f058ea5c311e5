/* probefile — the contract between the probe library that `gillab probe`
 * puts into a user's processes (embed/preload.c, libgillab-probe.so, loaded
 * with LD_PRELOAD) and the orchestrator that reads what it wrote
 * (lab/probe.c and the reports).
 *
 * The orchestrator sets PROBEFILE_ENV_DIR to a directory it made; every
 * process of the command's tree that loads the library (all of them:
 * children inherit LD_PRELOAD) writes one file there per program image:
 *
 *   DIR/proc-<pid>-<start_ns>.jsonl
 *
 * (a process that execs a new program starts a new file; a fork child
 * starts its own). One JSON object per line, each line written with one
 * write(2) and ended by '\n'; a process killed mid-run leaves whole lines
 * up to its last interval, so at most one interval is lost. Times are
 * CLOCK_MONOTONIC nanoseconds (one clock for every process of the machine),
 * durations nanoseconds, counts plain integers. Lines, in this order:
 *
 * {"type":"process", "pid", "ppid", "exe" (readlink /proc/self/exe),
 *  "argv": [..] (from /proc/self/cmdline, at most 64 items), "start_ns",
 *  "forked_from": the parent's pid when this file was started by a fork
 *  child (same program image as the parent), else null,
 *  "python": true when the image is CPython (it exports Py_Version), else
 *  false — and then no other line follows: the process runs unprobed}
 *
 * {"type":"runtime", "t_ns", "version": "3.11.2", "hexversion",
 *  "free_threaded": bool, "probed": bool, "reason": why not probed or
 *  null, "layout": where the GIL was found ("3.11 table", "3.12 table",
 *  "debug offsets 3.13", ...) or null, "check": what was verified before
 *  trusting it: {"locked_while_held": bool, "holder_is_self": bool,
 *  "interval_us": the GIL's interval field, "switchinterval_us":
 *  sys.getswitchinterval() in us, "enabled_field": free-threaded builds'
 *  GIL enabled field or null, "gil_enabled": sys._is_gil_enabled() or
 *  null}, "probe_tid": the probe's own thread (never listed below)}
 *  When "probed" is false no figure of the GIL, GC or parks follows, but
 *  interval lines still come, with the per-thread OS figures only (the
 *  gil and park fields absent).
 *
 * {"type":"interval", "t_ns", "final": false, or true for the last line
 *  written at a normal exit (absent when the process was killed),
 *  "process": {"switches": the GIL's switch_number since the probe
 *   started (hand-offs), "gil_enabled": bool (free-threaded: the enabled
 *   field now; GIL builds: true), "gil_reenabled": null or
 *   {"t_ns": when it was first seen on, "modules": [names of extension
 *   modules imported since the last interval it was off]},
 *   "lost_threads": threads whose events were not counted (no slot)},
 *  "threads": [ one per thread seen since the process started, alive or
 *   not, CUMULATIVE since the thread was first seen:
 *   {"tid", "name": the Python thread name (threading) or null, "alive",
 *    "first_ns", "last_ns" (when the thread was last seen alive),
 *    "gil_waits": contended acquisitions, "gil_wait_ns": their latency,
 *    "gil_held_ns": time holding the GIL, "drop_requests",
 *    "switch_waits", "switch_wait_ns": forced-switch waits (a holder
 *    waiting for the taker after dropping on request),
 *    "gil_hist": [[upper_ns, count], ...] acquisition latency, non-empty
 *    buckets only (log-linear, 8 per power of two),
 *    "parks", "park_ns", "park_hist": waits on semaphores (PyMutex and
 *    parking-lot parks in free-threaded builds, threading.Lock and
 *    queue waits in every build),
 *    "cpu_ns", "runq_ns" (from /proc/self/task/TID/schedstat), "vcsw",
 *    "ivcsw" (voluntary and involuntary context switches)}],
 *  "gc": [ {"gen": 0|1|2, "collections", "pause_ns", "max_ns",
 *   "hist": [[upper_ns, count], ...]} ] cumulative}
 *
 * {"type":"trace", "events": [[kind, tid, start_ns, dur_ns, arg], ...],
 *  "dropped": events lost since the last trace line (the ring was full)}
 *  kind is "gil_wait" (only waits of at least PROBEFILE_ENV_TRACE_MIN_US),
 *  "gil_hold" (same threshold), "park" (same threshold), "gc" (arg: the
 *  generation; always) or "drop_request" (dur 0). Written only when
 *  PROBEFILE_ENV_TRACE is set; one line per interval at most.
 *
 * Wall time of a thread = last_ns - first_ns; blocked = wall - cpu - runq.
 */
#ifndef GILLAB_PROBEFILE_H
#define GILLAB_PROBEFILE_H

/* The directory the library writes to; unset: the library does nothing. */
#define PROBEFILE_ENV_DIR "GILLAB_PROBE_DIR"
/* The interval between lines, in milliseconds (default 1000). */
#define PROBEFILE_ENV_INTERVAL_MS "GILLAB_PROBE_INTERVAL_MS"
/* Set to 1: record trace events (bounded per thread). */
#define PROBEFILE_ENV_TRACE "GILLAB_PROBE_TRACE"
/* Trace threshold for waits, holds and parks, in microseconds (default
 * 100). */
#define PROBEFILE_ENV_TRACE_MIN_US "GILLAB_PROBE_TRACE_MIN_US"
/* Test hook: the library treats the GIL as if its layout were shifted by
 * this many bytes, so the check must refuse it. */
#define PROBEFILE_ENV_TEST_SHIFT "GILLAB_PROBE_TEST_LAYOUT_SHIFT"
/* The library's file name, next to the gillab binary. */
#define PROBEFILE_LIBRARY "libgillab-probe.so"

#endif
