/* jline — one JSON object built as text and written as one line with one
 * write(2), for the probe library, which must not load a JSON library
 * into the user's processes. A failed allocation marks the line broken;
 * a broken line is not written. */
#ifndef GILLAB_JLINE_H
#define GILLAB_JLINE_H

#include <stddef.h>

typedef struct {
  char *buf;
  size_t len, cap;
  int broken;
} jline;

/* Appends printf-formatted text (numbers, punctuation, keys). */
void jline_add(jline *j, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Appends s as a JSON string (escaped), or null when s is NULL. */
void jline_str(jline *j, const char *s);
/* Writes the line and a newline to fd, and empties j. 0, or -1. */
int jline_write(jline *j, int fd);
/* Frees the buffer. */
void jline_free(jline *j);

#endif
