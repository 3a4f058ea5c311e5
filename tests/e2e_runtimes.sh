#!/usr/bin/env bash
# End-to-end over the runtimes of this build: each cell runs in the runner of
# its runtime, one record per runtime, the metadata describes every runtime.
# Usage: e2e_runtimes.sh BUILD_DIR [free-threaded]
# With "free-threaded": the checks of a free-threaded runtime, or exit 77
# (ctest: skipped) when the build has none.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/e2e_lib.sh"
build=${1:?usage: e2e_runtimes.sh BUILD_DIR [free-threaded]}
gillab="$build/gillab"

# runtime lines: TAG VERSION GIL|free-threaded RUNNER
"$gillab" list --runtimes | tail -n +2 >"$tmp/runtimes"
ntags=$(wc -l <"$tmp/runtimes")

if [ "${2:-}" = free-threaded ]; then
  ft=$(awk '$3 == "free-threaded" { print $1; exit }' "$tmp/runtimes")
  if [ -z "$ft" ]; then
    echo "skipped: this build has no free-threaded runtime (scripts/get-python 3.13t, then scripts/bootstrap --pythons auto)"
    exit 77
  fi
  "$gillab" run -w cpu.primes -m threads -n 1,2 -r 1 --size 0.05 \
    --runtime "$ft" -o "$tmp/ft" -q >/dev/null 2>&1
  check "free-threaded $ft: cells ran" jqtrue "$tmp/ft/results.jsonl" \
    '[.[] | select(.type == "cell")] | length == 2 and all(.status == "ok")'
  check "free-threaded $ft: the GIL is disabled in the cell" jqtrue "$tmp/ft/results.jsonl" \
    '[.[] | select(.type == "cell")] | all(.gil.enabled == false and .gil.free_threaded_build == true and .gil.reenabled == false and .python.free_threaded == true)'
  check "free-threaded $ft: the metadata says free-threaded" jqtrue "$tmp/ft/results.jsonl" \
    '.[0].runtimes[0].free_threaded == true and .[0].runtimes[0].gil_enabled == false'
  e2e_finish
  exit
fi

"$gillab" run -w cpu.primes -m threads,native-threads -n 1 -r 1 --size 0.05 \
  --runtime all -o "$tmp/all" -q >/dev/null 2>&1
res="$tmp/all/results.jsonl"
check "one threads record per runtime ($ntags)" jqtrue "$res" \
  "[.[] | select(.model == \"threads\" and .status == \"ok\")] | length == $ntags"
check "native cells run once, as runtime native" jqtrue "$res" \
  '[.[] | select(.model == "native-threads")] | length == 1 and .[0].runtime == "native"'
check "the metadata describes every runtime with its build flags" jqtrue "$res" \
  ".[0].runtimes | length == $ntags and all(has(\"config_args\") and has(\"version\") and has(\"runner\"))"
while read -r tag version _ runner; do
  runner=${runner% (default)}
  check "runtime $tag runs in its own runner ($version)" jqtrue "$res" \
    "[.[] | select(.model == \"threads\" and .runtime == \"$tag\")] | length == 1 and .[0].python.version == \"$version\" and .[0].python.executable == \"$runner\""
done <"$tmp/runtimes"
rows_ok() { # each runtime has its row in the throughput and speedup tables
  local tag
  for tag in $(awk '{ print $1 }' "$tmp/runtimes"); do
    [ "$(grep -c "^| $tag | threads | none |" "$tmp/all/summary.md")" -ge 2 ] || return 1
  done
}
check "summary.md has a row per runtime" rows_ok
if [ "$ntags" -gt 1 ]; then
  check "summary.md sets the runtimes side by side" \
    grep -q "^## Runtimes side by side" "$tmp/all/summary.md"
  check "summary.md has each workload's throughput by runtime" \
    grep -q "^### Throughput by runtime" "$tmp/all/summary.md"
fi
first=$(head -n 1 "$tmp/runtimes" | awk '{ print $1 }')
"$gillab" run -w cpu.primes -m threads -n 1 -r 1 --size 0.05 -o "$tmp/def" -q >/dev/null 2>&1
check "the default runtime is the build's first ($first)" jqtrue "$tmp/def/results.jsonl" \
  "[.[] | select(.type == \"cell\")] | .[0].runtime == \"$first\""
"$gillab" run --runtime "$first,nope" -o "$tmp/bad" >/dev/null 2>"$tmp/err"; rc=$?
check "an unknown runtime is refused, naming the available ones" \
  test $rc -eq 2 -a -n "$(grep "available: $first" "$tmp/err")"
e2e_finish
