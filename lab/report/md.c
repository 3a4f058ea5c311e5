/* md — see md.h. */
#include "md.h"

#include "escape.h"
#include "provenance.h"
#include "results.h"

#include <math.h>
#include <string.h>

void md_value(char *buf, size_t len, double v, md_fmt fmt) {
  if (!isfinite(v))
    snprintf(buf, len, "–");
  else if (fmt == MD_SI || fmt == MD_US)
    results_fmt_si(buf, len, v);
  else if (fmt == MD_MIB)
    snprintf(buf, len, "%.2f", v / 1024);
  else if (fmt == MD_PERCENT)
    snprintf(buf, len, "%.0f%%", v * 100);
  else if (fmt == MD_PERCENT1)
    snprintf(buf, len, "%.1f%%", v * 100);
  else
    snprintf(buf, len, "%.2f", v);
}

void md_ci(char *buf, size_t len, const stats_ci *c, md_fmt fmt) {
  char m[32], lo[32], hi[32];
  md_value(m, sizeof m, c->median, fmt);
  if (c->n < 2 || !isfinite(c->lo)) {
    snprintf(buf, len, "%s", m);
    return;
  }
  md_value(lo, sizeof lo, c->lo, fmt);
  md_value(hi, sizeof hi, c->hi, fmt);
  snprintf(buf, len, "%s [%s–%s]", m, lo, hi);
}

typedef struct {
  FILE *f;
  const char *indent;
} header_ctx;

static void header_line(void *ctx, const char *label, const char *value) {
  const header_ctx *h = ctx;
  /* The label too comes from the results file ("runtime TAG"). */
  fputs(h->indent, h->f);
  fputs("- ", h->f);
  escape_md(h->f, label);
  fputs(": ", h->f);
  if (strcmp(label, "command") == 0) /* shown as typed */
    escape_md_code(h->f, value);
  else
    escape_md(h->f, value);
  fputc('\n', h->f);
}

void md_header(FILE *f, const cJSON *meta, const char *indent) {
  header_ctx h = {f, indent};
  provenance_describe(meta, header_line, &h);
}

void md_cell(FILE *f, const char *text) {
  fputc(' ', f);
  escape_md(f, text);
  fputs(" |", f);
}

void md_rule(FILE *f, const char *align) {
  fputc('|', f);
  for (; *align; align++)
    fputs(*align == 'r' ? "---:|" : "---|", f);
  fputc('\n', f);
}

void md_verdicts_write(FILE *f, const md_verdicts *v,
                       const char *const words[STATS_TOO_FEW + 1]) {
  for (int k = 0; k <= STATS_TOO_FEW; k++) {
    if (k)
      fputs(", ", f);
    fprintf(f, words[k], v->n[k]);
  }
}

void md_row_name(FILE *f, const cJSON *row) {

  char model[128];
  results_model_label(row, model, sizeof model);
  escape_md(f, model);
  fputs(" (", f);
  escape_md(f, results_str(row, "runtime"));
  if (strcmp(results_str(row, "placement"), "none") != 0) {
    fputs(", ", f);
    escape_md(f, results_str(row, "placement"));
  }
  fputc(')', f);
}
