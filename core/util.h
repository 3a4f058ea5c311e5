/* util — small helpers shared by the orchestrator and the runners: clocks,
 * comma lists, paths of this executable, command lines. */
#ifndef GILLAB_UTIL_H
#define GILLAB_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t util_now_ns(void);

/* Splits a comma-separated list into at most max non-empty items, written
 * as pointers into buf (a copy of s the caller provides, bufsize bytes).
 * Returns the number of items, or -1 when there are more than max or an item
 * is empty ("1,,2"). */
int util_split(const char *s, char *buf, size_t bufsize, char **items, int max);

/* Absolute path of the running executable (from /proc/self/exe) into buf.
 * Returns 0 or -errno. */
int util_self_exe(char *buf, size_t len);

/* Directory of the running executable into buf. Returns 0 or -errno. */
int util_self_dir(char *buf, size_t len);

/* The command line argv[0..argc) joined with spaces, each argument quoted
 * for a POSIX shell when needed, in a new string to free() (NULL if out of
 * memory). */
char *util_join_argv(int argc, char **argv);

/* mkdir -p: creates path and its missing parents (mode 0777 before the
 * umask). Returns 0 or -errno. */
int util_make_dirs(const char *path);

/* Whether dir is empty, or cannot be listed (absent: it will be made;
 * not a directory or unreadable: making it or writing in it says so).
 * gillab writes its outputs only into a directory it makes, or an empty
 * one, or one that holds a results.jsonl of gillab's. */
int util_dir_is_empty(const char *dir);

/* Reads exactly len bytes from fd (retrying on EINTR and short reads).
 * Returns 0, or -1 on an error or end of file first. */
int util_read_full(int fd, void *buf, size_t len);

/* Makes s valid UTF-8 in place: every byte that does not belong to a
 * well-formed sequence (RFC 3629: no overlong forms, no surrogates, nothing
 * above U+10FFFF) becomes '?'. A path or a command line may hold any bytes,
 * and JSON must be UTF-8. Returns how many bytes were replaced. */
size_t util_utf8_fix(char *s);

/* Cuts s at the end of its last whole character when its last bytes are
 * the start of a UTF-8 sequence cut short (what snprintf into a fixed
 * buffer leaves when a name is longer): a text cut at N bytes stays
 * UTF-8. Returns s. */
char *util_utf8_trim(char *s);

/* How many CPUs this process may run on (its affinity mask; at least 1). */
unsigned util_ncpus(void);

#endif
