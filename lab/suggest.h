/* suggest — "did you mean ...?": the known word closest to a misspelt one.
 *
 * Closeness is the optimal string alignment distance (Levenshtein's
 * insertions, deletions and substitutions, plus the transposition of two
 * adjacent characters, each costing 1), so "rpes" is one step from "reps"
 * and "switch-interval" one from "switch_interval". */
#ifndef GILLAB_SUGGEST_H
#define GILLAB_SUGGEST_H

#include <stddef.h>

/* The distance between a and b (case-sensitive); words longer than
 * SUGGEST_MAX_LEN count as far from everything (SIZE_MAX). */
#define SUGGEST_MAX_LEN 64
size_t suggest_distance(const char *a, const char *b);

/* The candidate closest to word (the first of equals), or NULL when none
 * is close enough to be what was meant: at most 1 step for words of up to
 * 4 characters, 2 up to 9, 3 beyond. candidates: n strings, borrowed; the
 * result points to one of them. */
const char *suggest_closest(const char *word, const char *const *candidates,
                            size_t n);

#endif
