/* preload — libgillab-probe.so, the library `gillab probe` loads into every
 * process of a user's command (LD_PRELOAD) to measure its GIL, locks, GC
 * and threads without changing the program. What it writes is the contract
 * in core/probefile.h.
 *
 * In each process: a constructor reads the settings (nothing at all happens
 * without GILLAB_PROBE_DIR), starts the file with a "process" line and, in
 * a CPython, starts one thread of its own, the probe thread. The probe
 * thread waits until the interpreter is up, then takes the GIL once
 * (PyGILState_Ensure) to find it (gillayout) and check it: while the probe
 * holds it, the candidate must read locked, with the probe's own thread
 * state as last holder, and an interval equal to sys.getswitchinterval().
 * Only then is the GIL watched (gilprobe's interposer counts waits, holds,
 * drop requests and hand-offs from then on) and a GC callback installed;
 * otherwise the process runs unprobed and the "runtime" line says why.
 * Every interval the probe thread writes the cumulative counters of every
 * thread (gilprobe slots, parks from parkprobe, kernel figures from /proc
 * and from ptrack at each thread's end) and drains the trace rings. It
 * takes the GIL again only to read new threads' Python names, at most once
 * an interval, and on free-threaded builds to list extension modules while
 * the GIL is off (to name what turned it on).
 *
 * The last line is written at exit (a destructor, after the interpreter has
 * finalized) or in _exit (os._exit, as multiprocessing's children end);
 * a process killed by a signal keeps its lines up to the last interval.
 * A fork child starts a file of its own (once it has lived 20 ms, so a
 * fork that execs at once leaves nothing) and a probe thread of its own; it
 * keeps the parent's verified GIL (the same memory).
 */
#include "gillayout.h"
#include "gilprobe.h"
#include "jline.h"
#include "parkprobe.h"
#include "probefile.h"
#include "ptrack.h"
#include "pyapi.h"
#include "tstat.h"
#include "util.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MAX_NAMES 1024
#define TRACE_RING 16384     /* events per thread */
#define TRACE_LINE_MAX 65536 /* events per trace line */

typedef struct {
  uint64_t collections, pause_ns, max_ns;
  uint64_t hist[GILPROBE_BUCKETS];
} gc_gen;

static struct {
  int on;  /* GILLAB_PROBE_DIR set */
  int pid; /* whose state this is (a vfork child shares it: hands off) */
  char dir[PATH_MAX];
  unsigned interval_ms;
  int trace;
  uint64_t trace_min_ns;
  long shift;
  int fd;
  uint64_t start_ns;
  int forked_from; /* 0: not a fork child */
  int python;
  int header_pending; /* a fork child's first lines are not written yet */
  gillayout_runtime rt;
  int probed;
  char reason[512];
  gillayout_seen seen;
  pyapi api;
  _Atomic int probe_tid;
  _Atomic int stop;
  pthread_mutex_t wlock; /* the file, between the probe thread and exit */
  int final_written;
  unsigned long switch0;
  gc_gen gc[3];
  struct {
    int tid;
    char name[64];
  } names[MAX_NAMES];
  int nnames, ntids_named;
  int gil_was_off;
  uint64_t reenabled_ns;
  char ext_before[16384], reenabled_by[2048];
  uint64_t trace_dropped;
  jline line;
} P = {.fd = -1, .wlock = PTHREAD_MUTEX_INITIALIZER};

static __thread uint64_t gc_t0;

/* --- settings and the file ------------------------------------------- */

static long env_long(const char *name, long dflt) {
  const char *v = getenv(name);
  char *end;
  if (!v || !*v)
    return dflt;
  long x = strtol(v, &end, 10);
  return *end ? dflt : x;
}

static void open_file(void) {
  char path[PATH_MAX + 64];
  snprintf(path, sizeof path, "%s/proc-%d-%llu.jsonl", P.dir, (int)getpid(),
           (unsigned long long)P.start_ns);
  P.fd =
      open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0644);
}

static void put(void) {
  if (P.fd >= 0)
    jline_write(&P.line, P.fd);
  else
    jline_write(&P.line, -1);
}

static void line_process(void) {
  jline *j = &P.line;
  char exe[PATH_MAX] = "";
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  exe[n > 0 ? n : 0] = '\0';
  jline_add(j, "{\"type\":\"process\",\"pid\":%d,\"ppid\":%d,\"exe\":",
            (int)getpid(), (int)getppid());
  jline_str(j, exe);
  jline_add(j, ",\"argv\":[");
  int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    static char buf[8192];
    ssize_t len = read(fd, buf, sizeof buf - 1);
    close(fd);
    int items = 0;
    for (ssize_t i = 0; len > 0 && i < len && items < 64; items++) {
      buf[len] = '\0';
      if (items)
        jline_add(j, ",");
      jline_str(j, buf + i);
      i += (ssize_t)strlen(buf + i) + 1;
    }
  }
  jline_add(j, "],\"start_ns\":%llu,\"forked_from\":",
            (unsigned long long)P.start_ns);
  if (P.forked_from)
    jline_add(j, "%d", P.forked_from);
  else
    jline_add(j, "null");
  jline_add(j, ",\"python\":%s}", P.python ? "true" : "false");
  put();
}

static void line_runtime(void) {
  jline *j = &P.line;
  jline_add(j,
            "{\"type\":\"runtime\",\"t_ns\":%llu,\"version\":\"%s\","
            "\"hexversion\":%lu,\"free_threaded\":%s,\"probed\":%s,"
            "\"reason\":",
            (unsigned long long)util_now_ns(), P.rt.version, P.rt.hexversion,
            P.rt.free_threaded ? "true" : "false", P.probed ? "true" : "false");
  jline_str(j, P.probed ? NULL : P.reason);
  jline_add(j, ",\"layout\":");
  jline_str(j, P.rt.layout[0] ? P.rt.layout : NULL);
  jline_add(j, ",\"check\":");
  const gillayout_seen *s = &P.seen;
  if (P.rt.layout[0] && s->switchinterval_us) {
    jline_add(j,
              "{\"locked_while_held\":%s,\"holder_is_self\":%s,"
              "\"interval_us\":%ld,\"switchinterval_us\":%ld,"
              "\"enabled_field\":",
              s->locked_while_held ? "true" : "false",
              s->holder_is_self ? "true" : "false", s->interval_us,
              s->switchinterval_us);
    if (s->enabled_field >= 0)
      jline_add(j, "%d", s->enabled_field);
    else
      jline_add(j, "null");
    if (s->gil_enabled >= 0)
      jline_add(j, ",\"gil_enabled\":%s}", s->gil_enabled ? "true" : "false");
    else
      jline_add(j, ",\"gil_enabled\":null}");
  } else {
    jline_add(j, "null");
  }
  jline_add(j, ",\"probe_tid\":%d", atomic_load(&P.probe_tid));
  if (P.forked_from)
    jline_add(j, ",\"inherited_from\":%d", P.forked_from);
  jline_add(j, "}");
  put();
}

static void hist_json(jline *j, const char *key, const uint64_t *h) {
  jline_add(j, ",\"%s\":[", key);
  int first = 1;
  for (unsigned b = 0; b < GILPROBE_BUCKETS; b++)
    if (h[b]) {
      jline_add(j, "%s[%.0f,%llu]", first ? "" : ",", gilprobe_bucket_upper(b),
                (unsigned long long)h[b]);
      first = 0;
    }
  jline_add(j, "]");
}

static const char *name_of(int tid) {
  for (int i = 0; i < P.nnames; i++)
    if (P.names[i].tid == tid)
      return P.names[i].name;
  return NULL;
}

static void line_interval(int final) {
  jline *j = &P.line;
  uint64_t now = util_now_ns();
  int probe = atomic_load(&P.probe_tid);
  jline_add(j, "{\"type\":\"interval\",\"t_ns\":%llu,\"final\":%s,",
            (unsigned long long)now, final ? "true" : "false");
  unsigned long sw = 0;
  int en = -1;
  if (P.probed && gilprobe_gil_state(0, &sw, &en) == 0)
    jline_add(j, "\"process\":{\"switches\":%lu,\"gil_enabled\":%s,",
              sw - P.switch0,
              en < 0   ? "true"
              : en > 0 ? "true"
                       : "false");
  else
    jline_add(j, "\"process\":{\"gil_enabled\":null,");
  if (P.reenabled_ns) {
    jline_add(j, "\"gil_reenabled\":{\"t_ns\":%llu,\"modules\":[",
              (unsigned long long)P.reenabled_ns);
    char mods[sizeof P.reenabled_by], *save = NULL;
    snprintf(mods, sizeof mods, "%s", P.reenabled_by);
    int k = 0;
    for (char *m = strtok_r(mods, "\n", &save); m;
         m = strtok_r(NULL, "\n", &save))
      jline_add(j, "%s", k++ ? "," : ""), jline_str(j, m);
    jline_add(j, "]},");
  } else {
    jline_add(j, "\"gil_reenabled\":null,");
  }
  jline_add(j, "\"lost_threads\":%llu,\"untracked_threads\":%llu},",
            (unsigned long long)gilprobe_lost(),
            (unsigned long long)ptrack_untracked());
  jline_add(j, "\"threads\":[");
  int nslots = gilprobe_slots(), first = 1;
  for (ptrack_thread *t = ptrack_head(); t; t = t->next) {
    if (t->tid == probe)
      continue;
    uint64_t end = atomic_load(&t->end_ns);
    tstat ts;
    if (end)
      ts = t->last;
    else
      tstat_read_task(t->tid, &ts);
    gilprobe_counts c;
    int found = 0, tid;
    for (int i = 0; i < nslots && !found; i++)
      if (gilprobe_slot_read(i, &tid, &c, end ? end : now) == 0 &&
          tid == t->tid)
        found = 1;
    if (!found)
      memset(&c, 0, sizeof c);
    jline_add(j, "%s{\"tid\":%d,\"name\":", first ? "" : ",", t->tid);
    first = 0;
    jline_str(j, name_of(t->tid));
    jline_add(j, ",\"alive\":%s,\"first_ns\":%llu,\"last_ns\":%llu",
              end ? "false" : "true", (unsigned long long)t->start_ns,
              (unsigned long long)(end ? end : now));
    if (P.probed) {
      jline_add(j,
                ",\"gil_waits\":%llu,\"gil_wait_ns\":%llu,"
                "\"gil_held_ns\":%llu,\"drop_requests\":%llu,"
                "\"switch_waits\":%llu,\"switch_wait_ns\":%llu",
                (unsigned long long)c.waits, (unsigned long long)c.wait_ns,
                (unsigned long long)c.held_ns,
                (unsigned long long)c.drop_requests,
                (unsigned long long)c.switch_waits,
                (unsigned long long)c.switch_wait_ns);
      hist_json(j, "gil_hist", c.hist);
      jline_add(j, ",\"parks\":%llu,\"park_ns\":%llu",
                (unsigned long long)c.parks, (unsigned long long)c.park_ns);
      hist_json(j, "park_hist", c.park_hist);
    }
    jline_add(j,
              ",\"cpu_ns\":%llu,\"runq_ns\":%llu,\"vcsw\":%llu,"
              "\"ivcsw\":%llu}",
              (unsigned long long)ts.cpu_ns, (unsigned long long)ts.runq_ns,
              (unsigned long long)ts.vcsw, (unsigned long long)ts.ivcsw);
  }
  jline_add(j, "],\"gc\":[");
  for (int g = 0; P.probed && g < 3; g++) {
    gc_gen *s = &P.gc[g];
    jline_add(j,
              "%s{\"gen\":%d,\"collections\":%llu,\"pause_ns\":%llu,"
              "\"max_ns\":%llu",
              g ? "," : "", g, (unsigned long long)s->collections,
              (unsigned long long)s->pause_ns, (unsigned long long)s->max_ns);
    hist_json(j, "hist", s->hist);
    jline_add(j, "}");
  }
  jline_add(j, "]}");
  put();
}

static void line_trace(void) {
  static gilprobe_event ev[4096];
  jline *j = &P.line;
  int nslots = gilprobe_slots(), probe = atomic_load(&P.probe_tid), n = 0;
  uint64_t dropped = P.trace_dropped;
  P.trace_dropped = 0;
  static const char *const kinds[] = {"gil_wait", "gil_hold", "park", "gc",
                                      "drop_request"};
  jline_add(j, "{\"type\":\"trace\",\"events\":[");
  for (int i = 0; i < nslots; i++) {
    int tid;
    gilprobe_counts c;
    if (gilprobe_slot_read(i, &tid, &c, 0) < 0)
      continue;
    size_t got;
    while ((got = gilprobe_slot_drain(i, ev, sizeof ev / sizeof ev[0],
                                      &dropped)) > 0) {
      for (size_t k = 0; k < got; k++) {
        if (tid == probe)
          continue;
        if (n >= TRACE_LINE_MAX) {
          dropped++;
          continue;
        }
        jline_add(j, "%s[\"%s\",%d,%llu,%llu,", n++ ? "," : "",
                  kinds[ev[k].kind], tid, (unsigned long long)ev[k].start_ns,
                  (unsigned long long)ev[k].dur_ns);
        if (ev[k].kind == GILPROBE_EV_GC)
          jline_add(j, "%d]", ev[k].arg);
        else
          jline_add(j, "null]");
      }
    }
  }
  jline_add(j, "],\"dropped\":%llu}", (unsigned long long)dropped);
  if (n || dropped)
    put();
  else
    jline_write(&P.line, -1); /* nothing to say: drop the line */
}

/* --- Python: the check, names, GC ------------------------------------- */

static void *gc_callback(void *self, void *args) {
  (void)self;
  const pyapi *a = &P.api;
  void *phase = a->Tuple_GetItem(args, 0), *info = a->Tuple_GetItem(args, 1);
  const char *ph = phase ? a->Unicode_AsUTF8(phase) : NULL;
  void *gen = info ? a->Dict_GetItemString(info, "generation") : NULL;
  long g = gen ? a->Long_AsLong(gen) : -1;
  if (!ph || g < 0 || g > 2) {
    a->Err_Clear();
  } else if (ph[0] == 's' && ph[1] == 't' && ph[2] == 'a') {
    gc_t0 = util_now_ns();
  } else if (gc_t0) {
    uint64_t t = util_now_ns(), d = t - gc_t0;
    gc_gen *s = &P.gc[g];
    s->collections++;
    s->pause_ns += d;
    if (d > s->max_ns)
      s->max_ns = d;
    s->hist[gilprobe_bucket(d)]++;
    gilprobe_emit(GILPROBE_EV_GC, (int)g, gc_t0, d);
    gc_t0 = 0;
  }
  a->IncRef(a->None);
  return a->None;
}

static struct {
  const char *ml_name;
  void *ml_meth;
  int ml_flags;
  const char *ml_doc;
} gc_def = {"gillab_probe_gc", (void *)gc_callback, 1 /* METH_VARARGS */, NULL};

static int install_gc(void) {
  const pyapi *a = &P.api;
  void *gc = a->Import_ImportModule("gc"), *cbs = NULL, *fn = NULL;
  int rc = -1;
  if (gc && (cbs = a->Object_GetAttrString(gc, "callbacks")) &&
      (fn = a->CFunction_NewEx(&gc_def, NULL, NULL)))
    rc = a->List_Append(cbs, fn);
  if (rc < 0)
    a->Err_Clear();
  if (fn)
    a->DecRef(fn);
  if (cbs)
    a->DecRef(cbs);
  if (gc)
    a->DecRef(gc);
  return rc;
}

/* Reads Python thread names (the GIL held). */
static void read_names(void) {
  static char buf[65536];
  if (pyapi_eval_str(
          &P.api,
          "(lambda s: '\\n'.join('%d\\t%s' % (t.native_id or 0, t.name) "
          "for t in s.modules['threading'].enumerate()) if 'threading' in "
          "s.modules else '')(__import__('sys'))",
          buf, sizeof buf) < 0)
    return;
  char *save = NULL;
  for (char *l = strtok_r(buf, "\n", &save); l;
       l = strtok_r(NULL, "\n", &save)) {
    char *tab = strchr(l, '\t');
    if (!tab)
      continue;
    *tab = '\0';
    int tid = atoi(l), k;
    if (tid <= 0)
      continue;
    for (k = 0; k < P.nnames && P.names[k].tid != tid; k++)
      ;
    if (k == P.nnames) {
      if (P.nnames == MAX_NAMES)
        continue;
      P.nnames++;
    }
    P.names[k].tid = tid;
    snprintf(P.names[k].name, sizeof P.names[k].name, "%s", tab + 1);
  }
}

static const char EXT_MODULES[] =
    "'\\n'.join(sorted(n for n, m in list(__import__('sys').modules.items()) "
    "if str(getattr(m, '__file__', '') or '').endswith('.so')))";

/* Which runtime, where its GIL is and whether that checks out; with the
 * GIL held the one time the probe needs it to find and check the GIL. */
static void find_and_check(void) {
  const pyapi *a = &P.api;
  if (a->IsFinalizing && a->IsFinalizing())
    return;
  int st = a->GILState_Ensure();
  internal_gil_view v;
  char why[256];
  if (gillayout_locate(&P.rt, a->InterpreterState_Main(), P.shift, &v, why,
                       sizeof why) < 0) {
    snprintf(P.reason, sizeof P.reason, "%s", why);
  } else {
    gillayout_seen *s = &P.seen;
    char out[64] = "";
    long si = 0, ge = -1;
    void *holder = NULL;
    unsigned long interval = 0;
    int locked = 0, enabled = -1;
    if (gillayout_peek(v.locked, &locked, sizeof locked) < 0 ||
        gillayout_peek(v.last_holder, &holder, sizeof holder) < 0 ||
        gillayout_peek(v.interval, &interval, sizeof interval) < 0 ||
        (v.enabled &&
         gillayout_peek(v.enabled, &enabled, sizeof enabled) < 0)) {
      snprintf(P.reason, sizeof P.reason,
               "what should be the GIL is not readable memory");
    } else {
      pyapi_eval_str(a,
                     "(lambda s: '%d %d' % (round(s.getswitchinterval() * "
                     "1e6), s._is_gil_enabled() if hasattr(s, "
                     "'_is_gil_enabled') else -1))(__import__('sys'))",
                     out, sizeof out);
      sscanf(out, "%ld %ld", &si, &ge);
      s->locked_while_held = locked == 1;
      s->holder_is_self = holder == a->ThreadState_Get();
      s->interval_us = (long)interval;
      s->switchinterval_us = si;
      s->enabled_field = v.enabled ? enabled : -1;
      s->gil_enabled = (int)ge;
      if (gillayout_check(s, P.rt.free_threaded, why, sizeof why)) {
        P.probed = 1;
        gilprobe__add(&v);
        gilprobe_track_holds(a->GILState_GetThisThreadState);
        gilprobe_gil_state(0, &P.switch0, &enabled);
        if (P.rt.free_threaded && enabled == 0) {
          P.gil_was_off = 1;
          pyapi_eval_str(a, EXT_MODULES, P.ext_before, sizeof P.ext_before);
        }
        install_gc();
        read_names();
      } else {
        snprintf(P.reason, sizeof P.reason,
                 "the GIL gillab located (%s) failed its check: %s",
                 P.rt.layout, why);
      }
    }
  }
  a->GILState_Release(st);
}

/* New threads since the names were last read, or the GIL's state on a
 * free-threaded build: what the probe needs the GIL (or an attached thread
 * state) for after the check. */
static void python_tick(void) {
  const pyapi *a = &P.api;
  int unnamed = 0, probe = atomic_load(&P.probe_tid);
  for (ptrack_thread *t = ptrack_head(); t; t = t->next)
    if (t->tid != probe && !atomic_load(&t->end_ns) && !name_of(t->tid))
      unnamed++;
  unsigned long sw;
  int en = -1;
  gilprobe_gil_state(0, &sw, &en);
  int ft_off = P.rt.free_threaded && en == 0;
  if (P.rt.free_threaded && en > 0 && P.gil_was_off && !P.reenabled_ns) {
    P.reenabled_ns = util_now_ns();
    /* What turned it on was imported since the GIL was last seen off. */
    char now[sizeof P.ext_before];
    int st = a->GILState_Ensure();
    if (pyapi_eval_str(a, EXT_MODULES, now, sizeof now) == 0) {
      char *save = NULL;
      for (char *m = strtok_r(now, "\n", &save); m;
           m = strtok_r(NULL, "\n", &save)) {
        char key[300];
        snprintf(key, sizeof key, "\n%s\n", m);
        char before[sizeof P.ext_before + 2];
        snprintf(before, sizeof before, "\n%s\n", P.ext_before);
        if (!strstr(before, key) &&
            strlen(P.reenabled_by) + strlen(m) + 2 < sizeof P.reenabled_by)
          strcat(strcat(P.reenabled_by, m), "\n");
      }
    }
    a->GILState_Release(st);
  }
  if ((unnamed == 0 || unnamed == P.ntids_named) && !ft_off)
    return;
  if (a->IsFinalizing && a->IsFinalizing())
    return;
  int st = a->GILState_Ensure();
  read_names();
  if (ft_off)
    pyapi_eval_str(a, EXT_MODULES, P.ext_before, sizeof P.ext_before);
  a->GILState_Release(st);
  /* Threads Python does not name (native ones) are not asked about again
   * until the count changes. */
  P.ntids_named = 0;
  for (ptrack_thread *t = ptrack_head(); t; t = t->next)
    if (t->tid != probe && !atomic_load(&t->end_ns) && !name_of(t->tid))
      P.ntids_named++;
}

/* --- the probe thread -------------------------------------------------- */

static void write_header_locked(void) {
  if (!P.header_pending)
    return;
  P.header_pending = 0;
  open_file();
  line_process();
  if (P.python)
    line_runtime();
}

/* The probe thread's life. It steps aside while the process forks: from
 * 3.12, os.fork() counts the process's threads right after fork() and
 * warns ("This process is multi-threaded, use of fork() may lead to
 * deadlocks") when there is more than one, so a probe thread alive then
 * would add a warning to a single-threaded program. The fork's prepare
 * handler asks it to exit, unless it is inside a Python call (which waits
 * for the GIL the forking thread holds); the parent restarts it at its next
 * GIL hand-off or park (gilprobe_set_hook), after the count. */
static pthread_mutex_t life_m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t life_cv = PTHREAD_COND_INITIALIZER;
static _Atomic int running, pausing, in_python, restart_pending;
enum { STAGE_CHECK, STAGE_HEADER, STAGE_LOOP };
static int stage;
static uint64_t next_line;

/* Sleeps ms, or less if asked to stop or to step aside: -1 then. */
static int sleep_ms(unsigned ms) {
  struct timespec until;
  clock_gettime(CLOCK_MONOTONIC, &until);
  until.tv_sec += ms / 1000;
  until.tv_nsec += (long)(ms % 1000) * 1000000L;
  if (until.tv_nsec >= 1000000000L) {
    until.tv_sec++;
    until.tv_nsec -= 1000000000L;
  }
  pthread_mutex_lock(&life_m);
  while (!atomic_load(&P.stop) && !atomic_load(&pausing))
    if (pthread_cond_clockwait(&life_cv, &life_m, CLOCK_MONOTONIC, &until) ==
        ETIMEDOUT)
      break;
  pthread_mutex_unlock(&life_m);
  return atomic_load(&P.stop) || atomic_load(&pausing) ? -1 : 0;
}

/* Enters a stretch that may wait for the GIL: 0, or -1 when the thread is
 * to step aside instead (a fork is starting). */
static int python_enter(void) {
  atomic_store(&in_python, 1);
  if (atomic_load(&pausing)) {
    atomic_store(&in_python, 0);
    return -1;
  }
  return 0;
}

static void python_leave(void) {
  atomic_store(&in_python, 0);
}

static void *probe_main(void *arg) {
  (void)arg;
  atomic_store(&P.probe_tid, (int)syscall(SYS_gettid));
  if (stage == STAGE_CHECK) {
    while (!P.api.IsInitialized())
      if (sleep_ms(2) < 0)
        goto out;
    if (python_enter() < 0)
      goto out;
    find_and_check();
    python_leave();
    if (P.probed && P.trace)
      gilprobe_trace_start(P.trace_min_ns, TRACE_RING);
    pthread_mutex_lock(&P.wlock);
    if (!P.final_written)
      line_runtime();
    pthread_mutex_unlock(&P.wlock);
    stage = STAGE_LOOP;
  } else if (stage == STAGE_HEADER) {
    if (sleep_ms(20) < 0)
      goto out;
    pthread_mutex_lock(&P.wlock);
    if (!P.final_written)
      write_header_locked();
    pthread_mutex_unlock(&P.wlock);
    stage = STAGE_LOOP;
  }
  /* New threads are named within 100 ms of their start (a short program
   * may end before its first interval); lines go out every interval. */
  if (!next_line)
    next_line = util_now_ns() + (uint64_t)P.interval_ms * 1000000u;
  while (sleep_ms(P.interval_ms < 100 ? P.interval_ms : 100) == 0) {
    /* Names are read in a known runtime even when its GIL failed the
     * check: that takes only the public API. */
    if (P.rt.layout[0] && P.api.IsInitialized && P.api.IsInitialized()) {
      if (python_enter() < 0)
        break;
      python_tick();
      python_leave();
    }
    if (util_now_ns() < next_line)
      continue;
    next_line += (uint64_t)P.interval_ms * 1000000u;
    pthread_mutex_lock(&P.wlock);
    if (!P.final_written && !atomic_load(&P.stop)) {
      line_interval(0);
      if (P.trace && P.probed)
        line_trace();
    }
    pthread_mutex_unlock(&P.wlock);
  }
out:
  pthread_mutex_lock(&life_m);
  atomic_store(&running, 0);
  pthread_cond_broadcast(&life_cv);
  pthread_mutex_unlock(&life_m);
  return NULL;
}

static void start_probe_thread(void) {
  pthread_t t;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&attr, 256 * 1024);
  atomic_store(&running, 1);
  if (ptrack_create_untracked(&t, &attr, probe_main, NULL) != 0)
    atomic_store(&running, 0);
  pthread_attr_destroy(&attr);
}

/* gilprobe's hook: the parent of a fork restarts the probe thread. */
static void maybe_restart(void) {
  if (atomic_exchange(&restart_pending, 0))
    start_probe_thread();
}

/* The last lines: at exit or _exit, from whichever thread ends the
 * process. */
static void finish(void) {
  if (!P.on || !P.python || getpid() != P.pid)
    return;
  atomic_store(&P.stop, 1);
  /* The probe thread holds the lock only while it writes (never while it
   * waits for the GIL): wait for it, but not for ever. */
  for (int i = 0; i < 2000 && pthread_mutex_trylock(&P.wlock) != 0; i++) {
    struct timespec ts = {0, 1000000};
    nanosleep(&ts, NULL);
  }
  if (P.final_written) {
    pthread_mutex_unlock(&P.wlock);
    return;
  }
  write_header_locked();
  line_interval(1);
  if (P.trace && P.probed)
    line_trace();
  P.final_written = 1;
  pthread_mutex_unlock(&P.wlock);
}

static __thread int forking_tid;

static void atfork_prepare(void) {
  forking_tid = (int)syscall(SYS_gettid);
  if (!P.on || !atomic_load(&running))
    return;
  atomic_store(&pausing, 1);
  if (atomic_load(&in_python))
    return; /* it may wait for our GIL: let it be */
  struct timespec until;
  clock_gettime(CLOCK_MONOTONIC, &until);
  until.tv_nsec += 100000000L;
  if (until.tv_nsec >= 1000000000L) {
    until.tv_sec++;
    until.tv_nsec -= 1000000000L;
  }
  pthread_mutex_lock(&life_m);
  pthread_cond_broadcast(&life_cv);
  while (atomic_load(&running))
    if (pthread_cond_clockwait(&life_cv, &life_m, CLOCK_MONOTONIC, &until) ==
        ETIMEDOUT)
      break;
  pthread_mutex_unlock(&life_m);
}

static void atfork_parent(void) {
  if (!P.on || !atomic_load(&pausing))
    return;
  atomic_store(&pausing, 0);
  if (!atomic_load(&running))
    atomic_store(&restart_pending, 1);
}

static void atfork_child(void) {
  if (!P.on)
    return;
  /* The child's one thread is the one that forked: it keeps its name. */
  char name[64] = "";
  const char *was = name_of(forking_tid);
  if (was)
    snprintf(name, sizeof name, "%s", was);
  pthread_mutex_init(&P.wlock, NULL);
  pthread_mutex_init(&life_m, NULL);
  pthread_cond_init(&life_cv, NULL);
  atomic_store(&pausing, 0);
  atomic_store(&in_python, 0);
  atomic_store(&restart_pending, 0);
  atomic_store(&running, 0);
  next_line = 0;
  P.line = (jline){0};
  P.forked_from = (int)getppid();
  P.pid = (int)getpid();
  P.start_ns = util_now_ns();
  P.fd = -1;
  P.header_pending = 1;
  P.final_written = 0;
  atomic_store(&P.stop, 0);
  atomic_store(&P.probe_tid, 0);
  memset(P.gc, 0, sizeof P.gc);
  P.nnames = P.ntids_named = 0;
  if (name[0]) {
    P.names[0].tid = (int)getpid();
    snprintf(P.names[0].name, sizeof P.names[0].name, "%s", name);
    P.nnames = 1;
  }
  P.trace_dropped = 0;
  ptrack_atfork_child(P.start_ns);
  if (!P.python)
    return;
  if (P.probed) {
    int en;
    gilprobe_gil_state(0, &P.switch0, &en);
  }
  if (stage == STAGE_CHECK && !P.reason[0])
    snprintf(P.reason, sizeof P.reason,
             "forked before the probe had checked the GIL");
  stage = STAGE_HEADER;
  start_probe_thread();
}

__attribute__((constructor)) static void preload_init(void) {
  const char *dir = getenv(PROBEFILE_ENV_DIR);
  if (!dir || !*dir || strlen(dir) >= sizeof P.dir) {
    gilprobe_set_enabled(0);
    parkprobe_set_enabled(0);
    return;
  }
  snprintf(P.dir, sizeof P.dir, "%s", dir);
  P.on = 1;
  long ms = env_long(PROBEFILE_ENV_INTERVAL_MS, 1000);
  P.interval_ms = ms < 10 ? 10 : ms > 3600000 ? 3600000 : (unsigned)ms;
  P.trace = env_long(PROBEFILE_ENV_TRACE, 0) == 1;
  long min_us = env_long(PROBEFILE_ENV_TRACE_MIN_US, 100);
  P.trace_min_ns = (uint64_t)(min_us < 0 ? 0 : min_us) * 1000u;
  P.shift = env_long(PROBEFILE_ENV_TEST_SHIFT, 0);
  P.start_ns = util_now_ns();
  P.pid = (int)getpid();
  ptrack_init(P.start_ns);
  char why[256];
  P.python = gillayout_identify(&P.rt, why, sizeof why) == 0 ||
             strcmp(why, "not CPython") != 0;
  if (P.python && !P.rt.layout[0])
    snprintf(P.reason, sizeof P.reason, "%s", why);
  else if (P.python && pyapi_load(&P.api, why, sizeof why) < 0) {
    snprintf(P.reason, sizeof P.reason, "%s", why);
    P.rt.layout[0] = '\0';
  }
  open_file();
  line_process();
  pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
  if (!P.python) {
    gilprobe_set_enabled(0);
    parkprobe_set_enabled(0);
    return;
  }
  if (!P.rt.layout[0] || !P.api.IsInitialized) {
    /* Unprobed: say why now, keep the per-thread OS figures. */
    gilprobe_set_enabled(0);
    parkprobe_set_enabled(0);
    line_runtime();
    P.header_pending = 0;
    stage = STAGE_LOOP;
    start_probe_thread();
    return;
  }
  stage = STAGE_CHECK;
  gilprobe_set_hook(maybe_restart);
  start_probe_thread();
}

__attribute__((destructor)) static void preload_fini(void) {
  finish();
}

void _exit(int status) {
  finish();
  syscall(SYS_exit_group, status);
  __builtin_unreachable();
}

void _Exit(int status) {
  _exit(status);
}
