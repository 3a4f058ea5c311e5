/* os.spawn, the C twin of workloads/python/os_spawn.py: what it costs to
 * start a worker, get its first result back, then join it.
 *
 * Each gillab worker creates workers one after another for `units`
 * milliseconds (at least SPAWN_MIN of them), of the kinds its model names:
 *   native-threads  pthread_create; the result comes back under a mutex
 *                   and condition variable; pthread_join
 *   native-procs    fork (the child writes its result into a pipe and
 *                   waits for the pipe back to close; waitpid), and
 *                   posix_spawn of SPAWN_PROGRAM (cat: the first result is
 *                   the echo of what the creator wrote; closing its stdin
 *                   ends it; waitpid), alternating creation by creation
 * `first` runs from the call that creates the worker to its first result
 * in the creator, `join` from telling it to finish to its end. Memory is
 * sampled in between, outside both: a child process's own Rss and USS
 * (Private_Clean + Private_Dirty) from /proc/PID/smaps_rollup; for a
 * thread, the creating process's, minus before the creation.
 *
 * Notes about the implementation: the samples live in one MAP_SHARED
 * region mapped by the begin hook, before the driver forks native-procs
 * workers, so that a worker process's samples reach the runner; each
 * worker writes only its own slot, and end reads them after every worker
 * has been reaped or joined.
 */
#include "lat.h"
#include "native.h"
#include "smaps.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define SPAWN_MIN 5
#define SPAWN_MAX 50000 /* creations per worker and kind */
#define SPAWN_MEM_MAX 4096
#define SPAWN_PROGRAM "/bin/cat"

extern char **environ;

enum { KIND_PTHREAD, KIND_FORK, KIND_POSIX_SPAWN, KIND_COUNT };
static const char *const kind_names[KIND_COUNT] = {"pthread", "fork",
                                                   "posix_spawn"};
static const char *const kind_api[KIND_COUNT] = {
    "pthread_create, a mutex and condition variable for the result, "
    "pthread_join",
    "fork, a pipe for the result, waitpid",
    "posix_spawn of " SPAWN_PROGRAM
    " with pipes on stdin and stdout (the result: the echo of 8 bytes), "
    "waitpid"};
static const char *const kind_mem[KIND_COUNT] = {
    "the creating process's Rss and USS while the thread lives, minus before "
    "it started",
    "the child's own Rss and USS (Private_Clean + Private_Dirty) from "
    "/proc/PID/smaps_rollup, after its first result",
    "the child's own Rss and USS (Private_Clean + Private_Dirty) from "
    "/proc/PID/smaps_rollup, after its first result"};

typedef struct {
  uint32_t n[KIND_COUNT], nmem[KIND_COUNT], right;
  uint64_t first[KIND_COUNT][SPAWN_MAX], join[KIND_COUNT][SPAWN_MAX];
  int64_t rss[KIND_COUNT][SPAWN_MEM_MAX], uss[KIND_COUNT][SPAWN_MEM_MAX];
} slot;

static slot *slots; /* one per worker, MAP_SHARED */
static unsigned nslots;
static pid_t runner; /* the runner's pid: a worker elsewhere was forked */

/* (rss_kb, uss_kb) of process pid (0: this one); 0, or -1 when unreadable. */
static int smaps(pid_t pid, int64_t *rss, int64_t *uss) {
  smaps_sample m;
  if (smaps_read(pid, &m) < 0)
    return -1;
  *rss = (int64_t)m.rss_kb;
  *uss = (int64_t)m.uss_kb;
  return 0;
}

static int mem_sample(uint32_t k) {
  return k < 32 || k % 16 == 0;
}

static void add(slot *s, int kind, uint64_t first, uint64_t join, int mem,
                int64_t rss, int64_t uss) {
  uint32_t n = s->n[kind];
  s->first[kind][n] = first;
  s->join[kind][n] = join;
  s->n[kind] = n + 1;
  if (mem && s->nmem[kind] < SPAWN_MEM_MAX) {
    s->rss[kind][s->nmem[kind]] = rss;
    s->uss[kind][s->nmem[kind]++] = uss;
  }
}

/* --- pthread ------------------------------------------------------------ */

typedef struct {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  uint64_t k, result;
  int got, go;
} box;

static void *thread_child(void *arg) {
  box *b = arg;
  pthread_mutex_lock(&b->mu);
  b->result = b->k * b->k + 1;
  b->got = 1;
  pthread_cond_broadcast(&b->cv);
  while (!b->go)
    pthread_cond_wait(&b->cv, &b->mu);
  pthread_mutex_unlock(&b->mu);
  return NULL;
}

static int one_pthread(slot *s, uint64_t k, char *err, size_t errlen) {
  int mem = mem_sample(s->n[KIND_PTHREAD]);
  int64_t rss0 = 0, uss0 = 0, rss1 = 0, uss1 = 0;
  if (mem && smaps(0, &rss0, &uss0) < 0)
    mem = 0;
  uint64_t t0 = util_now_ns();
  box b = {
      .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER, .k = k};
  pthread_t t;
  int e = pthread_create(&t, NULL, thread_child, &b);
  if (e) {
    snprintf(err, errlen, "pthread_create: %s", strerror(e));
    return -e;
  }
  pthread_mutex_lock(&b.mu);
  while (!b.got)
    pthread_cond_wait(&b.cv, &b.mu);
  uint64_t result = b.result;
  pthread_mutex_unlock(&b.mu);
  uint64_t t1 = util_now_ns();
  if (mem && smaps(0, &rss1, &uss1) < 0)
    mem = 0;
  uint64_t t2 = util_now_ns();
  pthread_mutex_lock(&b.mu);
  b.go = 1;
  pthread_cond_broadcast(&b.cv);
  pthread_mutex_unlock(&b.mu);
  pthread_join(t, NULL);
  uint64_t t3 = util_now_ns();
  s->right += result == k * k + 1;
  add(s, KIND_PTHREAD, t1 - t0, t3 - t2, mem, rss1 - rss0, uss1 - uss0);
  return 0;
}

/* --- processes ------------------------------------------------------------ */

/* Waits for pid; 0 when it exited with status 0. */
static int reap(pid_t pid, char *err, size_t errlen, const char *what) {
  int status;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) {
      snprintf(err, errlen, "waitpid of the %s child: %s", what,
               strerror(errno));
      return -errno;
    }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    snprintf(err, errlen, "the %s child ended with status 0x%x", what, status);
    return -ECHILD;
  }
  return 0;
}

static int one_fork(slot *s, uint64_t k, char *err, size_t errlen) {
  int mem = mem_sample(s->n[KIND_FORK]);
  int64_t rss = 0, uss = 0;
  uint64_t t0 = util_now_ns();
  int res[2], go[2];
  if (pipe2(res, O_CLOEXEC) < 0)
    goto fail;
  if (pipe2(go, O_CLOEXEC) < 0) {
    close(res[0]);
    close(res[1]);
    goto fail;
  }
  pid_t pid = fork();
  if (pid < 0) {
    close(res[0]);
    close(res[1]);
    close(go[0]);
    close(go[1]);
    goto fail;
  }
  if (pid == 0) {
    close(res[0]);
    close(go[1]);
    uint64_t r = k * k + 1;
    char byte;
    if (write(res[1], &r, sizeof r) != (ssize_t)sizeof r)
      _exit(2);
    while (read(go[0], &byte, 1) < 0 && errno == EINTR)
      ;
    _exit(0);
  }
  close(res[1]);
  close(go[0]);
  uint64_t result = 0;
  int bad = util_read_full(res[0], &result, sizeof result);
  uint64_t t1 = util_now_ns();
  if (mem && smaps(pid, &rss, &uss) < 0)
    mem = 0;
  uint64_t t2 = util_now_ns();
  close(go[1]);
  int rc = reap(pid, err, errlen, "forked");
  uint64_t t3 = util_now_ns();
  close(res[0]);
  if (rc < 0)
    return rc;
  if (bad) {
    snprintf(err, errlen, "the forked child sent no result");
    return -EIO;
  }
  s->right += result == k * k + 1;
  add(s, KIND_FORK, t1 - t0, t3 - t2, mem, rss, uss);
  return 0;
fail:
  snprintf(err, errlen, "fork: %s", strerror(errno));
  return -errno;
}

static int one_posix_spawn(slot *s, uint64_t k, char *err, size_t errlen) {
  int mem = mem_sample(s->n[KIND_POSIX_SPAWN]);
  int64_t rss = 0, uss = 0;
  uint64_t t0 = util_now_ns();
  int in[2] = {-1, -1}, out[2] = {-1, -1}, e;
  pid_t pid;
  posix_spawn_file_actions_t fa;
  if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0) {
    e = errno;
    goto fail;
  }
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  char *argv[] = {(char *)SPAWN_PROGRAM, NULL};
  e = posix_spawn(&pid, SPAWN_PROGRAM, &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  if (e)
    goto fail;
  close(in[0]);
  close(out[1]);
  in[0] = out[1] = -1;
  uint64_t msg = k * k + 1, result = 0;
  int bad = write(in[1], &msg, sizeof msg) != (ssize_t)sizeof msg ||
            util_read_full(out[0], &result, sizeof result) < 0;
  uint64_t t1 = util_now_ns();
  if (mem && smaps(pid, &rss, &uss) < 0)
    mem = 0;
  uint64_t t2 = util_now_ns();
  close(in[1]);
  int rc = reap(pid, err, errlen, "posix_spawn'd " SPAWN_PROGRAM);
  uint64_t t3 = util_now_ns();
  close(out[0]);
  if (rc < 0)
    return rc;
  if (bad) {
    snprintf(err, errlen, SPAWN_PROGRAM " did not echo the 8 bytes back");
    return -EIO;
  }
  s->right += result == k * k + 1;
  add(s, KIND_POSIX_SPAWN, t1 - t0, t3 - t2, mem, rss, uss);
  return 0;
fail:
  for (int i = 0; i < 2; i++) {
    if (in[i] >= 0)
      close(in[i]);
    if (out[i] >= 0)
      close(out[i]);
  }
  snprintf(err, errlen, "posix_spawn of %s: %s", SPAWN_PROGRAM, strerror(e));
  return -e;
}

/* Creations for units ms: pthreads in a thread of the runner, fork and
 * posix_spawn alternating in a worker process (told apart by whether this
 * is the runner's process: the driver of native-procs forks). */
int native_spawn(unsigned worker, unsigned nworkers, uint64_t units,
                 wl_result *out, char *err, size_t errlen) {
  (void)nworkers;
  if (worker >= nslots) {
    snprintf(err, errlen, "os.spawn: no slot for worker %u", worker);
    return -EINVAL;
  }
  slot *s = &slots[worker];
  int procs = getpid() != runner;
  uint64_t until = util_now_ns() + units * 1000000ull;
  uint64_t k = 0;
  for (;; k++) {
    int kind = procs ? (k % 2 ? KIND_POSIX_SPAWN : KIND_FORK) : KIND_PTHREAD;
    if (s->n[kind] >= SPAWN_MAX ||
        (k >= SPAWN_MIN * (procs ? 2u : 1u) && util_now_ns() >= until))
      break;
    int rc = kind == KIND_PTHREAD ? one_pthread(s, k, err, errlen)
             : kind == KIND_FORK  ? one_fork(s, k, err, errlen)
                                  : one_posix_spawn(s, k, err, errlen);
    if (rc < 0)
      return rc;
  }
  out->ops = k;
  out->answer = s->right;
  return 0;
}

static int spawn_begin(const wl_ctx *ctx, char *err, size_t errlen) {
  size_t len = (size_t)ctx->workers * sizeof *slots;
  slots = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
               -1, 0);
  if (slots == MAP_FAILED) {
    slots = NULL;
    snprintf(err, errlen, "os.spawn: cannot map %zu bytes of samples: %s", len,
             strerror(errno));
    return -ENOMEM;
  }
  nslots = ctx->workers;
  runner = getpid();
  return 0;
}

/* {"p50", "max"} of kB figures (null when none). */
static cJSON *kb(int64_t *v, size_t n) {
  cJSON *o = cJSON_CreateObject();
  if (!n) {
    cJSON_AddNullToObject(o, "p50");
    cJSON_AddNullToObject(o, "max");
    return o;
  }
  /* Insertion sort: at most SPAWN_MEM_MAX per worker, merged. */
  for (size_t i = 1; i < n; i++)
    for (size_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
      int64_t t = v[j];
      v[j] = v[j - 1];
      v[j - 1] = t;
    }
  size_t rank = (n + 1) / 2; /* nearest rank of 0.5, as gillab_lat.pct */
  cJSON_AddNumberToObject(o, "p50", (double)v[rank - 1]);
  cJSON_AddNumberToObject(o, "max", (double)v[n - 1]);
  return o;
}

/* The record's "spawn": per kind that ran, os_spawn.py's report. */
static void spawn_end(cJSON *out, double wall_s) {
  (void)wall_s;
  if (!slots)
    return;
  cJSON *sp = cJSON_AddObjectToObject(out, "spawn");
  cJSON *kinds = cJSON_AddArrayToObject(sp, "kinds");
  for (int kind = 0; kind < KIND_COUNT; kind++) {
    lat_samples first = {0}, join = {0}, total = {0};
    size_t nmem = 0;
    for (unsigned w = 0; w < nslots; w++)
      nmem += slots[w].nmem[kind];
    int64_t *rss = calloc(nmem + 1, sizeof *rss),
            *uss = calloc(nmem + 1, sizeof *uss);
    size_t m = 0;
    for (unsigned w = 0; w < nslots; w++) {
      const slot *s = &slots[w];
      for (uint32_t i = 0; i < s->n[kind]; i++) {
        lat_add(&first, s->first[kind][i]);
        lat_add(&join, s->join[kind][i]);
        lat_add(&total, s->first[kind][i] + s->join[kind][i]);
      }
      for (uint32_t i = 0; rss && uss && i < s->nmem[kind]; i++, m++) {
        rss[m] = s->rss[kind][i];
        uss[m] = s->uss[kind][i];
      }
    }
    if (first.n) {
      cJSON_AddItemToArray(kinds, cJSON_CreateString(kind_names[kind]));
      cJSON *k = cJSON_AddObjectToObject(sp, kind_names[kind]);
      cJSON_AddStringToObject(k, "api", kind_api[kind]);
      cJSON_AddNumberToObject(k, "creations", (double)first.n);
      lat_add_pcts(cJSON_AddObjectToObject(k, "first_us"), &first);
      lat_add_pcts(cJSON_AddObjectToObject(k, "join_us"), &join);
      lat_add_pcts(cJSON_AddObjectToObject(k, "total_us"), &total);
      cJSON *mem = cJSON_AddObjectToObject(k, "mem");
      cJSON_AddStringToObject(mem, "what", kind_mem[kind]);
      cJSON_AddNumberToObject(mem, "samples", (double)m);
      cJSON_AddItemToObject(mem, "rss_kb", kb(rss, rss && uss ? m : 0));
      cJSON_AddItemToObject(mem, "uss_kb", kb(uss, rss && uss ? m : 0));
    }
    free(rss);
    free(uss);
    lat_clear(&first);
    lat_clear(&join);
    lat_clear(&total);
  }
  munmap(slots, (size_t)nslots * sizeof *slots);
  slots = NULL;
  nslots = 0;
}

const wl_native_hooks native_spawn_hooks = {spawn_begin, spawn_end};
