/* place — topology, placement plans and binding, on top of hwloc.
 *
 * Notes about the implementation:
 *
 * - Plans are computed on cores, then expanded to PUs. A core is a Core
 *   object, or a PU when the topology has no Core level (some VMs and
 *   synthetic descriptions such as "pu:4"), so that every policy still has
 *   something to order.
 * - compact walks cores in hwloc's logical order, which is depth-first: a
 *   package's cores all come before the next package's.
 * - scatter sorts cores by their "sibling-rank path": the core's rank among
 *   its siblings, then its parent's rank, and so on up to (not including)
 *   the root. Sorting those keys lexicographically takes the first core of
 *   every branch before any second core, and within one core rank alternates
 *   the nearest branching level first, e.g. on "pack:2 numa:2 core:4 pu:2"
 *   P0G0C0, P1G0C0, P0G1C0, P1G1C0, P0G0C1, ... Levels with a single child
 *   contribute 0 to every key and so do not change the order. NUMA nodes are
 *   memory children in hwloc 2 and are not on the path, but the Group that
 *   a synthetic "numa:2" level creates is.
 * - Both policies then take the first PU of every core, then the second PU
 *   of every core, and so on, so SMT siblings are used only once every core
 *   has a worker.
 */
#include "place.h"

#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hwloc.h>
#include <hwloc/linux.h>

/* A synthetic description of the plainest form, "[pack:A] [core:B] pu:C"
 * (0 for a level it leaves out), is laid out here rather than by hwloc's
 * synthetic loader. That loader inserts each object by comparing its
 * cpuset with those of the objects already under the root, and every
 * object's cpuset is a bitmap as long as its highest PU index: time and
 * memory quadratic in the PUs (64k PUs: a minute of CPU and 1.4 GB, in
 * hwloc-info alone as in gillab; issue 18). The plain form is regular:
 * object i of a level has logical and OS index i, package p holds the
 * cores (or PUs) p*B ..., core c the PUs c*C ..., and one NUMA node of
 * hwloc's synthetic 1024 MB hangs under the Machine. Every output is
 * checked against hwloc's on small ones (tests/test_place.c,
 * place__topo_open_hwloc). */
typedef struct {
  unsigned pack, core, pu;
} place_grid;

struct place_topo {
  hwloc_topology_t topo; /* NULL for a grid */
  place_grid grid;
};

#define PLACE_NAME(e, name, help) name,
static const char *const policy_names[] = {PLACE_POLICY_MAP(PLACE_NAME)};
#undef PLACE_NAME

#define PLACE_HELP(e, name, help) help,
static const char *const policy_helps[] = {PLACE_POLICY_MAP(PLACE_HELP)};
#undef PLACE_HELP

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...) {
  va_list ap;

  if (err == NULL || errlen == 0)
    return;
  va_start(ap, fmt);
  vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
}

const char *place_policy_name(place_policy p) {
  if ((unsigned)p >= PLACE_POLICY_COUNT)
    return "unknown";
  return policy_names[p];
}

const char *place_policy_help(place_policy p) {
  if ((unsigned)p >= PLACE_POLICY_COUNT)
    return "";
  return policy_helps[p];
}

/* The error lists every valid name, built from the X-macro so that a new
 * policy shows up in the message without touching this function. */
int place_policy_parse(const char *name, place_policy *out, char *err,
                       size_t errlen) {
  char choices[128];
  size_t used = 0;

  for (unsigned i = 0; i < PLACE_POLICY_COUNT; i++) {
    if (name != NULL && strcmp(name, policy_names[i]) == 0) {
      *out = (place_policy)i;
      return 0;
    }
  }
  choices[0] = '\0';
  for (unsigned i = 0; i < PLACE_POLICY_COUNT && used < sizeof(choices); i++) {
    int w = snprintf(choices + used, sizeof(choices) - used, "%s%s",
                     i ? ", " : "", policy_names[i]);
    if (w < 0)
      break;
    used += (size_t)w;
  }
  set_err(err, errlen, "unknown placement '%s' (choose from %s)",
          name ? name : "(null)", choices);
  return -EINVAL;
}

/* Whether desc is "[pack:A] [core:B] pu:C" (hwloc's names for the
 * levels, in that order, each count from 1): the levels into g. Any other
 * description (NUMA nodes, caches, groups, attributes) is hwloc's. */
static int grid_parse(const char *desc, place_grid *g) {
  static const struct {
    const char *name;
    int level; /* 0 pack, 1 core, 2 pu */
  } names[] = {
      {"pack", 0}, {"package", 0}, {"socket", 0}, {"core", 1}, {"pu", 2}};
  unsigned *slot[] = {&g->pack, &g->core, &g->pu};
  int last = -1;
  unsigned long long total = 1;
  memset(g, 0, sizeof *g);
  for (const char *p = desc;;) {
    while (*p == ' ')
      p++;
    if (!*p)
      break;
    const char *colon = strchr(p, ':');
    if (!colon)
      return 0;
    int level = -1;
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
      if (strlen(names[i].name) == (size_t)(colon - p) &&
          strncmp(p, names[i].name, (size_t)(colon - p)) == 0)
        level = names[i].level;
    if (level <= last || colon[1] < '1' || colon[1] > '9')
      return 0;
    char *end;
    unsigned long n = strtoul(colon + 1, &end, 10);
    if ((*end && *end != ' ') || n > 1u << 20)
      return 0;
    total *= n;
    *slot[level] = (unsigned)n;
    last = level;
    p = end;
  }
  return last == 2 && total <= 1u << 22;
}

/* The grid's PUs, cores (PUs without a Core level) and packages (1
 * without a Package level). */
static unsigned grid_npus(const place_grid *g) {
  return (g->pack ? g->pack : 1) * (g->core ? g->core : 1) * g->pu;
}

static unsigned grid_ncores(const place_grid *g) {
  return g->core ? (g->pack ? g->pack : 1) * g->core : grid_npus(g);
}

static unsigned grid_npackages(const place_grid *g) {
  return g->pack ? g->pack : 1;
}

static int topo_open(place_topo **out, const char *synthetic, int grid,
                     char *err, size_t errlen);

int place_topo_open(place_topo **out, const char *synthetic, char *err,
                    size_t errlen) {
  return topo_open(out, synthetic, 1, err, errlen);
}

int place__topo_open_hwloc(place_topo **out, const char *synthetic, char *err,
                           size_t errlen) {
  return topo_open(out, synthetic, 0, err, errlen);
}

/* For the real machine only CPU structure is loaded: I/O devices, caches and
 * Misc objects are filtered out because a cell opens the topology at start
 * and the PCI scan dominates load time. Groups keep hwloc's default
 * (KEEP_STRUCTURE) and NUMA nodes are always kept, since both shape the
 * scatter order. A synthetic description is loaded as written. */
static int topo_open(place_topo **out, const char *synthetic, int grid,
                     char *err, size_t errlen) {
  place_topo *t;
  int rc;

  *out = NULL;
  t = calloc(1, sizeof(*t));
  if (t == NULL) {
    set_err(err, errlen, "out of memory opening the topology");
    return -ENOMEM;
  }
  if (grid && synthetic != NULL && grid_parse(synthetic, &t->grid)) {
    *out = t;
    return 0;
  }
  memset(&t->grid, 0, sizeof t->grid);
  if (hwloc_topology_init(&t->topo) < 0) {
    int e = errno ? errno : ENOMEM;
    set_err(err, errlen, "hwloc_topology_init failed: %s", strerror(e));
    free(t);
    return -e;
  }
  if (synthetic != NULL) {
    if (hwloc_topology_set_synthetic(t->topo, synthetic) < 0) {
      rc = errno ? -errno : -EINVAL;
      set_err(err, errlen,
              "bad synthetic topology '%s': %s (example: 'pack:2 core:8 "
              "pu:2')",
              synthetic, strerror(-rc));
      goto err;
    }
  } else {
    hwloc_topology_set_io_types_filter(t->topo, HWLOC_TYPE_FILTER_KEEP_NONE);
    hwloc_topology_set_cache_types_filter(t->topo, HWLOC_TYPE_FILTER_KEEP_NONE);
    hwloc_topology_set_type_filter(t->topo, HWLOC_OBJ_MISC,
                                   HWLOC_TYPE_FILTER_KEEP_NONE);
  }
  if (hwloc_topology_load(t->topo) < 0) {
    rc = errno ? -errno : -EINVAL;
    set_err(err, errlen, "cannot load the %s topology: %s",
            synthetic ? "synthetic" : "machine's", strerror(-rc));
    goto err;
  }
  *out = t;
  return 0;

err:
  hwloc_topology_destroy(t->topo);
  free(t);
  return rc;
}

void place_topo_close(place_topo *t) {
  if (t == NULL)
    return;
  if (t->topo)
    hwloc_topology_destroy(t->topo);
  free(t);
}

static unsigned count_type(const place_topo *t, hwloc_obj_type_t type) {
  int n = hwloc_get_nbobjs_by_type(t->topo, type);

  return n > 0 ? (unsigned)n : 0;
}

unsigned place_topo_npus(const place_topo *t) {
  return t->topo ? count_type(t, HWLOC_OBJ_PU) : grid_npus(&t->grid);
}

/* Without a Core level every PU counts as a core, as in place_plan. */
unsigned place_topo_ncores(const place_topo *t) {
  if (!t->topo)
    return grid_ncores(&t->grid);
  unsigned n = count_type(t, HWLOC_OBJ_CORE);

  return n ? n : place_topo_npus(t);
}

/* A machine always has at least one package, even when the topology (e.g.
 * the synthetic "core:4 pu:2") has no Package level. */
unsigned place_topo_npackages(const place_topo *t) {
  if (!t->topo)
    return grid_npackages(&t->grid);
  unsigned n = count_type(t, HWLOC_OBJ_PACKAGE);

  return n ? n : 1;
}

unsigned place_topo_nnuma(const place_topo *t) {
  return t->topo ? count_type(t, HWLOC_OBJ_NUMANODE) : 1;
}

void place_topo_summary(const place_topo *t, char *buf, size_t len) {
  unsigned pk = place_topo_npackages(t), co = place_topo_ncores(t);
  unsigned pu = place_topo_npus(t), nu = place_topo_nnuma(t);

  if (buf == NULL || len == 0)
    return;
  snprintf(buf, len, "%u package%s, %u core%s, %u PU%s, %u NUMA node%s", pk,
           pk == 1 ? "" : "s", co, co == 1 ? "" : "s", pu, pu == 1 ? "" : "s",
           nu, nu == 1 ? "" : "s");
}

/* A growable string for place_topo_render; ok drops to 0 on the first
 * allocation failure and later appends do nothing. */
typedef struct {
  char *s;
  size_t len, cap;
  int ok;
} strbuf;

static void sb_printf(strbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void sb_printf(strbuf *sb, const char *fmt, ...) {
  va_list ap;
  int w;

  if (!sb->ok)
    return;
  va_start(ap, fmt);
  w = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (w < 0) {
    sb->ok = 0;
    return;
  }
  if (sb->len + (size_t)w + 1 > sb->cap) {
    size_t cap = sb->cap ? sb->cap : 256;
    char *s;

    while (sb->len + (size_t)w + 1 > cap)
      cap *= 2;
    s = realloc(sb->s, cap);
    if (s == NULL) {
      sb->ok = 0;
      return;
    }
    sb->s = s;
    sb->cap = cap;
  }
  va_start(ap, fmt);
  vsnprintf(sb->s + sb->len, sb->cap - sb->len, fmt, ap);
  va_end(ap);
  sb->len += (size_t)w;
}

static void render_line(strbuf *sb, hwloc_obj_t obj, unsigned indent) {
  char type[64];

  hwloc_obj_type_snprintf(type, sizeof(type), obj, 0);
  sb_printf(sb, "%*s%s L#%u", (int)(2 * indent), "", type, obj->logical_index);
  if (obj->os_index != HWLOC_UNKNOWN_INDEX) {
    sb_printf(sb, " (P#%u", obj->os_index);
    if (obj->type == HWLOC_OBJ_NUMANODE && obj->attr->numanode.local_memory)
      sb_printf(sb, ", %llu MB",
                (unsigned long long)(obj->attr->numanode.local_memory >> 20));
    sb_printf(sb, ")");
  }
  sb_printf(sb, "\n");
}

/* Caches are collapsed: their children are shown at the cache's own depth,
 * so the tree shows only the levels that matter for placement. Memory
 * children (NUMA nodes) come first under their parent, as in lstopo. */
static void render_obj(strbuf *sb, hwloc_obj_t obj, unsigned indent) {
  unsigned child_indent = indent;

  if (!hwloc_obj_type_is_cache(obj->type)) {
    render_line(sb, obj, indent);
    child_indent = indent + 1;
  }
  for (hwloc_obj_t c = obj->memory_first_child; c; c = c->next_sibling)
    render_obj(sb, c, child_indent);
  for (hwloc_obj_t c = obj->first_child; c; c = c->next_sibling)
    render_obj(sb, c, child_indent);
}

/* The grid as render_obj writes hwloc's tree of it. The NUMA node hangs
 * under the Machine, or (as hwloc puts it) under the one Package or Core
 * of a first level of one. */
static void render_grid(strbuf *sb, const place_grid *g) {
  static const char numa[] = "NUMANode L#0 (P#0, 1024 MB)";
  unsigned npack = grid_npackages(g), core = g->core ? g->core : 1;
  unsigned first = g->pack ? g->pack : g->core ? g->core : 0;
  unsigned c = 0, u = 0;
  sb_printf(sb, "Machine L#0 (P#0)\n");
  if (first != 1)
    sb_printf(sb, "  %s\n", numa);
  for (unsigned p = 0; p < npack; p++) {
    unsigned in = 1;
    if (g->pack) {
      sb_printf(sb, "%*sPackage L#%u (P#%u)\n", 2 * in++, "", p, p);
      if (first == 1)
        sb_printf(sb, "%*s%s\n", 2 * in, "", numa);
    }
    for (unsigned k = 0; k < core; k++, c++) {
      unsigned at = in;
      if (g->core) {
        sb_printf(sb, "%*sCore L#%u (P#%u)\n", 2 * at++, "", c, c);
        if (first == 1 && !g->pack)
          sb_printf(sb, "%*s%s\n", 2 * at, "", numa);
      }
      for (unsigned i = 0; i < g->pu; i++, u++)
        sb_printf(sb, "%*sPU L#%u (P#%u)\n", 2 * at, "", u, u);
    }
  }
}

char *place_topo_render(const place_topo *t) {
  strbuf sb = {NULL, 0, 0, 1};

  if (!t->topo)
    render_grid(&sb, &t->grid);
  else
    render_obj(&sb, hwloc_get_root_obj(t->topo), 0);
  if (!sb.ok || sb.s == NULL) {
    free(sb.s);
    return NULL;
  }
  return sb.s;
}

/* One core in a plan: the object, its sibling-rank path (core first) for
 * scatter, and its PUs' OS indexes in logical order. */
typedef struct {
  hwloc_obj_t obj;
  unsigned *key;
  unsigned keylen;
  unsigned *pus;
  unsigned npus;
} plan_core;

static int cmp_key(const void *a, const void *b) {
  const plan_core *x = a, *y = b;
  unsigned n = x->keylen < y->keylen ? x->keylen : y->keylen;

  for (unsigned i = 0; i < n; i++)
    if (x->key[i] != y->key[i])
      return x->key[i] < y->key[i] ? -1 : 1;
  if (x->keylen != y->keylen)
    return x->keylen < y->keylen ? -1 : 1;
  if (x->obj->logical_index != y->obj->logical_index)
    return x->obj->logical_index < y->obj->logical_index ? -1 : 1;
  return 0;
}

static void free_cores(plan_core *cores, unsigned n) {
  if (cores == NULL)
    return;
  for (unsigned i = 0; i < n; i++) {
    free(cores[i].key);
    free(cores[i].pus);
  }
  free(cores);
}

/* The PUs of the subtree at o (o itself if a PU), in logical order (the
 * order of a depth-first walk), appended as OS indexes to pus[*n] while
 * *n < max. Walking the core's own subtree keeps planning linear in the
 * PUs: asking hwloc for the k-th PU inside a core's cpuset goes through
 * every PU of the machine each time (64 s for 8k PUs, issue 18). */
static void collect_pus(hwloc_obj_t o, unsigned *pus, unsigned *n,
                        unsigned max) {
  if (o->type == HWLOC_OBJ_PU) {
    if (*n < max)
      pus[(*n)++] = o->os_index;
    return;
  }
  for (hwloc_obj_t c = o->first_child; c; c = c->next_sibling)
    collect_pus(c, pus, n, max);
}

/* How many PUs the subtree at o holds. */
static unsigned count_pus(hwloc_obj_t o) {
  if (o->type == HWLOC_OBJ_PU)
    return 1;
  unsigned n = 0;
  for (hwloc_obj_t c = o->first_child; c; c = c->next_sibling)
    n += count_pus(c);
  return n;
}

/* Fills cores[0..ncores) in logical order with their keys and PUs. */
static int collect_cores(const place_topo *t, hwloc_obj_type_t core_type,
                         plan_core *cores, unsigned ncores) {
  hwloc_obj_t root = hwloc_get_root_obj(t->topo);

  for (unsigned i = 0; i < ncores; i++) {
    plan_core *c = &cores[i];
    hwloc_obj_t o;

    c->obj = hwloc_get_obj_by_type(t->topo, core_type, i);
    if (c->obj == NULL)
      return -EINVAL;
    for (o = c->obj; o != NULL && o != root; o = o->parent)
      c->keylen++;
    c->key = calloc(c->keylen ? c->keylen : 1, sizeof(*c->key));
    if (c->key == NULL)
      return -ENOMEM;
    c->keylen = 0;
    for (o = c->obj; o != NULL && o != root; o = o->parent)
      c->key[c->keylen++] = o->sibling_rank;

    unsigned npus = count_pus(c->obj);
    c->pus = calloc(npus ? npus : 1, sizeof(*c->pus));
    if (c->pus == NULL)
      return -ENOMEM;
    c->npus = 0;
    collect_pus(c->obj, c->pus, &c->npus, npus);
  }
  return 0;
}

/* pu_order on a grid: its cores (PUs without a Core level) in logical
 * order for compact; for scatter, the sibling-rank path sorted is the
 * first core of every package, then the second, ... */
static int grid_order(const place_grid *g, place_policy p, unsigned **order,
                      unsigned *norder) {
  unsigned npack = grid_npackages(g), ncores = grid_ncores(g);
  unsigned per = ncores / npack, smt = g->core ? g->pu : 1, k = 0;
  unsigned *out = malloc((size_t)ncores * smt * sizeof *out);
  if (out == NULL)
    return -ENOMEM;
  for (unsigned s = 0; s < smt; s++)
    for (unsigned i = 0; i < ncores; i++) {
      unsigned c = p == PLACE_SCATTER ? (i % npack) * per + i / npack : i;
      out[k++] = c * smt + s;
    }
  *order = out;
  *norder = k;
  return 0;
}

/* Computes the PU order (OS indexes) for compact or scatter into *order,
 * a new array of *norder entries that the caller frees. */
static int pu_order(const place_topo *t, place_policy p, unsigned **order,
                    unsigned *norder) {
  if (!t->topo)
    return grid_order(&t->grid, p, order, norder);
  hwloc_obj_type_t core_type = HWLOC_OBJ_CORE;
  unsigned ncores = count_type(t, HWLOC_OBJ_CORE);
  unsigned maxpus = 0, total = 0, k = 0;
  plan_core *cores;
  unsigned *out;
  int rc;

  if (ncores == 0) {
    core_type = HWLOC_OBJ_PU;
    ncores = count_type(t, HWLOC_OBJ_PU);
  }
  if (ncores == 0)
    return -ENODEV;
  cores = calloc(ncores, sizeof(*cores));
  if (cores == NULL)
    return -ENOMEM;
  rc = collect_cores(t, core_type, cores, ncores);
  if (rc < 0)
    goto out;
  if (p == PLACE_SCATTER)
    qsort(cores, ncores, sizeof(*cores), cmp_key);

  for (unsigned i = 0; i < ncores; i++) {
    total += cores[i].npus;
    if (cores[i].npus > maxpus)
      maxpus = cores[i].npus;
  }
  if (total == 0) {
    rc = -ENODEV;
    goto out;
  }
  out = malloc(total * sizeof(*out));
  if (out == NULL) {
    rc = -ENOMEM;
    goto out;
  }
  for (unsigned smt = 0; smt < maxpus; smt++)
    for (unsigned i = 0; i < ncores; i++)
      if (smt < cores[i].npus)
        out[k++] = cores[i].pus[smt];
  *order = out;
  *norder = total;
  rc = 0;

out:
  free_cores(cores, ncores);
  return rc;
}

/* Each set is one PU in hwloc's list syntax, its index, which is what
 * place_bind_self (and hwloc-bind) parse. It is written directly: hwloc's
 * list printer walks a bitmap as long as the index, quadratic over a
 * plan of every PU (issue 18). */
int place_plan(const place_topo *t, place_policy p, unsigned n,
               place_plan_t *plan, char *err, size_t errlen) {
  unsigned *order = NULL, norder = 0;
  int rc;

  plan->n = 0;
  plan->sets = NULL;
  if (n == 0) {
    set_err(err, errlen, "cannot plan for 0 workers: need at least 1");
    return -EINVAL;
  }
  if ((unsigned)p >= PLACE_POLICY_COUNT) {
    set_err(err, errlen, "unknown placement policy %d", (int)p);
    return -EINVAL;
  }
  plan->sets = calloc(n, sizeof(*plan->sets));
  if (plan->sets == NULL) {
    rc = -ENOMEM;
    goto err;
  }
  plan->n = n;

  if (p == PLACE_NONE) {
    for (unsigned i = 0; i < n; i++) {
      plan->sets[i] = strdup("");
      if (plan->sets[i] == NULL) {
        rc = -ENOMEM;
        goto err;
      }
    }
    return 0;
  }

  rc = pu_order(t, p, &order, &norder);
  if (rc == -ENODEV) {
    set_err(err, errlen, "the topology has no PUs to place workers on");
    goto err_quiet;
  }
  if (rc < 0)
    goto err;
  for (unsigned i = 0; i < n; i++) {
    if (asprintf(&plan->sets[i], "%u",
                 order[p == PLACE_ONE_CORE ? 0 : i % norder]) < 0) {
      plan->sets[i] = NULL;
      rc = -ENOMEM;
      goto err;
    }
  }
  free(order);
  return 0;

err:
  set_err(err, errlen, "cannot plan '%s' for %u workers: %s",
          place_policy_name(p), n, strerror(-rc));
err_quiet:
  free(order);
  place_plan_free(plan);
  return rc;
}

int place_is_location(const char *text) {
  return text != NULL && strchr(text, ':') != NULL;
}

/* How many objects of type ty the grid has (hwloc's answer for it). */
static int grid_nbobjs(const place_grid *g, hwloc_obj_type_t ty) {
  switch (ty) {
  case HWLOC_OBJ_MACHINE:
  case HWLOC_OBJ_NUMANODE:
    return 1;
  case HWLOC_OBJ_PACKAGE:
    return (int)g->pack;
  case HWLOC_OBJ_CORE:
    return g->core ? (int)grid_ncores(g) : 0;
  case HWLOC_OBJ_PU:
    return (int)grid_npus(g);
  default:
    return 0;
  }
}

/* The PUs of object i of type ty of the grid in hwloc's list syntax, new
 * into *set (free it); 0 or -ENOMEM. */
static int grid_set(const place_grid *g, hwloc_obj_type_t ty, unsigned i,
                    char **set) {
  unsigned first = 0, n = grid_npus(g);
  if (ty == HWLOC_OBJ_PU) {
    first = i;
    n = 1;
  } else if (ty == HWLOC_OBJ_CORE) {
    first = i * g->pu;
    n = g->pu;
  } else if (ty == HWLOC_OBJ_PACKAGE) {
    n /= g->pack;
    first = i * n;
  }
  int w = n == 1 ? asprintf(set, "%u", first)
                 : asprintf(set, "%u-%u", first, first + n - 1);
  return w < 0 ? (*set = NULL, -ENOMEM) : 0;
}

/* One location "TYPE:INDEXES" (INDEXES: N, N-M or all) of t: appends the
 * cpusets of its objects to sets[*nsets]. */
static int add_location(const place_topo *t, const char *loc, char ***sets,
                        unsigned *nsets, char *err, size_t errlen) {
  char type[32];
  const char *colon = strchr(loc, ':');
  size_t tlen = colon ? (size_t)(colon - loc) : 0;
  hwloc_obj_type_t ty;
  if (!colon || tlen == 0 || tlen >= sizeof type) {
    set_err(err, errlen, "'%s' is not a location (TYPE:INDEXES, e.g. core:0-1)",
            loc);
    return -EINVAL;
  }
  memcpy(type, loc, tlen);
  type[tlen] = '\0';
  /* hwloc-calc's short names, then hwloc's own ("package", "numanode"). */
  if (strcmp(type, "numa") == 0 || strcmp(type, "node") == 0)
    ty = HWLOC_OBJ_NUMANODE;
  else if (strcmp(type, "socket") == 0 || strcmp(type, "pack") == 0)
    ty = HWLOC_OBJ_PACKAGE;
  else if (hwloc_type_sscanf(type, &ty, NULL, 0) < 0) {
    set_err(err, errlen,
            "unknown object type '%s' in location '%s' (use pu, core, "
            "package, numa, l3cache, ...)",
            type, loc);
    return -EINVAL;
  }
  int nobjs = t->topo ? hwloc_get_nbobjs_by_type(t->topo, ty)
                      : grid_nbobjs(&t->grid, ty);
  if (nobjs <= 0) {
    set_err(err, errlen, "location '%s': this topology has no %s objects", loc,
            type);
    return -EINVAL;
  }
  const char *idx = colon + 1;
  long first, last;
  char *end;
  if (strcmp(idx, "all") == 0) {
    first = 0;
    last = nobjs - 1;
  } else {
    first = strtol(idx, &end, 10);
    last = first;
    if (end != idx && *end == '-')
      last = strtol(end + 1, &end, 10);
    if (end == idx || *end != '\0' || first < 0 || last < first) {
      set_err(err, errlen,
              "location '%s': indexes must be N, N-M or all (logical, as "
              "hwloc-calc counts)",
              loc);
      return -EINVAL;
    }
  }
  if (last >= nobjs) {
    set_err(err, errlen,
            "location '%s': this topology has %d %s objects (indexes 0-%d)",
            loc, nobjs, type, nobjs - 1);
    return -EINVAL;
  }
  char **grown =
      realloc(*sets, (*nsets + (size_t)(last - first + 1)) * sizeof **sets);
  if (!grown)
    return -ENOMEM;
  *sets = grown;
  for (long i = first; i <= last; i++) {
    if (!t->topo) {
      if (grid_set(&t->grid, ty, (unsigned)i, &grown[*nsets]) < 0)
        return -ENOMEM;
      (*nsets)++;
      continue;
    }
    hwloc_obj_t o = hwloc_get_obj_by_type(t->topo, ty, (unsigned)i);
    if (!o || !o->cpuset || hwloc_bitmap_iszero(o->cpuset)) {
      set_err(err, errlen, "location '%s': object %ld has no CPUs", loc, i);
      return -EINVAL;
    }
    if (hwloc_bitmap_list_asprintf(&grown[*nsets], o->cpuset) < 0)
      return -ENOMEM;
    (*nsets)++;
  }
  return 0;
}

int place_plan_locations(const place_topo *t, const char *where, unsigned n,
                         place_plan_t *plan, char *err, size_t errlen) {
  char *copy = strdup(where ? where : ""), *save = NULL;
  char **objs = NULL;
  unsigned nobjs = 0;
  int rc = copy ? 0 : -ENOMEM;
  plan->n = 0;
  plan->sets = NULL;
  for (char *loc = copy ? strtok_r(copy, ",", &save) : NULL; loc && rc == 0;
       loc = strtok_r(NULL, ",", &save))
    rc = add_location(t, loc, &objs, &nobjs, err, errlen);
  if (rc == 0 && nobjs == 0) {
    set_err(err, errlen, "no locations in '%s'", where ? where : "");
    rc = -EINVAL;
  }
  if (rc == 0 && n == 0) {
    set_err(err, errlen, "cannot plan for 0 workers: need at least 1");
    rc = -EINVAL;
  }
  if (rc == 0 && !(plan->sets = calloc(n, sizeof *plan->sets)))
    rc = -ENOMEM;
  for (unsigned i = 0; rc == 0 && i < n; i++) {
    plan->n = i + 1;
    if (!(plan->sets[i] = strdup(objs[i % nobjs])))
      rc = -ENOMEM;
  }
  if (rc == -ENOMEM)
    set_err(err, errlen, "cannot plan '%s': out of memory", where);
  if (rc < 0)
    place_plan_free(plan);
  for (unsigned i = 0; i < nobjs; i++)
    free(objs[i]);
  free(objs);
  free(copy);
  return rc;
}

int place_plan_named(const place_topo *t, const char *name, unsigned n,
                     place_plan_t *plan, char *err, size_t errlen) {
  place_policy p;
  if (place_is_location(name))
    return place_plan_locations(t, name, n, plan, err, errlen);
  int rc = place_policy_parse(name, &p, err, errlen);
  return rc < 0 ? rc : place_plan(t, p, n, plan, err, errlen);
}

void place_plan_free(place_plan_t *plan) {
  if (plan == NULL)
    return;
  if (plan->sets != NULL)
    for (unsigned i = 0; i < plan->n; i++)
      free(plan->sets[i]);
  free(plan->sets);
  plan->sets = NULL;
  plan->n = 0;
}

int place_bind_self(place_topo *t, const char *set, char *err, size_t errlen) {
  hwloc_bitmap_t bm;
  int rc = 0;

  if (set == NULL || set[0] == '\0')
    return 0;
  if (!t->topo) {
    set_err(err, errlen, "cannot bind to '%s' on a synthetic topology", set);
    return -ENOTSUP;
  }
  bm = hwloc_bitmap_alloc();
  if (bm == NULL) {
    set_err(err, errlen, "out of memory binding to '%s'", set);
    return -ENOMEM;
  }
  if (hwloc_bitmap_list_sscanf(bm, set) < 0 || hwloc_bitmap_iszero(bm)) {
    set_err(err, errlen,
            "bad cpuset '%s': expected hwloc list syntax like 0-3,5", set);
    rc = -EINVAL;
    goto out;
  }
  if (hwloc_set_cpubind(t->topo, bm, HWLOC_CPUBIND_THREAD) < 0) {
    int e = errno ? errno : EINVAL;
    set_err(err, errlen, "cannot bind thread to cpuset '%s': %s", set,
            strerror(e));
    rc = -e;
  }
out:
  hwloc_bitmap_free(bm);
  return rc;
}

int place_set_has(const char *set, int cpu) {
  hwloc_bitmap_t bm = hwloc_bitmap_alloc();
  int has = bm && set && *set && cpu >= 0 &&
            hwloc_bitmap_list_sscanf(bm, set) == 0 &&
            hwloc_bitmap_isset(bm, (unsigned)cpu);
  hwloc_bitmap_free(bm);
  return has;
}

int place_last_cpu(place_topo *t, pid_t tid) {
  hwloc_bitmap_t bm = hwloc_bitmap_alloc();
  int cpu = -1;

  if (bm == NULL)
    return -1;
  if (t->topo && hwloc_linux_get_tid_last_cpu_location(t->topo, tid, bm) == 0)
    cpu = hwloc_bitmap_first(bm);
  hwloc_bitmap_free(bm);
  return cpu < 0 ? -1 : cpu;
}

int place_affinity_self(char *buf, size_t len) {
  cpu_set_t set;
  size_t off = 0;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) < 0) {
    int e = errno;
    snprintf(buf, len, "%s", "");
    return -e;
  }
  buf[0] = '\0';
  for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
    if (!CPU_ISSET(cpu, &set))
      continue;
    int last = cpu;
    while (last + 1 < CPU_SETSIZE && CPU_ISSET(last + 1, &set))
      last++;
    int n = last == cpu
                ? snprintf(buf + off, len - off, "%s%d", off ? "," : "", cpu)
                : snprintf(buf + off, len - off, "%s%d-%d", off ? "," : "", cpu,
                           last);
    if (n < 0 || (size_t)n >= len - off)
      return -ENOSPC;
    off += (size_t)n;
    cpu = last;
  }
  return 0;
}
