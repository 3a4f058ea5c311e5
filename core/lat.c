/* lat — see lat.h. */
#include "lat.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

int lat_add(lat_samples *s, uint64_t ns) {
  if (s->n == s->cap) {
    size_t cap = s->cap ? 2 * s->cap : 256;
    uint64_t *p = realloc(s->ns, cap * sizeof *p);
    if (!p)
      return -ENOMEM;
    s->ns = p;
    s->cap = cap;
  }
  s->ns[s->n++] = ns;
  s->total_ns += ns;
  return 0;
}

int lat_merge(lat_samples *into, const lat_samples *from) {
  for (size_t i = 0; i < from->n; i++)
    if (lat_add(into, from->ns[i]) < 0)
      return -ENOMEM;
  return 0;
}

void lat_clear(lat_samples *s) {
  free(s->ns);
  *s = (lat_samples){0};
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

uint64_t lat_pct(lat_samples *s, double q) {
  if (!s->n)
    return 0;
  qsort(s->ns, s->n, sizeof *s->ns, cmp_u64);
  size_t rank = (size_t)ceil(q * (double)s->n);
  if (rank < 1)
    rank = 1;
  if (rank > s->n)
    rank = s->n;
  return s->ns[rank - 1];
}

void lat_add_pcts(cJSON *obj, lat_samples *s) {
  static const struct {
    const char *name;
    double q;
  } pcts[] = {{"p50", 0.5}, {"p90", 0.9}, {"p99", 0.99}, {"max", 1.0}};
  for (size_t i = 0; i < sizeof pcts / sizeof pcts[0]; i++) {
    if (s->n)
      cJSON_AddNumberToObject(obj, pcts[i].name,
                              (double)lat_pct(s, pcts[i].q) / 1e3);
    else
      cJSON_AddNullToObject(obj, pcts[i].name);
  }
}

cJSON *lat_summary(lat_samples *s) {
  cJSON *o = cJSON_CreateObject();
  cJSON_AddNumberToObject(o, "n", (double)s->n);
  lat_add_pcts(o, s);
  return o;
}

/* Bucket b holds samples up to 2^b microseconds (bucket 0: up to 1 us). */
static unsigned bucket_of(uint64_t ns) {
  unsigned b = 0;
  while (b < 63 && (double)ns > 1e3 * ldexp(1, (int)b))
    b++;
  return b;
}

cJSON *lat_hist(const lat_samples *s) {
  uint64_t counts[64] = {0};
  unsigned lo = 64, hi = 0;
  for (size_t i = 0; i < s->n; i++) {
    unsigned b = bucket_of(s->ns[i]);
    counts[b]++;
    lo = b < lo ? b : lo;
    hi = b > hi ? b : hi;
  }
  cJSON *a = cJSON_CreateArray();
  for (unsigned b = lo; s->n && b <= hi; b++) {
    cJSON *pair = cJSON_CreateArray();
    cJSON_AddItemToArray(pair, cJSON_CreateNumber(ldexp(1, (int)b)));
    cJSON_AddItemToArray(pair, cJSON_CreateNumber((double)counts[b]));
    cJSON_AddItemToArray(a, pair);
  }
  return a;
}
