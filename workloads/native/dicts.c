/* cpu.dicts, C twin of workloads/python/cpu_dicts.py.
 *
 * One operation is one request handled: a raw HTTP/1.1 request formatted
 * for request number op, parsed into string tables (query parameters,
 * headers by lower-case name, cookies), a response table built from them
 * and serialized as key=value pairs joined by '&' in sorted key order. The
 * answer adds up the bytes of every response body.
 *
 * The tables are a small open-addressing hash table of string pointers
 * (FNV-1a), the C counterpart of a Python dict: the twin does the same
 * hashing, probing and copying a handler does, without an interpreter.
 * Keep the request format, the response fields and the serialization equal
 * to the Python module's: tests compare answers.
 */
#include "native.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TABLE_SLOTS 16 /* a power of two, more than twice the entries */

typedef struct {
  const char *key[TABLE_SLOTS];
  const char *value[TABLE_SLOTS];
  unsigned n;
} table;

static uint32_t fnv1a(const char *s) {
  uint32_t h = 2166136261u;
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 16777619u;
  return h;
}

/* Sets key to value (both borrowed: they point into the caller's buffers,
 * which outlive the table). */
static void table_set(table *t, const char *key, const char *value) {
  uint32_t i = fnv1a(key) & (TABLE_SLOTS - 1);
  while (t->key[i] && strcmp(t->key[i], key) != 0)
    i = (i + 1) & (TABLE_SLOTS - 1);
  if (!t->key[i])
    t->n++;
  t->key[i] = key;
  t->value[i] = value;
}

static const char *table_get(const table *t, const char *key) {
  uint32_t i = fnv1a(key) & (TABLE_SLOTS - 1);
  while (t->key[i]) {
    if (strcmp(t->key[i], key) == 0)
      return t->value[i];
    i = (i + 1) & (TABLE_SLOTS - 1);
  }
  return "";
}

/* Splits s (modified) at each sep into `key<kv>value` pairs put into t.
 * kv is "=" or ": "; a part without kv maps to "". */
static void parse_pairs(char *s, const char *sep, const char *kv, table *t,
                        int lower) {
  size_t seplen = strlen(sep), kvlen = strlen(kv);
  while (s) {
    char *next = strstr(s, sep);
    if (next) {
      *next = '\0';
      next += seplen;
    }
    char *mid = strstr(s, kv), *value = "";
    if (mid) {
      *mid = '\0';
      value = mid + kvlen;
    }
    if (lower)
      for (char *c = s; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    table_set(t, s, value);
    s = next;
  }
}

static int by_key(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static const char *const METHODS[] = {"GET", "POST", "PUT", "DELETE"};

/* Handles request op; returns the sum of its response body's bytes. */
static uint64_t handle(uint64_t op) {
  char raw[512], items[32], body[512];
  snprintf(raw, sizeof raw,
           "%s /api/v1/items/%u?page=%u&limit=%u&sort=name&user=u%u "
           "HTTP/1.1\r\n"
           "Host: example.com\r\n"
           "User-Agent: gillab/1.0\r\n"
           "Accept: application/json\r\n"
           "X-Request-Id: %llu\r\n"
           "Cookie: session=s%u; theme=dark",
           METHODS[op % 4], (unsigned)(op % 1000), (unsigned)(op % 7),
           (unsigned)(10 + op % 5), (unsigned)(op % 97), (unsigned long long)op,
           (unsigned)(op % 31));
  /* The request line, then the header lines. */
  char *lines = strstr(raw, "\r\n");
  *lines = '\0';
  lines += 2;
  char *method = raw, *target = strchr(raw, ' ');
  *target++ = '\0';
  *strchr(target, ' ') = '\0';
  char *query = strchr(target, '?');
  if (query)
    *query++ = '\0';
  table params = {0}, headers = {0}, cookies = {0}, response = {0};
  if (query)
    parse_pairs(query, "&", "=", &params, 0);
  parse_pairs(lines, "\r\n", ": ", &headers, 1);
  char cookie[128];
  snprintf(cookie, sizeof cookie, "%s", table_get(&headers, "cookie"));
  parse_pairs(cookie, "; ", "=", &cookies, 0);
  snprintf(items, sizeof items, "%d",
           atoi(table_get(&params, "limit")) *
               (atoi(table_get(&params, "page")) + 1));
  table_set(&response, "status", "200");
  table_set(&response, "method", method);
  table_set(&response, "path", target);
  table_set(&response, "host", table_get(&headers, "host"));
  table_set(&response, "user", table_get(&params, "user"));
  table_set(&response, "page", table_get(&params, "page"));
  table_set(&response, "items", items);
  table_set(&response, "session", table_get(&cookies, "session"));
  table_set(&response, "request-id", table_get(&headers, "x-request-id"));
  const char *keys[TABLE_SLOTS];
  unsigned n = 0;
  for (unsigned i = 0; i < TABLE_SLOTS; i++)
    if (response.key[i])
      keys[n++] = response.key[i];
  qsort(keys, n, sizeof *keys, by_key);
  size_t len = 0;
  for (unsigned i = 0; i < n; i++)
    len +=
        (size_t)snprintf(body + len, sizeof body - len, "%s%s=%s", i ? "&" : "",
                         keys[i], table_get(&response, keys[i]));
  uint64_t sum = 0;
  for (size_t i = 0; i < len; i++)
    sum += (unsigned char)body[i];
  return sum;
}

int native_dicts(unsigned worker, unsigned nworkers, uint64_t units,
                 wl_result *out, char *err, size_t errlen) {
  (void)err;
  (void)errlen;
  uint64_t first, end;
  wl_share(worker, nworkers, units, &first, &end);
  uint64_t total = 0;
  for (uint64_t op = first; op < end; op++)
    total += handle(op);
  out->ops = end - first;
  out->answer = total;
  return 0;
}
