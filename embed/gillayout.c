/* gillayout — see gillayout.h. Nothing here includes Python.h: the
 * library serves every runtime, so what it reads of one is plain memory
 * at offsets this file documents, found through dlsym. */
#include "gillayout.h"

#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

/* Offsets inside struct _gil_runtime_state (x86_64, glibc's 48-byte
 * pthread_cond_t and 40-byte pthread_mutex_t), measured with offsetof
 * against 3.11.2, 3.11.7, 3.12.1, 3.13.0 and 3.13.5t; free-threaded builds
 * add 8. */
enum {
  GIL_INTERVAL = 0,
  GIL_LAST_HOLDER = 8,
  GIL_LOCKED = 16,
  GIL_SWITCH_NUMBER = 24,
  GIL_COND = 32,
  GIL_MUTEX = 80,
  GIL_SWITCH_COND = 120,
  GIL_SWITCH_MUTEX = 168
};

/* 3.13's _Py_DebugOffsets: cookie[8], version, free_threaded, then
 * runtime_state {size, finalizing, interpreters_head}, then
 * interpreter_state {size, id, next, threads_head, gc, imports_modules,
 * sysdict, builtins, ceval_gil, gil_runtime_state,
 * gil_runtime_state_enabled, gil_runtime_state_locked,
 * gil_runtime_state_holder}, all uint64_t. */
enum {
  DBG_VERSION = 8,
  DBG_FREE_THREADED = 16,
  DBG_CEVAL_GIL = 112,
  DBG_GIL_STATE = 120,
  DBG_GIL_LOCKED = 136,
  DBG_GIL_HOLDER = 144
};

int gillayout_identify(gillayout_runtime *rt, char *why, size_t len) {
  memset(rt, 0, sizeof *rt);
  const unsigned long *ver = dlsym(RTLD_DEFAULT, "Py_Version");
  if (!ver || !dlsym(RTLD_DEFAULT, "Py_IsInitialized")) {
    snprintf(why, len, "not CPython");
    return -1;
  }
  rt->hexversion = *ver;
  unsigned long h = *ver;
  unsigned lv = (h >> 4) & 0xf; /* 0xA alpha, 0xB beta, 0xC rc, 0xF final */
  snprintf(rt->version, sizeof rt->version, "%lu.%lu.%lu%s", h >> 24,
           (h >> 16) & 0xff, (h >> 8) & 0xff,
           lv == 0xa   ? "a"
           : lv == 0xb ? "b"
           : lv == 0xc ? "rc"
           : lv == 0xf ? ""
                       : "?");
  if (lv < 0xf)
    snprintf(rt->version + strlen(rt->version),
             sizeof rt->version - strlen(rt->version), "%lu", h & 0xf);
  unsigned long minor = h >> 16;
  const char *runtime = dlsym(RTLD_DEFAULT, "_PyRuntime");
  if (minor == 0x030B || minor == 0x030C) {
    if (!runtime) {
      snprintf(why, len, "CPython %s does not export _PyRuntime", rt->version);
      return -1;
    }
    snprintf(rt->layout, sizeof rt->layout, "%s table",
             minor == 0x030B ? "3.11" : "3.12");
    return 0;
  }
  if (minor == 0x030D && runtime && memcmp(runtime, "xdebugpy", 8) == 0) {
    uint64_t dv, ft;
    memcpy(&dv, runtime + DBG_VERSION, 8);
    memcpy(&ft, runtime + DBG_FREE_THREADED, 8);
    if (dv != h) {
      snprintf(why, len, "CPython %s: its debug offsets are for version 0x%llx",
               rt->version, (unsigned long long)dv);
      return -1;
    }
    rt->free_threaded = ft != 0;
    snprintf(rt->layout, sizeof rt->layout, "debug offsets 3.13");
    return 0;
  }
  snprintf(why, len,
           "no known GIL layout for CPython %s (gillab reads 3.11 to 3.13)",
           rt->version);
  return -1;
}

int gillayout_peek(const void *addr, void *out, size_t len) {
  struct iovec local = {out, len}, remote = {(void *)addr, len};
  return process_vm_readv(getpid(), &local, 1, &remote, 1, 0) == (ssize_t)len
             ? 0
             : -1;
}

int gillayout_locate(const gillayout_runtime *rt, void *interp, long shift,
                     internal_gil_view *v, char *why, size_t len) {
  char *gil = NULL;
  const char *runtime = dlsym(RTLD_DEFAULT, "_PyRuntime");
  unsigned long minor = rt->hexversion >> 16;
  memset(v, 0, sizeof *v);
  if (minor == 0x030B && runtime) {
    gil = (char *)runtime + 360;
  } else if (minor == 0x030C && interp) {
    if (gillayout_peek((char *)interp + 384, &gil, sizeof gil) < 0)
      gil = NULL;
  } else if (minor == 0x030D && runtime && interp) {
    uint64_t off, state, locked, holder;
    memcpy(&off, runtime + DBG_CEVAL_GIL, 8);
    memcpy(&state, runtime + DBG_GIL_STATE, 8);
    memcpy(&locked, runtime + DBG_GIL_LOCKED, 8);
    memcpy(&holder, runtime + DBG_GIL_HOLDER, 8);
    size_t base = rt->free_threaded ? 8 : 0;
    if (locked - state != GIL_LOCKED + base ||
        holder - state != GIL_LAST_HOLDER + base || off > 1 << 20) {
      snprintf(why, len,
               "CPython %s: its debug offsets do not describe the GIL "
               "layout gillab knows",
               rt->version);
      return -1;
    }
    if (gillayout_peek((char *)interp + off, &gil, sizeof gil) < 0)
      gil = NULL;
  } else {
    snprintf(why, len, "no known GIL layout for CPython %s", rt->version);
    return -1;
  }
  if (!gil) {
    snprintf(why, len, "the interpreter has no GIL yet");
    return -1;
  }
  gil += shift;
  size_t b = rt->free_threaded ? 8 : 0;
  v->gil = gil;
  v->interval = (const unsigned long *)(gil + b + GIL_INTERVAL);
  v->last_holder = (void *const *)(gil + b + GIL_LAST_HOLDER);
  v->locked = (const int *)(gil + b + GIL_LOCKED);
  v->switch_number = (const unsigned long *)(gil + b + GIL_SWITCH_NUMBER);
  v->cond = gil + b + GIL_COND;
  v->mutex = gil + b + GIL_MUTEX;
  v->switch_cond = gil + b + GIL_SWITCH_COND;
  v->switch_mutex = gil + b + GIL_SWITCH_MUTEX;
  v->enabled = rt->free_threaded ? (const int *)gil : NULL;
  return 0;
}

int gillayout_check(const gillayout_seen *s, int free_threaded, char *why,
                    size_t len) {
  if (free_threaded && (s->enabled_field > 0) != (s->gil_enabled == 1)) {
    snprintf(why, len,
             "the GIL's enabled field reads %d but sys._is_gil_enabled() "
             "says %s",
             s->enabled_field, s->gil_enabled ? "True" : "False");
    return 0;
  }
  if (s->interval_us != s->switchinterval_us) {
    snprintf(why, len,
             "the GIL's interval field reads %ld but "
             "sys.getswitchinterval() is %ld us",
             s->interval_us, s->switchinterval_us);
    return 0;
  }
  if (free_threaded && s->gil_enabled == 0)
    return 1; /* no lock to see held */
  if (!s->locked_while_held || !s->holder_is_self) {
    snprintf(why, len,
             "what should be the GIL is %s while the probe holds the GIL",
             !s->locked_while_held ? "not locked" : "held by another thread");
    return 0;
  }
  return 1;
}
