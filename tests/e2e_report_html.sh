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
check "the fixture's 30 charts drawn" test "$nsvg" -eq 30
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
  check "chromium: the tables folded in <details>, hidden until opened; every finding shown" \
    jqone "$tmp/chrome.json" '.details >= 10 and .folded_tables_shown == 0 and .findings >= 10 and .findings_shown == .findings'
fi
# The checker itself sees what it should: a page with a remote image and a
# script error (a control, so an empty list above means something).
printf '<!DOCTYPE html><img src="http://127.0.0.1:9/x.png"><script>nosuch()</script>' >"$tmp/bad.html"
python3 "$here/chromium_check.py" "$tmp/bad.html" >"$tmp/bad.json" 2>/dev/null
check "chromium control: a remote request and an error are seen" jqone "$tmp/bad.json" \
  '(.requests | length) == 1 and (.console_errors | length) >= 1'

e2e_finish
