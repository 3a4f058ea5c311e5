/* fuzz_chart_quote — libFuzzer target: chart_quote(s) must be a gnuplot
 * string expression that gnuplot takes as text: single-quoted pieces
 * joined by . "\047" . (a quote), one line, and, read back, s itself with
 * control characters as spaces. Inside single quotes gnuplot expands
 * nothing: no `backquotes`, no @macros, no \ escapes (lab/report/chart.c). */
#include "chart.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
  char *s = malloc(size + 1);
  if (!s)
    return 0;
  memcpy(s, data, size);
  s[size] = '\0';
  char *out = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&out, &len);
  chart_quote(f, s);
  fclose(f);
  /* Read it back as gnuplot would. */
  char *back = malloc(len + 1);
  size_t n = 0, i = 0;
  static const char join[] = ".\"\\047\".";
  if (!back || out[i++] != '\'')
    abort();
  for (;;) {
    if (out[i] == '\n' || out[i] == '\0')
      abort(); /* one line, closed */
    if (out[i] != '\'') {
      back[n++] = out[i++];
      continue;
    }
    i++; /* the closing quote */
    if (i == len)
      break;
    if (strncmp(out + i, join, sizeof join - 1) != 0 ||
        out[i + sizeof join - 1] != '\'')
      abort(); /* anything else between strings would be a command */
    back[n++] = '\'';
    i += sizeof join;
  }
  back[n] = '\0';
  for (size_t k = 0; k < strlen(s); k++) {
    unsigned char ch = (unsigned char)s[k];
    if (ch < 0x20 || ch == 0x7f)
      s[k] = ' ';
  }
  if (strcmp(back, s) != 0)
    abort();
  free(back);
  free(out);
  free(s);
  return 0;
}
