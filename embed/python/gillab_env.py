"""The user's environment in a runner (issue 13): what the user installed
into a runtime, or into a virtual environment, importable in every
interpreter and process that runs a cell, as that Python would have it; and
what importing it did to a free-threaded build's GIL.

The runner starts CPython isolated (embed/py.c): no PYTHON* variables, no
site module, no user site. setup() then adds the site directories the
runtime's own python adds (site.getsitepackages() of the runtime's prefix,
each with its .pth files processed as site.addsitedir does them), or, given
a virtual environment, those its python adds: the venv's own, and the
runtime's too only when its pyvenv.cfg says include-system-site-packages =
true; sys.prefix and sys.exec_prefix become the venv's, as site.venv() makes
them. The user site (~/.local/lib/pythonX.Y/site-packages) is never added: a
measurement must not depend on who runs it.

embed/py.c calls setup() in the cell's main interpreter (py_start), in each
subinterpreter (embed/subinterp.c) and in each process that multiprocessing
starts as a Python command line (spawn, and the fork server: py_main); a
forked worker inherits its parent's. applied() reads back what is on
sys.path afterwards, for the record's `applied`.

On a free-threaded build, importing an extension module that does not
declare Py_mod_gil turns the GIL on for good, and CPython 3.13 warns "The
global interpreter lock (GIL) has been enabled to load module 'X', ...".
setup() installs a warnings.showwarning hook that notes X (then shows the
warning as before), so that the record can name the module. A warning
filtered away (warnings.simplefilter("ignore") in the workload) is not
seen: the record then says the GIL was on, without a module.
"""

import os
import sys

# The sys.path entries setup() added in this interpreter (a forked process
# inherits its parent's).
_ADDED = []
# Modules whose import turned the GIL on, here and (_WORKERS) as the cell's
# worker processes and interpreters reported it.
_GIL_BY = []
_WORKERS = {"gil_on": False, "gil_by": []}
_GIL_WARNING = "The global interpreter lock (GIL) has been enabled to load " \
               "module '"


def _free_threaded():
    return "t" in getattr(sys, "abiflags", "")


def _watch_gil():
    """Notes the module CPython names when it turns the GIL on to load it,
    then shows the warning as before. Once per interpreter."""
    import warnings

    shown = warnings.showwarning
    if getattr(shown, "_gillab_env", False):
        return

    def showwarning(message, category, filename, lineno, file=None,
                    line=None):
        text = str(message)
        at = text.find(_GIL_WARNING)
        if at >= 0:
            name = text[at + len(_GIL_WARNING):].partition("'")[0]
            if name not in _GIL_BY:
                _GIL_BY.append(name)
        shown(message, category, filename, lineno, file, line)

    showwarning._gillab_env = True
    warnings.showwarning = showwarning


def _venv_cfg(venv):
    """DIR/pyvenv.cfg as a dict of lower-case keys (as site.venv reads
    it); OSError when there is none."""
    cfg = {}
    with open(os.path.join(venv, "pyvenv.cfg"), encoding="utf-8") as f:
        for line in f:
            key, eq, value = line.partition("=")
            if eq:
                cfg[key.strip().lower()] = value.strip()
    return cfg


def _venv_site(venv):
    """Where this runtime's python puts packages in the venv at venv:
    lib/pythonX.Y/site-packages, pythonX.Yt for a free-threaded build."""
    import sysconfig

    return sysconfig.get_path("purelib", scheme="venv",
                              vars={"base": venv, "platbase": venv})


def check_venv(venv):
    """None when the venv at venv was made by a Python of this runtime's
    version (major.minor: the ABI its extension modules are built for) and
    kind (GIL or free-threaded), else a sentence saying what is wrong and
    how to make a fitting one. A different micro version (3.11.7 for
    3.11.2) fits."""
    this = "%d.%d" % sys.version_info[:2]
    kind = "free-threaded" if _free_threaded() else "GIL"
    runtime = f"CPython {sys.version.split()[0]} ({kind} build)"
    python = os.path.join(sys.base_prefix, "bin", "python" + this)
    fix = f"; make one with that runtime's python: {python} -m venv DIR"
    try:
        cfg = _venv_cfg(venv)
    except OSError as e:
        return (f"{venv} is not a virtual environment (no readable "
                f"pyvenv.cfg: {e.strerror}){fix}")
    made = cfg.get("version") or cfg.get("version_info") or ""
    if ".".join(made.split(".")[:2]) != this:
        return (f"{venv} was made by Python "
                f"{made or '(pyvenv.cfg names no version)'}, but this "
                f"runtime is {runtime}{fix}")
    site = _venv_site(venv)
    if not os.path.isdir(site):
        other = this + ("" if _free_threaded() else "t")
        made_by = ("a GIL build" if _free_threaded() else
                   "a free-threaded build")
        why = (f"it was made by {made_by} of Python {made}"
               if os.path.isdir(os.path.join(venv, "lib", "python" + other))
               else "it is incomplete")
        return (f"{venv} has no {os.path.relpath(site, venv)}: {why}, whose "
                f"packages this runtime, CPython {sys.version.split()[0]} "
                f"{kind}, cannot load{fix}")
    return None


def _site_dirs(venv):
    """The site directories the runtime's python (venv None) or the venv's
    python adds, in site's order. With a venv, sets sys.prefix and
    sys.exec_prefix to it first, as site.venv() does (Debian's
    getsitepackages looks at them)."""
    import site

    system = [sys.base_prefix, sys.base_exec_prefix]
    if venv is None:
        return site.getsitepackages(system)
    cfg = _venv_cfg(venv)
    sys.prefix = sys.exec_prefix = venv
    dirs = site.getsitepackages([venv])
    own = _venv_site(venv)
    if own not in dirs:
        dirs.insert(0, own)
    if cfg.get("include-system-site-packages", "false").lower() == "true":
        dirs += site.getsitepackages(system)
    return dirs


def setup(site_packages, venv=None):
    """Makes the user's environment importable in this interpreter: with
    site_packages, the runtime's site directories, or the venv's (an
    absolute path; see the module's notes), .pth files processed. Watches
    for a free-threaded build's GIL being turned on in any case. Returns
    the sys.path entries it added. Raises RuntimeError when venv does not
    fit this runtime (check_venv)."""
    if _free_threaded():
        _watch_gil()
    if not site_packages:
        return []
    if venv:
        error = check_venv(venv)
        if error:
            raise RuntimeError(f"--venv: {error}")
    import site

    before = set(sys.path)
    for d in _site_dirs(venv or None):
        if os.path.isdir(d):
            site.addsitedir(d)
    _ADDED[:] = [p for p in sys.path if p not in before]
    return list(_ADDED)


def applied(views=()):
    """What this interpreter shows of the environment now, for the
    record's `applied`: the entries setup() added that are on sys.path (in
    its order), and the venv when one made sys.prefix differ from the
    runtime's; on a free-threaded build, whether the GIL is on here and
    the module whose import turned it on. views: the cell's workers' own
    (from their processes or interpreters), whose GIL readings after_run()
    takes into account."""
    added = set(_ADDED)
    out = {"sys_path_added": [p for p in sys.path if p in added],
           "venv": sys.prefix if sys.prefix != sys.base_prefix else None}
    if _free_threaded():
        out["gil_enabled"] = sys._is_gil_enabled()
        out["gil_enabled_by"] = _GIL_BY[0] if _GIL_BY else None
    for v in views:
        _WORKERS["gil_on"] = _WORKERS["gil_on"] or bool(v.get("gil_enabled"))
        if v.get("gil_enabled_by"):
            _WORKERS["gil_by"].append(v["gil_enabled_by"])
    return out


def after_run():
    """The runtime's description after the cell (gillab_drive.runtime_info)
    with what the cell's imports did to the GIL: gil_enabled_after, true
    when the GIL was on after the run in the main interpreter or in a worker
    process or interpreter that reported it (always true on a GIL build),
    and gil_enabled_by, the module whose import turned it on (None when no
    import did, or its warning was filtered away)."""
    import gillab_drive

    info = gillab_drive.runtime_info()
    by = _GIL_BY + _WORKERS["gil_by"]
    info["gil_enabled_after"] = (not _free_threaded() or
                                 sys._is_gil_enabled() or _WORKERS["gil_on"])
    info["gil_enabled_by"] = by[0] if by else None
    return info


def distributions(paths):
    """The distributions installed in paths (importlib.metadata), each
    {"name", "version"}, the first of a name on the path only (the one an
    import finds), sorted by name."""
    import importlib.metadata
    import re

    found = {}
    for d in importlib.metadata.distributions(path=list(paths)):
        name = d.metadata["Name"] if d.metadata else None
        if not name:
            continue
        key = re.sub(r"[-_.]+", "-", name).lower()
        found.setdefault(key, {"name": name, "version": d.version})
    return sorted(found.values(), key=lambda d: (d["name"].lower(),
                                                 d["version"] or ""))


def describe(site_packages=False, venv=None):
    """The environment a cell of this runtime gets with these settings,
    for the metadata record (`gillab-runner-TAG --info`): site_packages,
    venv, user_site (always false), and unless the venv does not fit
    (then only `error`, check_venv's sentence): the venv's pyvenv.cfg
    (venv_version, venv_home, system_site_packages), sys_path_added,
    distributions and gil_enabled_by (an import in a .pth file may turn a
    free-threaded build's GIL on)."""
    out = {"site_packages": bool(site_packages), "venv": venv,
           "user_site": False}
    if venv:
        error = check_venv(venv)
        if error:
            out["error"] = error
            return out
        cfg = _venv_cfg(venv)
        out["venv_version"] = cfg.get("version") or cfg.get("version_info")
        out["venv_home"] = cfg.get("home")
        out["system_site_packages"] = cfg.get(
            "include-system-site-packages", "false").lower() == "true"
    out["sys_path_added"] = setup(site_packages, venv)
    out["distributions"] = distributions(out["sys_path_added"])
    out["gil_enabled_by"] = _GIL_BY[0] if _GIL_BY else None
    return out
