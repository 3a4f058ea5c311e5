/* results — see results.h. */
#include "results.h"

#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *results_str(const cJSON *rec, const char *key) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(rec, key);
  return cJSON_IsString(v) ? v->valuestring : "";
}

const cJSON *results_get(const cJSON *rec, const char *path) {
  char part[64];
  const char *dot;
  while (rec && (dot = strchr(path, '.')) &&
         (size_t)(dot - path) < sizeof part) {
    memcpy(part, path, (size_t)(dot - path));
    part[dot - path] = '\0';
    rec = cJSON_GetObjectItemCaseSensitive(rec, part);
    path = dot + 1;
  }
  return rec ? cJSON_GetObjectItemCaseSensitive(rec, path) : NULL;
}

double results_num(const cJSON *rec, const char *path) {
  const cJSON *v = results_get(rec, path);
  return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* Whether a record is measured ("ok") and a warm-up, asked for every
 * record for every figure of a report: results_load keeps the answers in
 * the record's valueint, which cJSON leaves unused in an object (and
 * neither prints nor compares), so that the absent "warmup" of a measured
 * record is not looked for through all its keys each time. A record made
 * elsewhere (a test's) has no FLAGS_KNOWN: its keys are read. */
enum { FLAG_OK = 1, FLAG_WARMUP = 2, FLAGS_KNOWN = 0x100 };

static int record_flags(const cJSON *rec) {
  if (rec && (rec->valueint & FLAGS_KNOWN))
    return rec->valueint;
  int f = FLAGS_KNOWN;
  if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rec, "warmup")))
    f |= FLAG_WARMUP;
  if (strcmp(results_str(rec, "status"), "ok") == 0)
    f |= FLAG_OK;
  return f;
}

static int is_warmup(const cJSON *rec) {
  return (record_flags(rec) & FLAG_WARMUP) != 0;
}

int results_ok(const cJSON *rec) {
  return (record_flags(rec) & (FLAG_OK | FLAG_WARMUP)) == FLAG_OK;
}

/* The server cells' axes (net.serve*'s connections, handler, handler_us
 * and rate; absent elsewhere, and then equal). */
static int same_serve(const cJSON *a, const cJSON *b) {
  static const char *const nums[] = {"connections", "handler_us", "rate"};
  for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
    double x = results_num(a, nums[i]), y = results_num(b, nums[i]);
    if (!(x == y || (isnan(x) && isnan(y))))
      return 0;
  }
  return strcmp(results_str(a, "handler"), results_str(b, "handler")) == 0;
}

/* Same model, start method, placement, switch interval (null: the
 * default), scaling and workload. */
static int same_setup(const cJSON *a, const cJSON *b, int check_cpu,
                      int check_size);

int results_same_setup(const cJSON *a, const cJSON *b) {
  return same_setup(a, b, 1, 1);
}

int results_same_but_cpu(const cJSON *a, const cJSON *b) {
  return same_setup(a, b, 0, 1) &&
         strcmp(results_str(a, "runtime"), results_str(b, "runtime")) == 0 &&
         results_num(a, "workers") == results_num(b, "workers");
}

double results_max_cpu_threads(const results *r, const char *workload) {
  double kmax = 0;
  for (size_t g = 0; g < r->ngroups; g++)
    if (strcmp(results_str(r->groups[g].first, "workload"), workload) == 0)
      kmax = fmax(kmax, results_num(r->groups[g].first, "cpu_threads"));
  return kmax;
}

const results_group *results_with_cpu(const results *r,
                                      const results_group *alone, double k) {
  for (size_t h = 0; h < r->ngroups; h++)
    if (results_same_but_cpu(r->groups[h].first, alone->first) &&
        results_num(r->groups[h].first, "cpu_threads") == k)
      return &r->groups[h];
  return NULL;
}

int results_same_but_size(const cJSON *a, const cJSON *b) {
  return same_setup(a, b, 1, 0) &&
         strcmp(results_str(a, "runtime"), results_str(b, "runtime")) == 0 &&
         results_num(a, "workers") == results_num(b, "workers");
}

static int same_setup(const cJSON *a, const cJSON *b, int check_cpu,
                      int check_size) {
  double x = results_num(a, "switch_interval_s");
  double y = results_num(b, "switch_interval_s");
  /* The CPU-bound threads beside the workers (mixed.convoy's axis;
   * absent elsewhere). */
  double ca = results_num(a, "cpu_threads"), cb = results_num(b, "cpu_threads");
  /* The message size and payload (ipc.*'s axes; absent elsewhere). */
  double ma = results_num(a, "msg_size"), mb = results_num(b, "msg_size");
  /* The machine (gillab merge of shards run on machines that differ;
   * absent otherwise): cells of two machines never share a key. */
  return strcmp(results_str(a, "workload"), results_str(b, "workload")) == 0 &&
         strcmp(results_str(a, "machine"), results_str(b, "machine")) == 0 &&
         strcmp(results_str(a, "model"), results_str(b, "model")) == 0 &&
         strcmp(results_str(a, "placement"), results_str(b, "placement")) ==
             0 &&
         strcmp(results_str(a, "start_method"),
                results_str(b, "start_method")) == 0 &&
         strcmp(results_str(a, "scaling"), results_str(b, "scaling")) == 0 &&
         (x == y || (isnan(x) && isnan(y))) &&
         (!check_cpu || ca == cb || (isnan(ca) && isnan(cb))) &&
         (!check_size || ma == mb || (isnan(ma) && isnan(mb))) &&
         strcmp(results_str(a, "payload"), results_str(b, "payload")) == 0 &&
         same_serve(a, b);
}

int results_same_row(const cJSON *a, const cJSON *b) {
  return results_same_setup(a, b) &&
         strcmp(results_str(a, "runtime"), results_str(b, "runtime")) == 0;
}

int results_same_key(const cJSON *a, const cJSON *b, int ignore_runtime) {
  return results_same_setup(a, b) &&
         results_num(a, "workers") == results_num(b, "workers") &&
         (ignore_runtime ||
          strcmp(results_str(a, "runtime"), results_str(b, "runtime")) == 0);
}

/* The key of rec (results_same_key's fields, runtime included) as one
 * string into buf: two records share a key exactly when their strings are
 * equal (a number that is absent or not a number prints as "-"; -0 as 0). */
static void key_text(const cJSON *rec, char *buf, size_t len) {
  static const char *const text[] = {"workload",     "machine", "model",
                                     "placement",    "scaling", "payload",
                                     "start_method", "runtime"};
  static const char *const nums[] = {"switch_interval_s", "cpu_threads",
                                     "msg_size", "workers"};
  size_t used = 0;
  for (size_t i = 0; i < sizeof text / sizeof *text && used < len; i++)
    used += (size_t)snprintf(buf + used, len - used, "%s\x1f",
                             results_str(rec, text[i]));
  for (size_t i = 0; i < sizeof nums / sizeof *nums && used < len; i++) {
    double v = results_num(rec, nums[i]);
    used += isnan(v) ? (size_t)snprintf(buf + used, len - used, "-\x1f")
                     : (size_t)snprintf(buf + used, len - used, "%.17g\x1f",
                                        v + 0.0);
  }
}

static uint64_t fnv1a(const char *s) {
  uint64_t h = 1469598103934665603ull;
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211ull;
  return h;
}

/* Puts every non-skipped, non-warm-up record into the group of its key,
 * groups in the order their first record comes. The groups are found
 * through a hash table of their key texts (results_same_key on every
 * group for every record was O(records x groups) lookups of ~12 fields:
 * most of a 100k-record report's time). A key text too long for its
 * buffer falls back to comparing the records. */
static int make_groups(results *r) {
  enum { KEY_MAX = 2048 };
  size_t cap = 16;
  while (cap < 2 * (r->n + 1))
    cap *= 2;
  r->groups = calloc(r->n + 1, sizeof *r->groups);
  size_t *slot = malloc(cap * sizeof *slot); /* group + 1, 0: empty */
  char **keys = calloc(r->n + 1, sizeof *keys);
  char *key = malloc(KEY_MAX);
  int rc = r->groups && slot && keys && key ? 0 : -ENOMEM;
  for (size_t i = 0; rc == 0 && i < cap; i++)
    slot[i] = 0;
  for (size_t i = 0; rc == 0 && i < r->n; i++) {
    const cJSON *c = r->cells[i];
    if (is_warmup(c) || strcmp(results_str(c, "status"), "skipped") == 0)
      continue;
    key_text(c, key, KEY_MAX);
    size_t h = (size_t)fnv1a(key) & (cap - 1), g;
    while (slot[h] && (strcmp(keys[slot[h] - 1], key) != 0 ||
                       !results_same_key(r->groups[slot[h] - 1].first, c, 0)))
      h = (h + 1) & (cap - 1);
    if (slot[h]) {
      g = slot[h] - 1;
    } else {
      g = r->ngroups++;
      r->groups[g].first = c;
      keys[g] = strdup(key);
      slot[h] = g + 1;
      if (!keys[g]) {
        rc = -ENOMEM;
        break;
      }
    }
    results_group *grp = &r->groups[g];
    if ((grp->n & (grp->n - 1)) == 0) { /* 0, 1, 2, 4, ...: grow */
      const cJSON **recs =
          realloc(grp->recs, (grp->n ? 2 * grp->n : 1) * sizeof *recs);
      if (!recs) {
        rc = -ENOMEM;
        break;
      }
      grp->recs = recs;
    }
    grp->recs[grp->n++] = c;
  }
  for (size_t g = 0; keys && g < r->ngroups; g++)
    free(keys[g]);
  free(keys);
  free(slot);
  free(key);
  return rc;
}

/* Why a cell record cannot be taken as data, or NULL when it can: its
 * identity must be text, its workers a whole number from 1, its rep a
 * whole number, and its figures numbers (or null). A results file may come
 * from another machine or another hand; a value of the wrong type would
 * be reported as a measurement. */
static const char *cell_invalid(const cJSON *rec, char *why, size_t len) {
  static const char *const text[] = {"workload", "model", "status"};
  static const char *const opt_text[] = {"runtime", "placement", "start_method",
                                         "scaling", "error"};
  static const char *const figures[] = {"throughput", "speedup", "wall_s",
                                        "ops",        "units",   "setup_s"};
  for (size_t i = 0; i < sizeof text / sizeof *text; i++)
    if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(rec, text[i]))) {
      snprintf(why, len, "\"%s\" is missing or not a string", text[i]);
      return why;
    }
  for (size_t i = 0; i < sizeof opt_text / sizeof *opt_text; i++) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(rec, opt_text[i]);
    if (v && !cJSON_IsString(v) && !cJSON_IsNull(v)) {
      snprintf(why, len, "\"%s\" is not a string", opt_text[i]);
      return why;
    }
  }
  const cJSON *w = cJSON_GetObjectItemCaseSensitive(rec, "workers");
  if (!cJSON_IsNumber(w) || !(w->valuedouble >= 1) || w->valuedouble > 1e6 ||
      w->valuedouble != floor(w->valuedouble)) {
    snprintf(why, len, "\"workers\" is not a whole number from 1 to 10^6");
    return why;
  }
  const cJSON *rep = cJSON_GetObjectItemCaseSensitive(rec, "rep");
  if (rep &&
      (!cJSON_IsNumber(rep) || !(rep->valuedouble >= 0) ||
       rep->valuedouble > 1e9 || rep->valuedouble != floor(rep->valuedouble))) {
    snprintf(why, len, "\"rep\" is not a whole number");
    return why;
  }
  for (size_t i = 0; i < sizeof figures / sizeof *figures; i++) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(rec, figures[i]);
    if (v && !cJSON_IsNull(v) &&
        (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) ||
         v->valuedouble < 0)) {
      snprintf(why, len, "\"%s\" is not a number from 0 (nor null)",
               figures[i]);
      return why;
    }
  }
  return NULL;
}

/* The cell records' memory. A record parsed by cJSON is ~160 items, each
 * its own malloc of 64 bytes and most with a malloc'd key: 100,000 records
 * (a 210 MB file) took 1.7 GB, a third of it the same few hundred key
 * names over again, and freeing them item by item a tenth of a report's
 * time. Each record is copied here instead, once checked: its items
 * packed into large chunks, its keys interned (each distinct name stored
 * once), the parsed original dropped with its scratch arena. The copies
 * are cJSON items like any other for reading, but are never given to
 * cJSON_Delete: the arena frees them all. Keys are not marked
 * cJSON_StringIsConst, so that cJSON_Duplicate of a record (a merge's)
 * copies them. */
enum { ARENA_CHUNK = 1 << 20 };

typedef struct arena_chunk {
  struct arena_chunk *next;
  size_t used, cap;
  _Alignas(8) unsigned char mem[];
} arena_chunk;

struct results_arena {
  arena_chunk *chunks; /* the newest first */
  const char **names;  /* the interned keys, open addressing; NULL: empty */
  size_t nnames, capnames;
};

/* size bytes aligned to align (a power of two, at most 8) from a, or NULL
 * when out of memory. */
static void *arena_alloc(results_arena *a, size_t size, size_t align) {
  arena_chunk *c = a->chunks;
  size_t at = c ? (c->used + align - 1) & ~(align - 1) : 0;
  if (!c || at + size > c->cap) {
    size_t cap = size > ARENA_CHUNK ? size : ARENA_CHUNK;
    c = malloc(sizeof *c + cap);
    if (!c)
      return NULL;
    c->cap = cap;
    c->used = 0;
    c->next = a->chunks;
    a->chunks = c;
    at = 0;
  }
  c->used = at + size;
  return c->mem + at;
}

static char *arena_strdup(results_arena *a, const char *s) {
  size_t len = strlen(s) + 1;
  char *d = arena_alloc(a, len, 1);
  return d ? memcpy(d, s, len) : NULL;
}

/* The one copy of the key name s in a, or NULL when out of memory. */
static char *arena_intern(results_arena *a, const char *s) {
  if (2 * (a->nnames + 1) > a->capnames) {
    size_t cap = a->capnames ? 2 * a->capnames : 256;
    const char **names = calloc(cap, sizeof *names);
    if (!names)
      return NULL;
    for (size_t i = 0; i < a->capnames; i++)
      if (a->names[i]) {
        size_t h = (size_t)fnv1a(a->names[i]) & (cap - 1);
        while (names[h])
          h = (h + 1) & (cap - 1);
        names[h] = a->names[i];
      }
    free(a->names);
    a->names = names;
    a->capnames = cap;
  }
  size_t h = (size_t)fnv1a(s) & (a->capnames - 1);
  while (a->names[h] && strcmp(a->names[h], s) != 0)
    h = (h + 1) & (a->capnames - 1);
  if (!a->names[h]) {
    if (!(a->names[h] = arena_strdup(a, s)))
      return NULL;
    a->nnames++;
  }
  return (char *)a->names[h];
}

/* A copy of the item src and all its children in a, or NULL when out of
 * memory. The depth is the record's, which cJSON_Parse bounds
 * (CJSON_NESTING_LIMIT). */
static cJSON *arena_copy(results_arena *a, const cJSON *src) {
  cJSON *d = arena_alloc(a, sizeof *d, 8);
  if (!d)
    return NULL;
  memset(d, 0, sizeof *d);
  d->type = src->type;
  d->valueint = src->valueint;
  d->valuedouble = src->valuedouble;
  if ((src->valuestring &&
       !(d->valuestring = arena_strdup(a, src->valuestring))) ||
      (src->string && !(d->string = arena_intern(a, src->string))))
    return NULL;
  cJSON *last = NULL;
  for (const cJSON *c = src->child; c; c = c->next) {
    cJSON *k = arena_copy(a, c);
    if (!k)
      return NULL;
    if (last) {
      last->next = k;
      k->prev = last;
    } else {
      d->child = k;
    }
    last = k;
  }
  if (d->child) /* cJSON's own lists keep the last item there */
    d->child->prev = last;
  return d;
}

/* Frees every chunk of a but its first, which is emptied: the scratch
 * arena that each line is parsed into. */
static void arena_reset(results_arena *a) {
  while (a->chunks && a->chunks->next) {
    arena_chunk *next = a->chunks->next;
    free(a->chunks);
    a->chunks = next;
  }
  if (a->chunks)
    a->chunks->used = 0;
}

/* cJSON_Parse's allocations inside results_load: from the scratch arena,
 * freed all at once when the line is done, rather than one malloc and one
 * free per item (a third of the load's time). cJSON's hooks are global and
 * take no context, hence the static; the orchestrator reads results files
 * on one thread, and the hooks are set only around cJSON_Parse. */
static results_arena *parse_arena;

static void *parse_malloc(size_t size) {
  return arena_alloc(parse_arena, size, 8);
}

static void parse_free(void *p) {
  (void)p;
}

/* The record on line, parsed into scratch (valid until its next reset),
 * or NULL when it is not JSON. */
static cJSON *parse_scratch(results_arena *scratch, const char *line) {
  cJSON_Hooks hooks = {.malloc_fn = parse_malloc, .free_fn = parse_free};
  parse_arena = scratch;
  cJSON_InitHooks(&hooks);
  cJSON *rec = cJSON_Parse(line);
  cJSON_InitHooks(NULL);
  parse_arena = NULL;
  return rec;
}

static void arena_free(results_arena *a) {
  if (!a)
    return;
  while (a->chunks) {
    arena_chunk *next = a->chunks->next;
    free(a->chunks);
    a->chunks = next;
  }
  free(a->names);
  free(a);
}

void results_path_make(const results *r, const char *path, results_path *p) {
  memset(p, 0, sizeof *p);
  p->path = path;
  const results_arena *a = r->arena;
  /* results_get's own limit on a part, past which it reads the rest as
   * one key. */
  char part[64];
  const char *s = path, *dot;
  do {
    dot = strchr(s, '.');
    size_t len = dot ? (size_t)(dot - s) : strlen(s);
    if (!a || !a->capnames || len >= sizeof part ||
        p->n == sizeof p->part / sizeof *p->part) {
      p->n = 0; /* results_get reads it */
      return;
    }
    memcpy(part, s, len);
    part[len] = '\0';
    size_t h = (size_t)fnv1a(part) & (a->capnames - 1);
    while (a->names[h] && strcmp(a->names[h], part) != 0)
      h = (h + 1) & (a->capnames - 1);
    if (!a->names[h])
      p->absent = 1;
    p->part[p->n++] = a->names[h];
    if (dot) /* NULL + 1 is undefined (the fuzzer's UBSan said so) */
      s = dot + 1;
  } while (dot);
}

const cJSON *results_path_get(const cJSON *rec, const results_path *p) {
  if (p->absent)
    return NULL;
  if (!p->n)
    return results_get(rec, p->path);
  for (size_t i = 0; rec && i < p->n; i++) {
    if (!cJSON_IsObject(rec))
      return NULL;
    const cJSON *c = rec->child;
    while (c && c->string != p->part[i])
      c = c->next;
    rec = c;
  }
  return rec;
}

int results_load(const char *path, results *r, char *err, size_t errlen) {
  memset(r, 0, sizeof *r);
  FILE *f = fopen(path, "r");
  if (!f) {
    int e = errno;
    snprintf(err, errlen, "cannot read %s: %s", path, strerror(e));
    return -e;
  }
  results_arena *scratch = calloc(1, sizeof *scratch);
  if (!scratch || !(r->arena = calloc(1, sizeof *r->arena))) {
    free(scratch);
    fclose(f);
    snprintf(err, errlen, "out of memory reading %s", path);
    return -ENOMEM;
  }
  char *line = NULL, why[128];
  size_t cap = 0, lineno = 0;
  ssize_t got;
  int rc = 0;
  while ((got = getline(&line, &cap, f)) > 0) {
    lineno++;
    if (line[got - 1] != '\n' && !ferror(f)) {
      /* Records end with a line break, written with the record: a last
       * line without one was cut short (power lost while writing it). */
      fprintf(stderr,
              "gillab: %s:%zu: the last line is incomplete (a write cut "
              "short), dropped\n",
              path, lineno);
      break;
    }
    arena_reset(scratch);
    cJSON *rec = parse_scratch(scratch, line);
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(rec, "type");
    const char *bad = NULL;
    if (!cJSON_IsString(type))
      bad = "not a record";
    else if (strcmp(type->valuestring, "meta") == 0 && r->meta)
      bad = "a second metadata record (a results file has one, first)";
    else if (strcmp(type->valuestring, "meta") == 0 && !cJSON_IsObject(rec))
      bad = "a metadata record that is not an object";
    else if (strcmp(type->valuestring, "cell") == 0)
      bad = cell_invalid(rec, why, sizeof why);
    else if (strcmp(type->valuestring, "meta") != 0 &&
             strcmp(results_str(r->meta, "kind"), "probe") != 0)
      /* Other types are a probe's (its processes, intervals, ...): in a
       * run's file the reports would take one for a cell. */
      bad = "a record that is not a cell (only a probe's directory has "
            "others)";
    if (bad) {
      fprintf(stderr, "gillab: %s:%zu: %s, skipped\n", path, lineno, bad);
      continue;
    }
    if (strcmp(type->valuestring, "meta") == 0) {
      if (!(r->meta = cJSON_Duplicate(rec, 1))) {
        rc = -ENOMEM;
        break;
      }
      continue;
    }
    cJSON **cells =
        r->n & (r->n - 1) /* grows at 0, 1, 2, 4, ... */
            ? r->cells
            : realloc(r->cells, (r->n ? 2 * r->n : 1) * sizeof *cells);
    if (!cells) {
      rc = -ENOMEM;
      break;
    }
    r->cells = cells;
    cJSON *copy = arena_copy(r->arena, rec);
    if (!copy) {
      rc = -ENOMEM;
      break;
    }
    copy->valueint = record_flags(copy);
    r->cells[r->n++] = copy;
  }
  free(line);
  fclose(f);
  arena_free(scratch);
  if (rc == 0)
    rc = make_groups(r);
  if (rc < 0)
    snprintf(err, errlen, "out of memory reading %s", path);
  return rc;
}

/* One answer of results_ci, kept: a report asks for the same figure of
 * the same group for its table, its findings, its charts and the HTML, and
 * on a 100k-record run each answer reads thousands of records. */
struct results_memo {
  char *path;
  stats_ci ci;
  results_memo *next;
};

static void memo_free(results_memo *m) {
  while (m) {
    results_memo *next = m->next;
    free(m->path);
    free(m);
    m = next;
  }
}

int results_view(const results *r, const char *machine, results *view) {
  memset(view, 0, sizeof *view);
  view->meta = r->meta;
  view->arena = r->arena;
  view->cells = calloc(r->n + 1, sizeof *view->cells);
  if (!view->cells)
    return -ENOMEM;
  for (size_t i = 0; i < r->n; i++)
    if (strcmp(results_str(r->cells[i], "machine"), machine) == 0)
      view->cells[view->n++] = r->cells[i];
  return make_groups(view);
}

static void figs_free(results_fig *f);

void results_view_free(results *view) {
  figs_free(view->figs);
  free(view->cells);
  for (size_t g = 0; g < view->ngroups; g++) {
    free(view->groups[g].recs);
    memo_free(view->groups[g].memo);
  }
  free(view->groups);
  memset(view, 0, sizeof *view);
}

void results_free(results *r) {
  cJSON_Delete(r->meta);
  figs_free(r->figs);
  arena_free(r->arena);
  free(r->cells);
  for (size_t g = 0; g < r->ngroups; g++) {
    free(r->groups[g].recs);
    memo_free(r->groups[g].memo);
  }
  free(r->groups);
  memset(r, 0, sizeof *r);
}

stats_ci results_ci(const results_group *g, const char *path, size_t *tried) {
  if (tried)
    *tried = g->n;
  for (const results_memo *m = g->memo; m; m = m->next)
    if (strcmp(m->path, path) == 0)
      return m->ci;
  double *v = malloc((g->n + 1) * sizeof *v);
  size_t n = 0;
  for (size_t i = 0; v && i < g->n; i++) {
    if (!results_ok(g->recs[i]))
      continue;
    double x = results_num(g->recs[i], path);
    if (isfinite(x))
      v[n++] = x;
  }
  stats_ci c = stats_median_ci(v, n);
  free(v);
  /* The records do not change once grouped: the memo is a cache, which is
   * why a const group may hold it. */
  results_memo *m = malloc(sizeof *m);
  if (m && (m->path = strdup(path))) {
    m->ci = c;
    m->next = g->memo;
    ((results_group *)g)->memo = m;
  } else {
    free(m);
  }
  return c;
}

const char *results_model_label(const cJSON *rec, char *buf, size_t len) {
  double si = results_num(rec, "switch_interval_s");
  const char *sm = results_str(rec, "start_method");
  /* subinterpreters: "own GIL" (3.12+) or "shared GIL" (3.11). */
  const char *interp = results_str(rec, "interpreters");
  int n = snprintf(buf, len, "%s%s%s%s%s%s", results_str(rec, "model"),
                   *sm ? " " : "", sm, *interp ? " (" : "", interp,
                   *interp ? ")" : "");
  if (!isnan(si) && n >= 0 && (size_t)n < len)
    n += snprintf(buf + n, len - (size_t)n, ", si %gms", si * 1e3);
  double cpu = results_num(rec, "cpu_threads");
  if (!isnan(cpu) && n >= 0 && (size_t)n < len)
    n += snprintf(buf + n, len - (size_t)n, ", %g cpu", cpu);
  const char *machine = results_str(rec, "machine");
  if (*machine && n >= 0 && (size_t)n < len)
    snprintf(buf + n, len - (size_t)n, ", on %s", machine);
  return util_utf8_trim(buf); /* names may be longer than buf */
}

int results_row_first(const results *r, size_t g) {
  for (size_t j = 0; j < g; j++)
    if (results_same_row(r->groups[j].first, r->groups[g].first))
      return 0;
  return 1;
}

int results_is_native(const cJSON *rec) {
  return strcmp(results_str(rec, "runtime"), "native") == 0;
}

const char *results_key_label(const cJSON *rec, char *buf, size_t len) {
  char model[128];
  snprintf(buf, len, "%s %s %s n=%g %s", results_str(rec, "workload"),
           results_str(rec, "runtime"),
           results_model_label(rec, model, sizeof model),
           results_num(rec, "workers"), results_str(rec, "placement"));
  return util_utf8_trim(buf);
}

const results_group *results_find(const results *r, const cJSON *row,
                                  unsigned workers) {
  for (size_t g = 0; g < r->ngroups; g++)
    if (results_same_row(r->groups[g].first, row) &&
        results_num(r->groups[g].first, "workers") == workers)
      return &r->groups[g];
  return NULL;
}

size_t results_workloads(const results *r, const char **out, size_t max) {
  size_t n = 0;
  for (size_t i = 0; i < r->n; i++) {
    const char *wl = results_str(r->cells[i], "workload");
    size_t k = 0;
    while (k < n && strcmp(out[k], wl) != 0)
      k++;
    if (k == n && n < max)
      out[n++] = wl;
  }
  return n;
}

static int cmp_unsigned(const void *a, const void *b) {
  unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
  return (x > y) - (x < y);
}

size_t results_workers(const results *r, const char *workload, unsigned *out,
                       size_t max) {
  size_t n = 0;
  for (size_t i = 0; i < r->n; i++) {
    const cJSON *c = r->cells[i];
    if (strcmp(results_str(c, "workload"), workload) != 0)
      continue;
    unsigned w = (unsigned)results_num(c, "workers");
    size_t k = 0;
    while (k < n && out[k] != w)
      k++;
    if (k == n && n < max)
      out[n++] = w;
  }
  qsort(out, n, sizeof out[0], cmp_unsigned);
  return n;
}

/* Whether any ok cell of workload has the figure at path. */
/* One answer of results_has_figure, kept: a report asks the same of a
 * workload for its kind, its sections and each of its tables' rows, and
 * each answer reads every record (on 100k records, a sixth of a report's
 * time). */
struct results_fig {
  char *workload, *path;
  int text; /* results_has_text's question, not results_has_figure's */
  int has;
  results_fig *next;
};

static void figs_free(results_fig *f) {
  while (f) {
    results_fig *next = f->next;
    free(f->workload);
    free(f->path);
    free(f);
    f = next;
  }
}

/* Whether any cell of workload has a number at path (text: any cell, a
 * non-empty string at the key path), asked once per results. */
static int has_value(const results *r, const char *workload, const char *path,
                     int text) {
  for (const results_fig *f = r->figs; f; f = f->next)
    if (f->text == text && strcmp(f->workload, workload) == 0 &&
        strcmp(f->path, path) == 0)
      return f->has;
  int has = 0;
  for (size_t i = 0; !has && i < r->n; i++) {
    const cJSON *c = r->cells[i];
    has =
        (text || results_ok(c)) &&
        strcmp(results_str(c, "workload"), workload) == 0 &&
        (text ? *results_str(c, path) != '\0' : isfinite(results_num(c, path)));
  }
  /* The records do not change once loaded: a cache, kept through a const
   * results like results_ci's (and asked again when out of memory). */
  results_fig *f = malloc(sizeof *f);
  if (f && (f->workload = strdup(workload)) && (f->path = strdup(path))) {
    f->text = text;
    f->has = has;
    f->next = r->figs;
    ((results *)r)->figs = f;
  } else if (f) {
    free(f->workload);
    free(f);
  }
  return has;
}

int results_has_figure(const results *r, const char *workload,
                       const char *path) {
  return has_value(r, workload, path, 0);
}

int results_has_text(const results *r, const char *workload, const char *key) {
  return has_value(r, workload, key, 1);
}

int results_has_item(const results *r, const char *workload, const char *path) {
  for (size_t i = 0; i < r->n; i++)
    if (results_ok(r->cells[i]) &&
        strcmp(results_str(r->cells[i], "workload"), workload) == 0 &&
        results_get(r->cells[i], path))
      return 1;
  return 0;
}

size_t results_runtimes(const results *r, const char *workload,
                        const char **out, size_t max) {
  size_t n = 0;
  for (size_t g = 0; g < r->ngroups; g++) {
    const cJSON *c = r->groups[g].first;
    if ((workload && strcmp(results_str(c, "workload"), workload) != 0) ||
        results_is_native(c))
      continue;
    const char *rt = results_str(c, "runtime");
    size_t k = 0;
    while (k < n && strcmp(out[k], rt) != 0)
      k++;
    if (k == n && n < max)
      out[n++] = rt;
  }
  return n;
}

/* The CPUs of the machine the results came from (0 if unknown). */
unsigned results_machine_pus(const results *r) {
  double p = results_num(r->meta, "machine.pus");
  return isfinite(p) && p > 0 ? (unsigned)p : 0;
}

const char *results_workload_summary(const results *r, const char *wl) {
  const cJSON *wls = cJSON_GetObjectItemCaseSensitive(r->meta, "workloads");
  if (cJSON_IsObject(wls)) {
    const cJSON *s =
        results_get(cJSON_GetObjectItemCaseSensitive(wls, wl), "summary");
    return cJSON_IsString(s) && s->valuestring[0] ? s->valuestring : NULL;
  }
  return NULL;
}

int results_workload_flag(const results *r, const char *wl, const char *flag) {
  const cJSON *wls = cJSON_GetObjectItemCaseSensitive(r->meta, "workloads");
  const cJSON *f;
  cJSON_ArrayForEach(
      f, results_get(cJSON_GetObjectItemCaseSensitive(wls, wl), "flags")) {
    if (cJSON_IsString(f) && strcmp(f->valuestring, flag) == 0)
      return 1;
  }
  return 0;
}

void results_fmt_si(char *buf, size_t len, double v) {
  static const char *const suffix[] = {"", "k", "M", "G", "T"};
  int i = 0;
  if (!isfinite(v)) {
    snprintf(buf, len, "–");
    return;
  }
  while (fabs(v) >= 1000 && i < 4) {
    v /= 1000;
    i++;
  }
  snprintf(buf, len, "%.3g%s", v, suffix[i]);
}
