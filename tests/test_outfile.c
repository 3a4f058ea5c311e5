/* test_outfile — core/outfile: an output appears whole or not at all,
 * a failure names its cause and leaves the previous file, a symbolic link
 * is refused, and no temporary file is left behind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "outfile.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

static char dir[] = "/tmp/test_outfile-XXXXXX";

static int setup(void **state) {
  (void)state;
  return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  return system(cmd) == 0 ? 0 : -1;
}

/* The text of path, in a static buffer ("" when absent). */
static const char *text_of(const char *path) {
  static char buf[256];
  FILE *f = fopen(path, "r");
  size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
  buf[n] = '\0';
  if (f)
    fclose(f);
  return buf;
}

/* How many entries of dir (. and .. left out). */
static int entries(void) {
  DIR *d = opendir(dir);
  struct dirent *e;
  int n = 0;
  while ((e = readdir(d)))
    n += e->d_name[0] != '.' ||
         (e->d_name[1] && strcmp(e->d_name, "..") && strcmp(e->d_name, "."));
  closedir(d);
  return n;
}

static void commit_replaces_abort_keeps(void **state) {
  (void)state;
  char path[256], err[256];
  snprintf(path, sizeof path, "%s/summary.md", dir);
  assert_int_equal(outfile_write(path, "old\n", 4, err, sizeof err), 0);
  assert_string_equal(text_of(path), "old\n");
  outfile o;
  assert_int_equal(outfile_open(&o, path, err, sizeof err), 0);
  fputs("half", o.f);
  fflush(o.f);
  /* While it is written, the previous file is whole. */
  assert_string_equal(text_of(path), "old\n");
  assert_int_equal(entries(), 2);
  outfile_abort(&o);
  assert_string_equal(text_of(path), "old\n");
  assert_int_equal(entries(), 1);
  assert_int_equal(outfile_open(&o, path, err, sizeof err), 0);
  fputs("new\n", o.f);
  assert_int_equal(outfile_commit(&o, err, sizeof err), 0);
  assert_string_equal(text_of(path), "new\n");
  assert_int_equal(entries(), 1);
}

static void symlink_refused(void **state) {
  (void)state;
  char path[256], target[256], err[256];
  snprintf(target, sizeof target, "%s/precious", dir);
  snprintf(path, sizeof path, "%s/report.html", dir);
  assert_int_equal(outfile_write(target, "keep\n", 5, err, sizeof err), 0);
  assert_int_equal(symlink(target, path), 0);
  assert_int_equal(outfile_write(path, "x", 1, err, sizeof err), -ELOOP);
  assert_non_null(strstr(err, "symbolic link"));
  assert_string_equal(text_of(target), "keep\n");
  unlink(path);
  unlink(target);
}

/* A write that fails names its cause: here a file size limit (EFBIG),
 * as a full disk would give ENOSPC. */
static void failure_names_cause(void **state) {
  (void)state;
  char path[256], err[256];
  snprintf(path, sizeof path, "%s/results.csv", dir);
  assert_int_equal(outfile_write(path, "previous\n", 9, err, sizeof err), 0);
  int before = entries();
  struct rlimit old, lim = {.rlim_cur = 4096, .rlim_max = RLIM_INFINITY};
  getrlimit(RLIMIT_FSIZE, &old);
  lim.rlim_max = old.rlim_max;
  signal(SIGXFSZ, SIG_IGN);
  assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
  outfile o;
  assert_int_equal(outfile_open(&o, path, err, sizeof err), 0);
  for (int i = 0; i < 10000; i++)
    fputs("0123456789", o.f);
  int rc = outfile_commit(&o, err, sizeof err);
  setrlimit(RLIMIT_FSIZE, &old);
  assert_int_equal(rc, -EFBIG);
  assert_non_null(strstr(err, strerror(EFBIG)));
  assert_string_equal(text_of(path), "previous\n");
  assert_int_equal(entries(), before);
}

static void remove_all_empties_the_table(void **state) {
  (void)state;
  char path[256], err[256];
  snprintf(path, sizeof path, "%s/a.svg", dir);
  int before = entries();
  outfile o;
  assert_int_equal(outfile_open(&o, path, err, sizeof err), 0);
  assert_int_equal(entries(), before + 1);
  outfile_remove_all(); /* what a signal's handler does */
  assert_int_equal(entries(), before);
  outfile_abort(&o);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(commit_replaces_abort_keeps),
      cmocka_unit_test(symlink_refused),
      cmocka_unit_test(failure_names_cause),
      cmocka_unit_test(remove_all_empties_the_table),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
