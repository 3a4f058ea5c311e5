/* An extension module written the way most were before free-threaded
 * builds: it does not declare Py_mod_gil, so importing it into a
 * free-threaded CPython turns the GIL back on. */
#include <Python.h>

static struct PyModuleDef oldext = {PyModuleDef_HEAD_INIT, "oldext", NULL,
                                    -1, NULL};

PyMODINIT_FUNC PyInit_oldext(void) {
  return PyModule_Create(&oldext);
}
