/* cpu.zlib, C twin of workloads/python/cpu_zlib.py.
 *
 * One operation compresses (compress2, level 6) a 64 KiB window of a fixed
 * 256 KiB pseudo-text, starting at (op * 4099) mod (256 KiB - 64 KiB); the
 * answer adds up the compressed lengths. The text is words drawn by the
 * same linear congruential generator as the Python module's, built once by
 * the first worker to need it (pthread_once). Python's zlib.compress calls
 * deflateInit2 with the defaults compress2 uses (15-bit window, memory
 * level 8, default strategy), so with the same libz the outputs are the
 * same bytes.
 */
#include "native.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define TEXT_SIZE (256u * 1024)
#define CHUNK (64u * 1024)
#define STRIDE 4099u
#define LEVEL 6

static const char *const WORDS[] = {
    "the",    "of",          "and",        "to",        "in",      "a",
    "is",     "that",        "for",        "it",        "as",      "was",
    "with",   "be",          "by",         "on",        "not",     "he",
    "this",   "are",         "or",         "his",       "from",    "at",
    "which",  "but",         "have",       "an",        "had",     "they",
    "you",    "were",        "their",      "one",       "all",     "we",
    "can",    "her",         "has",        "there",     "been",    "if",
    "more",   "when",        "will",       "would",     "who",     "so",
    "no",     "interpreter", "lock",       "thread",    "process", "core",
    "memory", "latency",     "throughput", "measure",   "python",  "native",
    "worker", "queue",       "garbage",    "collection"};
#define NWORDS (sizeof WORDS / sizeof WORDS[0])

static unsigned char text[TEXT_SIZE];
static pthread_once_t text_once = PTHREAD_ONCE_INIT;

static void text_fill(void) {
  size_t n = 0;
  uint32_t x = 12345;
  while (n < TEXT_SIZE) {
    x = (x * 1103515245u + 12345u) & 0x7FFFFFFFu;
    const char *word = WORDS[(x >> 16) % NWORDS];
    char sep = (x >> 8) % 16 == 0 ? '\n' : ' ';
    for (const char *c = word; *c && n < TEXT_SIZE; c++)
      text[n++] = (unsigned char)*c;
    if (n < TEXT_SIZE)
      text[n++] = (unsigned char)sep;
  }
}

int native_zlib(unsigned worker, unsigned nworkers, uint64_t units,
                wl_result *out, char *err, size_t errlen) {
  pthread_once(&text_once, text_fill);
  uint64_t first, end;
  wl_share(worker, nworkers, units, &first, &end);
  uLong cap = compressBound(CHUNK);
  unsigned char *dest = malloc(cap);
  if (!dest) {
    snprintf(err, errlen, "out of memory for the compressed buffer");
    return -ENOMEM;
  }
  uint64_t total = 0;
  for (uint64_t op = first; op < end; op++) {
    uint64_t off = op * STRIDE % (TEXT_SIZE - CHUNK);
    uLongf len = cap;
    int zrc = compress2(dest, &len, text + off, CHUNK, LEVEL);
    if (zrc != Z_OK) {
      free(dest);
      snprintf(err, errlen, "compress2 failed: %s", zError(zrc));
      return -EIO;
    }
    total += len;
  }
  free(dest);
  out->ops = end - first;
  out->answer = total;
  return 0;
}
