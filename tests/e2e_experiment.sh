#!/usr/bin/env bash
# End-to-end: experiment files (`gillab run FILE.toml`), read by the
# default runtime's runner with tomllib. Usage: e2e_experiment.sh BUILD_DIR
#
# 1. A valid file runs (tiny sizes): its question opens summary.md,
#    report.html (<title> and first heading), results.csv and compare; the
#    metadata holds the question, the file's path and SHA-256; a
#    workload's own units reach its cells; a relative output goes next to
#    the file; -r on the command line overrides reps in the file (counted
#    in the records); `gillab report` remakes the title.
# 2. --dry-run, with a file and with flags only: the matrix and its count,
#    and nothing run (no results directory).
# 3. Errors exit 2 and name the file, line and column: a missing file, a
#    TOML syntax error, an unknown key (did you mean), a wrong type, a
#    value the option refuses, an unknown workload (did you mean), a date;
#    a relative user file is resolved against the file's directory.
set -uo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/e2e_lib.sh"
build=$(cd "${1:?usage: e2e_experiment.sh BUILD_DIR}" && pwd)
gillab="$build/gillab"
exp="$tmp/exp"
# Anything written by mistake lands in the scratch directory.
cd "$tmp" || exit 1
mkdir -p "$exp"

# 1. A valid file.
q='Do threads scale on cpu.primes & cpu.sha256?'
cat >"$exp/scale.toml" <<EOF
# A small experiment: two workloads, a Python model and its C twin.
question = "$q"
models = ["threads", "native-threads"]
workers = [1, 2]
reps = 3              # the command line's -r 1 overrides this
size = 0.05
output = "out"        # next to this file
gil_probe = true

[[workloads]]
name = "cpu.primes"
units = 20000

[[workloads]]
name = "cpu.sha256"
EOF
(cd "$tmp" && "$gillab" run "$exp/scale.toml" -r 1 -q) >"$tmp/run.out" \
  2>"$tmp/run.err"
check "a valid experiment file runs" test $? -eq 0
res="$exp/out/results.jsonl"
check "output is relative to the file's directory" test -s "$res"
check "-r 1 overrides reps = 3: 2 workloads x 2 models x 2 workers, once" \
  jqtrue "$res" '[.[] | select(.type == "cell")] | length == 8 and all(.rep == 1 and .status == "ok")'
# units are at --size 1, as --units and a file's UNITS: 20000 x 0.05.
check "a workload's own units reach its Python cells; the others keep theirs" \
  jqtrue "$res" '[.[] | select(.workload == "cpu.primes" and .model == "threads")] | all(.units == 1000)'
sha=$(sha256sum "$exp/scale.toml" | cut -d' ' -f1)
check "the metadata holds the question, the file and its SHA-256" \
  quiet jq -e -s --arg q "$q" --arg sha "$sha" --arg path "$exp/scale.toml" \
  '.[0].spec.question == $q and .[0].spec.experiment.sha256 == $sha and .[0].spec.experiment.path == $path and .[0].spec.reps == 1' "$res"
check "summary.md opens with the question" \
  test "$(head -n 1 "$exp/out/summary.md")" = "# Do threads scale on cpu.primes \\& cpu.sha256?"
check "summary.md names the experiment file" \
  grep -qF -- "- experiment: $exp/scale.toml (sha256 $sha)" "$exp/out/summary.md"
check "report.html's <title> is the question" \
  grep -qF '<title>Do threads scale on cpu.primes &amp; cpu.sha256?</title>' "$exp/out/report.html"
check "report.html's first heading is the question" \
  test "$(grep -o '<h[1-6][^>]*>[^<]*' "$exp/out/report.html" | head -n 1)" = '<h1>Do threads scale on cpu.primes &amp; cpu.sha256?'
check "results.csv opens with the question" \
  test "$(head -n 1 "$exp/out/results.csv")" = "# question: $q"
rm "$exp/out/summary.md" "$exp/out/report.html"
"$gillab" report "$exp/out" >/dev/null 2>&1
check "gillab report shows the question again" \
  test "$(head -n 1 "$exp/out/summary.md")" = "# Do threads scale on cpu.primes \\& cpu.sha256?"
"$gillab" compare "$exp/out" "$exp/out" >"$tmp/compare.md" 2>&1
check "compare shows each run's question" \
  test "$(grep -c '^  - question: Do threads scale' "$tmp/compare.md")" -eq 2
check "the metadata keeps each workload's own units" \
  jqtrue "$res" '.[0].spec.workload_units == {"cpu.primes": 20000}'
# A question in a results file is text in every output: a line break and
# a heading in it make no heading, markup in it no element.
mkdir -p "$tmp/hq"
jq -c 'if .type == "meta" then .spec.question = "Is it?\n# Heading <script>x</script>" else . end' \
  "$res" >"$tmp/hq/results.jsonl"
"$gillab" report "$tmp/hq" >/dev/null 2>&1
check "a question with a line break and markup stays one escaped title" \
  sh -c "[ \"\$(grep -c '^# ' '$tmp/hq/summary.md')\" -eq 1 ] && head -n 1 '$tmp/hq/summary.md' | grep -qF '# Is it? \\# Heading \\<script\\>x\\</script\\>' && ! grep -q '<script>' '$tmp/hq/report.html' && grep -qF '<title>Is it? # Heading &lt;script&gt;x&lt;/script&gt;</title>' '$tmp/hq/report.html'"

# 2. --dry-run: the matrix, nothing run.
"$gillab" run "$exp/scale.toml" --dry-run -o "$tmp/dry" >"$tmp/dry.out" 2>&1
check "--dry-run exits 0" test $? -eq 0
check "--dry-run prints the count (reps = 3: 24 cells) and an estimate" \
  grep -q '^8 cells a repetition x 3 repetitions = 24 cells$' "$tmp/dry.out"
check "--dry-run prints an estimate and the question" \
  sh -c "grep -q '^estimate: ' '$tmp/dry.out' && grep -qF 'question:   $q' '$tmp/dry.out'"
check "--dry-run lists the cells by workload and model" \
  grep -Eq '^cpu\.primes +threads +[^ ]+ +none +1,2 +1000 +2 ' "$tmp/dry.out"
check "--dry-run runs nothing" test ! -e "$tmp/dry"
"$gillab" run --dry-run -w cpu.primes -m threads,native-threads -n 1,2 -r 2 \
  --warmup 1 -o "$tmp/dry2" >"$tmp/dry2.out" 2>&1
check "--dry-run with flags only: the count, warm-ups included, nothing run" \
  sh -c "grep -q '^4 cells a repetition x 2 repetitions + 1 warm-up = 12 cells$' '$tmp/dry2.out' && test ! -e '$tmp/dry2'"

# 3. Errors: exit 2, file:line:column, what was expected.
# expect_error NAME FILE PATTERN [ARGS...]: gillab run FILE exits 2 and its
# stderr matches the extended regular expression PATTERN.
expect_error() {
  local name=$1 file=$2 pattern=$3
  shift 3
  "$gillab" run "$file" --dry-run "$@" >"$tmp/err.out" 2>"$tmp/err.txt"
  local rc=$?
  if [ $rc -eq 2 ] && grep -Eq -- "$pattern" "$tmp/err.txt" &&
    [ ! -s "$tmp/err.out" ]; then
    check "$name" true
  else
    echo "  exit $rc, stderr: $(cat "$tmp/err.txt")"
    check "$name" false
  fi
}
expect_error "a missing file" "$exp/none.toml" \
  "none\.toml: cannot read the experiment file: No such file"
printf 'question = "q"\nreps = 3\nmodels = ["threads",\n' >"$exp/syntax.toml"
expect_error "a TOML syntax error at the end names file:line:column" \
  "$exp/syntax.toml" "syntax\.toml:4:1: Invalid value at the end of the file"
printf 'question = "q"\nmodels = ["threads" "asyncio"]\n' >"$exp/syntax2.toml"
expect_error "a TOML syntax error names file:line:column" "$exp/syntax2.toml" \
  "syntax2\.toml:2:21: "
printf 'question = "q"\n\n  rep = 3\n' >"$exp/key.toml"
expect_error "an unknown key: file:line:column and did you mean" \
  "$exp/key.toml" "key\.toml:3:3: rep: unknown key \(did you mean 'reps'\?\)"
# (size, not reps: reps takes "auto" as well.)
printf 'size = "three"\n' >"$exp/type.toml"
expect_error "a wrong type: what was expected" "$exp/type.toml" \
  "type\.toml:1:1: size: expected a number, got a string"
printf 'size = 0.1\nscaling = "sideways"\n' >"$exp/value.toml"
expect_error "a value the option refuses" "$exp/value.toml" \
  "value\.toml:2:1: scaling: 'sideways' is not strong or weak"
printf 'workloads = [\n  "cpu.primes",\n  "cpu.prime",\n]\n' >"$exp/wl.toml"
expect_error "an unknown workload: its element, did you mean" "$exp/wl.toml" \
  "wl\.toml:3:3: workloads\[1\]: unknown workload 'cpu\.prime'.*did you mean 'cpu\.primes'"
printf '[[workloads]]\nname = "cpu.primes"\nunit = 5\n' >"$exp/wlkey.toml"
expect_error "an unknown key in a workload table" "$exp/wlkey.toml" \
  "wlkey\.toml:3:1: workloads\[0\]\.unit: unknown key \(did you mean 'units'\?\)"
printf 'reps = 2\nwhen = 2026-11-26\n' >"$exp/date.toml"
expect_error "a date is refused at its line" "$exp/date.toml" \
  "date\.toml:2:1: when: dates and times are not taken"

# A relative user file resolves against the experiment file's directory,
# and runs: its cells measured the file next to the experiment file.
mkdir -p "$exp/sub"
printf 'UNITS = 2000\n\ndef work(worker, nworkers, units):\n    return units // nworkers, 7\n' \
  >"$exp/sub/bench.py"
printf 'workloads = ["bench.py:work"]\nmodels = ["threads"]\nworkers = [1]\nreps = 1\n' \
  >"$exp/sub/user.toml"
(cd "$tmp" && "$gillab" run "$exp/sub/user.toml" --dry-run) \
  >"$tmp/user.out" 2>"$tmp/user.err"
check "a relative user file is resolved against the file's directory (dry run)" \
  grep -qF "$exp/sub/bench.py" "$tmp/user.out"
(cd "$tmp" && "$gillab" run "$exp/sub/user.toml" -o "$tmp/user-run" -q) \
  >/dev/null 2>&1
check "... and its cell runs that file" \
  jqtrue "$tmp/user-run/results.jsonl" '[.[] | select(.type == "cell")] | length == 1 and all(.status == "ok" and .answer == 7 and (.applied.workload.file | endswith("/sub/bench.py")))'

# The examples in workloads/examples/ parse, and run at a tiny size: every
# cell measured or skipped with its reason, none failed. Without the worker
# warm-up (0.2 s for each fresh worker process or interpreter of a cpu.*
# cell), which only steadies timings: it took a third of the time of the
# examples that run subinterpreters and processes on every runtime.
for x in "$src"/workloads/examples/*.toml; do
  name=$(basename "$x" .toml)
  "$gillab" run "$x" --dry-run >"$tmp/ex-$name.dry" 2>&1
  check "example $name: --dry-run" grep -q '^estimate: ' "$tmp/ex-$name.dry"
  "$gillab" run "$x" --size 0.02 -r 1 --worker-warmup 0 -o "$tmp/ex-$name" -q >/dev/null 2>"$tmp/ex-$name.err"
  check "example $name: runs at --size 0.02, no cell failed, the question on top" \
    sh -c "jq -se '[.[] | select(.type == \"cell\")] | length > 0 and all(.status == \"ok\" or .status == \"skipped\")' '$tmp/ex-$name/results.jsonl' >/dev/null && head -1 '$tmp/ex-$name/summary.md' | grep -q '^# .*?\$'"
done

e2e_finish
