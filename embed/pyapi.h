/* pyapi — the few CPython C-API functions the probe library calls, found
 * with dlsym in whatever CPython the process runs.
 *
 * The library is built once, without Python.h, and loaded into every
 * process of a user's command: a process that is not CPython must load it
 * without unresolved symbols, and a CPython of any version must get the
 * functions of its own ABI. Only functions of the stable ABI (or present
 * in every version from 3.11) are used, through plain pointers, and no
 * macro of Python.h: reference counting goes through Py_IncRef/Py_DecRef,
 * since object layouts differ between builds (free-threaded ones).
 */
#ifndef GILLAB_PYAPI_H
#define GILLAB_PYAPI_H

#include <stddef.h>

typedef struct {
  int (*IsInitialized)(void);
  int (*IsFinalizing)(void); /* Py_IsFinalizing (3.13) or _Py_IsFinalizing */
  int (*GILState_Ensure)(void);
  void (*GILState_Release)(int);
  void *(*GILState_GetThisThreadState)(void);
  void *(*ThreadState_Get)(void);
  void *(*InterpreterState_Main)(void);
  void *(*Run_StringFlags)(const char *, int, void *, void *, void *);
  void *(*Dict_New)(void);
  void *(*Dict_GetItemString)(void *, const char *);
  void *(*Tuple_GetItem)(void *, ptrdiff_t);
  const char *(*Unicode_AsUTF8)(void *);
  long (*Long_AsLong)(void *);
  void *(*CFunction_NewEx)(void *, void *, void *);
  void *(*Import_ImportModule)(const char *);
  void *(*Object_GetAttrString)(void *, const char *);
  int (*List_Append)(void *, void *);
  void (*IncRef)(void *);
  void (*DecRef)(void *);
  void (*Err_Clear)(void);
  void *None; /* &_Py_NoneStruct */
} pyapi;

/* Fills *api from the running process. Returns 0, or -1 (with the name of
 * the first function missing in why). */
int pyapi_load(pyapi *api, char *why, size_t len);

/* Evaluates a Python expression that returns a str, in a fresh namespace,
 * and copies the result into out (truncated to len). The caller must hold
 * the GIL (PyGILState_Ensure). Returns 0, or -1 (the Python error cleared). */
int pyapi_eval_str(const pyapi *api, const char *expr, char *out, size_t len);

#endif
