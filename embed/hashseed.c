/* hashseed — see hashseed.h. From 3.13 _Py_HashSecret is declared in an
 * internal header only (pycore_pyhash.h), hence Py_BUILD_CORE here; 3.11
 * and 3.12 declare it in pyhash.h. */
#define Py_BUILD_CORE 1
#include <Python.h>

#if PY_VERSION_HEX >= 0x030D0000
#include "internal/pycore_pyhash.h"
#endif

#include "hashseed.h"

#include <string.h>

int hashseed_in_effect(unsigned long seed) {
  unsigned char want[sizeof _Py_HashSecret];
  unsigned int x = (unsigned int)seed;
  if (seed > 0xFFFFFFFFul)
    return 0;
  if (seed == 0) {
    memset(want, 0, sizeof want);
  } else {
    for (size_t i = 0; i < sizeof want; i++) {
      x = x * 214013u + 2531011u;
      want[i] = (unsigned char)((x >> 16) & 0xff);
    }
  }
  return memcmp(want, &_Py_HashSecret, sizeof want) == 0;
}
