/* cell — running one cell inside the runner; see cell.h. */
#include "cell.h"

#include "cellspec.h"
#include "coreuse.h"
#include "drive.h"
#include "echosrv.h"
#include "gcprobe.h"
#include "gilprobe.h"
#include "hiccup.h"
#include "httpsrv.h"
#include "internal.h"
#include "loadgen.h"
#include "memuse.h"
#include "model.h"
#include "place.h"
#include "py.h"
#include "registry.h"
#include "twin.h"
#include "util.h"
#include "workers.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The cell being run: what the runner was told, and its workload. */
typedef struct {
  const cellspec *s;
  const wl_workload *wl;
  const char *workloads_dir;
  wl_workload user;        /* a user workload's row (no registry row) */
  char stem[NAME_MAX + 1]; /* its module name */
} cell_ctx;

/* A user workload's row, from the spec alone: its file is imported by its
 * stem (the drivers put its directory first on sys.path), every Python
 * model runs it, and the native models run its C twin when it has one. */
static int resolve_user(const cellspec *s, cell_ctx *c, char *err,
                        size_t errlen) {
  const char *base = strrchr(s->workload_file, '/') + 1; /* absolute */
  size_t len = strlen(base);
  if (len < 4 || len - 3 > NAME_MAX || strcmp(base + len - 3, ".py") != 0) {
    snprintf(err, errlen, "workload_file %s is not a .py file",
             s->workload_file);
    return -EINVAL;
  }
  snprintf(c->stem, sizeof c->stem, "%.*s", (int)(len - 3), base);
  c->user = (wl_workload){
      .name = s->workload,
      .summary = "a user workload",
      .py_module = c->stem,
      .models = wl_file_models(0),
      .file = s->workload_file,
      .func = s->func ? s->func : "work",
      .twin = s->twin,
  };
  if (s->twin && !model_is_python(s->model)) {
    int rc = twin_load(s->twin, &c->user, err, errlen);
    if (rc < 0)
      return rc;
    c->user.models = wl_file_models(1);
  }
  c->wl = &c->user;
  if (!(c->wl->models & MODEL_BIT(s->model))) {
    snprintf(err, errlen,
             "no C twin: give one with --twin to run %s under model %s",
             s->workload, model_name(s->model));
    return -EINVAL;
  }
  return 0;
}

/* The workload of the spec, from the registry (or the spec itself for a
 * user workload), and whether it runs under the spec's model. */
static int resolve(const cellspec *s, cell_ctx *c, char *err, size_t errlen) {
  c->s = s;
  c->workloads_dir = s->workloads_dir ? s->workloads_dir : GILLAB_WORKLOADS_DIR;
  if (s->workload_file)
    return resolve_user(s, c, err, errlen);
  c->wl = registry_find(s->workload);
  if (!c->wl) {
    snprintf(err, errlen, "unknown workload '%s'", s->workload);
    return -EINVAL;
  }
  if (!(c->wl->models & MODEL_BIT(s->model))) {
    snprintf(err, errlen, "workload %s does not run under model %s",
             c->wl->name, model_name(s->model));
    return -EINVAL;
  }
  return 0;
}

/* Which server a server workload (WL_SERVE) runs under model m (see
 * workloads/python/net_serve.py). */
static const char *serve_kind(const wl_workload *wl, model_t m) {
  int shared = (wl->flags & WL_SERVE_SHARED) != 0;
  if (wl->flags & WL_SERVE_UDP)
    return m == MODEL_THREADS     ? "udp_threads"
           : m == MODEL_ASYNCIO   ? "udp_asyncio"
           : m == MODEL_PROCESSES ? "udp_reuseport"
                                  : "c-udp";
  switch (m) {
  case MODEL_THREADS:
    return shared ? "pool" : "per_conn";
  case MODEL_PROCESSES:
    return shared ? "prefork" : "reuseport";
  case MODEL_ASYNCIO:
    return "asyncio";
  case MODEL_SUBINTERPRETERS:
    return "subinterp";
  default:
    return "c-epoll";
  }
}

/* A Python model runs its driver, a function of gillab_drive (model.h). */
static int run_python(const cell_ctx *c, cJSON **out, char *err,
                      size_t errlen) {
  const cellspec *s = c->s;
  char func[64];
  snprintf(func, sizeof func, "%s",
           c->wl->flags & WL_SERVE ? "serve" : model_driver(s->model));
  py_set_site(s->site_packages, s->venv);
  int rc = py_start(c->workloads_dir, s->hash_seed, err, errlen);
  if (rc < 0)
    return rc;
  /* With the probe off the wrappers still stand between libpython and
   * glibc, but only forward: the difference is the probe's cost. */
  if (s->gil_probe && gilprobe_watch(internal_main_interp()) < 0) {
    char ferr[128];
    snprintf(err, errlen,
             "the GIL probe cannot trust what it located as the main "
             "interpreter's GIL (%s); run with --no-gil-probe",
             gilprobe_refused()[0] ? gilprobe_refused() : "table full");
    py_finish(ferr, sizeof ferr);
    return -1;
  }
  gilprobe_set_enabled(s->gil_probe);
  if (gcprobe_install(err, errlen) < 0) {
    char ferr[128];
    py_finish(ferr, sizeof ferr);
    return -1;
  }
  cJSON *args = cJSON_CreateObject(), *info = NULL;
  cJSON_AddStringToObject(args, "module", c->wl->py_module);
  if (c->wl->file && !s->overhead_pairs) {
    cJSON *user = cJSON_AddObjectToObject(args, "user");
    cJSON_AddStringToObject(user, "file", c->wl->file);
    cJSON_AddStringToObject(user, "func", c->wl->func);
  }
  cJSON_AddNumberToObject(args, "workers", s->workers);
  cJSON_AddNumberToObject(args, "units", (double)s->units);
  if (s->switch_interval > 0)
    cJSON_AddNumberToObject(args, "switch_interval", s->switch_interval);
  if (s->model == MODEL_PROCESSES && s->start_method)
    cJSON_AddStringToObject(args, "start_method", s->start_method);
  if (s->overhead_pairs) {
    snprintf(func, sizeof func, "overhead");
    cJSON_AddNumberToObject(args, "pairs", s->overhead_pairs);
    cJSON_AddBoolToObject(args, "control", s->overhead_control);
  } else {
    /* What the workload's begin hook and the driver's probes get (see
     * core/wl.h). */
    cJSON *params = cJSON_AddObjectToObject(args, "params");
    cJSON_AddNumberToObject(params, "cpu_threads", s->cpu_threads);
    cJSON_AddNumberToObject(params, "echo_port", wl_context()->echo_port);
    cJSON_AddBoolToObject(params, "hiccup", s->hiccup);
    cJSON_AddNumberToObject(params, "warmup_s", s->worker_warmup_s);
    /* What the driver checks the processes' hash secret and probe
     * against, and passes to its worker processes. */
    cJSON_AddNumberToObject(params, "hash_seed", (double)s->hash_seed);
    cJSON_AddBoolToObject(params, "gil_probe", s->gil_probe);
    if (s->payload) {
      cJSON_AddNumberToObject(params, "msg_size", (double)s->msg_size);
      cJSON_AddStringToObject(params, "payload", s->payload);
    }
  }
  if (c->wl->flags & WL_SERVE && !s->overhead_pairs) {
    cJSON_AddStringToObject(args, "model", model_name(s->model));
    cJSON *sv = cJSON_AddObjectToObject(args, "serve");
    cJSON_AddStringToObject(sv, "server", serve_kind(c->wl, s->model));
    cJSON_AddNumberToObject(sv, "connections", s->connections);
    cJSON_AddStringToObject(sv, "handler", s->handler);
    cJSON_AddNumberToObject(sv, "handler_us", s->handler_us);
    cJSON_AddNumberToObject(sv, "rate", s->rate);
    cJSON_AddStringToObject(sv, "client_set",
                            s->client_set ? s->client_set : "");
  }
  rc = py_call_json("gillab_drive", func, args, out, err, errlen);
  cJSON_Delete(args);
  cJSON *gc = gcprobe_report(s->model == MODEL_PROCESSES
                                 ? "main process and each worker process "
                                   "(over its timed span)"
                                 : "main process");
  if (rc == 0 && gc)
    cJSON_AddItemToObject(*out, "gc", gc);
  else
    cJSON_Delete(gc);
  if (rc == 0) {
    cJSON *gil = cJSON_GetObjectItemCaseSensitive(*out, "gil");
    if (!gil)
      gil = cJSON_AddObjectToObject(*out, "gil");
    cJSON_AddBoolToObject(gil, "probe", gilprobe_enabled()); /* its state */
    if (s->gil_probe && !s->overhead_pairs)
      workers_gil_report(gil);
    /* Each process, or own-GIL interpreter, has a GIL of its own: the
     * samples of the main interpreter's GIL say nothing about the workers.
     * Their waits are still counted, on whichever GIL they wait for. */
    int own_gil =
        s->model == MODEL_SUBINTERPRETERS &&
        cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(gil, "own_gil"));
    if (s->model == MODEL_PROCESSES || own_gil) {
      cJSON_ReplaceItemInObject(gil, "held_frac", cJSON_CreateNull());
      cJSON_ReplaceItemInObject(gil, "switches", cJSON_CreateNull());
      cJSON_AddBoolToObject(
          gil, s->model == MODEL_PROCESSES ? "per_process" : "per_interpreter",
          1);
    }
  }
  /* What the runtime is after the run: an extension module the workload
   * imported may have turned the GIL back on in a free-threaded build. */
  if (rc == 0 &&
      py_call_json("gillab_env", "after_run", NULL, &info, err, errlen) == 0)
    cJSON_AddItemToObject(*out, "python", info);
  char ferr[256];
  if (py_finish(ferr, sizeof ferr) < 0 && rc == 0) {
    snprintf(err, errlen, "%s", ferr);
    rc = -1;
  }
  return rc;
}

/* The C twin's server threads are the cell's workers: bound, sampled and
 * accounted for like any native worker's. */
static void serve_thread(unsigned i, int enter, void *arg) {
  (void)arg;
  char err[256];
  if (enter) {
    if (workers_enter(i, NULL, err, sizeof err) < 0)
      fprintf(stderr, "gillab: server thread %u: %s\n", i, err);
    workers_begin(i);
  } else {
    workers_leave(i);
  }
}

/* --cpu-threads beside the C twin: C threads spinning until told to
 * stop, counting their loops (the OS's share of the convoy: no GIL). */
typedef struct {
  _Atomic int stop;
  _Atomic uint64_t loops;
} serve_spin;

static void *serve_spin_main(void *arg) {
  serve_spin *sp = arg;
  uint64_t n = 0;
  volatile uint64_t x = 0;
  while (!atomic_load_explicit(&sp->stop, memory_order_relaxed)) {
    for (int i = 0; i < 10000; i++)
      x = (x + (uint64_t)i * i) % 1000003;
    n += 10000;
  }
  atomic_fetch_add(&sp->loops, n);
  return NULL;
}

/* net.serve's C twin (native-threads): the epoll server on the cell's
 * workers, the load generator bound to client_set, both in this process. */
static int run_serve_native(const cell_ctx *c, cJSON **out, char *err,
                            size_t errlen) {
  const cellspec *s = c->s;
  httpsrv *srv;
  /* The cpu handler does in C the arithmetic the Python one does: as many
   * iterations of its loop as this runner's Python runs in handler_us,
   * measured here before the server starts (the interpreter is then
   * finalized: the cell itself runs no Python). */
  uint64_t loops = 0;
  double loops_per_s = 0;
  int udp = (c->wl->flags & WL_SERVE_UDP) != 0;
  if (strcmp(s->handler, "cpu") == 0) {
    cJSON *args = cJSON_CreateObject(), *cal = NULL;
    cJSON_AddNumberToObject(args, "us", s->handler_us);
    int rc = py_start(c->workloads_dir, 0, err, errlen);
    if (rc == 0) {
      rc = py_call_json("net_serve", "calibration", args, &cal, err, errlen);
      char ferr[128];
      py_finish(ferr, sizeof ferr);
    }
    cJSON_Delete(args);
    if (rc < 0)
      return rc;
    loops = (uint64_t)cJSON_GetNumberValue(
        cJSON_GetObjectItemCaseSensitive(cal, "loops"));
    loops_per_s = cJSON_GetNumberValue(
        cJSON_GetObjectItemCaseSensitive(cal, "loops_per_s"));
    cJSON_Delete(cal);
  }
  memuse_baseline();
  int rc = httpsrv_start(&srv, s->workers, NULL, s->handler, s->handler_us,
                         loops, udp, serve_thread, NULL, err, errlen);
  if (rc < 0)
    return rc;
  loadgen_opts o = {.port = httpsrv_port(srv),
                    .connections = s->connections,
                    .duration_s = (double)s->units / 1000,
                    .rate = s->rate,
                    .timeout_s = udp                     ? 0.2
                                 : s->units / 1000.0 > 2 ? s->units / 1000.0
                                                         : 2,
                    .check_body = 1,
                    .cpuset = s->client_set,
                    .udp = udp};
  loadgen_result r;
  serve_spin spin = {0};
  pthread_t spinners[64];
  unsigned nspin = 0;
  for (; nspin < s->cpu_threads && nspin < 64; nspin++)
    if (pthread_create(&spinners[nspin], NULL, serve_spin_main, &spin) != 0)
      break;
  rc = loadgen_run(&o, &r, err, errlen);
  atomic_store(&spin.stop, 1);
  for (unsigned i = 0; i < nspin; i++)
    pthread_join(spinners[i], NULL);
  cJSON *side = httpsrv_report(srv);
  httpsrv_stop(srv);
  if (rc < 0) {
    loadgen_result_clear(&r);
    cJSON_Delete(side);
    return rc;
  }
  *out = cJSON_CreateObject();
  cJSON_AddNumberToObject(*out, "wall_s", r.wall_s);
  cJSON_AddNumberToObject(*out, "ops", (double)r.ok);
  cJSON_AddNullToObject(*out, "answer");
  cJSON_AddNumberToObject(*out, "start_ns", (double)r.start_ns);
  cJSON *sv = cJSON_AddObjectToObject(*out, "serve");
  cJSON_AddStringToObject(sv, "server", udp ? "c-udp" : "c-epoll");
  cJSON_AddStringToObject(sv, "model", model_name(s->model));
  cJSON_AddNumberToObject(sv, "workers", s->workers);
  cJSON *h = cJSON_AddObjectToObject(sv, "handler");
  cJSON_AddStringToObject(h, "name", s->handler);
  cJSON_AddNumberToObject(h, "handler_us", s->handler_us);
  if (loops) {
    cJSON_AddNumberToObject(h, "loops", (double)loops);
    cJSON_AddNumberToObject(h, "python_loops_per_s", loops_per_s);
    cJSON_AddStringToObject(h, "what",
                            "the Python cpu handler's loop, as many "
                            "iterations as this runner's Python runs in "
                            "handler_us, run in C");
  }
  cJSON_AddItemToObject(sv, "load", loadgen_report(&r, &o));
  cJSON_AddItemToObject(sv, "server_side", side);
  cJSON *ct = cJSON_AddObjectToObject(sv, "cpu_threads");
  cJSON_AddNumberToObject(ct, "threads", nspin);
  cJSON_AddStringToObject(ct, "where",
                          "C threads in the runner, beside "
                          "the server's threads");
  cJSON_AddNumberToObject(
      ct, "loops_per_s",
      r.wall_s > 0 ? (double)atomic_load(&spin.loops) / r.wall_s : 0);
  loadgen_result_clear(&r);
  cJSON *applied = cJSON_AddObjectToObject(*out, "applied");
  cJSON_AddItemToObject(applied, "workers", workers_applied());
  return 0;
}

static int run_native(const cell_ctx *c, cJSON **out, char *err,
                      size_t errlen) {
  if (c->wl->flags & WL_SERVE)
    return run_serve_native(c, out, err, errlen);
  const cellspec *s = c->s;
  wl_result total;
  double wall_s = 0;
  uint64_t start_ns = 0;
  const wl_native_hooks *h = c->wl->hooks;
  int rc = h && h->begin ? h->begin(wl_context(), err, errlen) : 0;
  if (rc == 0)
    memuse_baseline(); /* before the workers exist */
  if (rc == 0)
    rc = s->model == MODEL_NATIVE_PROCS
             ? drive_native_procs(c->wl, s->workers, s->units, &total, &wall_s,
                                  &start_ns, err, errlen)
             : drive_native_threads(c->wl, s->workers, s->units, &total,
                                    &wall_s, &start_ns, err, errlen);
  *out = cJSON_CreateObject();
  if (h && h->end)
    h->end(*out, wall_s);
  if (rc < 0) {
    cJSON_Delete(*out);
    *out = NULL;
    return rc;
  }
  cJSON_AddNumberToObject(*out, "wall_s", wall_s);
  cJSON_AddNumberToObject(*out, "ops", (double)total.ops);
  cJSON_AddNumberToObject(*out, "answer", (double)total.answer);
  cJSON_AddNumberToObject(*out, "start_ns", (double)start_ns);
  /* What the workers observed: no interpreter, so no switch interval,
   * hash seed or GIL probe; the CPUs each read back after binding. */
  cJSON *applied = cJSON_AddObjectToObject(*out, "applied");
  cJSON *twin = twin_applied();
  if (twin)
    cJSON_AddItemToObject(applied, "twin", twin);
  cJSON_AddItemToObject(applied, "workers", workers_applied());
  return 0;
}

/* The hiccup object of the record: the Python thread's part (the driver's,
 * in result already) and the native control thread's, over the timed
 * region. */
static void add_hiccup(cJSON *result) {
  cJSON *h = cJSON_GetObjectItemCaseSensitive(result, "hiccup");
  if (!h) {
    h = cJSON_AddObjectToObject(result, "hiccup");
    cJSON_AddNullToObject(h, "python_us");
  }
  const cJSON *t0 = cJSON_GetObjectItemCaseSensitive(result, "start_ns");
  const cJSON *wall = cJSON_GetObjectItemCaseSensitive(result, "wall_s");
  uint64_t from = cJSON_IsNumber(t0) ? (uint64_t)t0->valuedouble : 0;
  uint64_t to =
      from + (cJSON_IsNumber(wall) ? (uint64_t)(wall->valuedouble * 1e9) : 0);
  hiccup_report(h, from, to);
  cJSON_AddStringToObject(h, "where",
                          "unbound, outside the workers (the OS places them)");
}

int cell_run(const cellspec *s, uint64_t started_ns, cJSON **result, char *err,
             size_t errlen) {
  cell_ctx c;
  place_topo *topo = NULL;
  echosrv *echo = NULL;
  int prepared = 0;
  int rc = resolve(s, &c, err, errlen);
  if (rc < 0)
    return rc;
  wl_ctx ctx = {.workers = s->workers,
                .units = s->units,
                .cpu_threads = s->cpu_threads,
                .msg_size = s->msg_size,
                .payload = s->payload};
  if (s->payload) {
    /* Before the interpreter starts, like the echo port: every worker,
     * thread, process or interpreter, reads them from os.environ. */
    char size[32];
    snprintf(size, sizeof size, "%llu", (unsigned long long)s->msg_size);
    setenv("GILLAB_MSG_SIZE", size, 1);
    setenv("GILLAB_PAYLOAD", s->payload, 1);
  }
  if (c.wl->flags & WL_ECHO_SERVER) {
    /* Before the interpreter starts, so that os.environ (read at start)
     * carries the port, to worker processes too. */
    unsigned service_us =
        c.wl->flags & WL_ECHO_SERVICE ? WL_ECHO_SERVICE_US : 0;
    rc = echosrv_start(&echo, service_us, err, errlen);
    if (rc < 0)
      goto out;
    ctx.echo_port = echosrv_port(echo);
    char port[16];
    snprintf(port, sizeof port, "%d", ctx.echo_port);
    setenv("GILLAB_ECHO_PORT", port, 1);
  }
  wl_set_context(&ctx);
  if (s->hiccup && (rc = hiccup_start()) < 0) {
    snprintf(err, errlen, "cannot start the hiccup thread: %s", strerror(-rc));
    goto out;
  }
  rc = place_topo_open(&topo, NULL, err, errlen);
  if (rc < 0)
    goto out;
  /* Before the workers exist (and before Python starts, so what prepare
   * exports in the environment reaches the interpreter and its worker
   * processes). */
  if (c.wl->prepare && (rc = c.wl->prepare(err, errlen)) < 0)
    goto out;
  prepared = c.wl->prepare != NULL;
  rc = workers_setup(topo, model_threads(s->model, s->workers), s->sets, err,
                     errlen);
  if (rc < 0)
    goto out;
  rc = workers_sampler_start(model_is_python(s->model) && s->gil_probe);
  if (rc < 0) {
    snprintf(err, errlen, "cannot start the sampler thread: %s", strerror(-rc));
    goto out;
  }
  *result = NULL;
  rc = model_is_python(s->model) ? run_python(&c, result, err, errlen)
                                 : run_native(&c, result, err, errlen);
  workers_sampler_stop();
  hiccup_stop();
  if (rc == 0 && echo)
    cJSON_AddItemToObject(*result, "echo_server", echosrv_report(echo));
  if (rc == 0 && s->hiccup)
    add_hiccup(*result);
  if (rc == 0) {
    /* Cell start: from the runner's exec to the start of the timed region
     * (topology, binding, interpreter start, imports, threads). */
    cJSON *start = cJSON_DetachItemFromObjectCaseSensitive(*result, "start_ns");
    if (cJSON_IsNumber(start))
      cJSON_AddNumberToObject(*result, "setup_s",
                              (start->valuedouble - (double)started_ns) / 1e9);
    cJSON_Delete(start);
    cJSON_AddItemToObject(*result, "workers", workers_report());
    cJSON *cores = coreuse_report();
    if (cores)
      cJSON_AddItemToObject(*result, "cores", cores);
    cJSON *mem = memuse_report(s->model == MODEL_PROCESSES ||
                               s->model == MODEL_NATIVE_PROCS);
    if (mem)
      cJSON_AddItemToObject(*result, "mem", mem);
  }
out:
  hiccup_stop();
  echosrv_stop(echo);
  workers_teardown();
  if (prepared && c.wl->cleanup)
    c.wl->cleanup();
  if (topo)
    place_topo_close(topo);
  return rc;
}
