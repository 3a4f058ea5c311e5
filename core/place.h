/* place — where workers run: the machine's topology, placement plans, binding.
 *
 * This is the only module that includes hwloc.h. The orchestrator opens the
 * topology (the real machine's, or a synthetic one such as
 * "pack:2 core:8 pu:2" for planning a machine you don't have), plans a
 * placement policy for N workers, and hands each worker's cpuset to the cell
 * as a string in hwloc's list syntax of OS indexes ("3", "0-1"). Inside the
 * cell the runner binds each worker thread to its string and asks where the
 * thread was last seen running.
 *
 * Policies (see place_plan for the exact order):
 *   none     no binding; every worker's set is "" (the OS decides).
 *   compact  one PU per core, cores in topology order (fill a package before
 *            the next); SMT siblings only once every core has a worker.
 *   scatter  one PU per core, cores chosen round-robin across the widest
 *            branches of the tree first (packages, then NUMA groups, ...);
 *            SMT siblings only once every core has a worker.
 *   one-core every worker on the same PU (compact's first): the workers
 *            share one CPU, a baseline for contention.
 * or explicit hwloc locations (place_plan_locations).
 * With more workers than PUs, compact and scatter wrap around and reuse PUs
 * in the same order.
 *
 * Errors: functions return 0 or a negative errno-style code and write a
 * sentence into the caller's err buffer (errlen bytes, always terminated).
 */
#ifndef GILLAB_PLACE_H
#define GILLAB_PLACE_H

#include <stddef.h>
#include <sys/types.h>

/* X-macro: policy enum and its name table from one list. */
#define PLACE_POLICY_MAP(X)                                                    \
  X(NONE, "none", "no binding: the OS scheduler decides")                      \
  X(COMPACT, "compact", "one core after the next, SMT siblings last")          \
  X(SCATTER, "scatter", "spread across packages/NUMA groups, SMT last")        \
  X(ONE_CORE, "one-core", "every worker on one PU, the first of compact")

typedef enum {
#define PLACE_ENUM(e, name, help) PLACE_##e,
  PLACE_POLICY_MAP(PLACE_ENUM)
#undef PLACE_ENUM
      PLACE_POLICY_COUNT
} place_policy;

/* Name of a policy ("compact"); never NULL for a valid policy. */
const char *place_policy_name(place_policy p);
/* One-line description of a policy. */
const char *place_policy_help(place_policy p);
/* Parses a policy name; returns 0, or -EINVAL with err naming the choices. */
int place_policy_parse(const char *name, place_policy *out, char *err,
                       size_t errlen);

typedef struct place_topo place_topo; /* opaque */

/* Opens a topology. synthetic == NULL loads this machine's topology (CPUs
 * only; I/O devices are filtered out to keep the load fast, since a cell
 * opens one at start). Otherwise synthetic is an hwloc synthetic description,
 * e.g. "pack:2 core:8 pu:2" or "pack:2 numa:2 core:4 pu:2". The plain
 * form "[pack:A] [core:B] pu:C" is laid out without hwloc's synthetic
 * loader (quadratic in the PUs), as hwloc would; binding on it fails.
 * On success *out must be freed with place_topo_close. */
int place_topo_open(place_topo **out, const char *synthetic, char *err,
                    size_t errlen);

/* As place_topo_open, with a synthetic description always loaded by
 * hwloc, even one place_topo_open lays out itself (tests compare the
 * two). */
int place__topo_open_hwloc(place_topo **out, const char *synthetic, char *err,
                           size_t errlen);
void place_topo_close(place_topo *t);

/* Counts of the topology's objects. */
unsigned place_topo_npus(const place_topo *t);
unsigned place_topo_ncores(const place_topo *t);
unsigned place_topo_npackages(const place_topo *t);
unsigned place_topo_nnuma(const place_topo *t);

/* One-line summary, e.g. "1 package, 2 cores, 2 PUs, 1 NUMA node", written
 * into buf (len bytes, terminated). */
void place_topo_summary(const place_topo *t, char *buf, size_t len);

/* The topology as an indented text tree (packages, groups, NUMA nodes,
 * caches collapsed, cores and PUs with logical and OS indexes), in a new
 * string that the caller frees with free(). NULL if out of memory. */
char *place_topo_render(const place_topo *t);

/* A plan: sets[i] is worker i's cpuset in hwloc list syntax of OS indexes,
 * "" for no binding. Free with place_plan_free. */
typedef struct {
  unsigned n;
  char **sets;
} place_plan_t;

/* Plans policy p for n workers (n >= 1) on t. On success fills *plan. */
int place_plan(const place_topo *t, place_policy p, unsigned n,
               place_plan_t *plan, char *err, size_t errlen);
void place_plan_free(place_plan_t *plan);

/* Explicit placements: hwloc locations, comma-separated, each TYPE:INDEXES
 * with logical indexes as hwloc-calc takes them: "core:0-1", "pu:0,pu:2",
 * "package:1", "numa:0", "core:all". The locations expand, in the order
 * given, into a list of objects; worker i is bound to the cpuset of object
 * i (wrapping around when there are more workers than objects). So
 * "core:0-1" puts worker 0 on core 0 and worker 1 on core 1 (all PUs of
 * each core), and "pu:0,pu:1" on those two PUs. */

/* Non-zero when text looks like a location list (has a ':'), not a policy. */
int place_is_location(const char *text);

/* Plans the explicit locations `where` for n workers on t; fills *plan as
 * place_plan does. Fails with err naming the bad location, a type this
 * topology lacks, or an index beyond its objects. */
int place_plan_locations(const place_topo *t, const char *where, unsigned n,
                         place_plan_t *plan, char *err, size_t errlen);

/* Plans `name` for n workers: a policy name (place_plan) or explicit
 * locations (place_plan_locations). */
int place_plan_named(const place_topo *t, const char *name, unsigned n,
                     place_plan_t *plan, char *err, size_t errlen);

/* Binds the calling thread to set (hwloc list syntax of OS indexes, as in a
 * plan). "" or NULL does nothing and returns 0. Fails with err if the set is
 * malformed or the kernel refuses (e.g. a CPU outside the allowed set). */
int place_bind_self(place_topo *t, const char *set, char *err, size_t errlen);

/* Whether CPU (an OS index) is in set (hwloc list syntax). 0 for a
 * malformed or empty set. */
int place_set_has(const char *set, int cpu);

/* The CPUs the calling thread may run on, as the kernel says
 * (sched_getaffinity), into buf in the plans' list syntax ("1", "0-1",
 * "0,2-3"; len bytes, terminated): what a binding came to, read back.
 * Returns 0, -ENOSPC when buf is too short, or -errno. */
int place_affinity_self(char *buf, size_t len);

/* The OS index of the CPU thread tid (a Linux thread id in this process) last
 * ran on, or -1 if it cannot be told (e.g. the thread has exited). */
int place_last_cpu(place_topo *t, pid_t tid);

#endif
