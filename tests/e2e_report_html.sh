#!/usr/bin/env bash
# End-to-end: report.html in headless Chromium (Debian's chromium), driven
# through the DevTools protocol by chromium_check.py. Usage:
# e2e_report_html.sh BUILD_DIR
#
# The page made from the fixed tests/data/report/results.jsonl (see
# e2e_report.sh) must show every chart as an <svg> with a caption, with no
# console error, no script, no element made from a name (the fixture's names
# hold <b>, <i> and <script>), and no request other than the file itself;
# the tables of each section folded (<details>, closed) and every finding
# in view. A
# control page with a remote image and a script error checks that the
# checker sees such things. Exit 77 (skipped) only when Chromium cannot be
# started at all.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/e2e_lib.sh"
build=${1:?usage: e2e_report_html.sh BUILD_DIR}
gillab="$build/gillab"

printf '<!DOCTYPE html><p>start</p>' >"$tmp/start.html"
if ! python3 "$here/chromium_check.py" "$tmp/start.html" >/dev/null 2>"$tmp/start.err"; then
  echo "SKIP chromium cannot be started here: $(cat "$tmp/start.err")"
  echo "(install Debian's chromium; scripts/bootstrap --for-tests does)"
  exit 77
fi

mkdir -p "$tmp/fx"
cp "$here/data/report/results.jsonl" "$tmp/fx/"
check "report exits 0" quiet "$gillab" report "$tmp/fx"
nsvg=$(ls "$tmp/fx"/*.svg 2>/dev/null | wc -l)
check "the fixture's 29 charts and the answers chart drawn" test "$nsvg" -eq 30
# jqn FILE FILTER: FILTER over FILE with $n the number of .svg files.
jqn() { jq -e --argjson n "$nsvg" "$2" "$1" >/dev/null; }
python3 "$here/chromium_check.py" "$tmp/fx/report.html" >"$tmp/chrome.json" 2>"$tmp/chrome.err"
rc=$?
if [ $rc -eq 3 ]; then
  echo "FAIL chromium could not load the page: $(cat "$tmp/chrome.err")"
  failed=$((failed + 1))
else
  check "chromium: loaded, every chart an <svg> with a caption" jqn "$tmp/chrome.json" \
    '.loaded and .svg == $n and .figures == $n and .captions == $n'
  check "chromium: no console error" jqone "$tmp/chrome.json" '.console_errors == []'
  check "chromium: no request leaves the file" jqone "$tmp/chrome.json" '.requests == []'
  check "chromium: no script, no element from a name" jqone "$tmp/chrome.json" '.scripts == 0 and .b_i == 0'
  # The first screen (1400x900) shows the answers table whole and at
  # least the top half of its chart.
  check "chromium: the answers table and its chart on the first screen" jqone "$tmp/chrome.json" \
    '.answers.table_top != null and .answers.table_bottom <= 900 and .answers.chart_top != null and (.answers.chart_top + .answers.chart_bottom) / 2 <= 900'
  check "chromium: the tables folded in <details>, hidden until opened; every finding shown" \
    jqone "$tmp/chrome.json" '.details >= 10 and .folded_tables_shown == 0 and .findings >= 10 and .findings_shown == .findings'
fi
# The charts themselves, in the .svg files and in the page (issue 17):
# no two series alike, a unit on every numeric axis, the x axis from the
# data's first point, the key outside the plot, text readable at 50 %, and
# the page's charts the same as the files.
check "charts: fit for slides, the same in the page (check_charts.py)" \
  python3 "$here/check_charts.py" "$tmp/fx"
# The chart checker sees what it should: gnuplot's own defaults, as the
# charts were drawn before (two series in one colour and marker, axes
# without units, a -1 tic before the data, the key on the plot, small text).
mkdir -p "$tmp/badcharts"
cat >"$tmp/bad.gp" <<'GP'
set terminal svg size 760,400 font 'sans-serif,11'
set xlabel 'CPU-bound threads'
set ylabel 'round trips per second'
set xtics 1
set offsets 0.1, 0.1, 0, 0
$a << EOD
0 10
1 5
EOD
plot $a using 1:2 with linespoints lc 1 pt 7 title 'a', $a using 1:($2+1) with linespoints lc 1 pt 7 title 'b'
GP
gnuplot "$tmp/bad.gp" >"$tmp/badcharts/bad.svg" 2>/dev/null
python3 "$here/check_charts.py" "$tmp/badcharts" >"$tmp/badcharts.out"
check "chart checker control: exits 1 on gnuplot's defaults" test $? -eq 1
for what in "looks like" "x axis label 'CPU-bound threads' gives no unit" \
  "y axis label 'round trips per second' gives no unit" "lowest tic (-1)" \
  "inside the plot area" "below 14"; do
  check "chart checker control: sees \"$what\"" grep -qF "$what" "$tmp/badcharts.out"
done
# The checker itself sees what it should: a page with a remote image and a
# script error (a control, so an empty list above means something).
printf '<!DOCTYPE html><img src="http://127.0.0.1:9/x.png"><script>nosuch()</script>' >"$tmp/bad.html"
python3 "$here/chromium_check.py" "$tmp/bad.html" >"$tmp/bad.json" 2>/dev/null
check "chromium control: a remote request and an error are seen" jqone "$tmp/bad.json" \
  '(.requests | length) == 1 and (.console_errors | length) >= 1'

e2e_finish
