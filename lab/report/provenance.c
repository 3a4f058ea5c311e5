/* provenance — see provenance.h. */
#include "provenance.h"

#include "results.h"

#include <stdio.h>
#include <string.h>

/* The environment a runtime's cells imported from (the runner's
 * `environment`, lab/meta.h): the venv or the runtime's site-packages, and
 * how many distributions they hold; their list stays in results.jsonl. */
static void describe_environment(const cJSON *env, char *buf, size_t len) {
  const cJSON *venv = cJSON_GetObjectItemCaseSensitive(env, "venv");
  int ndist = cJSON_GetArraySize(
      cJSON_GetObjectItemCaseSensitive(env, "distributions"));
  int ndirs = cJSON_GetArraySize(
      cJSON_GetObjectItemCaseSensitive(env, "sys_path_added"));
  size_t used = 0;
  if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(env, "site_packages")))
    used = (size_t)snprintf(buf, len, "the standard library only (--no-site)");
  else if (cJSON_IsString(venv))
    used = (size_t)snprintf(buf, len,
                            "venv %s (made by Python %s%s), %d distribution%s",
                            venv->valuestring, results_str(env, "venv_version"),
                            cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
                                env, "system_site_packages"))
                                ? ", with the runtime's site-packages"
                                : "",
                            ndist, ndist == 1 ? "" : "s");
  else
    used = (size_t)snprintf(buf, len,
                            "the runtime's site-packages (%d director%s), %d "
                            "distribution%s",
                            ndirs, ndirs == 1 ? "y" : "ies", ndist,
                            ndist == 1 ? "" : "s");
  const char *gil = cJSON_GetStringValue(
      cJSON_GetObjectItemCaseSensitive(env, "gil_enabled_by"));
  if (gil && used < len)
    snprintf(buf + used, len - used,
             "; importing %s from a .pth file turned the GIL on", gil);
}

const char *provenance_question(const cJSON *meta) {
  const cJSON *q = cJSON_GetObjectItemCaseSensitive(
      cJSON_GetObjectItemCaseSensitive(meta, "spec"), "question");
  return cJSON_IsString(q) && q->valuestring[0] ? q->valuestring : NULL;
}

int provenance_partial(const cJSON *meta) {
  return cJSON_IsTrue(results_get(meta, "merged.partial"));
}

int provenance_machines(const cJSON *meta) {
  return cJSON_GetArraySize(results_get(meta, "merged.machines"));
}

/* A merged run (gillab merge, lab/merge.h): which shards, whether it is
 * partial, and, when the shards ran on machines that differ, each
 * machine. */
static void describe_merge(const cJSON *merged, provenance_line_fn fn,
                           void *ctx) {
  char buf[2048], label[64];
  const cJSON *shards = cJSON_GetObjectItemCaseSensitive(merged, "shards");
  const cJSON *sh;
  size_t used = (size_t)snprintf(
      buf, sizeof buf, "%d of %g shards of run %s:", cJSON_GetArraySize(shards),
      results_num(merged, "count"), results_str(merged, "run_id"));
  cJSON_ArrayForEach(sh, shards) {
    if (used < sizeof buf)
      used += (size_t)snprintf(
          buf + used, sizeof buf - used, " %g (%s, %s, %g cells)",
          results_num(sh, "index"), results_str(sh, "host"),
          results_str(sh, "machine"), results_num(sh, "cells"));
  }
  fn(ctx, "merged", buf);
  if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(merged, "partial"))) {
    used = (size_t)snprintf(buf, sizeof buf,
                            "PARTIAL: a report of the shards that are there");
    static const char *const what[] = {"missing", "duplicated", "incomplete"};
    static const char *const say[] = {"missing shards", "given twice",
                                      "incomplete"};
    for (size_t i = 0; i < 3; i++) {
      const char *v = results_str(merged, what[i]);
      if (*v && used < sizeof buf)
        used += (size_t)snprintf(buf + used, sizeof buf - used, "; %s: %s",
                                 say[i], v);
    }
    for (char *c = buf; *c; c++)
      if (*c == '\n')
        *c = ';';
    fn(ctx, "partial", buf);
  }
  const cJSON *machines = cJSON_GetObjectItemCaseSensitive(merged, "machines");
  if (cJSON_GetArraySize(machines) < 2)
    return;
  snprintf(buf, sizeof buf,
           "the shards ran on %d machines that differ: every table, chart "
           "and finding keeps them apart (\"on m1\", \"on m2\", ...), and "
           "no figure is averaged across them",
           cJSON_GetArraySize(machines));
  fn(ctx, "machines", buf);
  const cJSON *m;
  cJSON_ArrayForEach(m, machines) {
    used = (size_t)snprintf(
        buf, sizeof buf, "%s; %s; %s", results_str(m, "cpu_model"),
        results_str(m, "topology"), results_str(m, "kernel"));
    const cJSON *rt;
    cJSON_ArrayForEach(rt, cJSON_GetObjectItemCaseSensitive(m, "runtimes")) {
      if (used < sizeof buf)
        used += (size_t)snprintf(buf + used, sizeof buf - used, "; %s %s",
                                 results_str(rt, "tag"),
                                 results_str(rt, "version"));
    }
    if (used < sizeof buf)
      used += (size_t)snprintf(buf + used, sizeof buf - used, "; shards");
    cJSON_ArrayForEach(sh, shards) {
      if (strcmp(results_str(sh, "machine"), results_str(m, "id")) == 0 &&
          used < sizeof buf)
        used += (size_t)snprintf(buf + used, sizeof buf - used, " %g",
                                 results_num(sh, "index"));
    }
    snprintf(label, sizeof label, "machine %s", results_str(m, "id"));
    fn(ctx, label, buf);
  }
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
  const cJSON *merged = cJSON_GetObjectItemCaseSensitive(meta, "merged");
  if (cJSON_IsObject(merged))
    describe_merge(merged, fn, ctx);
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
    /* Only in results written since issue 13: older files say nothing. */
    const cJSON *env = cJSON_GetObjectItemCaseSensitive(rt, "environment");
    if (cJSON_IsObject(env)) {
      snprintf(label, sizeof label, "environment %s", results_str(rt, "tag"));
      describe_environment(env, buf, sizeof buf);
      fn(ctx, label, buf);
    }
  }
  snprintf(buf, sizeof buf, "%s (git %s)", results_str(g, "version"),
           results_str(g, "git"));
  fn(ctx, "gillab", buf);
}
