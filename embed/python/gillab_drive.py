"""Drivers of the Python execution models, called by the runner (embed/cell.c).

Each driver runs a workload module's work(worker, nworkers, units) under one
model and returns {"wall_s", "ops", "answer", "start_ns"} (start_ns: when the
timed region began, on _gillab.now_ns's clock). Workers register with
_gillab.worker_enter(i), which binds them where the cell's placement says,
before a start barrier, call _gillab.worker_begin(i) when it releases them
and _gillab.worker_leave(i) when done; the timed region runs from the
barrier's release to the last worker's end, as in the native drivers
(workloads/native/).

Every driver calls _gillab.mem_baseline() once the workload is imported,
just before it creates its workers: the cell's memory before them, against
which the record's `mem.per_worker_kb` says what each worker added
(embed/memuse.h). The processes driver also ends the memory region itself
(_gillab.mem_end) when its clock stops, and hands over each worker
process's own reading, which the worker takes after sending its report.

Every driver also reports what it observed of the cell's set-up, as the
record's `applied` (_applied): the switch interval, how str hashes and the
GIL probe's state in this process, and each worker's own view of itself
once bound (_worker_view: the CPUs the kernel lets it run on, the warm-up it
ran, measured around the loop, and, in worker processes and interpreters,
the same readings taken there). Read back, never copied from what the
runner was asked for.

A workload may add fields of its own to the record (core/wl.h):
work() may return (ops, answer, extra), and the module may define
begin(params) -> state, called here before the workers start, and
end(state, extras, wall_s) -> dict of record fields, called after the timed
region; under `processes`, share(state) -> object goes to every worker
process, which calls the module's attach(object) before the barrier. Under
`subinterpreters` the same hooks run in the main interpreter, for the
built-in workloads: what share returns goes to every worker's interpreter
pickled, and each worker's extra comes back pickled (objects cannot cross
interpreters). `params` (from the runner) also asks for the hiccup probe:
{"hiccup": true} runs a Python thread that sleeps 1 ms at a time and records
how late it wakes up, outside the workers (not bound, not counted).

A user workload (a Python file given to `gillab run -w`; README, "Bring your
own workload") comes as `user` = {"file", "func"}: the drivers put
the file's directory first on sys.path and import it by its stem (so that
spawned and forkserver children, which inherit sys.path, and
subinterpreters import it the same way), call its `func` instead of work(),
call its setup(params) once per worker process or interpreter (once in the
process for threads and asyncio) before the timed region, and report in
`applied.workload` the file they ran and the SHA-256 of its bytes.
`inspect` tells the orchestrator what such a file offers. Every work
function may return ops, (ops, answer) or (ops, answer, extra) (_result).
"""

import ast
import importlib
import importlib.util
import json
import operator
import os
import pickle
import sys
import sysconfig
import threading
import time
import traceback

import _gillab
import gillab_env
import gillab_lat

# The process this module was imported in: a forked worker inherits it
# from its parent, a spawned one imports it itself (_started_by).
_IMPORTED_IN = os.getpid()


class _Hiccup:
    """A Python thread sleeping 1 ms in a loop, recording its lateness (the
    GIL, the GC and the OS together). Unbound: it runs where the OS puts
    it, and is not one of the cell's workers."""

    PERIOD_NS = 1_000_000

    def __init__(self):
        self.samples = []  # (woke_ns, late_ns)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="gillab-hiccup",
                                       daemon=True)
        self.thread.start()

    def _run(self):
        now, sleep, period = time.monotonic_ns, time.sleep, self.PERIOD_NS
        add, cpu, cpus = self.samples.append, _gillab.cpu, set()
        while not self.stop.is_set():
            t0 = now()
            sleep(period / 1e9)
            t1 = now()
            add((t0, t1 - t0 - period))
            cpus.add(cpu())
        self.cpus = sorted(cpus)

    def report(self, t0, t1):
        """Lateness of the sleeps that lay inside the timed region."""
        self.stop.set()
        self.thread.join()
        late = [max(0, d) for w, d in self.samples if w >= t0 and w <= t1]
        return {"python_us": gillab_lat.summary(late),
                "python_cpus_seen": self.cpus}


def _begin(mod, params, model, workers, units):
    """The module's begin hook, and the hiccup thread when asked for."""
    p = dict(params or {})
    p.update(model=model, workers=workers, units=units)
    state = mod.begin(p) if hasattr(mod, "begin") else None
    hiccup = _Hiccup() if p.get("hiccup") else None
    return state, hiccup


def _finish(mod, state, hiccup, results, out, t0):
    """ops, answer and the module's own fields into out (the driver's
    result); results are the workers' return values."""
    out["ops"] = sum(r[0] for r in results)
    # Summed modulo 2^64, as the C twins' uint64 answers add up; None when
    # a work function returned ops alone.
    answers = [r[1] for r in results]
    out["answer"] = (None if None in answers
                     else sum(answers) % _ANSWER_MODULUS)
    extras = [r[2] for r in results]
    if hiccup:
        out["hiccup"] = hiccup.report(t0, t0 + int(out["wall_s"] * 1e9))
    if hasattr(mod, "end"):
        out.update(mod.end(state, extras, out["wall_s"]))
    return out


def _gil_enabled():
    is_gil_enabled = getattr(sys, "_is_gil_enabled", None)
    return is_gil_enabled() if is_gil_enabled else True


def _gil_report(before_import):
    """The GIL's state for the record. On a free-threaded build, importing
    an extension module that does not declare Py_mod_gil turns the GIL back
    on: `reenabled` says the workload's imports did that."""
    free_threaded = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
    enabled = _gil_enabled()
    return {
        "enabled": enabled,
        "free_threaded_build": free_threaded,
        "reenabled": free_threaded and not before_import and enabled,
    }


def _hash_view(seed):
    """How this process hashes str, seen from inside it: hash("gillab") (the
    same in every process that hashes alike; 64 bits as hex, which JSON
    numbers would round), sys.flags.hash_randomization, and hash_seed:
    `seed`, the cell's, when this process's hash secret is the one that seed
    gives (_gillab.hash_secret_is), else None (a random seed, or not the
    one asked for)."""
    seed = -1 if seed is None else seed
    return {
        "hash_gillab": format(hash("gillab") & 0xFFFFFFFFFFFFFFFF, "016x"),
        "hash_randomization": bool(sys.flags.hash_randomization),
        "hash_seed": seed if seed >= 0 and _gillab.hash_secret_is(seed)
        else None,
    }


def _worker_view(i, warmup_s, seed):
    """What worker i sees of itself, on its own thread once bound: the CPUs
    the kernel lets it run on, the warm-up it ran (seconds, measured around
    the loop; 0.0 when none ran), its interpreter's switch interval and how
    its process hashes."""
    view = {"worker": i, "cpus": _gillab.affinity(), "warmup_s": warmup_s,
            "switch_interval_s": sys.getswitchinterval()}
    view.update(_hash_view(seed))
    return view


def _applied(params, views, **more):
    """The record's `applied`: what this (main) process observes of the
    cell's set-up, `more` (e.g. the start method its processes were started
    with) and the workers' own views, by worker."""
    applied = {"switch_interval_s": sys.getswitchinterval()}
    applied.update(_hash_view((params or {}).get("hash_seed")))
    applied["gil_probe"] = _gillab.probe_state()
    applied.update(gillab_env.applied(views))  # the user's environment
    applied.update(more)
    applied["workers"] = sorted(views, key=lambda v: v["worker"])
    return applied


def _started_by(main_pid):
    """How this worker process was started, told from inside it: a fork
    server's child has the server, not the cell's main process, for parent;
    a forked child inherited this module, imported in another process; a
    spawned one imported it itself."""
    if os.getppid() != main_pid:
        return "forkserver"
    return "fork" if _IMPORTED_IN != os.getpid() else "spawn"


_ANSWER_MODULUS = 2 ** 64
_EXPECTED = ("expected ops, (ops, answer) or (ops, answer, extra), ops and "
             "answer whole numbers (ops >= 0)")


def _whole(x):
    """x as an int when it is a whole number (an int, or anything with
    __index__ such as numpy's integers), not a bool; else TypeError."""
    if isinstance(x, bool):
        raise TypeError
    return operator.index(x)


def _result(r, name="work"):
    """(ops, answer, extra) from what a work function returned: ops,
    (ops, answer) or (ops, answer, extra) (a list of two or three works
    too). answer is taken modulo 2^64 (None when only ops came back), extra
    is None when absent. Anything else is a TypeError saying what came back
    and what is expected."""
    try:
        if isinstance(r, (tuple, list)):
            if not 2 <= len(r) <= 3:
                raise TypeError
            ops, answer = _whole(r[0]), _whole(r[1]) % _ANSWER_MODULUS
            extra = r[2] if len(r) == 3 else None
        else:
            ops, answer, extra = _whole(r), None, None
        if not 0 <= ops < _ANSWER_MODULUS:
            raise TypeError
    except TypeError:
        shown = repr(r)
        if len(shown) > 120:
            shown = shown[:117] + "..."
        raise TypeError(f"{name}() returned {shown} ({type(r).__name__}); "
                        f"{_EXPECTED}") from None
    return ops, answer, extra


class _Loaded:
    """A workload as a driver uses it: its module, the work function and
    its name, the coroutine function awork (or None), and for a user
    workload what was run (applied["workload"])."""

    def __init__(self, mod, func, user, ran=None):
        self.mod = mod
        self.name = func
        self.work = getattr(mod, func)
        self.awork = getattr(mod, "awork", None)
        self.user = user
        self.ran = ran


def _file_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def _sha256(data):
    import hashlib  # here: built-in workloads do not pay for the import
    return hashlib.sha256(data).hexdigest()


def _user_dir_first(file):
    """Puts the directory of a user workload's file first on sys.path, and
    returns the module name it is imported by: its stem."""
    where = os.path.dirname(file)
    if sys.path[:1] != [where]:
        sys.path.insert(0, where)
    return os.path.splitext(os.path.basename(file))[0]


class _NameTaken(Exception):
    """A user workload's stem names another module."""


def _user_import(file):
    """Imports the user workload at `file` by its stem, from the bytes read
    here (so that the SHA-256 is of what ran). Returns (module, sha256)."""
    name = _user_dir_first(file)
    mod = sys.modules.get(name)
    if mod is not None and getattr(mod, "__file__", None) and \
            os.path.realpath(mod.__file__) == os.path.realpath(file):
        return mod, _sha256(_file_bytes(file))  # imported already
    spec = importlib.util.find_spec(name) if mod is None else None
    origin = getattr(spec, "origin", None)
    if not origin or os.path.realpath(origin) != os.path.realpath(file):
        other = sys.modules.get(name)
        where = getattr(other, "__file__", None) or origin or "built in"
        raise _NameTaken(
            f"{file}: its module name '{name}' is already taken by "
            f"{where} (the standard library's or gillab's own); rename "
            f"the file")
    data = _file_bytes(file)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    try:
        exec(compile(data, file, "exec"), mod.__dict__)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return mod, _sha256(data)


def _load(module, user):
    """The workload of a driver, in the cell's main process: a built-in
    module by name, or the user's file (user: {"file", "func"})."""
    if not user:
        return _Loaded(importlib.import_module(module), "work", None)
    mod, sha = _user_import(user["file"])
    return _Loaded(mod, user["func"], user,
                   {"file": os.path.realpath(mod.__file__), "sha256": sha,
                    "func": user["func"]})


def _setup(mod, params, **more):
    """Calls a user workload's setup(params) (with `more`, e.g. the
    worker's index) and returns the seconds it took; None when params is
    None (a built-in workload, which gets no setup) or mod has no setup."""
    setup = getattr(mod, "setup", None)
    if params is None or not callable(setup):
        return None
    t0 = time.perf_counter()
    setup(dict(params, **more))
    return time.perf_counter() - t0


def _setup_params(model, workers, units, start_method=None, user=True):
    """What setup(params) gets (README, "Bring your own workload"); None
    when there is no user workload (user false), which no setup runs for."""
    if not user:
        return None
    p = {"model": model, "workers": workers, "units": units}
    if start_method:
        p["start_method"] = start_method
    return p


def _toplevel_names(tree):
    """The names a module's top level binds (def, class, assignment,
    import), read from its syntax tree without running it."""
    names = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef,
                             ast.ClassDef)):
            names[node.name] = node
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = (node.targets if isinstance(node, ast.Assign)
                       else [node.target])
            for t in targets:
                if isinstance(t, ast.Name):
                    names[t.id] = node
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for a in node.names:
                names[(a.asname or a.name).split(".")[0]] = node
    return names


def _last_lines(exc, n=12):
    """The end of exc's traceback (where its message is), as text, without
    the frames of this module (the user's own code is what they read)."""
    tb = exc.__traceback__
    while tb and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next
    lines = "".join(traceback.format_exception(
        type(exc), exc, tb)).rstrip().splitlines()
    return "\n".join(lines[-n:])


def inspect(file, func="work"):
    """What the user workload at `file` offers, for the orchestrator
    (`gillab-runner-TAG --inspect FILE[:func]`, lab/userwl.c): {"module",
    "work" (func is a callable), "awork" (a coroutine function),
    "setup" (a callable), "units" (UNITS, a whole number > 0, or None),
    "summary" (the first line of its docstring, or None), "error" (why it
    cannot run anywhere: a syntax error as file:line, no such function, not
    callable, a name taken, an exception at import; else None),
    "import_error" (an ImportError at import on this runtime, which
    another runtime may not raise: the file's syntax tree then answers)}."""
    import asyncio
    out = {"module": None, "work": False, "awork": False, "setup": False,
           "units": None, "summary": None, "error": None,
           "import_error": None}
    try:
        data = _file_bytes(file)
        tree = compile(data, file, "exec", ast.PyCF_ONLY_AST)
    except SyntaxError as e:
        out["error"] = (f"{e.filename}:{e.lineno}: SyntaxError: {e.msg}"
                        + (f"\n    {e.text.strip()}" if e.text else ""))
        return out
    except (OSError, ValueError) as e:
        out["error"] = f"{file}: {e}"
        return out
    doc = ast.get_docstring(tree)
    out["summary"] = doc.strip().splitlines()[0] if doc else None
    out["module"] = _user_dir_first(file)
    try:
        mod, _ = _user_import(file)
    except _NameTaken as e:
        out["error"] = str(e)
        return out
    except ImportError as e:
        mod = None
        out["import_error"] = _last_lines(e)
    except BaseException as e:
        out["error"] = (f"{file}: importing it raised an exception:\n"
                        f"{_last_lines(e)}")
        return out
    if mod is not None:
        work, units = getattr(mod, func, None), getattr(mod, "UNITS", None)
        out["work"] = callable(work)
        out["awork"] = asyncio.iscoroutinefunction(getattr(mod, "awork", None))
        out["setup"] = callable(getattr(mod, "setup", None))
        if work is None:
            out["error"] = f"{file} defines no function {func}()"
        elif not callable(work):
            kind = type(work).__name__
            out["error"] = (f"{file}: {func} is a"
                            f"{'n' if kind[0] in 'aeiou' else ''} {kind}, "
                            f"not a function")
    else:
        names = _toplevel_names(tree)
        node = names.get(func)
        out["work"] = node is not None
        out["awork"] = isinstance(names.get("awork"), ast.AsyncFunctionDef)
        out["setup"] = "setup" in names
        units = names.get("UNITS")
        try:
            units = ast.literal_eval(units.value) if units else None
        except ValueError:
            units = "not a literal"
        if node is None:
            out["error"] = f"{file} defines no function {func}()"
    if units is not None:
        try:
            units = _whole(units)
            if units <= 0:
                raise TypeError
            out["units"] = units
        except TypeError:
            out["error"] = out["error"] or (
                f"{file}: UNITS is {units!r}; it must be a whole number "
                f"above 0 (the operations of one cell at --size 1)")
    return out


def threads(module, workers, units, switch_interval=None, params=None,
            user=None):
    """Model `threads`: `workers` Python threads in this interpreter."""
    if switch_interval:
        sys.setswitchinterval(switch_interval)
    gil_before_import = _gil_enabled()
    wl = _load(module, user)
    mod = wl.mod
    setup_s = _setup(mod, _setup_params("threads", workers, units, user=user))
    state, hiccup = _begin(mod, params, "threads", workers, units)
    seed = (params or {}).get("hash_seed")
    start = threading.Barrier(workers + 1)
    results = [None] * workers
    errors = [None] * workers
    views = [None] * workers
    _gillab.mem_baseline()

    def worker(i):
        try:
            _gillab.worker_enter(i)
            views[i] = _worker_view(i, 0.0, seed)
        except BaseException as e:  # still reach the barrier: see below
            errors[i] = e
        # Every worker reaches the barrier, even one that failed to bind,
        # so the others are not left waiting.
        start.wait()
        _gillab.worker_begin(i)
        if errors[i] is None:
            try:
                results[i] = _result(wl.work(i, workers, units), wl.name)
            except BaseException as e:
                errors[i] = e
        _gillab.worker_leave(i)

    pool = [threading.Thread(target=worker, args=(i,), name=f"gillab-worker-{i}")
            for i in range(workers)]
    for t in pool:
        t.start()
    start.wait()
    t0 = _gillab.now_ns()
    for t in pool:
        t.join()
    wall_ns = _gillab.now_ns() - t0
    for i, e in enumerate(errors):
        if e is not None:
            if hasattr(mod, "end"):
                mod.end(state, [None] * workers, 0)
            raise RuntimeError(f"worker {i} of {workers} failed: {e!r}") from e
    out = {
        "wall_s": wall_ns / 1e9,
        "start_ns": t0,
        "gil": _gil_report(gil_before_import),
        "applied": _applied(params, views, **_ran(wl, setup_s)),
    }
    return _finish(mod, state, hiccup, results, out, t0)


def _ran(wl, setup_s=None):
    """applied's account of a user workload: the file run and its hash
    (workload), and the seconds its setup took in this process (setup_s);
    nothing for a built-in workload."""
    more = {"workload": wl.ran} if wl.ran else {}
    if setup_s is not None:
        more["setup_s"] = setup_s
    return more


def _warm_up(work, i, workers, units, seconds):
    """Runs work() untimed for `seconds` in small slices (about 1/64 of the
    worker's share each): a fresh process or interpreter touches its memory
    and fills its caches here, not in the timed region. Returns the seconds
    it ran, measured around the loop (0.0 when asked for none)."""
    if seconds <= 0:
        return 0.0
    t0 = time.perf_counter()
    end = t0 + seconds
    small = max(workers, units // 64)
    while time.perf_counter() < end:
        work(i, workers, small)
    return time.perf_counter() - t0


def _fresh_import(module, func, module_dir):
    """Worker i of the `subinterpreters` model, in its own interpreter
    (embed/subinterp.c): the workload's module, imported there by name (a
    user workload's directory, module_dir, first on sys.path), and its work
    function."""
    if module_dir and sys.path[:1] != [module_dir]:
        sys.path.insert(0, module_dir)
    mod = importlib.import_module(module)
    return mod, getattr(mod, func)


def _fresh_worker(mod, work, i, workers, units, warmup_s, seed, setup_params,
                  user):
    """Worker i in a process or interpreter of its own, once bound: the
    user workload's setup (setup_params: what it gets; None for a built-in
    workload), the warm-up, then the worker's view of itself, read there:
    its CPUs, warm-up and hashing (_worker_view), the GIL probe's state,
    the user's environment as that process or interpreter has it, the
    setup's seconds and, for a user workload, the file it imported."""
    setup_s = _setup(mod, setup_params, worker=i)
    warmed = _warm_up(work, i, workers, units, warmup_s)
    view = _worker_view(i, warmed, seed)
    view["gil_probe"] = _gillab.probe_state()
    view.update(gillab_env.applied())  # its own sys.path, its own GIL
    if setup_s is not None:
        view["setup_s"] = setup_s
    if user:
        view["workload_file"] = os.path.realpath(mod.__file__)
    return view


def _fresh_view(module, func, module_dir, i, workers, units, warmup_s, seed,
                setup_params, shared=None):
    """Worker i of the `subinterpreters` model, in its own interpreter once
    bound: the import, what the main interpreter's begin shared (shared:
    the pickled share(state), handed to the module's attach; None when
    nothing is shared), the user workload's setup when it has one
    (setup_params: JSON text; None for a built-in workload), the warm-up,
    then its view of itself with the GIL probe's state there. Returns
    (work function, the view as JSON text: objects do not cross
    interpreters)."""
    mod, work = _fresh_import(module, func, module_dir)
    if shared is not None and hasattr(mod, "attach"):
        mod.attach(pickle.loads(shared))
    view = _fresh_worker(
        mod, work, i, workers, units, warmup_s, seed,
        None if setup_params is None else json.loads(setup_params),
        bool(module_dir))
    return work, json.dumps(view)


def _pickled(extra):
    """A subinterpreter worker's extra as bytes for the main interpreter
    (embed/subinterp.c), which unpickles it for the module's end()."""
    return pickle.dumps(extra, 5)


def _process_worker(module, i, workers, units, cpuset, barrier, conn, opts):
    """Worker i of the `processes` model, in a process of its own: takes the
    cell's switch interval and GIL probe setting (a spawned child starts
    with the runtime's own, a forked one with its parent's), binds itself,
    warms up, says what it sees of itself, waits at the start barrier,
    works, and sends back its result, its time split and its GIL counters
    over the span. opts: warmup_s, switch_interval, gil_probe, hash_seed,
    main_pid, func (the work function's name), user (a user workload) and
    setup_params (what a user workload's setup gets; None for a built-in
    workload)."""
    report = {"worker": i, "error": None}
    try:
        if opts["switch_interval"]:
            sys.setswitchinterval(opts["switch_interval"])
        _gillab.bind(cpuset)
        _gillab.probe_enable(opts["gil_probe"])
        if opts["gil_probe"]:
            _gillab.probe_watch()
        mod = importlib.import_module(module)
        work = getattr(mod, opts["func"])
        if opts.get("shared") is not None and hasattr(mod, "attach"):
            mod.attach(opts["shared"])  # what begin made, e.g. pipes
        view = _fresh_worker(mod, work, i, workers, units, opts["warmup_s"],
                             opts["hash_seed"], opts["setup_params"],
                             opts["user"])
        view.update(pid=os.getpid(), start_method=_started_by(opts["main_pid"]))
        report["applied"] = view
    except BaseException as e:
        report["error"] = traceback.format_exc().rstrip()
        conn.send(report)
        barrier.abort()
        return
    barrier.wait()
    # This process's GC is its own: it runs the GC probe itself over its
    # span and the parent merges what it saw (embed/gcprobe.h).
    _gillab.gc_probe_child_begin()
    s0, g0 = _gillab.thread_stats(), _gillab.gil_counts()
    try:
        report["result"] = _result(work(i, workers, units), opts["func"])
    except BaseException:
        report["error"] = traceback.format_exc().rstrip()
    s1, g1 = _gillab.thread_stats(), _gillab.gil_counts()
    report.update(t0=s0, t1=s1, gil={k: g1[k] - g0[k] for k in g1},
                  gc=_gillab.gc_probe_child_take())
    conn.send(report)
    # Its memory at the end of its span, read once the report is sent: the
    # parent's clock stops at the last report, before this read.
    conn.send(_gillab.mem_self())


def processes(module, workers, units, start_method=None,
              switch_interval=None, params=None, user=None):
    """Model `processes`: `workers` multiprocessing processes started with
    `start_method` (fork, spawn, forkserver; None: the runtime's default).
    The parent adopts each child into the cell's worker table (the sampler
    follows it) and gathers what each child measured of itself. The timed
    region runs from the start barrier to the last child's report."""
    import multiprocessing
    import multiprocessing.connection

    if switch_interval:
        sys.setswitchinterval(switch_interval)
    ctx = multiprocessing.get_context(start_method)
    gil_before_import = _gil_enabled()
    # Imported here too (begin/end hooks, the hash of a user's file); a
    # user workload's directory goes first on sys.path before any child
    # starts, so that spawned and forkserver children find it.
    wl = _load(module, user)
    mod = wl.mod
    state, hiccup = _begin(mod, dict(params or {}, start_method=start_method),
                           "processes", workers, units)
    barrier = ctx.Barrier(workers + 1)
    pipes = [ctx.Pipe(duplex=False) for _ in range(workers)]
    prm = params or {}
    opts = {"warmup_s": prm.get("warmup_s", 0.0),
            "switch_interval": switch_interval or 0.0,
            "gil_probe": prm.get("gil_probe", False),
            "hash_seed": prm.get("hash_seed"), "main_pid": os.getpid(),
            "func": wl.name, "user": bool(user),
            "setup_params": _setup_params("processes", workers, units,
                                          ctx.get_start_method(), user=user),
            # What begin made that the workers need (core/wl.h: share and
            # attach): pickled with the Process's arguments, so that
            # descriptors reach spawned and forkserver children too.
            "shared": mod.share(state) if hasattr(mod, "share") else None}
    _gillab.mem_baseline()
    procs = [ctx.Process(target=_process_worker, name=f"gillab-worker-{i}",
                         args=(module, i, workers, units,
                               _gillab.worker_set(i), barrier, pipes[i][1],
                               opts))
             for i in range(workers)]
    for i, p in enumerate(procs):
        p.start()
        pipes[i][1].close()
    reports = {}
    try:
        barrier.wait(timeout=120)
        t0 = _gillab.now_ns()
        # Adopted after the barrier, when every child has bound itself, so
        # the sampler sees only where they ran while they worked.
        for i, p in enumerate(procs):
            _gillab.worker_adopt(i, p.pid)
        pending = set(range(workers))
        while pending:
            conns = {pipes[i][0]: i for i in pending}
            ends = {procs[i].sentinel: i for i in pending}
            for r in multiprocessing.connection.wait(list(conns) + list(ends)):
                i = conns.get(r, ends.get(r))
                if i not in pending or (r in ends and pipes[i][0].poll()):
                    continue  # reported, or its report is waiting to be read
                try:
                    reports[i] = pipes[i][0].recv()
                    pending.discard(i)
                except EOFError:
                    procs[i].join()
                    raise RuntimeError(
                        f"worker process {i} (pid {procs[i].pid}) died "
                        f"without a report, exit code {procs[i].exitcode}"
                    ) from None
        wall_ns = _gillab.now_ns() - t0
        _gillab.mem_end()
    except threading.BrokenBarrierError:
        wall_ns, t0 = 0, 0
    finally:
        for p in procs:
            if p.is_alive() and len(reports) < workers:
                p.kill()
            p.join()
    errors = [r["error"] for r in reports.values() if r["error"]]
    if errors or len(reports) < workers:
        if hasattr(mod, "end"):
            mod.end(state, [None] * workers, 0)
        raise RuntimeError(f"a worker process failed: "
                           f"{errors[0] if errors else 'no report'}")
    for i, r in reports.items():
        _gillab.worker_adopted_done(i, r["t0"], r["t1"], r["gil"],
                                    r["applied"]["cpus"])
        _gillab.gc_probe_merge(r["gc"])
        try:  # sent after the report; the pipe kept it past the exit
            mem = pipes[i][0].recv() if pipes[i][0].poll(5) else None
        except (EOFError, OSError):
            mem = None
        if mem:
            _gillab.mem_worker_end(i, procs[i].pid, mem)
    out = {
        "wall_s": wall_ns / 1e9,
        "start_ns": t0,
        "gil": _gil_report(gil_before_import),
        "applied": _applied(params, [r["applied"] for r in reports.values()],
                            start_method=ctx.get_start_method(), **_ran(wl)),
    }
    return _finish(mod, state, hiccup,
                   [reports[i]["result"] for i in range(workers)], out, t0)


def asyncio_tasks(module, workers, units, switch_interval=None, params=None,
                  user=None):
    """Model `asyncio`: one event loop on this thread running `workers`
    tasks. A task awaits the module's `awork(worker, nworkers, units)` when
    it has one; otherwise it calls `work()`, which never yields, so CPU-bound
    tasks run one after another: what asyncio gives CPU-bound code. The loop's
    thread is the cell's one worker thread, bound where worker 0 is placed."""
    import asyncio

    if switch_interval:
        sys.setswitchinterval(switch_interval)
    gil_before_import = _gil_enabled()
    wl = _load(module, user)
    mod, awork = wl.mod, wl.awork
    setup_s = _setup(mod, _setup_params("asyncio", workers, units, user=user))
    state, hiccup = _begin(mod, params, "asyncio", workers, units)

    async def task(i):
        await asyncio.sleep(0)  # every task starts before any works
        if awork is not None:
            return _result(await awork(i, workers, units), "awork")
        return _result(wl.work(i, workers, units), wl.name)

    async def main():
        return await asyncio.gather(*(task(i) for i in range(workers)))

    _gillab.mem_baseline()
    _gillab.worker_enter(0)
    views = [_worker_view(0, 0.0, (params or {}).get("hash_seed"))]
    loop = asyncio.new_event_loop()
    try:
        _gillab.worker_begin(0)
        t0 = _gillab.now_ns()
        results = loop.run_until_complete(main())
        wall_ns = _gillab.now_ns() - t0
        _gillab.worker_leave(0)
    finally:
        loop.close()
    out = {
        "wall_s": wall_ns / 1e9,
        "start_ns": t0,
        "gil": _gil_report(gil_before_import),
        "applied": _applied(params, views, **_ran(wl, setup_s)),
    }
    return _finish(mod, state, hiccup, results, out, t0)


def subinterpreters(module, workers, units, switch_interval=None,
                    params=None, user=None):
    """Model `subinterpreters`: one interpreter per worker, each on a host
    thread of its own (embed/subinterp.c). On 3.12+ each has its own GIL;
    on 3.11 they share the one GIL. The workers bind themselves, import the
    workload in their own interpreter and start together at a barrier.

    A built-in workload is imported here too, for its hooks (core/wl.h):
    begin(params) runs here before the workers, share(state) goes to every
    worker pickled (its interpreter unpickles it and calls attach), and
    end(state, extras, wall_s) runs after the timed region with every
    worker's extra, pickled in its interpreter and unpickled here. A user
    workload is not imported here, in the main interpreter: its file is
    read and hashed, and each worker imports it by name (its extras are
    dropped: it has no end hook here)."""
    # Each interpreter takes the interval (embed/subinterp.c); the main one
    # too, like every model's main interpreter (it runs the hiccup thread).
    if switch_interval:
        sys.setswitchinterval(switch_interval)
    gil = _gil_report(_gil_enabled())
    # The workloads' directory goes on each interpreter's sys.path (found
    # without importing the workload here, in the main interpreter), and a
    # user workload's own directory before it.
    where = os.path.dirname(gillab_lat.__file__)
    module_dir, func, setup_params, ran = None, "work", None, {}
    if user:
        module_dir = os.path.dirname(user["file"])
        func = user["func"]
        setup_params = json.dumps(
            _setup_params("subinterpreters", workers, units))
        ran = {"workload": {"file": os.path.realpath(user["file"]),
                            "sha256": _sha256(_file_bytes(user["file"])),
                            "func": func}}
    mod = None if user else importlib.import_module(module)
    # The hooks, and the hiccup probe when asked for: in the main
    # interpreter, beside the workers.
    state, hiccup = _begin(mod, params, "subinterpreters", workers, units)
    shared = (pickle.dumps(mod.share(state), 5)
              if hasattr(mod, "share") else None)
    p = params or {}
    _gillab.mem_baseline()
    try:
        r = _gillab.run_subinterpreters(module, workers, units, where,
                                        switch_interval or 0.0,
                                        p.get("warmup_s", 0.0),
                                        p.get("hash_seed", -1), func,
                                        module_dir, setup_params, shared)
    except BaseException:
        if hasattr(mod, "end"):  # it releases what begin made
            mod.end(state, [None] * workers, 0)
        raise
    r["applied"] = _applied(p, [json.loads(v) for v in r.pop("views")],
                            **ran)
    extras = [None if b is None else pickle.loads(b)
              for b in r.pop("extras")]
    if hiccup:
        r["hiccup"] = hiccup.report(r["start_ns"],
                                    r["start_ns"] + int(r["wall_s"] * 1e9))
    if hasattr(mod, "end"):
        r.update(mod.end(state, extras, r["wall_s"]))
    gil["own_gil"] = r.pop("own_gil")
    gil["gils_watched"] = r.pop("gils_watched")
    r["gil"] = gil
    r["interpreters"] = "own GIL" if gil["own_gil"] else "shared GIL"
    return r


def overhead(module, workers, units, pairs, switch_interval=None,
             control=False):
    """The GIL probe's cost, measured inside one process: `workers` threads
    do the same work (`units`) in 2 * pairs timed phases, the probe on in
    one phase of each pair and off in the other (the order alternating from
    pair to pair), after one warm-up phase. One process means one memory
    layout and one hash seed for both sides, and pairs a fraction of a
    second apart see the same machine. Returns each pair's on/off ratio of
    wall time. With `control`, the probe stays on in both phases of a pair:
    the ratios then show the machine's noise alone (an A/A test)."""
    if switch_interval:
        sys.setswitchinterval(switch_interval)
    mod = importlib.import_module(module)
    phases = 1 + 2 * pairs
    start = threading.Barrier(workers + 1)
    done = threading.Barrier(workers + 1)
    errors = []
    # CPU time of each worker in each phase (CLOCK_THREAD_CPUTIME_ID): on a
    # VM with steal-time accounting it leaves out the time the host took
    # the vCPU away, the largest noise in wall time here.
    cpu = [[0] * phases for _ in range(workers)]

    def worker(i):
        try:
            _gillab.worker_enter(i)
            for phase in range(phases):
                start.wait()
                c0 = time.thread_time_ns()
                mod.work(i, workers, units)
                cpu[i][phase] = time.thread_time_ns() - c0
                done.wait()
        except BaseException as e:  # a broken barrier ends the others too
            errors.append(e)
            start.abort()
            done.abort()

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(workers)]
    for t in pool:
        t.start()
    walls = {True: [], False: []}
    try:
        for phase in range(phases):
            pair = (phase - 1) // 2
            on = phase == 0 or ((phase - 1) % 2 == 0) == (pair % 2 == 0)
            _gillab.probe_enable(on or control)
            start.wait()
            t0 = _gillab.now_ns()
            done.wait()
            if phase > 0:
                walls[on].append(_gillab.now_ns() - t0)
    except threading.BrokenBarrierError:
        pass
    _gillab.probe_enable(True)
    for t in pool:
        t.join()
    if errors:
        raise RuntimeError(f"overhead: a worker failed: {errors[0]!r}")
    ratios = [a / b for a, b in zip(walls[True], walls[False])]
    phase_cpu = [sum(c[p] for c in cpu) for p in range(phases)]
    cpu_on, cpu_off = [], []
    for phase in range(1, phases):
        pair = (phase - 1) // 2
        on = ((phase - 1) % 2 == 0) == (pair % 2 == 0)
        (cpu_on if on else cpu_off).append(phase_cpu[phase])
    cpu_ratios = [a / b for a, b in zip(cpu_on, cpu_off) if b > 0]
    return {"ratios": ratios, "cpu_ratios": cpu_ratios,
            "wall_s": sum(walls[True] + walls[False]) / 1e9,
            "ops": 0, "answer": 0}


def runtime_info():
    """What this runtime is, for the metadata record and `gillab version`."""
    return {
        "version": sys.version.split()[0],
        "build": sys.version,
        "implementation": sys.implementation.name,
        "hexversion": sys.hexversion,
        "free_threaded": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
        "gil_enabled": _gil_enabled(),
        "prefix": sys.prefix,
        "executable": sys.executable,
        "library": sysconfig.get_config_var("LDLIBRARY"),
        "config_args": sysconfig.get_config_var("CONFIG_ARGS"),
        "cflags": sysconfig.get_config_var("CFLAGS"),
        "switch_interval_s": sys.getswitchinterval(),
    }


def _serve_process(i, cfg, lsock, cpuset, ready, stop, conn, opts):
    """Server worker process i of net.serve's `reuseport` and `prefork`
    servers: binds itself, opens its own listening socket on the port
    (reuseport) or takes the one inherited from the parent (prefork),
    serves a thread per connection until `stop`, then reports what it
    served, its time split, its GIL counters and its memory."""
    import net_serve
    report = {"worker": i, "error": None}
    try:
        if opts["switch_interval"]:
            sys.setswitchinterval(opts["switch_interval"])
        _gillab.bind(cpuset)
        _gillab.probe_enable(opts["gil_probe"])
        if opts["gil_probe"]:
            _gillab.probe_watch()
        if lsock is None and cfg.get("udp"):
            lsock = net_serve.udp_socket(cfg["port"], reuseport=True)
        elif lsock is None:
            lsock = net_serve.listener(cfg["port"], reuseport=True)
        handle, _ = net_serve.make_handler(cfg)
        view = _worker_view(i, 0.0, opts["hash_seed"])
        view.update(pid=os.getpid(), start_method=_started_by(opts["main_pid"]))
        report["applied"] = view
    except BaseException:
        report["error"] = traceback.format_exc().rstrip()
        conn.send(report)
        ready.release()
        return
    stats = net_serve.Stats()
    s0, g0 = _gillab.thread_stats(), _gillab.gil_counts()
    ready.release()
    threads = []
    if cfg.get("udp"):
        net_serve.serve_udp(lsock, handle, stats, stop, set())
    else:
        net_serve.accept_loop(lsock, handle, stats, stop, threads)
    s1, g1 = _gillab.thread_stats(), _gillab.gil_counts()
    report.update(t0=s0, t1=s1, gil={k: g1[k] - g0[k] for k in g1},
                  stats=stats.as_dict())
    conn.send(report)
    conn.send(_gillab.mem_self())


def _start_loop_thread(run, args, on_thread, what):
    """Starts an asyncio server's one loop thread, run(*args, ready, box),
    as worker 0, and waits until it serves. Returns (thread, box): box
    gets (loop, stop event) from run."""
    ready, box = threading.Event(), []

    def loop_thread():
        on_thread(0, "enter")
        try:
            run(*args, ready, box)
        finally:
            on_thread(0, "leave")
    server = threading.Thread(target=loop_thread, name="gillab-worker-0")
    server.start()
    if not ready.wait(30):
        raise RuntimeError("%s did not start" % what)
    return server, box


def serve(module, model, workers, units, serve, switch_interval=None,
          params=None, start_method=None):
    """net.serve's driver: starts the Python server `serve["server"]`
    (workloads/python/net_serve.py) with `workers` workers, loads it with
    the native generator (_gillab.loadgen, the GIL released, on its own
    thread bound to serve["client_set"]) for `units` milliseconds, stops it
    and returns the record's fields: "serve" {"server", "handler", "load"
    (the generator's figures), "server_side" (what the server counted)},
    ops = requests answered 200, answer None."""
    import multiprocessing
    import net_serve

    if switch_interval:
        sys.setswitchinterval(switch_interval)
    gil_before_import = _gil_enabled()
    prm = params or {}
    seed = prm.get("hash_seed")
    kind = serve["server"]
    cfg = {"handler": serve["handler"], "handler_us": serve["handler_us"]}
    loops, rate = net_serve.calibrate(
        serve["handler_us"] if serve["handler"] == "cpu" else 0)
    cfg["loops"] = loops
    builtin = serve["handler"] in ("none", "cpu", "hash", "sleep")
    handler_info = {"name": serve["handler"], "handler_us": serve["handler_us"]}
    if serve["handler"] == "cpu":
        handler_info.update(loops=loops, loops_per_s=round(rate))
    if not builtin:
        fn, afn, sha = net_serve.load_user(serve["handler"])
        handler_info.update(file=os.path.abspath(
            serve["handler"].rpartition(":")[0]), sha256=sha,
            sync=fn is not None, async_variant=afn is not None)
    handle, ahandle = net_serve.make_handler(cfg)
    stats = net_serve.Stats()
    views, procs, pipes, reports = [], [], [], {}
    server_side = {}
    if kind in ("asyncio", "udp_asyncio"):
        # Imported before the baseline, as the threads servers' modules
        # are: what the memory figures compare is what the connections
        # cost, not an import.
        import asyncio  # noqa: F401
    _gillab.mem_baseline()
    lsock = None
    stop_in = threading.Event()
    threads_ = []
    udp = kind.startswith("udp_")
    cfg["udp"] = udp
    if kind in ("udp_threads", "udp_asyncio"):
        lsock = net_serve.udp_socket()
        port = lsock.getsockname()[1]
        began = threading.Semaphore(0)
        peers = set()

        def on_thread(i, what):
            if what == "enter":
                _gillab.worker_enter(i)
                views.append(_worker_view(i, 0.0, seed))
                _gillab.worker_begin(i)
                began.release()
            else:
                _gillab.worker_leave(i)

        if kind == "udp_threads":
            def receiver(i):
                on_thread(i, "enter")
                try:
                    net_serve.serve_udp(lsock, handle, stats, stop_in, peers)
                finally:
                    on_thread(i, "leave")
            udp_threads = [threading.Thread(target=receiver, args=(i,),
                                            name=f"gillab-worker-{i}")
                           for i in range(workers)]
            for t in udp_threads:
                t.start()
            for _ in range(workers):
                began.acquire()
        else:
            server, box = _start_loop_thread(
                net_serve.run_asyncio_udp, (lsock, handle, ahandle, stats),
                on_thread, "the asyncio UDP server")
    elif kind == "subinterp":
        # The port, reserved by a socket bound but not listening (it joins
        # no SO_REUSEPORT group); each interpreter listens on it.
        hold = _socket_reserve()
        port = hold.getsockname()[1]
        ready_r, ready_w = os.pipe()
        stop_r, stop_w = os.pipe()
        os.environ["GILLAB_SERVE"] = json.dumps(dict(
            cfg, port=port, ready_fd=ready_w, stop_fd=stop_r))
        sub = {}

        def run_interpreters():
            try:
                sub["r"] = _gillab.run_subinterpreters(
                    "net_serve", workers, units,
                    os.path.dirname(gillab_lat.__file__),
                    switch_interval or 0.0, 0.0, -1 if seed is None else seed,
                    "sub_work")
            except BaseException as e:
                sub["error"] = e
        sub_thread = threading.Thread(target=run_interpreters,
                                      name="gillab-interpreters")
        sub_thread.start()
        import select
        got = 0
        deadline = time.monotonic() + 60
        while got < workers:
            if not sub_thread.is_alive() or time.monotonic() > deadline:
                os.close(stop_w)
                sub_thread.join()
                raise RuntimeError(f"the interpreters did not start serving: "
                                   f"{sub.get('error')!r}")
            if select.select([ready_r], [], [], 0.1)[0]:
                got += len(os.read(ready_r, workers))
    elif kind in ("per_conn", "pool", "asyncio"):
        lsock = net_serve.listener()
        port = lsock.getsockname()[1]
        # The serving threads are the cell's workers: bound where the
        # placement says (connection threads inherit their creator's CPUs).
        began = threading.Semaphore(0)

        def on_thread(i, what):
            if what == "enter":
                _gillab.worker_enter(i)
                views.append(_worker_view(i, 0.0, seed))
                _gillab.worker_begin(i)
                began.release()
            else:
                _gillab.worker_leave(i)

        if kind == "per_conn":
            def acceptor():
                on_thread(0, "enter")
                try:
                    net_serve.accept_loop(lsock, handle, stats, stop_in,
                                          threads_)
                finally:
                    on_thread(0, "leave")
            server = threading.Thread(target=acceptor, name="gillab-worker-0")
            server.start()
            began.acquire()
        elif kind == "pool":
            pool = net_serve.Pool(lsock, handle, stats, workers, on_thread)
            pool.start()
            for _ in range(workers):
                began.acquire()
        else:
            server, box = _start_loop_thread(
                net_serve.run_asyncio, (lsock, handle, ahandle, stats),
                on_thread, "the asyncio server")
    else:
        ctx = multiprocessing.get_context(start_method)
        if kind == "prefork":
            lsock = net_serve.listener()
            port = lsock.getsockname()[1]
        elif udp:
            # A free port, released before the children start: a bound UDP
            # socket of the group would take datagrams (there is no listen
            # to tell it apart), and forked children would inherit it.
            probe = net_serve.udp_socket()
            port = probe.getsockname()[1]
            probe.close()
        else:
            # The port, reserved by a socket bound but not listening: it
            # joins no SO_REUSEPORT group, so it takes no connection.
            hold = _socket_reserve()
            port = hold.getsockname()[1]
        cfg["port"] = port
        ready, stop = ctx.Semaphore(0), ctx.Event()
        opts = {"switch_interval": switch_interval or 0.0,
                "gil_probe": prm.get("gil_probe", False), "hash_seed": seed,
                "main_pid": os.getpid()}
        for i in range(workers):
            r, w = ctx.Pipe(duplex=False)
            p = ctx.Process(target=_serve_process, name=f"gillab-worker-{i}",
                            args=(i, cfg, lsock, _gillab.worker_set(i), ready,
                                  stop, w, opts))
            p.start()
            w.close()
            procs.append(p)
            pipes.append(r)
        for _ in range(workers):
            if not ready.acquire(timeout=60):
                raise RuntimeError("a server process did not start")
        for i, p in enumerate(procs):
            _gillab.worker_adopt(i, p.pid)
        if lsock is not None:
            lsock.close()  # the children hold it
            lsock = None
    # --cpu-threads: CPU-bound Python threads beside the server, in this
    # (the cell's main) process: the server's own for threads and asyncio,
    # so they take turns with it on the GIL (the convoy effect); beside
    # the server for processes, whose workers have GILs of their own.
    cpu_stop, cpu_threads, cpu_loops = threading.Event(), [], [0]

    def cpu_bound():
        n = 0
        while not cpu_stop.is_set():
            net_serve._cpu_loop(10000)
            n += 10000
        with stats.lock:
            cpu_loops[0] += n

    for _ in range(int(prm.get("cpu_threads") or 0)):
        t = threading.Thread(target=cpu_bound, name="gillab-cpu", daemon=True)
        t.start()
        cpu_threads.append(t)
    # A lost datagram is a timeout: a short one for UDP, so that one loss
    # does not stall its socket for the cell.
    timeout_s = 0.2 if udp else max(2.0, units / 1000)
    try:
        load = json.loads(_gillab.loadgen(
            port, serve["connections"], units / 1000, serve["rate"],
            timeout_s, builtin, serve["client_set"] or "", udp))
    finally:
        cpu_stop.set()
        for t in cpu_threads:
            t.join()
        if procs:
            stop.set()
            for i, p in enumerate(procs):
                try:
                    reports[i] = pipes[i].recv() if pipes[i].poll(30) else {
                        "worker": i, "error": "no report"}
                except EOFError:
                    reports[i] = {"worker": i, "error": "died"}
            _gillab.mem_end()
            for i, p in enumerate(procs):
                r = reports[i]
                if not r.get("error"):
                    _gillab.worker_adopted_done(i, r["t0"], r["t1"], r["gil"],
                                                r["applied"]["cpus"])
                    try:
                        mem = pipes[i].recv() if pipes[i].poll(5) else None
                    except (EOFError, OSError):
                        mem = None
                    if mem:
                        _gillab.mem_worker_end(i, p.pid, mem)
                p.join(10)
                if p.is_alive():
                    p.kill()
                    p.join()
        elif kind == "pool":
            pool.close()
        elif kind == "subinterp":
            os.close(stop_w)
            sub_thread.join()
            for fd in (ready_r, ready_w, stop_r):
                os.close(fd)
            hold.close()
        elif kind == "udp_threads":
            stop_in.set()
            for t in udp_threads:
                t.join()
        elif kind in ("asyncio", "udp_asyncio"):
            loop, ev = box[0]
            loop.call_soon_threadsafe(ev.set)
            server.join()
        else:
            stop_in.set()
            server.join()
        if lsock is not None:
            lsock.close()
    errors = [r["error"] for r in reports.values() if r.get("error")]
    if errors:
        raise RuntimeError(f"a server process failed: {errors[0]}")
    if kind == "subinterp":
        if "error" in sub:
            raise RuntimeError(f"an interpreter failed: {sub['error']}")
        r = sub["r"]
        views = [json.loads(v) for v in r["views"]]
        server_side = {"conns": (r["answer"] or 0) >> 32,
                       "requests": r["ops"],
                       "handler_errors": (r["answer"] or 0) & 0xFFFFFFFF,
                       "first_error": None,
                       "interpreters": "own GIL" if r["own_gil"]
                       else "shared GIL"}
    elif procs:
        per = [dict(r["stats"], worker=i, pid=r["applied"]["pid"])
               for i, r in sorted(reports.items())]
        views = [r["applied"] for r in reports.values()]
        server_side = {
            "conns": sum(p["conns"] for p in per),
            "requests": sum(p["requests"] for p in per),
            "handler_errors": sum(p["handler_errors"] for p in per),
            "first_error": next((p["first_error"] for p in per
                                 if p["first_error"]), None),
            "per_process": per}
    else:
        server_side = stats.as_dict()
    t0, wall_s = int(load.pop("start_ns")), load.pop("wall_s")
    gil = _gil_report(gil_before_import)
    if kind == "subinterp":
        gil["own_gil"] = sub["r"]["own_gil"]
        gil["gils_watched"] = sub["r"]["gils_watched"]
    out = {
        "wall_s": wall_s,
        "start_ns": t0,
        "ops": load["ok"],
        "answer": None,
        "gil": gil,
        "applied": _applied(params, views,
                            **({"start_method": ctx.get_start_method()}
                               if procs else {})),
        "serve": {"server": kind, "model": model, "workers": workers,
                  "handler": handler_info, "load": load,
                  "server_side": server_side,
                  "cpu_threads": {
                      "threads": len(cpu_threads),
                      "where": "the cell's main process: the server's own "
                               "for threads and asyncio, beside the worker "
                               "processes for processes",
                      "loops_per_s": cpu_loops[0] / wall_s if wall_s else 0}},
    }
    return out


def _socket_reserve():
    import socket
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    s.bind(("127.0.0.1", 0))
    return s
