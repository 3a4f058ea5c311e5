/* fuzz_spec — libFuzzer target: the options of `gillab run` (the input
 * split at NUL bytes into at most 24 arguments) through spec_from_args,
 * and every placement it accepts planned on a synthetic machine
 * (place_plan_named, hwloc's syntax). Inputs naming a file (a workload of
 * one's own would be inspected by a runner) are left out. */
#include "place.h"
#include "spec.h"
#include "wl.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
  static place_topo *topo;
  char err[4096];
  if (!topo &&
      place_topo_open(&topo, "pack:2 core:4 pu:2", err, sizeof err) < 0)
    abort();
  char *buf = malloc(size + 1);
  if (!buf)
    return 0;
  memcpy(buf, data, size);
  buf[size] = '\0';
  char *argv[26] = {"run"};
  int argc = 1;
  for (char *p = buf; argc < 25 && p <= buf + size; p += strlen(p) + 1)
    argv[argc++] = p;
  argv[argc] = NULL;
  for (int i = 1; i < argc; i++)
    if (strchr(argv[i], '/') || strstr(argv[i], ".py") ||
        strstr(argv[i], "help")) {
      free(buf);
      return 0;
    }
  /* The placement parser alone, on the whole input. */
  place_plan_t plan;
  if (place_plan_named(topo, buf, 3, &plan, err, sizeof err) == 0)
    place_plan_free(&plan);
  spec_matrix s;
  if (spec_from_args(&s, argc, argv, err, sizeof err) == 0)
    for (size_t p = 0; p < s.nplacements; p++)
      for (size_t n = 0; n < s.nworkers && n < 4; n++)
        if (place_plan_named(topo, s.placements[p], s.workers[n], &plan, err,
                             sizeof err) == 0)
          place_plan_free(&plan);
  spec_free(&s);
  free(buf);
  return 0;
}
