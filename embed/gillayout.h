/* gillayout — where the GIL is in a CPython that gillab was not compiled
 * against: the user's own interpreter under `gillab probe`.
 *
 * The runners read the GIL through their runtime's internal headers
 * (internal.c). The probe library is built once and loaded into any
 * CPython, so it finds the GIL from what the running runtime exports
 * (Py_Version, _PyRuntime) and from layouts known for each version:
 *
 *   3.11  the GIL is inside the runtime state: &_PyRuntime + 360
 *         (3.11.2 and 3.11.7 measured the same)
 *   3.12  a pointer in the interpreter state: interp + 384 (3.12.1)
 *   3.13  from the runtime's own _Py_DebugOffsets at the start of
 *         _PyRuntime (cookie "xdebugpy", the version, whether free-threaded,
 *         and interpreter_state.ceval_gil), the way out-of-process tools find
 *         structures; its layout is 3.13's
 *
 * and `struct _gil_runtime_state` keeps interval, last_holder, locked,
 * switch_number, cond, mutex, switch_cond, switch_mutex in that order
 * (free-threaded builds: `enabled` first, everything 8 bytes later).
 * Anything else (3.14 and newer, whose debug offsets changed shape) is not
 * located: the caller runs that process unprobed and says why. A location
 * is only a candidate: preload.c checks it against the running interpreter
 * before counting anything (gillayout_check).
 */
#ifndef GILLAB_GILLAYOUT_H
#define GILLAB_GILLAYOUT_H

#include "internal.h"

#include <stddef.h>

typedef struct {
  unsigned long hexversion; /* Py_Version */
  char version[24];         /* "3.13.0", "3.15.0a1" */
  int free_threaded;        /* 1 for a Py_GIL_DISABLED build */
  char layout[48];          /* how the GIL is found: "3.11 table", ... */
} gillayout_runtime;

/* Identifies the CPython this process runs (0), or returns -1 with why: no
 * CPython here (why is "not CPython"), or none gillab knows how to read. */
int gillayout_identify(gillayout_runtime *rt, char *why, size_t len);

/* Fills *v for the GIL of interpreter interp (PyInterpreterState *) of
 * runtime rt, its base moved by `shift` bytes (0; tests move it to make a
 * wrong layout). Returns 0, or -1 with why. */
int gillayout_locate(const gillayout_runtime *rt, void *interp, long shift,
                     internal_gil_view *v, char *why, size_t len);

/* Copies len bytes at addr into out without faulting if addr is not
 * mapped (process_vm_readv on this process). Returns 0, or -1. */
int gillayout_peek(const void *addr, void *out, size_t len);

/* What the check saw (see gillayout_check). */
typedef struct {
  int locked_while_held;  /* locked reads 1 while the checker holds it */
  int holder_is_self;     /* last_holder is the checker's thread state */
  long interval_us;       /* the interval field */
  long switchinterval_us; /* sys.getswitchinterval(), us */
  int enabled_field;      /* free-threaded: the enabled field; else -1 */
  int gil_enabled;        /* sys._is_gil_enabled(); -1 before 3.13 */
} gillayout_seen;

/* Whether the candidate v is this interpreter's GIL, from what was read
 * while the calling thread held it (seen, filled by the caller): with the
 * GIL enabled it must be locked, held by the caller, and its interval must
 * be the switch interval; a free-threaded build's enabled field must agree
 * with sys._is_gil_enabled(). Returns 1, or 0 with why. */
int gillayout_check(const gillayout_seen *seen, int free_threaded, char *why,
                    size_t len);

#endif
