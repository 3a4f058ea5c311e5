/* escape — see escape.h. */
#include "escape.h"

#include <string.h>

void escape_md(FILE *f, const char *s) {
  for (; s && *s; s++) {
    if (*s == '\n' || *s == '\r') {
      fputc(' ', f);
      continue;
    }
    if (strchr("\\`*_[]<>#|~&", *s))
      fputc('\\', f);
    fputc(*s, f);
  }
}

void escape_html(FILE *f, const char *s) {
  for (; s && *s; s++) {
    switch (*s) {
    case '&':
      fputs("&amp;", f);
      break;
    case '<':
      fputs("&lt;", f);
      break;
    case '>':
      fputs("&gt;", f);
      break;
    case '"':
      fputs("&quot;", f);
      break;
    case '\'':
      fputs("&#39;", f);
      break;
    default:
      fputc(*s, f);
    }
  }
}

void escape_csv(FILE *f, const char *s) {
  fputc('"', f);
  for (; s && *s; s++) {
    if (*s == '"')
      fputc('"', f);
    fputc(*s, f);
  }
  fputc('"', f);
}
