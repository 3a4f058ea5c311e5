/* reftrace — counting destroyed objects with PyRefTracer (3.13+).
 *
 * mem.dealloc times the drop of large object graphs; on 3.13+ it also
 * counts the objects each drop destroyed. PyRefTracer_SetTracer has one
 * process-wide slot and the tracer runs inside every allocation and
 * deallocation, so it must not allocate, take locks or call Python: it
 * only bumps a thread-local counter on PyRefTracer_DESTROY (a drop's
 * cascade runs in the dropping thread, so a thread's delta over its drop is
 * that drop's count, even with other workers dropping at the same time).
 * The tracer is installed only while a mem.dealloc cell runs (its cost is
 * one call per object created or destroyed).
 */
#ifndef GILLAB_REFTRACE_H
#define GILLAB_REFTRACE_H

#include <stdint.h>

/* 1 when this runtime has PyRefTracer (3.13+). */
int reftrace_available(void);
/* Installs (on) or removes (off) the tracer; needs the GIL. Returns 0, or
 * -1 with a Python exception set (also when unavailable). */
int reftrace_enable(int on);
/* Objects destroyed by the calling thread while the tracer was installed. */
uint64_t reftrace_thread_destroyed(void);

#endif
