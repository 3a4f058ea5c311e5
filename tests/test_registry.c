/* Unit tests for workloads/registry and the C twins: the table is
 * well-formed, every twin's answer is the same however the work is split
 * (the e2e tests compare it with the Python version's), and io.file's
 * prepare writes the file the twins read and its cleanup removes it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "registry.h"

static void table_is_well_formed(void **state) {
  (void)state;
  size_t n;
  const wl_workload *all = registry_all(&n);
  assert_true(n >= 7);
  for (size_t i = 0; i < n; i++) {
    const wl_workload *w = &all[i];
    assert_non_null(w->name);
    assert_non_null(w->summary);
    assert_true(w->models != 0);
    assert_true(w->py_module || w->native);
    assert_true(w->units_py > 0 && w->units_native > 0);
    assert_true((w->prepare == NULL) == (w->cleanup == NULL));
    assert_ptr_equal(registry_find(w->name), w);
    for (size_t j = 0; j < i; j++)
      assert_string_not_equal(all[j].name, w->name);
  }
  assert_null(registry_find("no.such"));
}

/* The answer of units split across nworkers, summed as the drivers do. */
static uint64_t split_answer(const wl_workload *w, unsigned nworkers,
                             uint64_t units, uint64_t *ops) {
  uint64_t answer = 0;
  char err[256];
  *ops = 0;
  for (unsigned i = 0; i < nworkers; i++) {
    wl_result r = {0, 0};
    assert_int_equal(w->native(i, nworkers, units, &r, err, sizeof err), 0);
    answer += r.answer;
    *ops += r.ops;
  }
  return answer;
}

static void twins_do_not_depend_on_the_split(void **state) {
  (void)state;
  static const struct {
    const char *name;
    uint64_t units;
  } cases[] = {{"cpu.primes", 3000}, {"cpu.nbody", 50}, {"cpu.dicts", 2000},
               {"cpu.sha256", 6},    {"cpu.zlib", 5},   {"io.sleep", 6},
               {"io.file", 700}};
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    const wl_workload *w = registry_find(cases[c].name);
    assert_non_null(w);
    char err[256];
    if (w->prepare)
      assert_int_equal(w->prepare(err, sizeof err), 0);
    uint64_t ops1, ops3;
    uint64_t one = split_answer(w, 1, cases[c].units, &ops1);
    uint64_t three = split_answer(w, 3, cases[c].units, &ops3);
    if (w->cleanup)
      w->cleanup();
    assert_int_equal(ops1, cases[c].units);
    assert_int_equal(ops3, cases[c].units);
    assert_true(one > 0);
    assert_int_equal(one, three);
  }
}

/* io.file: the file exists while prepared, 64 MiB, byte k of chunk c is
 * (c + k) mod 256, and cleanup removes it and its environment variable. */
static void io_file_prepares_and_cleans_up(void **state) {
  (void)state;
  const wl_workload *w = registry_find("io.file");
  char err[256];
  assert_int_equal(w->prepare(err, sizeof err), 0);
  const char *p = getenv("GILLAB_IO_FILE");
  assert_non_null(p);
  char path[4096];
  strncpy(path, p, sizeof path - 1);
  path[sizeof path - 1] = '\0';
  struct stat st;
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_size, 64 << 20);
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  unsigned char b;
  assert_int_equal(fseek(f, 3L * 65536 + 10, SEEK_SET), 0);
  assert_int_equal(fread(&b, 1, 1, f), 1);
  assert_int_equal(b, 13);
  fclose(f);
  w->cleanup();
  assert_null(getenv("GILLAB_IO_FILE"));
  assert_int_not_equal(stat(path, &st), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(table_is_well_formed),
      cmocka_unit_test(twins_do_not_depend_on_the_split),
      cmocka_unit_test(io_file_prepares_and_cleans_up),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
