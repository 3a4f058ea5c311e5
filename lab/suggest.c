/* suggest — see suggest.h. */
#include "suggest.h"

#include <stdint.h>
#include <string.h>

size_t suggest_distance(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  if (la > SUGGEST_MAX_LEN || lb > SUGGEST_MAX_LEN)
    return SIZE_MAX;
  /* d[i][j]: the distance between a's first i and b's first j characters. */
  size_t d[SUGGEST_MAX_LEN + 1][SUGGEST_MAX_LEN + 1];
  for (size_t i = 0; i <= la; i++)
    d[i][0] = i;
  for (size_t j = 0; j <= lb; j++)
    d[0][j] = j;
  for (size_t i = 1; i <= la; i++)
    for (size_t j = 1; j <= lb; j++) {
      size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
      if (d[i - 1][j] + 1 < best)
        best = d[i - 1][j] + 1;
      if (d[i][j - 1] + 1 < best)
        best = d[i][j - 1] + 1;
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
          d[i - 2][j - 2] + 1 < best)
        best = d[i - 2][j - 2] + 1;
      d[i][j] = best;
    }
  return d[la][lb];
}

const char *suggest_closest(const char *word, const char *const *candidates,
                            size_t n) {
  size_t len = strlen(word);
  size_t limit = len <= 4 ? 1 : len <= 9 ? 2 : 3, best = SIZE_MAX;
  const char *found = NULL;
  for (size_t i = 0; i < n; i++) {
    size_t d = suggest_distance(word, candidates[i]);
    if (d <= limit && d < best) {
      best = d;
      found = candidates[i];
    }
  }
  return found;
}
