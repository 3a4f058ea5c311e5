#!/usr/bin/env bash
# End-to-end: the subinterpreters model on every runtime of this build, and
# explicit hwloc locations. Usage: e2e_models.sh BUILD_DIR
#
# Subinterpreters have their own GIL from 3.12 and share the one GIL on
# 3.11; the record must say which. Without a 3.12+ runtime the own-GIL
# checks are skipped with a message (the test still passes: 3.11-only
# builds are legitimate). No timing is asserted: these are behaviour tests.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/e2e_lib.sh"
build=${1:?usage: e2e_models.sh BUILD_DIR}
gillab="$build/gillab"

"$gillab" list --runtimes | tail -n +2 >"$tmp/runtimes"
"$gillab" run -w cpu.primes -m subinterpreters,threads -n 1,2 -r 1 \
  --size 0.05 -p compact --runtime all -o "$tmp/si" -q >/dev/null 2>&1
res="$tmp/si/results.jsonl"
answer=$(jq -s '[.[] | select(.model == "threads" and .workers == 2)][0].answer' "$res")
own=0
while read -r tag version kind _; do
  major_minor=$(echo "$version" | awk -F. '{ print $1 * 100 + $2 }')
  sel="[.[] | select(.model == \"subinterpreters\" and .runtime == \"$tag\")]"
  check "subinterpreters on $tag: 1 and 2 workers ran, bound, same answer as threads ($answer)" \
    jqtrue "$res" "$sel | length == 2 and all(.status == \"ok\" and .placement_ok == true and .answer == $answer and (.per_worker | length) == .workers and (.per_worker | all(.cpu_s > 0)))"
  if [ "$major_minor" -ge 312 ]; then
    own=1
    check "subinterpreters on $tag: one GIL per interpreter, each watched" \
      jqtrue "$res" "$sel | all(.interpreters == \"own GIL\" and .gil.own_gil == true and .gil.gils_watched == .workers and .applied.gil_probe.gils_watched == .workers + 1 and (.applied.workers | all(.gil_probe.gil_watched)) and .gil.per_interpreter == true and .gil.held_frac == null)"
  else
    check "subinterpreters on $tag: the one GIL is shared, and its waits are counted" \
      jqtrue "$res" "$sel | all(.interpreters == \"shared GIL\" and .gil.own_gil == false) and (map(select(.workers == 2))[0].gil.waits >= 1)"
  fi
done <"$tmp/runtimes"
[ $own -eq 1 ] || echo "note: no CPython 3.12+ in this build; own-GIL subinterpreters not tested (scripts/get-python 3.13)"

# Fresh workers (processes, subinterpreters) of a CPU workload warm up
# untimed first; --worker-warmup 0 times their first touches too. What the
# workers measured around their warm-up (`applied`, e2e_applied.sh): at
# least the time asked for, and not 1 s more (a slice of work over).
check "subinterpreters of cpu.primes warmed up 0.2 s (the default), threads not" \
  jqtrue "$res" '[.[] | select(.type == "cell" and .status == "ok")] | all(.applied.workers | length > 0) and all(if .model == "subinterpreters" then (.applied.workers | all(.warmup_s >= 0.2 and .warmup_s < 1)) else (.applied.workers | all(.warmup_s == 0)) end)'
"$gillab" run -w cpu.primes,io.sleep -m processes -n 2 -r 1 --size 0.05 \
  --worker-warmup 0.1 -o "$tmp/warm" -q >/dev/null 2>&1
check "processes: --worker-warmup sets the warm-up of CPU workloads only" \
  jqtrue "$tmp/warm/results.jsonl" '[.[] | select(.type == "cell")] | length == 4 and all(.status == "ok") and all(if .workload == "cpu.primes" then (.applied.workers | all(.warmup_s >= 0.1 and .warmup_s < 1)) else (.applied.workers | all(.warmup_s == 0)) end)'

# Explicit locations: worker i on the i-th object named (the plan), bound
# there (the CPUs it read back), and it stayed.
"$gillab" run -w cpu.primes -m native-threads,threads -n 2 -r 1 --size 0.05 \
  -p 'pu:1,pu:0;core:0-1' -o "$tmp/loc" -q >/dev/null 2>&1
check "-p pu:1,pu:0 binds worker 0 to PU 1 and worker 1 to PU 0" \
  jqtrue "$tmp/loc/results.jsonl" \
  '[.[] | select(.placement == "pu:1,pu:0" and .workers == 2)] | length == 2 and all(.placement_ok == true and (.per_worker | map(.bound)) == ["1", "0"] and [.applied.workers[].cpus] == ["1", "0"])'
check "-p core:0-1 binds worker i to core i" jqtrue "$tmp/loc/results.jsonl" \
  '[.[] | select(.placement == "core:0-1" and .workers == 2)] | length == 2 and all(.placement_ok == true and (.per_worker | map(.bound)) == ["0", "1"] and [.applied.workers[].cpus] == (.per_worker | map(.bound)))'
"$gillab" run -p core:99 -o "$tmp/badloc" -q >/dev/null 2>"$tmp/err"; rc=$?
check "a location beyond the machine exits 2 before any cell, saying why" \
  test $rc -eq 2 -a ! -e "$tmp/badloc" -a -n "$(grep "core:99" "$tmp/err")"
"$gillab" topo --plan core:0-1 -n 2 >"$tmp/topo"
check "topo --plan takes locations" grep -q '^core:0-1 2 workers -> PU 0 1' "$tmp/topo"

e2e_finish
