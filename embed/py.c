/* py — the embedded CPython; see py.h. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "compat.h"
#include "py.h"

#include "modgillab.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int py_is_python_argv(int argc, char **argv) {
  return argc > 1 && argv[1][0] == '-' && argv[1][1] != '-' &&
         argv[1][1] != '\0';
}

const char *py_compiled_version(void) {
  return PY_VERSION;
}

int py_check_version(char *err, size_t errlen) {
  if (Py_Version == PY_VERSION_HEX)
    return 0;
  snprintf(err, errlen,
           "this runner was compiled against CPython %s (0x%08x) but loaded "
           "libpython 0x%08lx; rebuild gillab for this runtime "
           "(scripts/bootstrap)",
           PY_VERSION, (unsigned)PY_VERSION_HEX, (unsigned long)Py_Version);
  return -EINVAL;
}

/* Settings shared by the runner and its Python command-line mode, so that a
 * multiprocessing child finds the same standard library as its parent:
 * the executable is this binary, and the prefix is the runtime's own
 * (compiled in), not derived from where this binary happens to live. */
static PyStatus config_paths(PyConfig *c) {
  char exe[PATH_MAX];
  if (util_self_exe(exe, sizeof exe) < 0)
    return PyStatus_Error("cannot read /proc/self/exe");
  PyStatus st = PyConfig_SetBytesString(c, &c->executable, exe);
  if (PyStatus_Exception(st))
    return st;
  st = PyConfig_SetBytesString(c, &c->program_name, exe);
  if (PyStatus_Exception(st))
    return st;
  return PyConfig_SetBytesString(c, &c->home, GILLAB_PY_HOME);
}

/* The user's environment of the interpreters this process starts
 * (py_set_site); set: py_set_site was called. */
static struct {
  int set, site_packages;
  char venv[PATH_MAX];
} site_cfg;

static int status_to_err(PyStatus st, const char *what, char *err,
                         size_t errlen) {
  snprintf(err, errlen, "%s: %s%s%s", what, st.func ? st.func : "",
           st.func ? ": " : "", st.err_msg ? st.err_msg : "failed");
  return -1;
}

static int site_in_child(char *err, size_t errlen);

int py_main(int argc, char **argv) {
  char err[512];
  if (py_check_version(err, sizeof err) < 0) {
    fprintf(stderr, "gillab: %s\n", err);
    return 1;
  }
  if (PyImport_AppendInittab("_gillab", modgillab_init) < 0) {
    fprintf(stderr, "gillab: cannot register the _gillab module\n");
    return 1;
  }
  PyConfig c;
  PyConfig_InitIsolatedConfig(&c);
  c.parse_argv = 1;
  /* multiprocessing passes its children the interpreter's flags but not
   * its hash seed; py_start leaves it in GILLAB_HASH_SEED so that worker
   * processes hash like their parent (the seed changes speed). */
  const char *seed = getenv("GILLAB_HASH_SEED");
  if (seed && *seed) {
    c.use_hash_seed = 1;
    c.hash_seed = strtoul(seed, NULL, 10);
  }
  PyStatus st = config_paths(&c);
  if (!PyStatus_Exception(st))
    st = PyConfig_SetBytesArgv(&c, argc, argv);
  if (!PyStatus_Exception(st))
    st = Py_InitializeFromConfig(&c);
  PyConfig_Clear(&c);
  if (PyStatus_Exception(st))
    Py_ExitStatusException(st);
  /* A worker process that multiprocessing spawns (or its fork server)
   * gets the cell's environment as the cell's main process has it, .pth
   * files and sys.prefix included; the parent's sys.path alone, which
   * spawn copies, would miss those. py_set_site leaves the settings in
   * the environment. */
  const char *site = getenv("GILLAB_SITE_PACKAGES");
  if (site) {
    const char *venv = getenv("GILLAB_VENV");
    py_set_site(strcmp(site, "1") == 0, venv && *venv ? venv : NULL);
    if (site_in_child(err, sizeof err) < 0) {
      fprintf(stderr, "gillab: %s\n", err);
      Py_Finalize();
      return 1;
    }
  }
  return Py_RunMain();
}

int py_start(const char *workloads_dir, long hash_seed, char *err,
             size_t errlen) {
  if (py_check_version(err, errlen) < 0)
    return -EINVAL;
  if (PyImport_AppendInittab("_gillab", modgillab_init) < 0) {
    snprintf(err, errlen, "cannot register the _gillab module");
    return -1;
  }
  PyConfig c;
  PyConfig_InitIsolatedConfig(&c);
  c.site_import = 0;
  c.install_signal_handlers = 0;
  if (hash_seed >= 0) {
    char text[32];
    c.use_hash_seed = 1;
    c.hash_seed = (unsigned long)hash_seed;
    snprintf(text, sizeof text, "%ld", hash_seed);
    setenv("GILLAB_HASH_SEED", text, 1); /* for worker processes: py_main */
  }
  PyStatus st = config_paths(&c);
  if (!PyStatus_Exception(st))
    st = Py_InitializeFromConfig(&c);
  PyConfig_Clear(&c);
  if (PyStatus_Exception(st))
    return status_to_err(st, "cannot start CPython", err, errlen);

  if (py_add_paths(workloads_dir) < 0) {
    snprintf(err, errlen, "cannot put %s and %s on sys.path", workloads_dir,
             GILLAB_DRIVERS_DIR);
    return -1;
  }
  return py_add_site(err, errlen);
}

void py_set_site(int site_packages, const char *venv) {
  site_cfg.set = 1;
  site_cfg.site_packages = site_packages;
  snprintf(site_cfg.venv, sizeof site_cfg.venv, "%s", venv ? venv : "");
  setenv("GILLAB_SITE_PACKAGES", site_packages ? "1" : "0", 1);
  if (venv)
    setenv("GILLAB_VENV", venv, 1);
  else
    unsetenv("GILLAB_VENV");
}

int py_add_site(char *err, size_t errlen) {
  if (!site_cfg.set)
    return 0;
  cJSON *args = cJSON_CreateObject(), *added = NULL;
  cJSON_AddBoolToObject(args, "site_packages", site_cfg.site_packages);
  if (site_cfg.venv[0])
    cJSON_AddStringToObject(args, "venv", site_cfg.venv);
  int rc = py_call_json("gillab_env", "setup", args, &added, err, errlen);
  cJSON_Delete(args);
  cJSON_Delete(added);
  return rc;
}

/* py_add_site in a Python command line's process, whose sys.path lacks the
 * drivers: they are put first for the import of gillab_env, then taken
 * off again (spawn then sets the parent's sys.path). */
static int site_in_child(char *err, size_t errlen) {
  PyObject *path = PySys_GetObject("path");                      /* borrowed */
  PyObject *dir = PyUnicode_DecodeFSDefault(GILLAB_DRIVERS_DIR); /* new */
  if (!path || !dir || PyList_Insert(path, 0, dir) < 0) {
    Py_XDECREF(dir);
    PyErr_Clear();
    snprintf(err, errlen, "cannot put %s on sys.path", GILLAB_DRIVERS_DIR);
    return -1;
  }
  int rc = py_add_site(err, errlen);
  Py_ssize_t at = PySequence_Index(path, dir);
  if (at < 0 || PySequence_DelItem(path, at) < 0)
    PyErr_Clear();
  Py_DECREF(dir);
  return rc;
}

int py_add_paths(const char *workloads_dir) {
  const char *dirs[] = {workloads_dir, GILLAB_DRIVERS_DIR};
  PyObject *path = PySys_GetObject("path"); /* borrowed */
  for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
    PyObject *dir = PyUnicode_DecodeFSDefault(dirs[i]); /* new */
    int rc = path && dir ? PyList_Insert(path, 0, dir) : -1;
    Py_XDECREF(dir);
    if (rc < 0) {
      PyErr_Clear();
      return -1;
    }
  }
  return 0;
}

int py_finish(char *err, size_t errlen) {
  if (Py_FinalizeEx() < 0) {
    snprintf(err, errlen, "CPython failed to finalize (buffered data lost)");
    return -1;
  }
  return 0;
}

/* Turns the current Python exception into text in err, keeping the end of
 * the traceback (where the exception's own message is) when it is long. */
static void exception_to_err(char *err, size_t errlen) {
  PyObject *exc = compat_take_exception(); /* new */
  PyObject *tb = NULL, *fmt = NULL, *lines = NULL, *text = NULL;
  const char *s = NULL;
  if (!exc) {
    snprintf(err, errlen, "unknown Python error");
    return;
  }
  tb = PyImport_ImportModule("traceback");
  if (tb)
    fmt = PyObject_GetAttrString(tb, "format_exception");
  if (fmt)
    lines = PyObject_CallOneArg(fmt, exc);
  if (lines) {
    PyObject *empty = PyUnicode_FromString("");
    if (empty)
      text = PyUnicode_Join(empty, lines);
    Py_XDECREF(empty);
  }
  if (!text)
    text = PyObject_Str(exc);
  if (text)
    s = PyUnicode_AsUTF8(text);
  if (!s) {
    PyErr_Clear();
    s = "Python exception (cannot be formatted)";
  }
  size_t len = strlen(s);
  while (len && s[len - 1] == '\n')
    len--;
  if (len >= errlen)
    snprintf(err, errlen, "...%.*s", (int)(errlen - 4), s + len - (errlen - 4));
  else
    snprintf(err, errlen, "%.*s", (int)len, s);
  Py_XDECREF(text);
  Py_XDECREF(lines);
  Py_XDECREF(fmt);
  Py_XDECREF(tb);
  Py_DECREF(exc);
}

int py_call_json(const char *module, const char *func, const cJSON *args,
                 cJSON **out, char *err, size_t errlen) {
  int rc = -1;
  char *args_text = NULL;
  PyObject *json = NULL, *mod = NULL, *fn = NULL, *kwargs = NULL, *empty = NULL,
           *result = NULL, *dumped = NULL;
  *out = NULL;
  json = PyImport_ImportModule("json");
  mod = json ? PyImport_ImportModule(module) : NULL;
  fn = mod ? PyObject_GetAttrString(mod, func) : NULL;
  if (!fn)
    goto pyerr;
  if (args) {
    args_text = cJSON_PrintUnformatted(args);
    if (!args_text) {
      snprintf(err, errlen, "out of memory");
      goto done;
    }
    kwargs = PyObject_CallMethod(json, "loads", "s", args_text);
  } else {
    kwargs = PyDict_New();
  }
  empty = kwargs ? PyTuple_New(0) : NULL;
  result = empty ? PyObject_Call(fn, empty, kwargs) : NULL;
  dumped = result ? PyObject_CallMethod(json, "dumps", "O", result) : NULL;
  if (!dumped)
    goto pyerr;
  const char *text = PyUnicode_AsUTF8(dumped);
  if (!text)
    goto pyerr;
  *out = cJSON_Parse(text);
  if (!*out) {
    snprintf(err, errlen, "%s.%s returned something JSON cannot carry", module,
             func);
    goto done;
  }
  rc = 0;
  goto done;
pyerr:
  exception_to_err(err, errlen);
done:
  cJSON_free(args_text);
  Py_XDECREF(dumped);
  Py_XDECREF(result);
  Py_XDECREF(empty);
  Py_XDECREF(kwargs);
  Py_XDECREF(fn);
  Py_XDECREF(mod);
  Py_XDECREF(json);
  return rc;
}
