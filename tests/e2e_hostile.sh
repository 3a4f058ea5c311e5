#!/usr/bin/env bash
# End-to-end: text from a results file, or from the command line, is data
# in every output, never syntax. Usage: e2e_hostile.sh BUILD_DIR
#
# 1. Every text field of every record of the report fixture
#    (tests/data/report/results.jsonl; `type` and `status` left alone, so
#    that the cells still count) made to hold what gnuplot, a shell or
#    Markdown would act on: `backquotes`, $(...), @macros, quotes,
#    backslashes, line breaks followed by "# " and "## " headings and a
#    table row. `gillab report` must write every output and chart, run no
#    command, and add no heading.
# 2. A command line (the metadata's "command") with 50 "## " lines: no
#    heading added to summary.md, none to report.html.
# 3. A real run whose -o holds a line break and "# b" (it used to crash the
#    HTML writer, which indexed past its charts for each extra heading),
#    and `gillab report` of that directory; one whose -o holds bytes that
#    are not UTF-8: its results.jsonl must still be JSON.
# 4. The identity fields and the command made of gnuplot `system()`
#    calls, strings that close gnuplot's quotes around one, `|`, line
#    breaks and spreadsheet formulas, plus records of the wrong types, a
#    second metadata line and a torn last line: `gillab report` and
#    `gillab compare` run nothing, exit 0 with a warning naming each bad
#    line, and write well-formed Markdown, CSV, HTML (tests/check_formats.py).
# 5. Names longer than the tables' columns made of multi-byte characters
#    (a runtime and a start method of 100 "é", 200 bytes): `compare`,
#    summary.md and results.csv cut them, if at all, at a character's end
#    (each output decodes as UTF-8).
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/e2e_lib.sh"
build=${1:?usage: e2e_hostile.sh BUILD_DIR}
gillab="$build/gillab"
data="$here/data/report"
nwl=$(jq -r 'select(.type == "cell") | .workload' "$data/results.jsonl" | sort -u | wc -l)
# lead SUMMARY: the "## " headings before the workloads' (the answers page's
# two, and the runtimes side by side when two runtimes have a workload in
# common), exactly as written: a name that broke out of its line could not
# make one.
lead() { grep -cxE '## (Answers|What to choose|Runtimes side by side)' "$1"; }

# 1. Hostile names in every text field.
canary="$tmp/canary"
mkdir -p "$canary" "$tmp/names"
jq -c --arg c "$canary" '
  def bad: "'"'"'`touch \($c)/lead`" + . +
    " `touch \($c)/bq` $(touch \($c)/dollar) @GPVAL_PWD @x it'"'"'s \"q\" ''"
    + "\\\n# h1\n## h2 `touch \($c)/nl`\n| a | b |\r\nEOD\n!touch \($c)/bang\n\\";
  walk(if type == "object" then
         with_entries(if .key != "type" and .key != "status" and
                         (.value | type) == "string"
                      then .value |= bad else . end)
       else . end)' "$data/results.jsonl" >"$tmp/names/results.jsonl"
check "the crafted file holds the payload in runtime, model, placement, workload" \
  jqtrue "$tmp/names/results.jsonl" \
  '[.[] | select(.type == "cell")] | all(.[] | .runtime, .model, .placement, .workload; contains("`touch ") and contains("$(touch ") and contains("@GPVAL_PWD") and contains("\n## h2"))'
"$gillab" report "$tmp/names" >"$tmp/names.out" 2>"$tmp/names.err"
check "report of the crafted file exits 0" test $? -eq 0
check "no command from the names ran (backquotes, \$(...), !)" \
  test -z "$(ls -A "$canary")"
check "summary.md, results.csv and report.html written" \
  test -s "$tmp/names/summary.md" -a -s "$tmp/names/results.csv" -a -s "$tmp/names/report.html"
nsvg=$(ls "$tmp/names"/*.svg 2>/dev/null | wc -l)
check "every chart drawn (30, as from the plain fixture)" test "$nsvg" -eq 30
check "no chart left out for a gnuplot error" \
  bash -c "! grep -q 'gnuplot failed' '$tmp/names/report.html'"
# The names this long make gnuplot leave the keys out (too wide); the tic
# labels of the per-thread bars and the per-CPU rows show them, line
# breaks as spaces.
drawn="'\`touch $canary/lead\`3.11 \`touch $canary/bq\` \$(touch $canary/dollar) @GPVAL_PWD @x it's \"q\" \\ # h1 ## h2"
check "the names reach the charts as text (tic labels)" \
  test "$(grep -lF "$drawn" "$tmp/names/"*-threads.svg "$tmp/names/"*-cores.svg | wc -l)" -eq 8
# Shorter ones fit in the keys.
mkdir -p "$tmp/keys"
jq -c --arg c "$canary" '
  if .type == "cell" then
    .runtime += " `touch \($c)/key` @x it'"'"'s" | .model = "'"'"'" + .model
  else . end' "$data/results.jsonl" >"$tmp/keys/results.jsonl"
check "report with short hostile names exits 0" quiet "$gillab" report "$tmp/keys"
check "... runs no command" test -z "$(ls -A "$canary")"
check "... and the names are the keys of the charts by workers" \
  grep -qF ">3.11 \`touch $canary/key\` @x it's 'threads</text>" "$tmp/keys/cpu.primes-speedup.svg"
check "summary.md: one '# ' heading, one '## ' per workload" \
  test "$(grep -c '^# ' "$tmp/names/summary.md")" -eq 1 -a \
  "$(grep -c '^## ' "$tmp/names/summary.md")" -eq "$((nwl + $(lead "$tmp/names/summary.md")))" -a \
  "$(lead "$tmp/names/summary.md")" -ge 2
check "summary.md: no line from a name starts a table row or a block" \
  bash -c "! grep -qE '^(\| a \||EOD|!touch|\\\\)' '$tmp/names/summary.md'"
check "report.html: one h1, one h2 per workload" \
  test "$(grep -c '<h1>' "$tmp/names/report.html")" -eq 1 -a \
  "$(grep -c '<h2 id=' "$tmp/names/report.html")" -eq "$((nwl + $(lead "$tmp/names/summary.md")))"
check "results.csv: the header's lines are all comments" \
  bash -c "sed '/^workload,/q' '$tmp/names/results.csv' | sed '\$d' | grep -qv '^# ' && exit 1 || exit 0"

# 2. 50 headings in the command line.
mkdir -p "$tmp/cmd"
jq -c 'if .type == "meta" then .command = "gillab run" + ([range(50)] | map("\n## heading \(.)") | join("")) + " ``` `" else . end' \
  "$data/results.jsonl" >"$tmp/cmd/results.jsonl"
"$gillab" report "$tmp/cmd" >/dev/null 2>"$tmp/cmd.err"
check "report with 50 '## ' lines in the command exits 0" test $? -eq 0
check "the command stays one line of summary.md, in a longer fence" \
  grep -q '^- command: ```` gillab run ## heading 0 ## heading 1 .* ``` ` ````$' "$tmp/cmd/summary.md"
check "summary.md and report.html: one heading per workload" \
  test "$(grep -c '^## ' "$tmp/cmd/summary.md")" -eq "$((nwl + $(lead "$tmp/cmd/summary.md")))" -a \
  "$(lead "$tmp/cmd/summary.md")" -ge 2 -a \
  "$(grep -c '<h2 id=' "$tmp/cmd/report.html")" -eq "$((nwl + $(lead "$tmp/cmd/summary.md")))"

# 3. A line break in -o, in a real run.
out="$tmp/a"$'\n''# b'
"$gillab" run -w cpu.primes -m native-threads -n 1 -r 1 --size 0.05 -q \
  -o "$out" >"$tmp/nl.out" 2>"$tmp/nl.err"
check "run with a line break in -o exits 0" test $? -eq 0
check "its summary.md and report.html written" \
  test -s "$out/summary.md" -a -s "$out/report.html"
check "its command is one line of summary.md" \
  test "$(grep -c '^# ' "$out/summary.md")" -eq 1
"$gillab" report "$out" >/dev/null 2>"$tmp/nl-report.err"
check "report of that directory exits 0" test $? -eq 0

# 3b. Bytes that are not UTF-8 in -o.
out8="$tmp/lat1-"$'\xe9\xff'"-dir"
"$gillab" run -w cpu.primes -m native-threads -n 1 -r 1 --size 0.05 -q \
  -o "$out8" >/dev/null 2>"$tmp/u8.err"
check "run with non-UTF-8 bytes in -o exits 0" test $? -eq 0
check "... its results.jsonl is strict UTF-8 JSON, one object a line" \
  python3 "$here/check_formats.py" jsonl "$out8/results.jsonl"

# 4. gnuplot system(), quotes closed around it, |, formulas; bad records.
mkdir -p "$tmp/sys" "$tmp/plain"
cp "$data/results.jsonl" "$tmp/plain/"
jq -c --arg c "$canary" '
  def bad: "=HYPERLINK(1)|" + . +
    " system(\"touch \($c)/sys\") '"'"'.system('"'"'touch \($c)/sys2'"'"').'"'"'"
    + " \".system(\"touch \($c)/sys3\").\" `touch \($c)/bq2` | x | y\n## nl"
    + " $(touch \($c)/dollar2) @system\r\n-cmd";
  if .type == "cell" then
    .runtime |= bad | .model |= bad | .placement |= bad |
    .start_method |= bad | .interpreters |= (if . then bad else . end)
  else .command |= bad end' "$data/results.jsonl" >"$tmp/sys/results.jsonl"
n0=$(wc -l <"$tmp/sys/results.jsonl")
{
  jq -c 'select(.type == "cell") | .workers = -1' "$data/results.jsonl" | head -1
  jq -c 'select(.type == "cell") | .throughput = "fast"' "$data/results.jsonl" | head -1
  jq -c 'select(.type == "meta")' "$data/results.jsonl"
  printf '{"type":"cell","workload":"cpu.primes","mo'
} >>"$tmp/sys/results.jsonl"
"$gillab" report "$tmp/sys" >/dev/null 2>"$tmp/sys.err"
check "report of system() names and bad records exits 0" test $? -eq 0
check "... runs no command (gnuplot system(), backquotes, \$(...))" \
  test -z "$(ls -A "$canary")"
check "... warns of workers -1 at its line" \
  grep -q "results.jsonl:$((n0 + 1)): \"workers\" is not a whole number" "$tmp/sys.err"
check "... of throughput \"fast\" at its line" \
  grep -q "results.jsonl:$((n0 + 2)): \"throughput\" is not a number" "$tmp/sys.err"
check "... of a second metadata line at its line" \
  grep -q "results.jsonl:$((n0 + 3)): a second metadata record" "$tmp/sys.err"
check "... and drops the torn last line, saying so" \
  grep -q "results.jsonl:$((n0 + 4)): the last line is incomplete" "$tmp/sys.err"
check "... every chart drawn" test "$(ls "$tmp/sys"/*.svg | wc -l)" -eq 30
check "summary.md: every table row as wide as its header" \
  python3 "$here/check_formats.py" md "$tmp/sys/summary.md"
check "summary.md: one '# ', one '## ' per workload" \
  test "$(grep -c '^# ' "$tmp/sys/summary.md")" -eq 1 -a \
  "$(grep -c '^## ' "$tmp/sys/summary.md")" -eq "$((nwl + $(lead "$tmp/sys/summary.md")))" -a \
  "$(lead "$tmp/sys/summary.md")" -ge 2
check "results.csv: every row as wide as the header, no formula" \
  python3 "$here/check_formats.py" csv "$tmp/sys/results.csv"
"$gillab" report "$tmp/plain" >/dev/null 2>&1
check "report.html: no script, no element the plain report lacks" \
  python3 "$here/check_formats.py" html "$tmp/sys/report.html" "$tmp/plain/report.html"
"$gillab" compare "$tmp/sys" "$tmp/sys" >"$tmp/cmp.md" 2>"$tmp/cmp.err"
check "compare of the file with itself exits 0" test $? -eq 0
check "... runs no command" test -z "$(ls -A "$canary")"
check "... warns of the bad lines" grep -q '"workers" is not a whole number' "$tmp/cmp.err"
check "... matches every measured cell (one table row each)" \
  test "$(grep -c '^| [^-w]' "$tmp/cmp.md")" -gt 0
check "... its Markdown tables are well-formed" \
  python3 "$here/check_formats.py" md "$tmp/cmp.md"
check "... one '# ' heading, no heading from a name" \
  test "$(grep -c '^#' "$tmp/cmp.md")" -eq 1
"$gillab" compare "$tmp/plain" "$tmp/sys" >"$tmp/cmp2.md" 2>/dev/null
check "compare of the plain file with it exits 0 and runs nothing" \
  test $? -eq 0 -a -z "$(ls -A "$canary")"

# 5. Long names of multi-byte characters.
long=$(printf 'é%.0s' $(seq 100))
mkdir -p "$tmp/long"
jq -c --arg n "$long" 'if .type == "cell" and .runtime != "native"
  then .runtime = $n | .start_method = $n else . end' \
  "$data/results.jsonl" >"$tmp/long/results.jsonl"
"$gillab" compare "$tmp/long" "$tmp/long" >"$tmp/long-cmp.md" 2>/dev/null
check "compare of names of 100 'é' exits 0" test $? -eq 0
check "... its output is UTF-8 (names cut at a character's end)" \
  python3 -c 'import sys; open(sys.argv[1], "rb").read().decode("utf-8")' "$tmp/long-cmp.md"
check "... and holds the names' first 63 characters" \
  grep -q "${long:0:63}" "$tmp/long-cmp.md"
"$gillab" report "$tmp/long" >/dev/null 2>&1
check "report of them: summary.md and results.csv UTF-8" \
  python3 -c 'import sys; [open(f, "rb").read().decode("utf-8") for f in sys.argv[1:]]' \
  "$tmp/long/summary.md" "$tmp/long/results.csv"

e2e_finish
