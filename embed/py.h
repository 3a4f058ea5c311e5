/* py — the embedded CPython: its start and stop, the command-line mode that
 * multiprocessing's children need, and calls into the Python drivers.
 *
 * embed/ is the only place that includes Python.h. Python errors
 * (exceptions, PyStatus) are turned here into a negative return code and a
 * message in the caller's buffer.
 *
 * The interpreter is isolated from the user's environment: no PYTHON*
 * variables, no site module, no user site, and sys.path is the runtime's
 * standard library plus the drivers (embed/python) and the workloads
 * (workloads/python); py_set_site adds what the user installed (the
 * runtime's site-packages or a venv: embed/python/gillab_env.py) to every
 * interpreter the process then starts. PyConfig.executable is this
 * binary, so multiprocessing's spawn and forkserver start children as
 * `RUNNER -I -S ... -c '...'`, which py_is_python_argv recognises.
 */
#ifndef GILLAB_PY_H
#define GILLAB_PY_H

#include <cjson/cJSON.h>
#include <stddef.h>

/* Non-zero when argv is a Python command line (argv[1] is a single-dash
 * option such as -c, -I, -S, -m, -B, -W, -X), as multiprocessing's children
 * and the resource tracker are started. The runner's own options all start
 * with "--". Call first thing in main, before parsing any option. */
int py_is_python_argv(int argc, char **argv);

/* Runs argv as the python command line would, with the same path
 * configuration and the _gillab module, and returns the exit status. */
int py_main(int argc, char **argv);

/* Checks that the libpython loaded at run time is the version the runner
 * was compiled against (the probes read internal layouts). */
int py_check_version(char *err, size_t errlen);

/* The CPython version this runner was compiled against ("3.11.2"). */
const char *py_compiled_version(void);

/* Starts the interpreter with workloads_dir first on sys.path. hash_seed
 * fixes str/bytes hashing (PYTHONHASHSEED); -1 leaves it random. The seed
 * matters: dict probe sequences follow it, and on a runtime whose global
 * lookups are not specialized (3.13t) it moves single-thread speed by up to
 * 1.6x. */
int py_start(const char *workloads_dir, long hash_seed, char *err,
             size_t errlen);

/* The user's environment of every interpreter this process starts from
 * now on: with site_packages, the runtime's site-packages, or with venv (an
 * absolute path) that virtual environment's, as gillab_env.setup adds
 * them. Also left in the process environment (GILLAB_SITE_PACKAGES,
 * GILLAB_VENV) for the worker processes multiprocessing starts, which
 * py_main sets up alike. Call before py_start; without a call, py_start
 * adds nothing and watches nothing (the bare standard library). */
void py_set_site(int site_packages, const char *venv);

/* Adds the environment py_set_site chose to the current interpreter's
 * sys.path (py_start does it for the main interpreter; a subinterpreter
 * calls it after py_add_paths). The calling thread holds that
 * interpreter's GIL. Returns 0 (also when py_set_site was never called),
 * or -1 with err (e.g. a venv this runtime cannot use). */
int py_add_site(char *err, size_t errlen);

/* Puts the drivers' directory (embed/python, compiled in) and workloads_dir
 * first on the current interpreter's sys.path, the drivers first. The
 * calling thread holds that interpreter's GIL. Returns 0, or -1 (the
 * Python error cleared). */
int py_add_paths(const char *workloads_dir);

/* Finalizes the interpreter; 0, or a negative code with err. */
int py_finish(char *err, size_t errlen);

/* Calls module.func(**args) (args: a JSON object, borrowed; NULL for none)
 * and converts the result to JSON through json.dumps. On success *out is a
 * new cJSON the caller frees with cJSON_Delete. A Python exception becomes
 * -1 with its traceback's last lines in err. */
int py_call_json(const char *module, const char *func, const cJSON *args,
                 cJSON **out, char *err, size_t errlen);

#endif
