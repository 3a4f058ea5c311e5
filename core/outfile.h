/* outfile — an output file that appears whole or not at all.
 *
 * Every report gillab writes (summary.md, report.html, results.csv, the
 * .svg charts, compare -o, a probe's files) is written to a temporary
 * file in the directory of its final name, flushed to disk, and renamed
 * over that name: a reader, or a report interrupted at any moment, sees
 * the previous file or the new one, never a part. A failure names its
 * cause (the errno of the first write that failed: "No space left on
 * device", not "I/O error"), removes the temporary file and leaves the
 * previous output in place. A symbolic link at the final name is refused,
 * not followed: gillab does not write through links.
 *
 * The temporary files open at any moment are remembered in a fixed table,
 * so that a signal handler can remove them (outfile_remove_all), and so
 * can other modules' temporary files (outfile_track).
 */
#ifndef GILLAB_OUTFILE_H
#define GILLAB_OUTFILE_H

#include <stddef.h>
#include <stdio.h>

/* An open outfile must stay where it is (its stream refers to it). */
typedef struct {
  FILE *f;    /* write here (any stdio call); NULL once committed or aborted */
  int error;  /* errno of the first write that failed, 0 while none has */
  int fd;     /* the temporary file's descriptor (f writes to it) */
  int slot;   /* its entry in the table of temporary files, or -1 */
  char *path; /* the final name (owned; freed by commit or abort) */
  char *tmp;  /* the temporary file beside it (owned) */
} outfile;

/* Opens a temporary file beside path (".NAME.tmp-PID-N" in path's
 * directory, mode 0666 less the umask) for o->f. Refuses (-ELOOP) a path
 * that is a symbolic link and (-EISDIR) one that is not a regular file.
 * Returns 0, or a negative errno with the reason in err. */
int outfile_open(outfile *o, const char *path, char *err, size_t errlen);

/* Flushes o->f to disk, closes it and renames the temporary file over
 * the final name. On any failure the temporary file is removed, the
 * previous file left as it was, and err says the cause. o is closed
 * either way. Returns 0 or a negative errno. */
int outfile_commit(outfile *o, char *err, size_t errlen);

/* Closes o and removes its temporary file: the previous file stays. */
void outfile_abort(outfile *o);

/* path holds exactly len bytes of data, written as above. */
int outfile_write(const char *path, const char *data, size_t len, char *err,
                  size_t errlen);

/* Adds path (a temporary file of the caller's, e.g. a chart's script, or
 * an empty temporary directory) to the table outfile_remove_all empties.
 * Returns its slot, or -1 when the table is full (the file is then not removed
 * by a signal). */
int outfile_track(const char *path);

/* Forgets a slot of outfile_track (after the caller removed its file). */
void outfile_untrack(int slot);

/* Removes every temporary file open or tracked now. Async-signal-safe:
 * for a handler of SIGTERM, SIGINT or SIGHUP before the process ends. */
void outfile_remove_all(void);

#endif
