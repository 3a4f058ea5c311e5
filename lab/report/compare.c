/* compare — see compare.h. */
#include "compare.h"

#include "escape.h"
#include "md.h"
#include "provenance.h"
#include "results.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The one Python runtime of r, or NULL when it has none or several. */
static const char *only_python_runtime(const results *r) {
  const char *rt = NULL;
  for (size_t g = 0; g < r->ngroups; g++) {
    const cJSON *c = r->groups[g].first;
    if (results_is_native(c))
      continue;
    if (rt && strcmp(rt, results_str(c, "runtime")) != 0)
      return NULL;
    rt = results_str(c, "runtime");
  }
  return rt;
}

/* A run's question, as the first item under its directory. */
static void write_question(FILE *out, const cJSON *meta) {
  const char *q = provenance_question(meta);
  if (!q)
    return;
  fputs("  - question: ", out);
  escape_md(out, q);
  fputc('\n', out);
}

int compare_runs(const char *a, const char *b, const char *path, FILE *out,
                 size_t *matched, char *err, size_t errlen) {
  results ra, rb;
  char file[PATH_MAX + 32];
  path = path ? path : "throughput";
  *matched = 0;
  snprintf(file, sizeof file, "%s/results.jsonl", a);
  int rc = results_load(file, &ra, err, errlen);
  if (rc < 0) {
    results_free(&ra);
    return rc;
  }
  snprintf(file, sizeof file, "%s/results.jsonl", b);
  rc = results_load(file, &rb, err, errlen);
  if (rc < 0) {
    results_free(&ra);
    results_free(&rb);
    return rc;
  }
  /* A figure no record has is a wrong --metric, not "no cell matched". */
  int has = 0;
  for (size_t i = 0; !has && i < ra.n + rb.n; i++)
    has = cJSON_IsNumber(
        results_get(i < ra.n ? ra.cells[i] : rb.cells[i - ra.n], path));
  if (!has) {
    snprintf(err, errlen,
             "--metric %s: no record of A or B has that figure (a record "
             "field, dotted: throughput, speedup, gil.wait_share, "
             "gc.p99_us, ...)",
             path);
    results_free(&ra);
    results_free(&rb);
    return -EINVAL;
  }
  const char *pa = only_python_runtime(&ra), *pb = only_python_runtime(&rb);
  int across = pa && pb && strcmp(pa, pb) != 0;

  fprintf(out, "# gillab compare\n\n- A: ");
  escape_md(out, a);
  fputc('\n', out);
  write_question(out, ra.meta);
  md_header(out, ra.meta, "  ");
  fprintf(out, "- B: ");
  escape_md(out, b);
  fputc('\n', out);
  write_question(out, rb.meta);
  md_header(out, rb.meta, "  ");
  fputs("\nFigure: `", out);
  fputs(path, out);
  fputs("`, the median of each cell's repetitions with its interval in "
        "brackets (distribution-free, on order statistics; with fewer than "
        "6 repetitions it is the min–max range, which holds the median with "
        "less than 95 % probability: 75 % for 3). B/A is the ratio of the "
        "medians; its interval, [B low / A high, B high / A low], holds "
        "whenever both intervals do. The verdict says higher or lower only "
        "when the two intervals do not overlap; when they overlap, the "
        "difference is not significant, and when one of them is also wider "
        "than ±10 % of its median, the machine was too noisy to tell.\n\n",
        out);
  if (across) {
    fputs("The runs have one Python runtime each: Python cells of runtime ",
          out);
    escape_md(out, pa);
    fputs(" (A) are matched with those of runtime ", out);
    escape_md(out, pb);
    fputs(" (B).\n\n", out);
  }
  static const char *const head[] = {"workload",  "runtime", "model",
                                     "placement", "workers", "A",
                                     "B",         "B/A",     "verdict"};
  fputc('|', out);
  for (size_t k = 0; k < sizeof head / sizeof head[0]; k++)
    md_cell(out, head[k]);
  fputc('\n', out);
  md_rule(out, "llllrrrrl");
  md_verdicts counts = {{0}};
  size_t only_a = 0, nnative = 0;
  double native_ratio[256];
  int *used = calloc(rb.ngroups + 1, sizeof *used);
  for (size_t g = 0; g < ra.ngroups; g++) {
    const results_group *ga = &ra.groups[g], *gb = NULL;
    int ignore = across && !results_is_native(ga->first);
    for (size_t h = 0; h < rb.ngroups && !gb; h++)
      if (results_same_key(ga->first, rb.groups[h].first, ignore) &&
          results_is_native(ga->first) ==
              results_is_native(rb.groups[h].first)) {
        gb = &rb.groups[h];
        if (used)
          used[h] = 1;
      }
    if (!gb) {
      only_a++;
      continue;
    }
    stats_ci ca = results_ci(ga, path, NULL), cb = results_ci(gb, path, NULL);
    if (!isfinite(ca.median) && !isfinite(cb.median))
      continue;
    (*matched)++;
    stats_verdict v = stats_compare(&ca, &cb);
    counts.n[v]++;
    char fa[128], fb[128], model[128], rt[128];
    md_ci(fa, sizeof fa, &ca, MD_SI);
    md_ci(fb, sizeof fb, &cb, MD_SI);
    if (ignore)
      snprintf(rt, sizeof rt, "%s → %s", results_str(ga->first, "runtime"),
               results_str(gb->first, "runtime"));
    else
      snprintf(rt, sizeof rt, "%s", results_str(ga->first, "runtime"));
    util_utf8_trim(rt); /* a long name is cut at a character's end */
    fputc('|', out);
    md_cell(out, results_str(ga->first, "workload"));
    md_cell(out, rt);
    md_cell(out, results_model_label(ga->first, model, sizeof model));
    md_cell(out, results_str(ga->first, "placement"));
    fprintf(out, " %g | %s | %s |", results_num(ga->first, "workers"), fa, fb);
    if (isfinite(ca.median) && isfinite(cb.median) && ca.median > 0) {
      if (results_is_native(ga->first) && nnative < 256)
        native_ratio[nnative++] = cb.median / ca.median;
      fprintf(out, " %.2f×", cb.median / ca.median);
      if (ca.n > 1 && cb.n > 1 && ca.lo > 0)
        fprintf(out, " [%.2f–%.2f]", cb.lo / ca.hi, cb.hi / ca.lo);
      fputs(" |", out);
    } else {
      fputs(" – |", out);
    }
    fprintf(out, " %s%s |\n", v == STATS_HIGHER || v == STATS_LOWER ? "B " : "",
            stats_verdict_name(v));
  }
  size_t only_b = 0;
  for (size_t h = 0; used && h < rb.ngroups; h++)
    only_b += !used[h];
  free(used);
  static const char *const words[] = {
      "%zu higher in B", "%zu lower", "%zu with no significant difference",
      "%zu too noisy to tell", "%zu with too few repetitions"};
  fprintf(out, "\n%zu cells matched: ", *matched);
  md_verdicts_write(out, &counts, words);
  fputc('.', out);
  if (only_a || only_b)
    fprintf(out, " Cells in one run only: %zu in A, %zu in B.", only_a, only_b);
  fputc('\n', out);
  /* The C twins run the same code in both runs (unless gillab itself
   * changed): what moves them is the machine, a control for the rest. */
  if (nnative)
    fprintf(out,
            "\nThe native cells ran the same C code in both runs; their "
            "ratios (median %.2f× over %zu cells) show how much the machine "
            "itself changed between the runs (load, frequency, another "
            "host): read the Python ratios against that.\n",
            stats_median(native_ratio, nnative), nnative);
  results_free(&ra);
  results_free(&rb);
  return 0;
}
