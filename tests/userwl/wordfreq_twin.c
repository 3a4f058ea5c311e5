/* The C twin of wordfreq.py: the same documents, generated with the same
 * generator, split on spaces and counted against the vocabulary; the
 * answer is how often "gil" occurs. Built by tests/CMakeLists.txt as a
 * shared object, twice: as it should be, and with WORDFREQ_WRONG, whose
 * answer is off by one per worker (the twin that disagrees). */
#include "gillab_twin.h"

#include <stdio.h>
#include <string.h>

static const char *const vocabulary[16] = {
    "the",    "quick",  "brown",   "fox",  "jumps", "over", "lazy",  "dog",
    "python", "thread", "process", "lock", "queue", "core", "cache", "gil",
};
#define WORDS_PER_DOC 200

/* Writes document doc_id into text, words separated by one space. */
static void generate(uint64_t doc_id, char *text, size_t len) {
  uint64_t state = doc_id * 7919 + 1;
  size_t used = 0;
  for (int w = 0; w < WORDS_PER_DOC; w++) {
    state = (state * 1103515245u + 12345u) & 0x7FFFFFFFu;
    used += (size_t)snprintf(text + used, len - used, "%s%s", w ? " " : "",
                             vocabulary[state >> 27]);
  }
}

int gillab_twin_work(unsigned worker, unsigned nworkers, uint64_t units,
                     uint64_t *ops, uint64_t *answer, char *err,
                     size_t errlen) {
  char text[WORDS_PER_DOC * 8 + 1];
  uint64_t counts[16] = {0}, docs = 0;
  (void)err;
  (void)errlen;
  for (uint64_t doc = worker; doc < units; doc += nworkers) {
    generate(doc, text, sizeof text);
    for (char *save, *tok = strtok_r(text, " ", &save); tok;
         tok = strtok_r(NULL, " ", &save))
      for (int k = 0; k < 16; k++)
        if (strcmp(tok, vocabulary[k]) == 0) {
          counts[k]++;
          break;
        }
    docs++;
  }
  *ops = docs;
  *answer = counts[15];
#ifdef WORDFREQ_WRONG
  *answer += 1;
#endif
  return 0;
}

int gillab_twin_setup(unsigned nworkers, uint64_t units, char *err,
                      size_t errlen) {
  if (nworkers == 0 || units == 0) {
    snprintf(err, errlen, "nothing to do: %u workers, %llu units", nworkers,
             (unsigned long long)units);
    return 1;
  }
  return 0;
}
