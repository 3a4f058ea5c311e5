#!/usr/bin/env bash
# End-to-end: `gillab run --resume DIR` completes a killed run. Usage:
# e2e_resume.sh BUILD_DIR
#
# 1. A 40-cell run killed with SIGKILL while a cell runs: no runner (nor
#    anything it started) survives gillab; the report of the directory
#    says the run is incomplete, lists what is missing and counts the
#    repetitions measured, not the ones asked for.
# 2. `gillab run --resume DIR`: every cell of the plan present exactly
#    once (by seq and by key), the cells recorded before kept as they
#    were, the summary complete.
# 3. Refused, with the reason: another spec, another gillab build, a
#    directory without a plan; a torn last line is cut off first; a
#    complete run resumed runs nothing.
# 4. A shard (--shard auto in a fake Slurm array) killed with SIGKILL and
#    resumed without the array's variables: every cell of its plan once;
#    the other shard run, both merged: every cell of the matrix once.
#    Refused, saying why: the shard resumed as another, a merge resumed,
#    a merge into a directory that holds a results file or other files;
#    the merge leaves no temporary file.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/e2e_lib.sh"
build=${1:?usage: e2e_resume.sh BUILD_DIR}
gillab="$build/gillab"

# The processes below pid (children, grandchildren, ...).
descendants() {
  local p
  for p in $(pgrep -P "$1"); do
    echo "$p"
    descendants "$p"
  done
}

# 1. Killed in the middle.
dir="$tmp/run"
"$gillab" run -w cpu.primes -m native-threads,threads -n 1,2 -p none,compact \
  -r 5 --size 0.1 -q -o "$dir" >/dev/null 2>"$tmp/run.err" &
pid=$!
# Until some cells are recorded and one is running.
kids=""
for _ in $(seq 400); do
  n=$(($(cat "$dir/results.jsonl" 2>/dev/null | wc -l) - 1))
  kids=$(descendants "$pid")
  [ "$n" -ge 10 ] && [ -n "$kids" ] && break
  sleep 0.05
done
kill -KILL "$pid"
{ wait "$pid"; } 2>/dev/null
before=$(($(wc -l <"$dir/results.jsonl") - 1))
check "killed with SIGKILL after $before cells, with a cell running" \
  test "$before" -ge 10 -a "$before" -lt 40 -a -n "$kids"
sleep 0.5
alive=""
# Alive: present and not a zombie (a dead process that PID 1 of a
# container may never reap).
for k in $kids; do
  st=$(awk '{print $3}' "/proc/$k/stat" 2>/dev/null)
  [ -n "$st" ] && [ "$st" != Z ] && alive="$alive $k"
done
check "no runner survived gillab (was:$(echo $kids | tr '\n' ' '))" test -z "$alive"
"$gillab" report "$dir" >/dev/null 2>&1
check "its summary says the run is incomplete" \
  grep -q "^\*\*Incomplete run\*\*: $before of the 40 cells it planned were recorded" "$dir/summary.md"
check "... lists what is missing (repetition 5 whole)" \
  grep -q '^- repetition 5: all its 8 cells' "$dir/summary.md"
check "... and counts the repetitions measured, not the 5 asked for" \
  grep -q 'median of its cell.s repetitions, [0-9] to [0-9] (the run asked for 5; it was cut short)' "$dir/summary.md"
cp "$dir/results.jsonl" "$tmp/before.jsonl"

# 2. Resumed.
"$gillab" run --resume "$dir" >"$tmp/resume.out" 2>"$tmp/resume.err"
check "run --resume exits 0" test $? -eq 0
check "... saying what it kept" grep -q "resuming .*: $before of its 40 cells recorded, $((40 - before)) to run" "$tmp/resume.err"
check "every cell of the plan present exactly once (seq 0..39)" \
  jqtrue "$dir/results.jsonl" '[.[] | select(.type == "cell") | .seq] | sort == [range(40)]'
check "... and by key (workload, model, runtime, placement, workers, rep)" \
  jqtrue "$dir/results.jsonl" '[.[] | select(.type == "cell") | [.workload, .model, .runtime, .placement, .workers, .rep]] | (unique | length) == 40 and length == 40'
check "one metadata line" jqtrue "$dir/results.jsonl" '[.[] | select(.type == "meta")] | length == 1'
check "the cells recorded before kept as they were" \
  cmp -s "$tmp/before.jsonl" <(head -n $((before + 1)) "$dir/results.jsonl")
check "every cell measured" jqtrue "$dir/results.jsonl" '[.[] | select(.type == "cell") | .status] | all(. == "ok")'
check "every 2-worker cell has its speedup" \
  jqtrue "$dir/results.jsonl" '[.[] | select(.type == "cell" and .workers == 2) | .speedup] | all(type == "number")'
check "the summary is complete, of 5 repetitions" \
  bash -c "! grep -q 'Incomplete' '$dir/summary.md' && grep -q 'median of 5 repetitions' '$dir/summary.md'"

# 3. Refusals and edge cases.
again() { # a copy of the run with its metadata changed by jq filter $2
  mkdir -p "$tmp/$1"
  { head -1 "$dir/results.jsonl" | jq -c "$2"; sed -n '2,5p' "$dir/results.jsonl"; } \
    >"$tmp/$1/results.jsonl"
}
again spec '.spec_sha256 = "0000"'
"$gillab" run --resume "$tmp/spec" >/dev/null 2>"$tmp/spec.err"
check "resume of another spec refused (exit 1)" test $? -eq 1
check "... saying why" grep -q 'its spec (sha256 0000) is not this one' "$tmp/spec.err"
check "... nothing appended" test "$(wc -l <"$tmp/spec/results.jsonl")" -eq 5
again git '.gillab.git = "deadbeef"'
"$gillab" run --resume "$tmp/git" >/dev/null 2>"$tmp/git.err"
check "resume by another gillab build refused (exit 1)" test $? -eq 1
check "... saying why" grep -q 'it was run by gillab .* (git deadbeef)' "$tmp/git.err"
again old 'del(.plan)'
"$gillab" run --resume "$tmp/old" >/dev/null 2>"$tmp/old.err"
check "resume of a run without a plan refused, saying why" \
  grep -q 'no plan' "$tmp/old.err"
"$gillab" run --resume "$tmp/nosuch" >/dev/null 2>"$tmp/nosuch.err"
check "resume of a missing directory: exit 1" test $? -eq 1
"$gillab" run --resume "$dir" -r 2 >/dev/null 2>&1
check "--resume with other options: usage (exit 2)" test $? -eq 2
again torn '.'
printf '{"type":"cell","workload":"cpu.pri' >>"$tmp/torn/results.jsonl"
"$gillab" run --resume "$tmp/torn" >/dev/null 2>"$tmp/torn.err"
check "a torn last line is cut off before resuming" \
  grep -q 'the last line is incomplete .*removed before resuming' "$tmp/torn.err"
check "... and the run completed: 40 cells, each once" \
  jqtrue "$tmp/torn/results.jsonl" '[.[] | select(.type == "cell") | .seq] | sort == [range(40)]'
lines=$(wc -l <"$dir/results.jsonl")
"$gillab" run --resume "$dir" >/dev/null 2>"$tmp/done.err"
check "a complete run resumed runs nothing (exit 0)" \
  test $? -eq 0 -a "$(wc -l <"$dir/results.jsonl")" -eq "$lines"

# 4. A shard resumed, then merged.
sh="$tmp/shards"
opts=(-w cpu.primes -m native-threads,threads -n 1,2 -p none,compact -r 3
  --size 0.05 -q -o "$sh")
SLURM_ARRAY_JOB_ID=77 SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_MIN=0 \
  SLURM_ARRAY_TASK_MAX=1 SLURM_ARRAY_TASK_COUNT=2 \
  "$gillab" run "${opts[@]}" --shard auto >/dev/null 2>&1 &
pid=$!
one="$sh/slurm-77/shard-1-of-2"
for _ in $(seq 400); do
  [ "$(cat "$one/results.jsonl" 2>/dev/null | wc -l)" -ge 4 ] && break
  sleep 0.025
done
kill -KILL "$pid"
wait "$pid" 2>/dev/null
due=$(head -1 "$one/results.jsonl" | jq .shard.cells)
had=$(($(wc -l <"$one/results.jsonl") - 1))
check "a shard killed after $had of its $due cells" test "$had" -lt "$due"
"$gillab" run --resume "$one" --shard 0/2 >/dev/null 2>"$tmp/sh-other.err"
check "... resumed as another shard: refused (exit 1)" test $? -eq 1
check "... saying why" grep -q 'it is shard 1 of 2, not 0 of 2' "$tmp/sh-other.err"
env -u SLURM_ARRAY_TASK_ID "$gillab" run --resume "$one" >/dev/null 2>"$tmp/sh.err"
check "run --resume of the shard (--shard auto, no Slurm variables now) exits 0" \
  test $? -eq 0
check "... every cell of its plan once" \
  jqtrue "$one/results.jsonl" "[.[] | select(.type == \"cell\") | .seq] | sort == [range($due)]"
"$gillab" run "${opts[@]}" --shard 0/2 --run-id slurm-77 >/dev/null 2>&1
"$gillab" merge "$tmp/merged" "$sh/slurm-77/shard-0-of-2" "$one" >/dev/null 2>"$tmp/merge.err"
check "the two shards merged (exit $?)" test -s "$tmp/merged/summary.md"
check "... every cell of the matrix once (24: key and repetition)" \
  jqtrue "$tmp/merged/results.jsonl" '[.[] | select(.type == "cell") | [.workload, .model, .placement, .workers, .rep]] | (unique | length) == 24 and length == 24'
check "... no temporary file left" \
  test -z "$(find "$tmp/merged" -name '.*.tmp-*')"
"$gillab" run --resume "$tmp/merged" >/dev/null 2>"$tmp/m-resume.err"
check "resume of a merge refused (exit 1), saying to resume the shards" \
  bash -c "[ $? = 1 ] && grep -q 'it is a merge of shards: resume each shard' '$tmp/m-resume.err'"
cp "$tmp/merged/results.jsonl" "$tmp/merged.jsonl"
"$gillab" merge "$tmp/merged" "$sh/slurm-77/shard-0-of-2" "$one" >/dev/null 2>"$tmp/m-again.err"
check "merge over a results file refused (exit 1), it untouched" \
  bash -c "[ $? = 1 ] && grep -q 'already exists' '$tmp/m-again.err' && cmp -s '$tmp/merged.jsonl' '$tmp/merged/results.jsonl'"
mkdir -p "$tmp/other"
echo mine >"$tmp/other/summary.md"
"$gillab" merge "$tmp/other" "$sh/slurm-77/shard-0-of-2" "$one" >/dev/null 2>"$tmp/m-other.err"
check "merge into a directory of other files refused (exit 1), saying why" \
  bash -c "[ $? = 1 ] && grep -q 'holds files and no results.jsonl' '$tmp/m-other.err'"
check "... its files untouched, nothing added" \
  test "$(cat "$tmp/other/summary.md")" = mine -a "$(ls -A "$tmp/other")" = summary.md

e2e_finish
