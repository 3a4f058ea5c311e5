"""debug.imports: imports the module that GILLAB_TEST_IMPORT names, to test
that what the user installed (the runtime's site-packages, a --venv) is
importable in every model (tests/e2e_venv.sh).

The import happens when this module is imported, in every process and
interpreter that runs it (the cell's main process, each worker process and
subinterpreter), so a missing module fails the cell with its ImportError.
Each worker does `units` trivial operations; its answer is the imported
module's ANSWER (0 when it has none), so a test can tell the module ran in
a subinterpreter too, where no record field but the answer comes back. The
record's `imported` says which file each worker's import found, and the
module's __version__."""

import importlib
import os

NAME = os.environ.get("GILLAB_TEST_IMPORT", "")
MODULE = importlib.import_module(NAME) if NAME else None


def work(worker, nworkers, units):
    lo, hi = units * worker // nworkers, units * (worker + 1) // nworkers
    if MODULE is None:
        return hi - lo, 0, None
    return hi - lo, int(getattr(MODULE, "ANSWER", 0)), {
        "module": NAME, "file": getattr(MODULE, "__file__", None),
        "version": getattr(MODULE, "__version__", None)}


def end(state, extras, wall_s):
    return {"imported": extras}
