/* provenance — see provenance.h. */
#include "provenance.h"

#include "results.h"

#include <stdio.h>
#include <string.h>

const char *provenance_question(const cJSON *meta) {
  const cJSON *q = cJSON_GetObjectItemCaseSensitive(
      cJSON_GetObjectItemCaseSensitive(meta, "spec"), "question");
  return cJSON_IsString(q) && q->valuestring[0] ? q->valuestring : NULL;
}

void provenance_describe(const cJSON *meta, provenance_line_fn fn, void *ctx) {
  if (!meta) {
    fn(ctx, "metadata", "missing: the results file has no metadata record");
    return;
  }
  const cJSON *mach = cJSON_GetObjectItemCaseSensitive(meta, "machine");
  const cJSON *g = cJSON_GetObjectItemCaseSensitive(meta, "gillab");
  char buf[1024];
  fn(ctx, "command", results_str(meta, "command"));
  const cJSON *exp = cJSON_GetObjectItemCaseSensitive(
      cJSON_GetObjectItemCaseSensitive(meta, "spec"), "experiment");
  if (exp) {
    snprintf(buf, sizeof buf, "%s (sha256 %s)", results_str(exp, "path"),
             results_str(exp, "sha256"));
    fn(ctx, "experiment", buf);
  }
  fn(ctx, "started", results_str(meta, "started"));
  fn(ctx, "host", results_str(mach, "hostname"));
  fn(ctx, "CPU", results_str(mach, "cpu_model"));
  fn(ctx, "topology", results_str(mach, "topology"));
  snprintf(buf, sizeof buf, "%s (%s)", results_str(mach, "kernel"),
           results_str(mach, "os"));
  fn(ctx, "kernel", buf);
  fn(ctx, "governor", results_str(mach, "governor"));
  const cJSON *rt;
  cJSON_ArrayForEach(rt, cJSON_GetObjectItemCaseSensitive(meta, "runtimes")) {
    /* The configure flags that change speed: readers comparing runtimes
     * must know that a build without PGO/LTO is slower per thread. */
    static const char *const flags[] = {"--enable-optimizations", "--with-lto",
                                        "--disable-gil", "--enable-shared"};
    char shown[256] = "", label[64];
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
      if (strstr(results_str(rt, "config_args"), flags[i])) {
        size_t used = strlen(shown);
        snprintf(shown + used, sizeof shown - used, " %s", flags[i]);
      }
    snprintf(label, sizeof label, "runtime %s", results_str(rt, "tag"));
    snprintf(buf, sizeof buf, "CPython %s, %s; configure:%s; %s",
             results_str(rt, "version"),
             cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rt, "free_threaded"))
                 ? "free-threaded build"
                 : "GIL build",
             shown[0] ? shown : " (none of note)", results_str(rt, "runner"));
    fn(ctx, label, buf);
  }
  snprintf(buf, sizeof buf, "%s (git %s)", results_str(g, "version"),
           results_str(g, "git"));
  fn(ctx, "gillab", buf);
}
