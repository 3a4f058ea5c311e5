/* Unit tests for lab/report_html and the quoting of lab/chart, the two
 * places where text from a results file meets another program's syntax:
 *
 * - report_html converts whatever Markdown summary_render gives it. The
 *   test links with -Wl,--wrap=summary_render, so __wrap_summary_render
 *   below hands it hostile Markdown (more "## " headings than workloads,
 *   headings of '#' alone or of seven, a table wider than MAX_COLS): the
 *   page is written, and headings past the workloads get no chart.
 * - chart_quote's strings, run by the real gnuplot, are drawn as they are:
 *   no `command` runs, no @macro or \ escape is expanded.
 *
 * - a "### " section's tables are folded into a closed <details> whose
 *   summary is the heading, up to the first finding, which stays in view;
 *   a section without a table is not folded.
 *
 * The first two need gnuplot; without it they are skipped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "chart.h"
#include "report_html.h"
#include "results.h"
#include "summary.h"

#define EXTRA_HEADINGS 50

/* Stands in for summary_render in report_html.o (--wrap). */
void __wrap_summary_render(const results *r, FILE *f);
void __wrap_summary_render(const results *r, FILE *f) {
  (void)r;
  fputs("# gillab results\n\n- command: `` x ``\n\n", f);
  for (int i = 0; i < EXTRA_HEADINGS; i++)
    fprintf(f, "## heading %d\n\nA paragraph.\n\n", i);
  fputs("#\n\n###\n\n####### seven\n\n#nospace\n\n", f);
  fputs("|", f);
  for (int i = 0; i < 100; i++)
    fputs(" c |", f);
  fputs("\n|", f);
  for (int i = 0; i < 100; i++)
    fputs("---:|", f);
  fputs("\n| `open | ``x`` | \\\n\n- ``unclosed\n", f);
}

/* The contents of path as a new string (free()), or NULL. */
static char *slurp(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f)
    return NULL;
  char *buf = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&buf, &len);
  char chunk[4096];
  size_t got;
  while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
    fwrite(chunk, 1, got, m);
  fclose(m);
  fclose(f);
  return buf;
}

static size_t count(const char *s, const char *what) {
  size_t n = 0;
  for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
    n++;
  return n;
}

/* The fixture of the report tests has two runtimes and 4 workloads, so
 * report.html takes the 3 first of the 50 headings for the answers page,
 * its advice and the runtimes (summary_lead_sections: the first gets the
 * answers chart), the 4 next get the workloads' charts and the 43 others
 * none. */
static void extra_headings_get_no_chart(void **state) {
  (void)state;
  if (!chart_available())
    skip();
  results r;
  char err[512], dir[] = "/tmp/gillab-test-html-XXXXXX";
  assert_non_null(mkdtemp(dir));
  assert_int_equal(results_load(GILLAB_TESTS_DATA_DIR "/report/results.jsonl",
                                &r, err, sizeof err),
                   0);
  unsigned ncharts = 0;
  int rc = report_html_write(&r, dir, &ncharts, err, sizeof err);
  results_free(&r);
  assert_int_equal(rc, 0);
  char path[512];
  snprintf(path, sizeof path, "%s/report.html", dir);
  char *html = slurp(path);
  assert_non_null(html);
  assert_int_equal(count(html, "<h2 id="), EXTRA_HEADINGS);
  assert_int_equal(count(html, "<figure>") + count(html, "class=absent"),
                   1 + 4 * 9);
  assert_non_null(strstr(html, "<h1></h1>"));
  assert_non_null(strstr(html, "<h3></h3>"));
  assert_non_null(strstr(html, "<p>####### seven"));
  assert_non_null(strstr(html, "</body>\n</html>\n"));
  free(html);
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  assert_int_equal(system(cmd), 0);
}

/* report_html_page on a workload section: its tables folded, its
 * findings (a paragraph and the list after it) outside the fold. */
static void tables_fold_findings_show(void **state) {
  (void)state;
  char md[] = "# t\n\n## wl\n\n### Speedup\n\nBy workers:\n\n"
              "| a | 2 |\n|---|---:|\n| x | 1.9 |\n\nn/a: a note.\n\n"
              "**Finding:**\n\n- x: 1.9×.\n\n### Cells not measured\n\n"
              "- **skipped** — why (2 cells)\n";
  char *html = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&html, &len);
  report_html_page(f, "t", md, NULL, 0, NULL, NULL);
  fclose(f);
  const char *d = strstr(html, "<details class=tables><summary><h3>Speedup"
                               "</h3></summary>\n<p>By workers:");
  assert_non_null(d);
  const char *end = strstr(d, "</details>");
  assert_non_null(end);
  /* The table and its note inside, the finding and its list after. */
  const char *table = strstr(d, "<table>"), *note = strstr(d, "n/a: a note");
  assert_true(table && table < end && note && note < end);
  const char *finding = strstr(html, "<strong>Finding:</strong>");
  assert_true(finding && finding > end);
  assert_true(strstr(html, "<li>x: 1.9×.</li>") > end);
  assert_null(strstr(html, "open"));
  /* No table, no fold. */
  assert_non_null(strstr(html, "<h3>Cells not measured</h3>"));
  assert_int_equal(count(html, "<details"), 1);
  free(html);
}

/* A chart whose key titles hold gnuplot's special syntax: each is drawn
 * as it is (line breaks as spaces), and no command runs. */
static void quoted_text_is_drawn_as_is(void **state) {
  (void)state;
  if (!chart_available())
    skip();
  char canary[] = "/tmp/gillab-test-canary-XXXXXX";
  assert_non_null(mkdtemp(canary));
  char bq[128], dollar[128], quoted[128];
  snprintf(bq, sizeof bq, "`touch %s/bq`", canary);
  snprintf(dollar, sizeof dollar, "$(touch %s/dollar)", canary);
  snprintf(quoted, sizeof quoted, "''`touch %s/quoted`'", canary);
  const char *texts[] = {
      bq,
      dollar,
      quoted,
      "@GPVAL_PWD",
      "it's @GPVAL_PWD",
      "'",
      "''",
      "'''@GPVAL_PWD",
      "\\n \\",
      "a\"b'c\" @GPVAL_PWD",
      "# not a",
      "x\n## next",
      "!ls",
      "end\\",
  };
  size_t n = sizeof texts / sizeof texts[0];
  char *script = NULL;
  size_t len;
  FILE *s = open_memstream(&script, &len);
  chart_preamble(s, 600, 800);
  fputs("plot ", s);
  for (size_t i = 0; i < n; i++) {
    fprintf(s, "%sx title ", i ? ", " : "");
    chart_quote(s, texts[i]);
  }
  fputs("\n", s);
  fclose(s);
  char *svg = NULL, err[512];
  int rc = chart_render(script, &svg, err, sizeof err);
  free(script);
  assert_int_equal(rc, 0);
  static const char *const canaries[] = {"bq", "dollar", "quoted"};
  for (size_t i = 0; i < 3; i++) {
    char path[600];
    snprintf(path, sizeof path, "%s/%s", canary, canaries[i]);
    assert_int_not_equal(access(path, F_OK), 0);
  }
  for (size_t i = 0; i < n; i++) {
    char want[256];
    snprintf(want, sizeof want, ">%s</text>", texts[i]);
    for (char *p = want; *p; p++)
      *p = *p == '\n' ? ' ' : *p;
    if (!strstr(svg, want))
      fail_msg("not drawn as it is: %s", want);
  }
  free(svg);
  assert_int_equal(rmdir(canary), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(extra_headings_get_no_chart),
      cmocka_unit_test(quoted_text_is_drawn_as_is),
      cmocka_unit_test(tables_fold_findings_show),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
