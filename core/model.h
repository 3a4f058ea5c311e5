/* model — how the workers of a cell run (threads, native threads, ...).
 *
 * A model is one way of running N workers: Python threads in one
 * interpreter, multiprocessing, asyncio, subinterpreters, and the
 * workload's C twin on pthreads and in processes. The enum and its name table
 * are made from one list so they cannot drift apart.
 */
#ifndef GILLAB_MODEL_H
#define GILLAB_MODEL_H

#include <stddef.h>

/* X(enum, name, Python driver in gillab_drive.py or NULL for native
 * models, OS threads that run the workers ('N': one each, '1': one for
 * all, as an event loop), one-line help) */
#define MODEL_MAP(X)                                                           \
  X(THREADS, "threads", "threads", 'N',                                        \
    "Python threading: N threads in one interpreter")                          \
  X(PROCESSES, "processes", "processes", 'N',                                  \
    "multiprocessing: N processes (--start-method fork, spawn, forkserver)")   \
  X(ASYNCIO, "asyncio", "asyncio_tasks", '1',                                  \
    "one asyncio event loop running N tasks")                                  \
  X(SUBINTERPRETERS, "subinterpreters", "subinterpreters", 'N',                \
    "one interpreter per worker thread (own GIL on 3.12+, shared on 3.11)")    \
  X(NATIVE_THREADS, "native-threads", NULL, 'N',                               \
    "the workload's C twin on N pthreads, no Python")                          \
  X(NATIVE_PROCS, "native-procs", NULL, 'N',                                   \
    "the workload's C twin in N forked processes, no Python")

typedef enum {
#define MODEL_ENUM(e, name, driver, threads, help) MODEL_##e,
  MODEL_MAP(MODEL_ENUM)
#undef MODEL_ENUM
      MODEL_COUNT
} model_t;

/* Bit of a model in a workload's set of models that fit it. */
#define MODEL_BIT(m) (1u << (m))
/* The models that run Python, and the C twins' models, as sets of bits. */
#define MODEL_BITS_PYTHON                                                      \
  (MODEL_BIT(MODEL_THREADS) | MODEL_BIT(MODEL_PROCESSES) |                     \
   MODEL_BIT(MODEL_ASYNCIO) | MODEL_BIT(MODEL_SUBINTERPRETERS))
#define MODEL_BITS_NATIVE                                                      \
  (MODEL_BIT(MODEL_NATIVE_THREADS) | MODEL_BIT(MODEL_NATIVE_PROCS))

const char *model_name(model_t m);
const char *model_help(model_t m);
/* Non-zero when cells of this model start an interpreter. */
int model_is_python(model_t m);
/* The Python driver function (gillab_drive.<name>), NULL for native. */
const char *model_driver(model_t m);
/* How many OS threads run n workers: n, or 1 when one thread runs them all
 * (an event loop). */
unsigned model_threads(model_t m, unsigned n);
/* Parses a model name; returns 0, or -EINVAL with err listing the models. */
int model_parse(const char *name, model_t *out, char *err, size_t errlen);

#endif
