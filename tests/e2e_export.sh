#!/usr/bin/env bash
# End-to-end: `gillab export --pyperf` (issue 17). Usage: e2e_export.sh BUILD_DIR
#
# 1. Two small real runs of the same experiment (A and B: cpu.primes,
#    threads and processes, 1 and 2 workers, 1 warm-up + 3 repetitions),
#    each exported as a pyperf suite.
# 2. pyperf reads them: `python3 -m pyperf stats` on each and
#    `python3 -m pyperf compare_to A.json B.json`, which must match every
#    cell by name. pyperf is on PyPI only (no Debian suite packages it):
#    when `import pyperf` fails (with GILLAB_PYPERF_PATH, a directory
#    holding the pyperf package, put on PYTHONPATH), these checks say so and
#    tests/check_pyperf.py stands in for it (pyperf's loader's rules, and
#    compare_to's matching by name). check_pyperf.py runs either way: it is
#    stricter than pyperf on a JSON true.
# 3. What the export observed, against results.jsonl read with jq: one
#    cell's metadata (runtime and its version, model, workers, gillab's
#    version as `gillab version` prints it), its runs as many as its
#    measured repetitions, its warmups as many as its warm-up repetitions,
#    each run's value 1/throughput of its repetition.
# 4. A failed repetition and a skipped cell are left out and named on
#    stderr; --runtime TAG; usage errors (exit 2).
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/e2e_lib.sh"
build=${1:?usage: e2e_export.sh BUILD_DIR}
gillab="$build/gillab"
checker="$here/check_pyperf.py"

# 1. Two runs, two exports.
for r in A B; do
  "$gillab" run -w cpu.primes -m threads,processes -n 1,2 -r 3 --warmup 1 \
    --size 0.1 -o "$tmp/$r" -q >/dev/null 2>"$tmp/run$r.err"
  check "run $r exits 0" test $? -eq 0
  "$gillab" export --pyperf "$tmp/$r" "$tmp/$r.json" >"$tmp/export$r.out" 2>"$tmp/export$r.err"
  check "export $r exits 0" test $? -eq 0
  check "export $r says what it wrote" \
    grep -qF "pyperf: $tmp/$r.json (4 benchmarks, 12 runs, 4 warmups)" "$tmp/export$r.out"
  check "export $r leaves nothing out, says nothing on stderr" test ! -s "$tmp/export$r.err"
done
names=("cpu.primes threads n=1 3.11" "cpu.primes threads n=2 3.11"
  "cpu.primes processes n=1 3.11" "cpu.primes processes n=2 3.11")
# has_names FILE: every cell's name is in FILE.
has_names() {
  local n
  for n in "${names[@]}"; do grep -qF "$n" "$1" || { echo "no '$n' in $1"; return 1; }; done
}

# 2. pyperf, or its rules.
pypath=${GILLAB_PYPERF_PATH:-}${PYTHONPATH:+${GILLAB_PYPERF_PATH:+:}$PYTHONPATH}
if PYTHONPATH="$pypath" python3 -c 'import pyperf' 2>/dev/null; then
  pyperf() { PYTHONPATH="$pypath" python3 -m pyperf "$@"; }
  for r in A B; do
    pyperf stats "$tmp/$r.json" >"$tmp/stats$r.out" 2>&1
    check "pyperf stats reads $r.json" test $? -eq 0
    check "pyperf stats names every cell of $r" has_names "$tmp/stats$r.out"
  done
  pyperf compare_to "$tmp/A.json" "$tmp/B.json" >"$tmp/cmp.out" 2>&1
  check "pyperf compare_to A.json B.json exits 0" test $? -eq 0
  check "pyperf compare_to names every cell (matched by name)" has_names "$tmp/cmp.out"
  check "pyperf compare_to ignores no benchmark" bash -c "! grep -q 'Ignored benchmarks' '$tmp/cmp.out'"
else
  echo "note: pyperf cannot be imported (it is on PyPI only; set GILLAB_PYPERF_PATH" \
    "to a directory holding it): tests/check_pyperf.py checks pyperf's rules instead"
fi
for r in A B; do
  python3 "$checker" load "$tmp/$r.json" >"$tmp/load$r.out" 2>&1
  check "$r.json passes pyperf's loading rules (check_pyperf.py)" test $? -eq 0
  check "every cell of $r is a benchmark" has_names "$tmp/load$r.out"
done
python3 "$checker" compare "$tmp/A.json" "$tmp/B.json" >"$tmp/ccmp.out" 2>&1
check "A and B match by name, every cell (check_pyperf.py compare)" has_names "$tmp/ccmp.out"
check "the values are seconds: a suite, unit second" \
  jqone "$tmp/A.json" '.version == "1.0" and all(.benchmarks[]; .metadata.unit == "second")'

# 3. One cell's metadata and runs, against results.jsonl.
cell="cpu.primes threads n=2 3.11"
is='(.type == "cell" and .workload == "cpu.primes" and .model == "threads" and .workers == 2 and .runtime == "3.11")'
sel="select($is)"
bench="$tmp/bench.json"
jq --arg n "$cell" '.metadata as $s | .benchmarks[] | select(.metadata.name == $n) | .metadata = ($s + .metadata)' \
  "$tmp/A.json" >"$bench"
version=$("$gillab" version | sed -n 's/^gillab \([^ ]*\) (git \([^)]*\)).*/\1 \2/p')
check "gillab's version and git revision, as gillab version says" \
  jqone "$bench" "[.metadata.gillab_version, .metadata.gillab_git] == (\"$version\" | split(\" \"))"
pyver=$(jq -r 'select(.type == "meta") | .runtimes[] | select(.tag == "3.11") | .version' "$tmp/A/results.jsonl")
check "runtime, its version, model, workers" jqone "$bench" \
  ".metadata | .gillab_runtime == \"3.11\" and .python_version == \"$pyver\" and .gillab_model == \"threads\" and .gillab_workers == 2 and .gillab_workload == \"cpu.primes\""
cpu=$(jq -r 'select(.type == "meta") | .machine.cpu_model' "$tmp/A/results.jsonl")
check "the machine's CPU model" jqone "$bench" ".metadata.cpu_model_name == \"$cpu\""
measured=$(jq -s "[.[] | $sel | select(.warmup != true and .status == \"ok\")] | length" "$tmp/A/results.jsonl")
warm=$(jq -s "[.[] | $sel | select(.warmup == true and .status == \"ok\")] | length" "$tmp/A/results.jsonl")
check "runs: as many as the measured repetitions in results.jsonl ($measured)" \
  jqone "$bench" ".runs | length == $measured and $measured == 3"
check "warmups: as many as the warm-up repetitions ($warm), on the first run" \
  jqone "$bench" "[.runs[] | (.warmups // []) | length] == [$warm, 0, 0] and $warm == 1"
jq -s -c "[.[] | $sel | select(.warmup != true) | {rep, v: (1 / .throughput)}] | sort_by(.rep)" \
  "$tmp/A/results.jsonl" >"$tmp/want.json"
check "each run's value is 1/throughput of its repetition" \
  quiet jq -e --slurpfile want "$tmp/want.json" \
  '[.runs[] | {rep: .metadata.gillab_rep, v: .values[0]}] | sort_by(.rep) as $got
   | ($got | length) == ($want[0] | length)
     and all(range($got | length); ($got[.].rep == $want[0][.].rep)
       and (($got[.].v - $want[0][.].v) | fabs) <= 1e-12 * $want[0][.].v)' "$bench"

# 4. Left out: a failed repetition and a skipped cell. The failed one is
# rep 2 of the cell above; the skipped one a cell of 4 workers.
mkdir -p "$tmp/C"
jq -c "if $is and .rep == 2 and .warmup != true then .status = \"failed\" | .error = \"boom\nat line 2\" | .throughput = null else . end" \
  "$tmp/A/results.jsonl" >"$tmp/C/results.jsonl"
jq -c "$sel | select(.rep == 1 and .warmup != true) | .workers = 4 | .status = \"skipped\" | .error = \"not on this machine\" | .throughput = null" \
  "$tmp/A/results.jsonl" >>"$tmp/C/results.jsonl"
"$gillab" export --pyperf "$tmp/C" "$tmp/C.json" >"$tmp/exportC.out" 2>"$tmp/exportC.err"
check "export with a failed and a skipped cell exits 0" test $? -eq 0
check "the failed repetition is named on stderr" \
  grep -qF "left out: $cell, repetition 2 (failed: boom)" "$tmp/exportC.err"
check "the skipped cell is named on stderr" \
  grep -qF "left out: cpu.primes threads n=4 3.11 (skipped: not on this machine)" "$tmp/exportC.err"
check "the counts say what was left out" \
  grep -qF "(4 benchmarks, 11 runs, 4 warmups; left out: 1 cells, 1 repetitions)" "$tmp/exportC.out"
check "the cell keeps its two ok repetitions" jqone "$tmp/C.json" \
  "[.benchmarks[] | select(.metadata.name == \"$cell\") | .runs[].metadata.gillab_rep] == [1, 3]"
check "C.json passes pyperf's loading rules" quiet python3 "$checker" load "$tmp/C.json"

# The report fixture (tests/data/report: names with HTML and Markdown
# specials, a failed repetition whose error is a multi-line traceback, a
# skipped cell with its warm-up): one note per skipped cell, one line per
# note, and a file pyperf's rules take.
"$gillab" export --pyperf "$here/data/report" "$tmp/fx.json" >"$tmp/fx.out" 2>"$tmp/fx.err"
check "export of the report fixture exits 0" test $? -eq 0
check "one note per skipped cell, not per repetition" \
  test "$(grep -c 'left out: mem.dealloc native-threads n=[12] native (skipped: ' "$tmp/fx.err")" -eq 2
check "a failed repetition's note is one line" test "$(wc -l <"$tmp/fx.err")" -eq 3
check "names with specials pass pyperf's rules" quiet python3 "$checker" load "$tmp/fx.json"
check "a name keeps its specials (JSON, not markup)" jqone "$tmp/fx.json" \
  'any(.benchmarks[]; .metadata.name == "evil<b>|*_[x](y)&\"# threads n=1 3.11 placement=<i>one|two</i>")'

# --runtime TAG: the cells of one runtime, named without it.
"$gillab" export --pyperf --runtime 3.11 "$tmp/A" "$tmp/A11.json" >/dev/null 2>&1
check "--runtime 3.11 exits 0" test $? -eq 0
check "--runtime names leave the tag out" jqone "$tmp/A11.json" \
  '[.benchmarks[].metadata.name] == ["cpu.primes threads n=1", "cpu.primes threads n=2", "cpu.primes processes n=1", "cpu.primes processes n=2"] and all(.benchmarks[]; .metadata.gillab_runtime == "3.11")'
"$gillab" export --pyperf --runtime 9.9 "$tmp/A" "$tmp/x.json" >/dev/null 2>"$tmp/rt.err"
check "--runtime of no cell exits 2, naming the run's runtimes" \
  bash -c "[ $? -eq 2 ] && grep -q \"no cell of runtime '9.9' (its runtimes: 3.11)\" '$tmp/rt.err' && [ ! -e '$tmp/x.json' ]"

# Usage errors.
"$gillab" export "$tmp/A" "$tmp/x.json" >/dev/null 2>"$tmp/u1.err"
check "no format: exit 2, says to choose --pyperf" bash -c "[ $? -eq 2 ] && grep -q -- '--pyperf' '$tmp/u1.err'"
"$gillab" export --pyperf "$tmp/none" "$tmp/x.json" >/dev/null 2>"$tmp/u2.err"
check "no results directory: exit 2, says what to give" \
  bash -c "[ $? -eq 2 ] && grep -q 'give a directory a .gillab run. wrote' '$tmp/u2.err'"
"$gillab" export --pyperf "$tmp/A" "$tmp/A/results.jsonl" >/dev/null 2>"$tmp/u3.err"
check "results.jsonl is not overwritten" bash -c "[ $? -eq 2 ] && grep -q 'holds gillab results' '$tmp/u3.err'"
mkdir -p "$tmp/P"
jq -c 'if .type == "meta" then .kind = "probe" else . end' "$tmp/A/results.jsonl" >"$tmp/P/results.jsonl"
"$gillab" export --pyperf "$tmp/P" "$tmp/x.json" >/dev/null 2>"$tmp/u4.err"
check "a probe's directory: exit 2, says to give a run's" \
  bash -c "[ $? -eq 2 ] && grep -q \"is a probe's (gillab probe).*export a directory that gillab run wrote\" '$tmp/u4.err'"
check "export --help" quiet "$gillab" export --help

e2e_finish
