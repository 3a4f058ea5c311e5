#!/usr/bin/env bash
# End-to-end: the GIL probe in real cells, on every runtime of the build, and
# `gillab calibrate`. Usage: e2e_probe.sh BUILD_DIR
#
# The bounds are generous on purpose: the VMs this runs on are noisy, and the
# accuracy targets (2 %) are checked by `gillab calibrate` itself, whose
# figures go into the issue notes, not by this test.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/e2e_lib.sh"
build=${1:?usage: e2e_probe.sh BUILD_DIR}
gillab="$build/gillab"

"$gillab" list --runtimes | tail -n +2 >"$tmp/runtimes"
while read -r tag _ kind _; do
  out="$tmp/run-$tag"
  "$gillab" run -w cpu.primes -m threads -n 2 -r 1 --size 0.3 --runtime "$tag" \
    -o "$out" -q >/dev/null 2>&1
  cell='[.[] | select(.type == "cell" and .workers == 2)][0]'
  if [ "$kind" = free-threaded ]; then
    check "$tag: the probe reports the GIL disabled and no waits" jqtrue "$out/results.jsonl" \
      "$cell | .gil.enabled == false and .gil.probe == true and .gil.waits == 0 and .gil.held_frac == 0"
  else
    check "$tag: two CPU-bound threads wait for the GIL, which is held all the time" jqtrue "$out/results.jsonl" \
      "$cell | .gil.waits > 10 and .gil.switches > 10 and .gil.held_frac > 0.8 and .gil.acq_us.p50 > 100"
    check "$tag: per thread, GIL wait and blocked time agree (within 30 %)" jqtrue "$out/results.jsonl" \
      "$cell | .gil.per_thread | length == 2 and all(.wait_s > 0 and ((.blocked_s - .wait_s) | fabs) < 0.3 * .wait_s)"
    check "$tag: each thread waits about half the time" jqtrue "$out/results.jsonl" \
      "$cell | .gil.per_thread | all(.wait_s > 0.2 * .span_s and .wait_s < 0.8 * .span_s)"
  fi
done <"$tmp/runtimes"

"$gillab" run -w cpu.primes -m threads -n 2 -r 1 --size 0.2 --no-gil-probe \
  -o "$tmp/off" -q >/dev/null 2>&1
check "--no-gil-probe: no GIL figures, the time split stays" jqtrue "$tmp/off/results.jsonl" \
  '[.[] | select(.type == "cell" and .workers == 2)][0] | .gil.probe == false and (.gil | has("wait_s") | not) and (.per_worker[0] | has("cpu_s"))'

"$gillab" run -w cpu.primes -m threads -n 2 -r 1 --size 0.2 \
  --switch-interval 1ms,20ms -o "$tmp/si" -q >/dev/null 2>&1
check "--switch-interval: acquisition latency follows the interval" jqtrue "$tmp/si/results.jsonl" \
  '[.[] | select(.type == "cell" and .workers == 2)] | (.[0].applied.switch_interval_s == 0.001 and .[1].applied.switch_interval_s == 0.02 and .[0].gil.acq_us.p50 < 3000 and .[1].gil.acq_us.p50 > 15000)'

"$gillab" calibrate --json --pairs 1 --size 0.2 -q >"$tmp/cal.json" 2>"$tmp/cal.err"
check "calibrate --json runs" test $? -eq 0
check "calibrate (a): hold_gil within 10 %" jqone "$tmp/cal.json" \
  '.experiments[] | select(.name == "hold_gil") | (.error_pct | fabs) < 10'
# With other load on the CPUs (other tests beside this one), CPU-bound
# threads also sit in the run queue between dropping the GIL and asking for
# it again, which is no GIL wait: the measured wait may then fall short of
# (N-1)/N by up to that run-queue time (seen: 30 % short at a load of 2.7).
check "calibrate (b): CPU-bound threads, GIL held, waits within 30 % (less the run queue)" jqone "$tmp/cal.json" \
  '[.experiments[] | select(.name | startswith("cpu_bound"))] | length == 2 and all(.held_frac > 0.8 and .measured_s < 1.3 * .truth_s and .measured_s + .runq_s > 0.7 * .truth_s)'
check "calibrate (c): sleepers wait under 2 % of their time" jqone "$tmp/cal.json" \
  '.experiments[] | select(.name == "sleepers_4_threads") | .truth_s == 0 and .error_pct < 2'
# The overhead's value is the benchmark's business (this VM's noise alone
# moves single pairs by 2x); the test checks that both series and their A/A
# controls were measured.
check "calibrate: overhead series and A/A controls for 1 and 4 threads" jqone "$tmp/cal.json" \
  '.overhead | length == 2 and all(.ratio > 0 and .control_ratio > 0 and .q1 <= .q3 and .pairs == 1)'
check "calibrate: no instruction counts unless asked" jqone "$tmp/cal.json" \
  '.overhead | all(has("instr_ratio") | not)'
# --instructions (valgrind; scripts/bootstrap --for-bench installs it): the
# counts are there, and the same run counted twice agrees within 1 %.
if command -v valgrind >/dev/null; then
  "$gillab" calibrate --json --pairs 1 --size 0.05 --instructions -q >"$tmp/cali.json" 2>"$tmp/cali.err"
  check "calibrate --instructions runs" test $? -eq 0
  check "calibrate --instructions: counts, ratios and A/A for 1 and 4 threads" jqone "$tmp/cali.json" \
    '.overhead | length == 2 and all(.instr_off > 1e7 and .instr_on > 1e7 and (.instr_ratio - 1 | fabs) < 0.1 and (.instr_control_ratio - 1 | fabs) < 0.01)'
  check "calibrate --instructions: the contended run counted GIL waits" jqone "$tmp/cali.json" \
    '.overhead[] | select(.name == "4_contended_threads") | .instr_waits > 0 and .instr_per_wait != null'
fi

e2e_finish
