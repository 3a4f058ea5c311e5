/* fuzz_probe — libFuzzer target: a probe's files, as gillab probe reads
 * them and gillab report writes them. An input that starts as a probe's
 * metadata record ({"type":"meta") is a probe directory's results.jsonl
 * (one copied from another machine, say); any other is a process file the
 * probe library wrote (proc-PID-START.jsonl, which a probed process could
 * damage or forge), merged by probe_store_merge as gillab probe merges it
 * after the command. Either is then read back (results_load,
 * probe_data_build) and written as a probe's summary.md, results.csv,
 * intervals.csv and trace.json, in memory: nothing may crash. Charts are
 * left out (gnuplot would run for every input; what reaches it is
 * fuzz_chart_quote's). The files live in /dev/shm when there is one: the
 * merge syncs what it writes, which a disk would make slow. */
#include "probe_csv.h"
#include "probe_data.h"
#include "probe_store.h"
#include "probe_summary.h"
#include "probe_trace.h"
#include "results.h"

#include <cjson/cJSON.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static const char meta_text[] =
    "{\"type\":\"meta\",\"kind\":\"probe\",\"command\":\"gillab probe -- "
    "python3 app.py\",\"argv\":[\"python3\",\"app.py\"],"
    "\"start_ns\":1000000000000,\"elapsed_s\":3.1,\"options\":{"
    "\"interval_s\":1,\"trace\":\"t.json\",\"trace_min_us\":100},"
    "\"exit\":{\"ran\":true,\"code\":0,\"signal\":null,\"status\":0},"
    "\"stopped_by\":null}";

/* The probe directory every input uses, made once. */
static const char *probe_dir(char *procs, size_t len) {
  static char dir[64] = "", saved[PATH_MAX];
  if (!dir[0]) {
    snprintf(dir, sizeof dir, "%s/fuzz_probe-XXXXXX",
             access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    char err[512];
    if (!mkdtemp(dir) ||
        probe_store_prepare(dir, saved, sizeof saved, err, sizeof err) < 0)
      abort();
  }
  snprintf(procs, len, "%s", saved);
  return dir;
}

static int write_file(const char *path, const unsigned char *data,
                      size_t size) {
  FILE *f = fopen(path, "w");
  if (!f)
    return -1;
  size_t put = fwrite(data, 1, size, f);
  return fclose(f) == 0 && put == size ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
  static const char head[] = "{\"type\":\"meta\"";
  char procs[PATH_MAX], path[PATH_MAX + 64], err[512];
  const char *dir = probe_dir(procs, sizeof procs);
  snprintf(path, sizeof path, "%s/results.jsonl", dir);
  if (size >= sizeof head - 1 && memcmp(data, head, sizeof head - 1) == 0) {
    if (write_file(path, data, size) < 0)
      return 0;
  } else {
    char proc[PATH_MAX + 64];
    snprintf(proc, sizeof proc, "%s/proc-1000-1000000000000.jsonl", procs);
    cJSON *meta = cJSON_Parse(meta_text);
    int rc = write_file(proc, data, size) < 0
                 ? -1
                 : probe_store_merge(dir, meta, err, sizeof err);
    cJSON_Delete(meta);
    unlink(proc);
    if (rc < 0)
      return 0;
  }
  results r;
  if (results_load(path, &r, err, sizeof err) == 0 && probe_data_is_probe(&r)) {
    probe_data d;
    if (probe_data_build(&r, &d) == 0) {
      char *text = NULL;
      size_t len = 0;
      FILE *f = open_memstream(&text, &len);
      if (f) {
        probe_summary_render(&d, f);
        probe_csv_render(&d, f);
        probe_csv_render_intervals(&d, f);
        fclose(f);
      }
      free(text);
      if (probe_trace_wanted(&d)) {
        cJSON *trace = probe_trace_build(&d);
        char *json = cJSON_PrintUnformatted(trace);
        cJSON_free(json);
        cJSON_Delete(trace);
      }
      probe_data_free(&d);
    }
  }
  results_free(&r);
  unlink(path);
  return 0;
}
