/* pyapi — see pyapi.h. */
#include "pyapi.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#define PY_EVAL_INPUT 258 /* Py_eval_input, the same in every version */

int pyapi_load(pyapi *api, char *why, size_t len) {
  static const struct {
    const char *name;
    size_t off;
  } want[] = {
#define F(field, sym) {sym, offsetof(pyapi, field)}
      F(IsInitialized, "Py_IsInitialized"),
      F(GILState_Ensure, "PyGILState_Ensure"),
      F(GILState_Release, "PyGILState_Release"),
      F(GILState_GetThisThreadState, "PyGILState_GetThisThreadState"),
      F(ThreadState_Get, "PyThreadState_Get"),
      F(InterpreterState_Main, "PyInterpreterState_Main"),
      F(Run_StringFlags, "PyRun_StringFlags"),
      F(Dict_New, "PyDict_New"),
      F(Dict_GetItemString, "PyDict_GetItemString"),
      F(Tuple_GetItem, "PyTuple_GetItem"),
      F(Unicode_AsUTF8, "PyUnicode_AsUTF8"),
      F(Long_AsLong, "PyLong_AsLong"),
      F(CFunction_NewEx, "PyCFunction_NewEx"),
      F(Import_ImportModule, "PyImport_ImportModule"),
      F(Object_GetAttrString, "PyObject_GetAttrString"),
      F(List_Append, "PyList_Append"),
      F(IncRef, "Py_IncRef"),
      F(DecRef, "Py_DecRef"),
      F(Err_Clear, "PyErr_Clear"),
      F(None, "_Py_NoneStruct"),
#undef F
  };
  memset(api, 0, sizeof *api);
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
    void *p = dlsym(RTLD_DEFAULT, want[i].name);
    if (!p) {
      snprintf(why, len, "this CPython does not export %s", want[i].name);
      return -1;
    }
    memcpy((char *)api + want[i].off, &p, sizeof p);
  }
  void *fin = dlsym(RTLD_DEFAULT, "Py_IsFinalizing");
  if (!fin)
    fin = dlsym(RTLD_DEFAULT, "_Py_IsFinalizing");
  memcpy(&api->IsFinalizing, &fin, sizeof fin);
  return 0;
}

int pyapi_eval_str(const pyapi *api, const char *expr, char *out, size_t len) {
  int rc = -1;
  void *globals = api->Dict_New();
  if (!globals) {
    api->Err_Clear();
    return -1;
  }
  void *r = api->Run_StringFlags(expr, PY_EVAL_INPUT, globals, globals, NULL);
  if (r) {
    const char *s = api->Unicode_AsUTF8(r);
    if (s) {
      snprintf(out, len, "%s", s);
      rc = 0;
    }
    api->DecRef(r);
  }
  if (rc < 0)
    api->Err_Clear();
  api->DecRef(globals);
  return rc;
}
