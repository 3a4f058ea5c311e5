#!/usr/bin/env bash
# End-to-end: the reports. Usage: e2e_report.sh BUILD_DIR
#
# 1. `gillab report` on a fixed results.jsonl (tests/data/report/) must
#    write summary.md and results.csv equal to the golden files next to it
#    (GILLAB_UPDATE_GOLDEN=1 rewrites them; review the diff before
#    committing), and report.html with every chart (e2e_report_html.sh
#    loads it in headless Chromium). The
#    fixture is a real run (cpu.primes, mixed.convoy with 0 and 1 CPU-bound
#    threads, mem.dealloc; threads and native-threads; 3.11, 3.13t; --hiccup;
#    1 warm-up + 3 repetitions; the `python` object of each cell record
#    removed to keep the file small) plus a copy of its 3.11 cpu.primes
#    cells under a workload and placement named with HTML and Markdown
#    specials, and one failed repetition whose error holds a <script>: those
#    exercise the escaping.
# 2. `gillab compare` of the fixture with itself and with a copy whose
#    throughputs are doubled: ratios, intervals and verdicts.
# 3. A small real `gillab run` with --warmup: warm-ups flagged and left out,
#    the outputs written at the end, progress only when asked for.
# 4. cpu_imbalance in real records, and the summary's sentence on it (the
#    records edited to a slowed CPU and to CPUs that ran alike).
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/e2e_lib.sh"
build=${1:?usage: e2e_report.sh BUILD_DIR}
gillab="$build/gillab"
data="$here/data/report"

# 1. Golden summary.md and results.csv; report.html in Chromium.
mkdir -p "$tmp/fx"
cp "$data/results.jsonl" "$tmp/fx/"
"$gillab" report "$tmp/fx" >"$tmp/report.out" 2>"$tmp/report.err"
check "report exits 0" test $? -eq 0
if [ "${GILLAB_UPDATE_GOLDEN:-}" = 1 ]; then
  cp "$tmp/fx/summary.md" "$data/summary.md"
  cp "$tmp/fx/results.csv" "$data/results.csv"
fi
check "summary.md equals the golden file" diff -u "$data/summary.md" "$tmp/fx/summary.md"
check "results.csv equals the golden file" diff -u "$data/results.csv" "$tmp/fx/results.csv"
nsvg=$(ls "$tmp/fx"/*.svg 2>/dev/null | wc -l)
check "every chart of the fixture drawn as an .svg file (29, and answers.svg; the convoy has no speedup chart)" test "$nsvg" -eq 30
check "report says how many charts" grep -q "(30 charts)" "$tmp/report.out"
# line_of PATTERN: the line number of PATTERN's first match in summary.md.
line_of() { grep -n -m1 -e "$1" "$tmp/fx/summary.md" | cut -d: -f1; }
check "the answers page comes first: after the header, before the method notes" \
  test "$(line_of '^- gillab:')" -lt "$(line_of '^## Answers')" \
  -a "$(line_of '^## Answers')" -lt "$(line_of '^## What to choose')" \
  -a "$(line_of '^## What to choose')" -lt "$(line_of '^## Runtimes side by side')" \
  -a "$(line_of '^## Runtimes side by side')" -lt "$(line_of '^Each figure is the median')" \
  -a "$(line_of '^Each figure is the median')" -lt "$(line_of '^## cpu.primes')"
check "the answers chart drawn" test -s "$tmp/fx/answers.svg"
check "names are escaped in summary.md" grep -qF 'evil\<b\>\|\*\_\[x\](y)\&"\#' "$tmp/fx/summary.md"
check "no raw HTML from names in report.html" \
  bash -c "! grep -qF -e '<b>' -e '<i>one' -e '<script>' '$tmp/fx/report.html'"
check "names are escaped in report.html" grep -qF '&lt;script&gt;alert(&quot;x&quot;)' "$tmp/fx/report.html"
check "absent charts are noted, not drawn" grep -q 'class=absent>Chart not drawn.*convoy.round_trips_per_s' "$tmp/fx/report.html"
check "warm-ups are flagged in results.csv" \
  test "$(grep -c '^"cpu.primes",.*,true,"ok"' "$tmp/fx/results.csv")" -eq 6
check "results.csv opens with the reproducibility header" \
  grep -q '^# runtime 3.13t: CPython .*free-threaded build' "$tmp/fx/results.csv"

# Workload descriptions come from the file's metadata ("workloads"), not
# from this build's registry: a description the registry does not have is
# shown (escaped), and a workload the object leaves out gets none, as in
# a file written before the metadata described its workloads.
mkdir -p "$tmp/desc" "$tmp/nodesc"
jq -c 'if .type == "meta" then .workloads = {"cpu.primes": {"summary": "from the file, *not* the registry"}} else . end' \
  "$data/results.jsonl" >"$tmp/desc/results.jsonl"
"$gillab" report "$tmp/desc" >/dev/null 2>&1
check "summary: the workload's description from the metadata, escaped" \
  grep -qxF 'from the file, \*not\* the registry.' "$tmp/desc/summary.md"
check "summary: no description for a workload the metadata does not describe" \
  bash -c "grep -A2 '^## mixed.convoy\$' '$tmp/desc/summary.md' | tail -1 | grep -qx '### Round trips'"
jq -c 'del(.workloads)' "$data/results.jsonl" >"$tmp/nodesc/results.jsonl"
"$gillab" report "$tmp/nodesc" >/dev/null 2>&1
check "summary: no descriptions at all from a file without them (no registry behind the report)" \
  bash -c "! grep -q 'count primes by trial division' '$tmp/nodesc/summary.md' && grep -q 'count primes by trial division' '$tmp/fx/summary.md'"

# 2. compare.
"$gillab" compare "$tmp/fx" "$tmp/fx" -o "$tmp/same.md" >"$tmp/same.out"
check "compare exits 0" test $? -eq 0
check "compare writes -o and prints the same" cmp -s "$tmp/same.md" "$tmp/same.out"
check "compare with itself: ratios 1.00 with intervals, no verdict of a difference" \
  bash -c "grep -q '| 1.00× \[' '$tmp/same.out' && ! grep -q 'B higher\|B lower' '$tmp/same.out'"
mkdir -p "$tmp/double"
jq -c 'if .type == "cell" and .throughput then .throughput *= 2 else . end' \
  "$data/results.jsonl" >"$tmp/double/results.jsonl"
"$gillab" compare "$tmp/fx" "$tmp/double" >"$tmp/double.out"
check "compare: doubled throughput is 2.00x, B higher" \
  grep -q '| cpu.primes | native | native-threads | none | 1 | .* | 2.00× \[.*\] | B higher |' "$tmp/double.out"
check "compare: header of both runs" \
  test "$(grep -c 'runtime 3.13t: CPython' "$tmp/double.out")" -eq 2
check "compare: the count line" grep -q '^[0-9]* cells matched: ' "$tmp/double.out"
check "compare: the native cells as a control for the machine" \
  grep -q '^The native cells ran the same C code in both runs; their ratios (median 2.00× over [0-9]* cells)' "$tmp/double.out"
# One runtime per run, different ones: Python cells matched across them.
mkdir -p "$tmp/rt311" "$tmp/rt313t"
jq -c 'select(.type == "meta" or (.workload == "cpu.primes" and .runtime != "3.13t"))' \
  "$data/results.jsonl" >"$tmp/rt311/results.jsonl"
jq -c 'select(.type == "meta" or (.workload == "cpu.primes" and .runtime != "3.11"))' \
  "$data/results.jsonl" >"$tmp/rt313t/results.jsonl"
"$gillab" compare "$tmp/rt311" "$tmp/rt313t" >"$tmp/rt.out"
check "compare: one runtime each, matched across (3.11 → 3.13t)" \
  grep -q '| cpu.primes | 3.11 → 3.13t | threads | none | 2 | .* | [0-9.]*× \[[0-9.]*–[0-9.]*\] | ' "$tmp/rt.out"

# 3. A real run with a warm-up, and progress.
"$gillab" run -w cpu.primes -m threads,native-threads -n 1,2 -r 2 --warmup 1 \
  --size 0.1 -o "$tmp/run" >"$tmp/run.out" 2>"$tmp/run.err"
check "run with --warmup exits 0" test $? -eq 0
check "warm-up cells flagged, measured reps numbered from 1" jqtrue "$tmp/run/results.jsonl" \
  '[.[] | select(.type == "cell")] | (map(select(.warmup)) | length == 4) and (map(select(.warmup | not)) | map(.rep) | sort | unique == [1, 2])'
check "run wrote summary, csv, report and charts" \
  test -s "$tmp/run/summary.md" -a -s "$tmp/run/results.csv" -a -s "$tmp/run/report.html" -a -s "$tmp/run/cpu.primes-speedup.svg"
check "at least 5 charts for threads and native-threads" \
  test "$(ls "$tmp/run"/*.svg | wc -l)" -ge 5
check "the run's charts fit for slides (check_charts.py)" \
  python3 "$here/check_charts.py" "$tmp/run"
check "the metadata describes the run's workloads" jqtrue "$tmp/run/results.jsonl" \
  '.[0].workloads["cpu.primes"] | .summary == "count primes by trial division (pure Python integers)" and .py_module == "cpu_primes" and .native and (.flags | index("warmup"))'
check "summary says the warm-up was not counted" grep -q 'after 1 warm-up repetition, not counted' "$tmp/run/summary.md"
# cpu_imbalance, in cells long enough to compare (a worker's share over
# MIN_CPU_S = 0.2 s of CPU time in lab/record.c). --size 1.5: each native
# worker's share is about 0.6 s of CPU here; at --size 0.5 it was 0.196 s
# in one CI run, under the threshold, and the check failed.
"$gillab" run -w cpu.primes,io.sleep -m native-threads,threads -n 1,2 -r 1 --size 1.5 \
  -o "$tmp/imb" -q >/dev/null 2>&1
check "cpu_imbalance: >= 1 in the 2-worker native cpu.primes cell; absent at 1 worker, for io.sleep and for threads on a GIL" jqtrue "$tmp/imb/results.jsonl" \
  '[.[] | select(.type == "cell" and .status == "ok")] | (map(select(.workload == "cpu.primes" and .workers == 2 and .model == "native-threads") | .cpu_imbalance >= 1 and .cpu_imbalance_worker >= 0) | length == 1 and all) and (map(select(.workers == 1 or .workload == "io.sleep" or .model == "threads") | has("cpu_imbalance") | not) | all)'
# The host paragraph: that run's records with the imbalance set by hand.
mkdir -p "$tmp/host" "$tmp/calm"
jq -c 'if .type == "cell" and .cpu_imbalance then .cpu_imbalance = 1.5 | .cpu_imbalance_worker = 1 else . end' \
  "$tmp/imb/results.jsonl" >"$tmp/host/results.jsonl"
jq -c 'if .type == "cell" and .cpu_imbalance then .cpu_imbalance = 1.02 else . end' \
  "$tmp/imb/results.jsonl" >"$tmp/calm/results.jsonl"
"$gillab" report "$tmp/host" >/dev/null && "$gillab" report "$tmp/calm" >/dev/null
check "summary: a slowed CPU is named, with the worst imbalance" \
  grep -q 'The host slowed some CPUs:\*\* in 1 of 1 cells .* (up to 1.50x, in cpu.primes native native-threads n=2 none, worker 1' "$tmp/host/summary.md"
check "summary: CPUs that ran alike are said to" \
  grep -q 'The CPUs ran alike: in the 1 cell .* no worker needed more than 2 % more CPU time' "$tmp/calm/summary.md"
check "no progress lines when stderr is not a terminal" bash -c "! grep -q 'left\]' '$tmp/run.err'"
GILLAB_PROGRESS=1 "$gillab" run -w cpu.primes -m native-threads -n 1,2 -r 1 \
  --size 0.1 -o "$tmp/prog" >/dev/null 2>"$tmp/prog.err"
check "progress: cell k of n, elapsed, estimate" grep -q '^\[ 2/2 .*s, ~0s left\] cpu.primes native native-threads n=2' "$tmp/prog.err"
GILLAB_PROGRESS=1 "$gillab" run -w cpu.primes -m native-threads -n 1 -r 1 \
  --size 0.1 -q -o "$tmp/quiet" >/dev/null 2>"$tmp/quiet.err"
check "progress: none with -q" test ! -s "$tmp/quiet.err"

# The answers finding (findings_answers), on crafted records: the fixture's
# cpu.primes cells (threads on 3.11 and 3.13t, native-threads; 1 and 2
# workers) as a user's file at one number of units, with answers set by
# hand for each case the finding tells apart.
answers_case() { # NAME JQ-EXPRESSION-FOR-.answer
  mkdir -p "$tmp/ans-$1"
  jq -c "if .type == \"meta\" then .workloads = {\"bench.py\": {\"summary\": \"a file of mine\", \"user\": {\"file\": \"/x/bench.py\", \"func\": \"work\"}}}
    elif .type == \"cell\" and .workload == \"cpu.primes\" and (.warmup | not) then .workload = \"bench.py\" | .units = 300 | .answer = ($2)
    else empty end" "$data/results.jsonl" >"$tmp/ans-$1/results.jsonl"
  "$gillab" report "$tmp/ans-$1" >/dev/null 2>&1
}
answers_case agree '7'
check "answers: Python and twin alike: they agree, with the cell counts" \
  grep -q 'the answers agree: at 300 units every Python cell (12) and every C twin.s cell (6) gave 7, so' "$tmp/ans-agree/summary.md"
answers_case twin 'if .runtime == "native" then 8 else 7 end'
check "answers: the twin alone differs: they disagree, each answer named" \
  grep -q 'the answers disagree at 300 units: the Python cells gave 7 (12 cells, .*) and the C twin.s gave 8 (6 cells' "$tmp/ans-twin/summary.md"
answers_case split 'if .runtime == "native" then 7 elif .workers == 1 then 7 else 9 end'
check "answers: Python's own answers differ by worker count: said so, the twin not judged" \
  sh -c "grep -q 'the Python cells. answers differ among themselves: 7 (6 cells, .*), 9 (6 cells' '$tmp/ans-split/summary.md' && ! grep -q 'the answers disagree\|the answers agree' '$tmp/ans-split/summary.md'"
answers_case none 'if .runtime == "native" then 7 else null end'
check "answers: Python returned ops alone: the twin cannot be checked" \
  grep -q 'at 300 units the Python code returns no answer' "$tmp/ans-none/summary.md"
answers_case builtin '7'
jq -c 'if .type == "meta" then .workloads = {"bench.py": {"summary": "counts what happened", "flags": []}} else . end' \
  "$tmp/ans-builtin/results.jsonl" >"$tmp/ans-builtin/r" && mv "$tmp/ans-builtin/r" "$tmp/ans-builtin/results.jsonl"
"$gillab" report "$tmp/ans-builtin" >/dev/null 2>&1
check "answers: a workload whose answer is no checksum (no user file, no warmup flag): no finding" \
  sh -c "! grep -q 'answers agree\|answers disagree\|answers differ\|returns no answer' '$tmp/ans-builtin/summary.md'"

e2e_finish
