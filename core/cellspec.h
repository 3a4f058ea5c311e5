/* cellspec — what a runner is told: one cell, as the orchestrator sends it
 * and the runner reads it. The one contract between lab/ and embed/.
 *
 * The orchestrator (lab/run.c, lab/calibrate.c) fills a cellspec with
 * designated initializers, turns it into JSON with cellspec_to_json and hands
 * the text to a runner (`gillab-runner-TAG --cell JSON`); the runner reads it
 * back with cellspec_parse, the only parser of that JSON. Both ends check the
 * same ranges (cellspec_check), so the orchestrator cannot send what a
 * runner would refuse.
 *
 * A field left out means the same on both sides: a designated initializer
 * sets it to zero, and a key missing from the JSON reads as zero too: no
 * binding, the probe off, the runtime's own switch interval and start
 * method, hash seed 0 (PYTHONHASHSEED=0: no randomization), no warm-up,
 * the standard library alone on sys.path (no site-packages, no venv).
 * Only workload, model, workers and units must be given. A key the parser
 * does not know is an error: an orchestrator and a runner that disagree on
 * a name must not half-agree on the cell.
 *
 * Whether the runner did what it was told is not said here: the runner
 * reports what it observed in the record's `applied` object (embed/cell.h).
 *
 * JSON, one key per field below, e.g.
 *   {"workload": "cpu.primes", "model": "processes", "workers": 2,
 *    "units": 30000, "sets": ["0", "1"], "workloads_dir": "/...",
 *    "workload_file": null, "func": null, "twin": null,
 *    "gil_probe": true, "switch_interval": 0.005, "hash_seed": 1,
 *    "start_method": "spawn", "cpu_threads": 0, "hiccup": false,
 *    "worker_warmup_s": 0.2, "overhead_pairs": 0, "overhead_control": false,
 *    "site_packages": true, "venv": "/home/me/.venv312",
 *    "msg_size": 0, "payload": null, "connections": 0, "handler": null,
 *    "handler_us": 0, "rate": 0, "client_set": null}
 */
#ifndef GILLAB_CELLSPEC_H
#define GILLAB_CELLSPEC_H

#include "model.h"

#include <stddef.h>
#include <stdint.h>

/* The most workers (and CPU threads beside them) a cell may have. */
#define CELLSPEC_MAX_WORKERS 4096
/* hash_seed: let CPython pick a random seed. */
#define CELLSPEC_HASH_RANDOM (-1L)
/* units travel as JSON numbers, which cJSON (1.7.15) prints with 15
 * significant digits whenever that reads back within a relative
 * DBL_EPSILON: 2^53 came back as 9007199254740990. Whole numbers below
 * 10^15 are exact. */
#define CELLSPEC_MAX_UNITS UINT64_C(999999999999999)
/* The longest worker warm-up, in seconds (as `gillab run` accepts). */
#define CELLSPEC_MAX_WARMUP_S 60.0
/* A message's size: at least its header (sequence number and send time,
 * 8 bytes each), at most 64 MiB (a producer and a consumer hold a few). */
#define CELLSPEC_MIN_MSG_SIZE 16
#define CELLSPEC_MAX_MSG_SIZE (UINT64_C(64) << 20)
/* A server cell's connections (as the load generator opens them) and the
 * longest a built-in handler may take per request (10 s). */
#define CELLSPEC_MAX_CONNECTIONS 4096
#define CELLSPEC_MAX_HANDLER_US 10000000

typedef struct {
  const char *workload; /* registry name ("cpu.primes"); required */
  model_t model;        /* required */
  unsigned workers;     /* 1 .. CELLSPEC_MAX_WORKERS; required */
  uint64_t units;       /* the cell's work, 0 .. CELLSPEC_MAX_UNITS */
  /* Worker i's cpuset in hwloc's list syntax of OS indexes ("3", "0-1";
   * "" unbound), workers entries; NULL: every worker unbound. */
  char *const *sets;
  /* The Python workloads' directory; NULL: the one built into the runner. */
  const char *workloads_dir;
  /* A user workload (core/wl.h): the absolute path of its Python file, which
   * the runner imports by its stem with the file's directory first on
   * sys.path (workload is then only its name in records); NULL: a built-in
   * workload. func: its work function (NULL: "work"); twin: the absolute
   * path of its C twin's shared object (workloads/gillab_twin.h; NULL: none),
   * which the native models load. func and twin need workload_file. */
  const char *workload_file;
  const char *func;
  const char *twin;
  int gil_probe;          /* count GIL waits (Python models) */
  double switch_interval; /* seconds, 1e-6 .. 10; 0: the runtime's own */
  /* PYTHONHASHSEED, 0 .. 4294967295, or CELLSPEC_HASH_RANDOM. */
  long hash_seed;
  /* "fork", "spawn" or "forkserver", for the processes model only; NULL:
   * the runtime's default. */
  const char *start_method;
  unsigned cpu_threads;   /* CPU-bound threads beside (WL_CPU_THREADS) */
  int hiccup;             /* run the hiccup sleepers (embed/hiccup.h) */
  double worker_warmup_s; /* untimed work of each fresh worker (WL_WARMUP) */
  /* > 0: measure the probe's cost in that many on/off pairs instead of
   * running the workload once (gillab calibrate); overhead_control keeps
   * the probe on on both sides (A/A). */
  unsigned overhead_pairs;
  int overhead_control;
  /* The user's environment (embed/python/gillab_env.py): site_packages
   * makes importable what the runtime's python would import, i.e. its
   * site-packages (.pth files processed), or with venv, an absolute path,
   * that virtual environment's (and the runtime's too when the venv was
   * made with --system-site-packages). Never the user site (~/.local).
   * venv requires site_packages. */
  int site_packages;
  const char *venv;
  /* Workloads that move messages (WL_MESSAGES: ipc.*): the size of each
   * message in bytes, CELLSPEC_MIN_MSG_SIZE .. CELLSPEC_MAX_MSG_SIZE, and
   * the payload, "bytes" (raw) or "object" (a dict of lists, pickled where
   * it crosses a process); 0 and NULL for the other workloads. Given
   * together or not at all. */
  uint64_t msg_size;
  const char *payload;
  /* Server workloads (WL_SERVE: net.serve*): the load generator's
   * connections (1 .. CELLSPEC_MAX_CONNECTIONS; 0 for the other
   * workloads), the handler ("none", "cpu", "hash", "sleep", or the
   * absolute path of a user's file with ":func"; NULL with 0
   * connections), what the cpu and sleep handlers cost per request
   * (microseconds), the generator's rate (requests per second over all
   * connections; 0: closed loop) and the CPUs it is bound to (hwloc list
   * syntax; NULL or "": unbound). */
  unsigned connections;
  const char *handler;
  unsigned handler_us;
  double rate;
  const char *client_set;
} cellspec;

/* Checks every field's range (and that sets, start_method and the model
 * go together, and func and twin with workload_file). Returns 0, or -EINVAL
 * with err naming the field. Does not check that the workload exists: that is
 * the registry's (workloads/), which the runner asks. */
int cellspec_check(const cellspec *c, char *err, size_t errlen);

/* The spec as one line of JSON, every field written out (sets and the
 * strings as null when NULL). Returns a new string to free with
 * free(), or NULL with err when the spec fails cellspec_check or memory
 * runs out. */
char *cellspec_to_json(const cellspec *c, char *err, size_t errlen);

/* Reads a spec from JSON text. On success returns 0 and *out is a new
 * cellspec owning its strings, to free with cellspec_free; otherwise a
 * negative code with err (not JSON, a required field missing, a field of
 * the wrong type, out of range, or unknown). */
int cellspec_parse(const char *text, cellspec **out, char *err, size_t errlen);

/* Frees a spec from cellspec_parse (NULL is fine). Never call it on a spec
 * built in place: those own nothing. */
void cellspec_free(cellspec *c);

#endif
