/* report_html — see report_html.h.
 *
 * The page is the summary.md of the same results converted to HTML (the
 * subset summary.c writes: headings, paragraphs, bullet lists, tables,
 * **bold**, `code` and backslash escapes), with each workload's charts
 * after its section. Converting the summary rather than writing the tables
 * twice keeps the two outputs saying the same thing.
 *
 * So that the page reads top-down, a "### " section's tables are folded
 * into a <details> whose summary is the section's heading, up to its
 * first finding: the findings stay in view, the tables a click away (no
 * script: the Content-Security-Policy allows none).
 */
#include "report_html.h"

#include "answers.h"
#include "chart.h"
#include "escape.h"
#include "ipctable.h"
#include "outfile.h"
#include "plots.h"
#include "provenance.h"
#include "servetable.h"
#include "summary.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* Writes svg into f without its XML prologue, with every id (and every
 * reference to one) prefixed by prefix: gnuplot gives every chart the same
 * ids, which must be unique in one HTML page. */
static void inline_svg(FILE *f, const char *svg, const char *prefix) {
  const char *p = strstr(svg, "<svg");
  p = p ? p : svg;
  static const char *const marks[] = {"id='", "id=\"", "href='#", "href=\"#",
                                      "url(#"};
  while (*p) {
    size_t best = strlen(p), which = 0, k;
    for (k = 0; k < sizeof marks / sizeof marks[0]; k++) {
      const char *q = strstr(p, marks[k]);
      if (q && (size_t)(q - p) < best) {
        best = (size_t)(q - p);
        which = k + 1;
      }
    }
    fwrite(p, 1, best, f);
    p += best;
    if (!which)
      break;
    size_t mlen = strlen(marks[which - 1]);
    fwrite(p, 1, mlen, f);
    fputs(prefix, f);
    p += mlen;
  }
}

/* Inline Markdown of a summary line into HTML: backslash escapes,
 * **bold**, `code` and ``code``, the rest escaped. */
static void md_inline(FILE *f, const char *s, size_t n) {
  int bold = 0;
  for (size_t i = 0; i < n; i++) {
    char ch = s[i];
    if (ch == '\\' && i + 1 < n) {
      char one[2] = {s[++i], 0};
      escape_html(f, one);
    } else if (ch == '*' && i + 1 < n && s[i + 1] == '*') {
      fputs(bold ? "</strong>" : "<strong>", f);
      bold = !bold;
      i++;
    } else if (ch == '`') {
      size_t ticks = 0;
      while (i + ticks < n && s[i + ticks] == '`')
        ticks++;
      size_t start = i + ticks, end = start;
      while (end < n && strncmp(s + end, s + i, ticks) != 0)
        end++;
      if (end >= n) { /* no closing fence: literal */
        fwrite(s + i, 1, ticks, f);
        i += ticks - 1;
        continue;
      }
      size_t a = start, b = end;
      if (ticks > 1 && a < b && s[a] == ' ')
        a++;
      if (ticks > 1 && b > a && s[b - 1] == ' ')
        b--;
      char *code = strndup(s + a, b - a);
      fputs("<code>", f);
      escape_html(f, code);
      fputs("</code>", f);
      free(code);
      i = end + ticks - 1;
    } else {
      char one[2] = {ch, 0};
      escape_html(f, one);
    }
  }
  if (bold)
    fputs("</strong>", f);
}

#define MAX_COLS 64

/* Splits a table row on the '|' that are not escaped; writes cells, right
 * aligned where the separator row said "---:" (right[col]). */
static void md_row(FILE *f, const char *line, int head, const int *right) {
  const char *p = line + 1; /* after the leading '|' */
  int col = 0;
  fputs("<tr>", f);
  while (*p && *p != '\n') {
    const char *q = p;
    while (*q && *q != '\n' && !(*q == '|' && q[-1] != '\\'))
      q++;
    if (*q != '|')
      break;
    const char *a = p, *b = q;
    while (a < b && *a == ' ')
      a++;
    while (b > a && b[-1] == ' ')
      b--;
    int num = right && col < MAX_COLS && right[col];
    col++;
    fprintf(f, head ? "<th>" : (num ? "<td class=n>" : "<td>"));
    md_inline(f, a, (size_t)(b - a));
    fputs(head ? "</th>" : "</td>", f);
    p = q + 1;
  }
  fputs("</tr>\n", f);
}

typedef enum { B_NONE, B_P, B_UL, B_TABLE, B_HEADER } block;

static void close_block(FILE *f, block *b) {
  static const char *const end[] = {"", "</p>\n", "</ul>\n",
                                    "</tbody></table>\n", "</ul></details>\n"};
  fputs(end[*b], f);
  *b = B_NONE;
}

/* Whether the section that starts after the heading just read (rest:
 * the Markdown after it) has a table before its first finding or the
 * next heading: only such a section is folded. */
static int folds(const char *rest) {
  for (const char *p = rest; p && *p;) {
    if (*p == '#' || strncmp(p, "**Finding:**", 12) == 0)
      return 0;
    if (*p == '|')
      return 1;
    p = strchr(p, '\n');
    if (p)
      p++;
  }
  return 0;
}

/* The charts of the wl-th "## " heading, or NULL past the nwl workloads
 * there are charts for: the summary should have one such heading per
 * workload, but the page must not trust the Markdown it converts. */
static plots_chart *charts_of(plots_chart (*charts)[PLOTS_COUNT], size_t nwl,
                              long wl) {
  return wl >= 0 && (size_t)wl < nwl ? charts[wl] : NULL;
}

void report_html_figure(FILE *f, const char *svg, const char *title,
                        const char *caption, const char *file,
                        const char *absent, int *serial) {
  if (!svg) {
    fprintf(f, "<p class=absent>Chart not drawn, <em>");
    escape_html(f, title);
    fputs("</em>: ", f);
    escape_html(f, absent);
    fputs(".</p>\n", f);
    return;
  }
  char prefix[32];
  snprintf(prefix, sizeof prefix, "c%d-", (*serial)++);
  fputs("<figure>\n", f);
  inline_svg(f, svg, prefix);
  fputs("<figcaption><strong>", f);
  escape_html(f, title);
  fputs(".</strong> ", f);
  escape_html(f, caption);
  fputs(" (Also as <code>", f);
  escape_html(f, file);
  fputs("</code>.)</figcaption>\n</figure>\n", f);
}

/* The charts cs (NULL: none) as figures. */
static void write_figures(FILE *f, plots_chart *cs, int *serial) {
  for (int i = 0; cs && i < PLOTS_COUNT; i++)
    report_html_figure(f, cs[i].svg, cs[i].title, cs[i].caption, cs[i].file,
                       cs[i].absent, serial);
}

static const char page_head[] =
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
    "'none'; style-src 'unsafe-inline'; img-src data:\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, "
    "initial-scale=1\">\n<title>";
/* After the title. */
static const char page_style[] =
    "</title>\n<style>\n"
    "body{font-family:system-ui,sans-serif;max-width:86rem;margin:1rem "
    "auto;padding:0 1rem;color:#222;line-height:1.45}\n"
    "table{border-collapse:collapse;margin:.5rem 0 1rem}\n"
    "th,td{border:1px solid #ccc;padding:.2rem .5rem}\n"
    "th{background:#f2f2f2}td.n{text-align:right;font-variant-numeric:"
    "tabular-nums}\n"
    "figure{margin:1rem 0 2rem}figure svg{max-width:100%;height:auto}\n"
    "figcaption{font-size:.92rem;color:#333;max-width:48rem}\n"
    "p.absent{color:#777;font-style:italic}\n"
    "details.header{margin:.5rem 0;color:#444}\n"
    "code{background:#f4f4f4;padding:0 .2rem}\n"
    "details.tables>summary{cursor:pointer}details.tables>summary>h3{"
    "display:inline}\n"
    "h2{border-top:2px solid #ddd;padding-top:.8rem;margin-top:1.5rem}\n"
    "</style>\n</head>\n<body>\n";

void report_html_page(FILE *f, const char *title_text, char *md,
                      const char *const *nav, size_t nnav,
                      report_html_section_fn section, void *ctx) {
  char title[512];
  snprintf(title, sizeof title, "%s", title_text);
  for (char *c = title; *c; c++)
    if (*c == '\n' || *c == '\r')
      *c = ' '; /* one line, as summary.md's title */
  fputs(page_head, f);
  escape_html(f, title);
  fputs(page_style, f);
  block b = B_NONE;
  int serial = 0, in_table = 0, right[MAX_COLS] = {0}, prev_h1 = 0;
  int folded = 0;
  long wl = -1;
  char *save = NULL;
  for (char *line = strtok_r(md, "\n", &save); line;
       line = strtok_r(NULL, "\n", &save)) {
    /* strtok_r skips empty lines: a heading, list or table start closes
     * the block before it, and paragraphs are one line each. */
    if (line[0] == '|') {
      if (b != B_TABLE) {
        close_block(f, &b);
        fputs("<table><thead>", f);
        md_row(f, line, 1, NULL);
        fputs("</thead><tbody>\n", f);
        b = B_TABLE;
        in_table = 1;
      } else if (in_table == 1 && strncmp(line, "|---", 4) == 0) {
        in_table = 2;
        int col = 0;
        for (const char *q = line + 1; *q && col < MAX_COLS; q++)
          if (*q == '|')
            right[col++] = q[-1] == ':';
      } else {
        md_row(f, line, 0, right);
      }
      continue;
    }
    in_table = 0;
    int after_title = prev_h1;
    prev_h1 = 0;
    /* A heading: 1 to 6 '#', then a space or the end of the line. */
    int level = 0;
    while (line[level] == '#')
      level++;
    if (level > 6 || (line[level] != ' ' && line[level] != '\0'))
      level = 0;
    /* A heading or a finding ends the folded tables before it. */
    if (folded && (level || strncmp(line, "**Finding:**", 12) == 0)) {
      close_block(f, &b);
      fputs("</details>\n", f);
      folded = 0;
    }
    if (level == 2 && wl >= 0) {
      close_block(f, &b);
      if (section)
        section(ctx, f, wl, &serial);
    }
    if (level) {
      close_block(f, &b);
      if (level == 2)
        wl++;
      folded = level == 3 && folds(save);
      if (folded)
        fputs("<details class=tables><summary>", f);
      if (level == 2)
        fprintf(f, "<h2 id=\"wl-%ld\">", wl);
      else
        fprintf(f, "<h%d>", level);
      const char *text = line + level + (line[level] == ' ');
      md_inline(f, text, strlen(text));
      fprintf(f, folded ? "</h%d></summary>\n" : "</h%d>\n", level);
      prev_h1 = level == 1;
      if (level == 1 && nnav > 1) {
        /* Links within the page only: nothing is fetched. */
        fputs("<nav><p>Sections:", f);
        for (size_t i = 0; i < nnav; i++) {
          fprintf(f, " <a href=\"#wl-%zu\">", i);
          escape_html(f, nav[i]);
          fputs("</a>", f);
        }
        fputs("</p></nav>\n", f);
      }
    } else if (strncmp(line, "- ", 2) == 0) {
      if (b != B_UL && b != B_HEADER && after_title) {
        /* The reproducibility header right under the title: folded, so
         * that the first screen shows what comes after it. */
        close_block(f, &b);
        fputs("<details class=header><summary>Command, machine, runtimes "
              "and build of this run</summary>\n<ul>\n",
              f);
        b = B_HEADER;
      } else if (b != B_UL && b != B_HEADER) {
        close_block(f, &b);
        fputs("<ul>\n", f);
        b = B_UL;
      }
      fputs("<li>", f);
      md_inline(f, line + 2, strlen(line + 2));
      fputs("</li>\n", f);
    } else {
      close_block(f, &b);
      fputs("<p>", f);
      md_inline(f, line, strlen(line));
      b = B_P;
    }
  }
  close_block(f, &b);
  if (folded)
    fputs("</details>\n", f);
  if (wl >= 0 && section)
    section(ctx, f, wl, &serial);
  fputs("</body>\n</html>\n", f);
}

/* The run report's sections: the answers page's (its chart under the
 * answers table), the advice and the runtimes (no chart), then the
 * workloads, each with its charts. */
typedef struct {
  plots_chart (*charts)[PLOTS_COUNT];
  size_t nwl;
  size_t lead;             /* sections before the workloads' */
  const char *answers_svg; /* NULL: not drawn, for answers_absent */
  const char *answers_absent;
} run_figures;

static void run_section(void *ctx, FILE *f, long section, int *serial) {
  const run_figures *rf = ctx;
  if (section == 0 && rf->lead)
    report_html_figure(f, rf->answers_svg, "Speedup at the CPUs",
                       "Each workload's speedup over 1 worker at the "
                       "machine's CPU count (in brackets under each "
                       "workload: the workers), by runtime and model, with "
                       "the intervals as error bars",
                       "answers.svg", rf->answers_absent, serial);
  if (section >= 0 && (size_t)section < rf->lead)
    return;
  write_figures(f, charts_of(rf->charts, rf->nwl, section - (long)rf->lead),
                serial);
}

int report_html_write(const results *r, const char *dir, unsigned *ncharts,
                      char *err, size_t errlen) {
  char *md = NULL;
  size_t mdlen;
  FILE *m = open_memstream(&md, &mdlen);
  if (!m) {
    snprintf(err, errlen, "out of memory");
    return -ENOMEM;
  }
  summary_render(r, m);
  fclose(m);
  int rc = report_html_write_md(r, dir, md, ncharts, err, errlen);
  free(md);
  return rc;
}

int report_html_write_md(const results *r, const char *dir, char *md,
                         unsigned *ncharts, char *err, size_t errlen) {
  *ncharts = 0;
  if (!chart_available()) {
    snprintf(err, errlen,
             "cannot run gnuplot, so report.html was not written (install "
             "gnuplot-nox; scripts/bootstrap does)");
    return -ENOENT;
  }

  /* The workloads with a heading of their own, in summary.md's order:
   * the ipc.* workloads share one section, after them, with no chart. */
  const char *wls[256];
  size_t nwl = 0, nall = results_workloads(r, wls, 256);
  for (size_t i = 0; i < nall; i++)
    if (!ipctable_is_ipc(r, wls[i]) && !servetable_is_serve(r, wls[i]))
      wls[nwl++] = wls[i];
  /* The sections before the workloads' (summary.h), named in the page's
   * links before them. */
  size_t lead = summary_lead_sections(r);
  static const char *const lead_names[] = {"answers", "what to choose",
                                           "runtimes side by side"};
  const char *nav[256 + 3];
  for (size_t i = 0; i < lead && i < 3; i++)
    nav[i] = lead_names[i];
  memcpy(nav + lead, wls, nwl * sizeof *wls);
  char *answers_svg = NULL, answers_absent[512] = "";
  if (lead)
    answers_chart(r, &answers_svg, answers_absent, sizeof answers_absent);
  plots_chart(*charts)[PLOTS_COUNT] = calloc(nwl + 1, sizeof *charts);
  int rc = charts ? 0 : -ENOMEM;
  for (size_t i = 0; rc == 0 && i < nwl; i++)
    plots_make(r, wls[i], charts[i]);
  /* The .svg files, for slides. */
  for (size_t i = 0; rc == 0 && i < nwl; i++)
    for (int k = 0; rc == 0 && k < PLOTS_COUNT; k++) {
      plots_chart *c = &charts[i][k];
      if (!c->svg)
        continue;
      char path[PATH_MAX * 2];
      snprintf(path, sizeof path, "%s/%s", dir, c->file);
      rc = outfile_write(path, c->svg, strlen(c->svg), err, errlen);
      (*ncharts)++;
    }

  char path[PATH_MAX + 32];
  if (rc == 0 && answers_svg) {
    snprintf(path, sizeof path, "%s/answers.svg", dir);
    rc = outfile_write(path, answers_svg, strlen(answers_svg), err, errlen);
    (*ncharts)++;
  }
  snprintf(path, sizeof path, "%s/report.html", dir);
  outfile o;
  if (rc == 0)
    rc = outfile_open(&o, path, err, errlen);
  if (rc == 0) {
    /* The title is the run's question when it has one (as the first
     * heading, which comes from summary.md's title). */
    const char *q = provenance_question(r->meta);
    run_figures rf = {charts, nwl, lead, answers_svg, answers_absent};
    report_html_page(o.f, q ? q : "gillab report", md, nav, lead + nwl,
                     run_section, &rf);
    rc = outfile_commit(&o, err, errlen);
  }
  for (size_t i = 0; charts && i < nwl; i++)
    plots_free(charts[i]);
  free(charts);
  free(answers_svg);
  return rc;
}
