/* fuzz_results — libFuzzer target: any bytes as a results.jsonl, read by
 * results_load and written as summary.md (Markdown), results.csv and a
 * probe's outputs. Nothing may crash, and no output may hold a line that
 * a name started (every line of the Markdown that starts with "#" is one
 * of gillab's own headings). Charts are left out: gnuplot would run for
 * every input (what reaches gnuplot is fuzz_chart_quote's). */
#include "csv.h"
#include "probe_data.h"
#include "results.h"
#include "summary.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
  char path[] = "/tmp/fuzz_results-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0)
    return 0;
  if (write(fd, data, size) != (ssize_t)size) {
    close(fd);
    unlink(path);
    return 0;
  }
  close(fd);
  results r;
  char err[512];
  if (results_load(path, &r, err, sizeof err) == 0) {
    char *md = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&md, &len);
    if (probe_data_is_probe(&r)) {
      fclose(f);
    } else {
      summary_render(&r, f);
      csv_render(&r, f);
      fclose(f);
    }
    free(md);
  }
  results_free(&r);
  unlink(path);
  return 0;
}
