/* model — how the workers of a cell run (threads, native threads, ...).
 *
 * A model is one way of running N workers: Python threads in one
 * interpreter, the workload's C twin on pthreads, and (in later issues)
 * processes, asyncio and subinterpreters. The enum and its name table are
 * made from one list so they cannot drift apart.
 */
#ifndef GILLAB_MODEL_H
#define GILLAB_MODEL_H

#include <stddef.h>

/* X(enum, name, runs Python?, one-line help) */
#define MODEL_MAP(X)                                                           \
  X(THREADS, "threads", 1, "Python threading: N threads in one interpreter")   \
  X(NATIVE_THREADS, "native-threads", 0,                                       \
    "the workload's C twin on N pthreads, no Python")                          \
  X(NATIVE_PROCS, "native-procs", 0,                                           \
    "the workload's C twin in N forked processes, no Python")

typedef enum {
#define MODEL_ENUM(e, name, py, help) MODEL_##e,
  MODEL_MAP(MODEL_ENUM)
#undef MODEL_ENUM
      MODEL_COUNT
} model_t;

/* Bit of a model in a workload's set of models that fit it. */
#define MODEL_BIT(m) (1u << (m))

const char *model_name(model_t m);
const char *model_help(model_t m);
/* Non-zero when cells of this model start an interpreter. */
int model_is_python(model_t m);
/* Parses a model name; returns 0, or -EINVAL with err listing the models. */
int model_parse(const char *name, model_t *out, char *err, size_t errlen);

#endif
