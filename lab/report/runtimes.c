/* runtimes — see runtimes.h. */
#include "runtimes.h"

#include "answers.h"
#include "cellkind.h"
#include "escape.h"
#include "ipctable.h"
#include "md.h"
#include "servetable.h"

#include <math.h>
#include <string.h>

#define MAX_RT 32
#define MAX_WL 256

/* The metadata's entry of runtime tag, or NULL. */
static const cJSON *runtime_meta(const results *r, const char *tag) {
  const cJSON *rt;
  cJSON_ArrayForEach(rt, results_get(r->meta, "runtimes")) {
    if (strcmp(results_str(rt, "tag"), tag) == 0)
      return rt;
  }
  return NULL;
}

const char *runtimes_caveats(const results *r, const char *tag, char *buf,
                             size_t len) {
  const cJSON *m = runtime_meta(r, tag);
  buf[0] = '\0';
  if (!m || len == 0)
    return buf;
  const char *args = results_str(m, "config_args");
  int pgo = strstr(args, "--enable-optimizations") != NULL;
  int lto = strstr(args, "--with-lto") != NULL;
  size_t n = 0;
#define ADD(...)                                                               \
  do {                                                                         \
    if (n < len)                                                               \
      n += (size_t)snprintf(buf + n, len - n, __VA_ARGS__);                    \
  } while (0)
  if (strstr(args, "--with-pydebug"))
    ADD("a debug build (--with-pydebug)");
  if (!pgo || !lto) {
    ADD("%sno %s%s%s in configure", n ? "; " : "", pgo ? "" : "PGO",
        !pgo && !lto ? " or " : "", lto ? "" : "LTO");
    /* Distributions add PGO through their own rules (Debian's
     * python3.11 is one), which configure's arguments do not show. */
    if (strcmp(results_str(m, "prefix"), "/usr") == 0)
      ADD(" (a distribution's build may add them)");
  }
  if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(m, "free_threaded")))
    ADD("%sfree-threaded (one thread pays for its thread safety)",
        n ? "; " : "");
#undef ADD
  return buf;
}

/* The workloads the section compares: those whose headline is a
 * speedup, with cells of two or more Python runtimes. */
static size_t compared(const results *r, const char **out, size_t max) {
  const char *wls[MAX_WL];
  size_t nwl = results_workloads(r, wls, MAX_WL), n = 0;
  for (size_t i = 0; i < nwl && n < max; i++) {
    if (ipctable_is_ipc(r, wls[i]) || servetable_is_serve(r, wls[i]) ||
        !cellkind_has_speedup(cellkind_work_of(r, wls[i])))
      continue;
    const char *first = NULL;
    int two = 0;
    for (size_t g = 0; g < r->ngroups && !two; g++) {
      const cJSON *c = r->groups[g].first;
      if (strcmp(results_str(c, "workload"), wls[i]) != 0 ||
          results_is_native(c))
        continue;
      if (!first)
        first = results_str(c, "runtime");
      else if (strcmp(first, results_str(c, "runtime")) != 0)
        two = 1;
    }
    if (two)
      out[n++] = wls[i];
  }
  return n;
}

size_t runtimes_sections(const results *r) {
  const char *rts[MAX_RT], *wls[MAX_WL];
  return results_runtimes(r, NULL, rts, MAX_RT) >= 2 && compared(r, wls, MAX_WL)
             ? 1
             : 0;
}

/* The group of wl in runtime rt at w workers with row's setup (model,
 * placement, ...), or NULL. */
static const results_group *same_in(const results *r, const cJSON *row,
                                    const char *rt, unsigned w) {
  for (size_t g = 0; g < r->ngroups; g++) {
    const cJSON *c = r->groups[g].first;
    if (results_same_setup(c, row) && results_num(c, "workers") == w &&
        strcmp(results_str(c, "runtime"), rt) == 0)
      return &r->groups[g];
  }
  return NULL;
}

/* The 1-worker Python group of wl in runtime rt that per-thread speed is
 * measured on: threads when there are, else the first. */
static const results_group *one_worker(const results *r, const char *wl,
                                       const char *rt) {
  const results_group *any = NULL;
  for (size_t g = 0; g < r->ngroups; g++) {
    const cJSON *c = r->groups[g].first;
    if (strcmp(results_str(c, "workload"), wl) != 0 || results_is_native(c) ||
        strcmp(results_str(c, "runtime"), rt) != 0 ||
        results_num(c, "workers") != 1 || results_num(c, "cpu_threads") > 0 ||
        !isfinite(results_ci(&r->groups[g], "throughput", NULL).median))
      continue;
    if (strcmp(results_str(c, "model"), "threads") == 0)
      return &r->groups[g];
    if (!any)
      any = &r->groups[g];
  }
  return any;
}

/* One workload's rows: a runtime each. */
static void write_rows(FILE *f, const results *r, const char *wl,
                       const char **rts, size_t nrt) {
  const results_group *base = one_worker(r, wl, rts[0]);
  unsigned w = answers_quoted_workers(r, wl);
  for (size_t k = 0; k < nrt; k++) {
    const results_group *one =
        base ? (k ? same_in(r, base->first, rts[k], 1) : base) : NULL;
    const results_group *best = answers_fastest(r, wl, w, rts[k], NULL);
    if (!one && !best)
      continue;
    char cav[512], model[128];
    runtimes_caveats(r, rts[k], cav, sizeof cav);
    fputc('|', f);
    md_cell(f, wl);
    md_cell(f, rts[k]);
    /* Per-thread speed, with the caveats that change it. */
    fputc(' ', f);
    if (one) {
      stats_ci b = results_ci(base, "throughput", NULL);
      stats_ci c = results_ci(one, "throughput", NULL);
      escape_md(f, results_model_label(one->first, model, sizeof model));
      if (k == 0)
        fputs(" 1 (the reference)", f);
      else
        fprintf(f, " %.2f× (%s)", c.median / b.median,
                stats_verdict_name(stats_compare(&b, &c)));
    } else {
      fputs("–", f);
    }
    if (cav[0]) {
      fputs(" — ", f);
      escape_md(f, cav);
    }
    fputs(" |", f);
    /* Scaling at the CPUs. */
    fputc(' ', f);
    if (best && w > 1) {
      stats_ci s = results_ci(best, "speedup", NULL);
      escape_md(f, results_model_label(best->first, model, sizeof model));
      fprintf(f, " %.2f×", s.median);
      if (s.n >= 2)
        fprintf(f, " [%.2f–%.2f]", s.lo, s.hi);
    } else {
      fputs("–", f);
    }
    fputs(" |", f);
    /* The GIL of its threads (or of its first model). */
    const results_group *t = best;
    for (size_t g = 0; g < r->ngroups; g++) {
      const cJSON *c = r->groups[g].first;
      if (strcmp(results_str(c, "workload"), wl) == 0 &&
          strcmp(results_str(c, "runtime"), rts[k]) == 0 &&
          strcmp(results_str(c, "model"), "threads") == 0) {
        t = &r->groups[g];
        break;
      }
    }
    if (t) {
      char words[128];
      snprintf(words, sizeof words, "%s %s",
               results_model_label(t->first, model, sizeof model),
               cellkind_gil_words(cellkind_gil_of(t->first)));
      md_cell(f, words);
    } else {
      md_cell(f, "–");
    }
    fputc('\n', f);
  }
}

void runtimes_write(FILE *f, const results *r) {
  const char *rts[MAX_RT], *wls[MAX_WL];
  size_t nrt = results_runtimes(r, NULL, rts, MAX_RT);
  size_t nwl = compared(r, wls, MAX_WL);
  if (nrt < 2 || !nwl)
    return;
  unsigned pus = results_machine_pus(r);
  fputs("## Runtimes side by side\n\nPer-thread speed: throughput at 1 "
        "worker as a ratio to runtime ",
        f);
  escape_md(f, rts[0]);
  fputs("'s (the same model), with the verdict of their intervals and the "
        "builds' differences that change it; scaling: the fastest model's "
        "speedup ",
        f);
  if (pus)
    fprintf(f, "at the machine's %u CPU%s", pus, pus == 1 ? "" : "s");
  else
    fputs("at the most workers", f);
  fputs("; the GIL its threads ran under.\n\n|", f);
  md_cell(f, "workload");
  md_cell(f, "runtime");
  md_cell(f, "per-thread speed");
  md_cell(f, "scaling");
  md_cell(f, "GIL");
  fputc('\n', f);
  md_rule(f, "lllll");
  for (size_t i = 0; i < nwl; i++)
    write_rows(f, r, wls[i], rts, nrt);
  fputc('\n', f);
}
