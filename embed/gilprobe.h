/* gilprobe — exact GIL accounting, per thread, by interposing on the
 * pthread calls libpython makes for its GIL.
 *
 * A thread that wants a held GIL waits in pthread_cond_timedwait(&gil->cond,
 * &gil->mutex, deadline) with a deadline of one switch interval; a timeout
 * with no switch in between raises the drop request; the holder that drops
 * on request waits in pthread_cond_wait(&gil->switch_cond) until another
 * thread has taken it. The runner (an executable exporting its symbols)
 * defines those pthread functions itself; libpython's calls bind to them,
 * and they forward to glibc's. A call on a known GIL's cond or mutex is
 * counted for the calling thread; every other call is forwarded untouched.
 *
 * One contended acquisition ("wait") is one take of the GIL's mutex followed
 * by one or more timed waits on its cond; its latency runs from the mutex
 * request to the return of the last wait, and goes into a log-linear
 * histogram.
 *
 * Notes about the implementation: inside the wrappers the GIL's mutex may
 * be held, so they use no Python API, no stdio, no locks and no allocation:
 * each thread takes a slot from a static pool on its first event (an atomic
 * index) and only that thread writes it; other threads read it only for a
 * report after the thread's work is done. The set of GILs is an array that
 * only grows (atomic count), read without a lock; adding to it takes a
 * spin lock (subinterpreters add theirs at the same time). A fork child
 * starts with empty counters (pthread_atfork).
 */
#ifndef GILLAB_GILPROBE_H
#define GILLAB_GILPROBE_H

#include "internal.h"

#include <cjson/cJSON.h>
#include <stdint.h>

/* Log-linear latency buckets: 8 per power of two from 1 us to ~140 s, plus
 * one below. */
#define GILPROBE_SUB 8
#define GILPROBE_OCTAVES 28
#define GILPROBE_BUCKETS (1 + GILPROBE_OCTAVES * GILPROBE_SUB)

/* Counters of one thread (cumulative; subtract two snapshots for a span). */
typedef struct {
  uint64_t waits;         /* contended acquisitions */
  uint64_t wait_ns;       /* their latency, summed */
  uint64_t cond_waits;    /* timed waits on the GIL's cond */
  uint64_t cond_wait_ns;  /* time inside them */
  uint64_t drop_requests; /* timeouts that raised the drop request */
  uint64_t switch_waits;  /* forced-switch waits (holder waits for taker) */
  uint64_t switch_wait_ns;
  uint64_t mutex_waits; /* contended locks of the GIL's mutex */
  uint64_t mutex_wait_ns;
  uint64_t hist[GILPROBE_BUCKETS]; /* acquisition latency */
  /* Kept only where gilprobe_track_holds was called (the probe library):
   * time holding the GIL, from the end of a take to the start of the drop. */
  uint64_t held_ns;
  /* Kept only where semaphore waits are interposed (parkprobe.c, the
   * probe library): waits that blocked, their time and latencies. */
  uint64_t parks;
  uint64_t park_ns;
  uint64_t park_hist[GILPROBE_BUCKETS];
} gilprobe_counts;

/* Registers the GIL of interpreter interp (PyInterpreterState *; the
 * caller holds that GIL) so waits on it are counted, once it has checked
 * that what it located is that GIL (see gilprobe_watch.c). Idempotent.
 * Returns 0, or -1 if it has no GIL, the check failed (gilprobe_refused)
 * or the table is full. */
int gilprobe_watch(void *interp);
/* Why gilprobe_watch last refused a GIL (its check failed), or "". */
const char *gilprobe_refused(void);

/* Watches the GIL described by v (copied). Internal: gilprobe_watch's
 * second half, and the tests' way to watch a GIL made of plain pthread
 * objects. Returns 0, or -1 if the table is full. */
int gilprobe__add(const internal_gil_view *v);

/* Whether the GIL of interpreter interp (PyInterpreterState *) is watched:
 * 1 or 0. */
int gilprobe_watching(void *interp);

/* How many GILs are watched (they stay watched once added). */
int gilprobe_watched(void);

/* Stops (0) or resumes (1) counting; while off the wrappers only forward. */
void gilprobe_set_enabled(int on);

/* Whether counting is on. */
int gilprobe_enabled(void);

/* Whether any GIL is watched, and the first one's view (NULL if none). */
const internal_gil_view *gilprobe_main_gil(void);

/* The calling thread's counters so far, its pending acquisition included. */
void gilprobe_thread_snapshot(gilprobe_counts *out);

/* a -= b, field by field. */
void gilprobe_counts_sub(gilprobe_counts *a, const gilprobe_counts *b);
/* a += b, field by field. */
void gilprobe_counts_add(gilprobe_counts *a, const gilprobe_counts *b);

/* Latency percentile (0..1) of a histogram, in nanoseconds: the upper edge
 * of the bucket that holds it. 0 when empty. */
double gilprobe_percentile(const gilprobe_counts *c, double q);
/* Upper edge of histogram bucket b (0 <= b < GILPROBE_BUCKETS), in nanoseconds;
 * reports export the histogram as [upper edge, count] pairs. */
double gilprobe_bucket_upper(unsigned b);

/* The largest latency seen, to bucket precision (upper edge). */
double gilprobe_max(const gilprobe_counts *c);

/* Threads that had GIL events but found no free slot (their events lost). */
uint64_t gilprobe_lost(void);

/* Samples the main GIL once (for held fraction and holders); called by the
 * workers' sampler thread. Returns 1 if locked, 0 if not, -1 if no GIL is
 * watched; *holder receives last_holder. */
int gilprobe_sample(void **holder);

/* The probe library's additions (gillab probe): hold tracking, parks,
 * trace events and reading every thread's slot from another thread. */

/* Starts timing holds: a take of the GIL's mutex is a drop when the GIL is
 * locked and its last holder is the calling thread's thread state, which
 * self_tstate returns (PyGILState_GetThisThreadState: a TLS read). */
void gilprobe_track_holds(void *(*self_tstate)(void));

/* One trace event of a thread. */
typedef struct {
  uint64_t start_ns;
  uint64_t dur_ns;
  int kind; /* GILPROBE_EV_* */
  int arg;  /* GC generation for GILPROBE_EV_GC */
} gilprobe_event;
enum {
  GILPROBE_EV_WAIT,
  GILPROBE_EV_HOLD,
  GILPROBE_EV_PARK,
  GILPROBE_EV_GC,
  GILPROBE_EV_DROP
};

/* Starts recording trace events: waits, holds and parks of at least
 * min_ns, every GC pause and drop request, in a ring of `capacity` events
 * per thread (a power of two; rounded up). */
void gilprobe_trace_start(uint64_t min_ns, unsigned capacity);
/* Records an event of the calling thread (no-op unless tracing; waits,
 * holds and parks below the threshold are not kept). */
void gilprobe_emit(int kind, int arg, uint64_t start_ns, uint64_t dur_ns);
/* Counts one park (a semaphore wait that blocked) of the calling thread. */
void gilprobe_park(uint64_t start_ns, uint64_t dur_ns);
/* The histogram bucket of a latency, for histograms kept elsewhere. */
unsigned gilprobe_bucket(uint64_t ns);

/* How many thread slots are taken (each thread keeps its slot for good). */
int gilprobe_slots(void);
/* Slot i's thread id and counters as of now, read from another thread:
 * values may be a few events behind; a hold in progress is counted up to
 * now_ns. Returns 0, or -1 if i is not a slot. */
int gilprobe_slot_read(int i, int *tid, gilprobe_counts *out, uint64_t now_ns);
/* Moves up to max of slot i's trace events not read yet into buf; *dropped
 * grows by the events the ring overwrote before they were read. Returns the
 * number moved. One reader only. */
size_t gilprobe_slot_drain(int i, gilprobe_event *buf, size_t max,
                           uint64_t *dropped);
/* The interval field of watched GIL g, its switch number, and its enabled
 * field (free-threaded builds; -1 if none). For the probe library's
 * intervals. Returns 0, or -1 if no such GIL. */
int gilprobe_gil_state(int g, unsigned long *switches, int *enabled);
/* Sets a function called (by the calling thread, holding nothing) at the
 * start of each GIL mutex request and each park: the probe library's way
 * to act soon after a fork without a thread of its own. NULL: none. */
void gilprobe_set_hook(void (*hook)(void));
/* Whether the GIL at address gil is watched: 1 or 0. */
int gilprobe__watching_gil(const void *gil);

#endif
