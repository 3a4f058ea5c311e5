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

void escape_md_code(FILE *f, const char *s) {
  size_t fence = 2, run = 0;
  for (const char *p = s; p && *p; p++) {
    run = *p == '`' ? run + 1 : 0;
    if (run >= fence)
      fence = run + 1;
  }
  for (size_t i = 0; i < fence; i++)
    fputc('`', f);
  fputc(' ', f);
  for (; s && *s; s++)
    fputc(*s == '\n' || *s == '\r' ? ' ' : *s, f);
  fputc(' ', f);
  for (size_t i = 0; i < fence; i++)
    fputc('`', f);
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
  /* A spreadsheet takes a cell that starts with = + - @ (or a tab or a
   * carriage return, which some strip first) as a formula, and a formula
   * can fetch URLs or run commands (DDE): such a field gets a leading ',
   * as OWASP's "CSV injection" advice says; the text after it is s. */
  if (s && *s && strchr("=+-@\t\r", *s))
    fputc('\'', f);
  for (; s && *s; s++) {
    if (*s == '"')
      fputc('"', f);
    /* A carriage return, alone or before a line feed, is where readers
     * disagree (a row's end for some, text for others): a space. */
    fputc(*s == '\r' ? ' ' : *s, f);
  }
  fputc('"', f);
}
