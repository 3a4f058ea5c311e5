#!/usr/bin/env bash
# End-to-end: `gillab run` for real (runner processes, threads, pinning),
# checked on results.jsonl with jq. Usage: e2e_run.sh BUILD_DIR
#
# Timing-dependent checks use generous bounds: the VMs this runs on are
# noisy, and these tests are about behaviour, not speed.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/e2e_lib.sh"
build=${1:?usage: e2e_run.sh BUILD_DIR}
gillab="$build/gillab"

# 1. A crashing workload is a failed cell; the other cells complete.
run="$tmp/run"
"$gillab" run -w cpu.primes,debug.crash -m threads,native-threads -n 1,2 \
  -r 1 --size 0.1 -o "$run" -q >"$tmp/run.out" 2>"$tmp/run.err"
check "run exits 0 although cells crashed" test $? -eq 0
res="$run/results.jsonl"
check "first record is the metadata" jqtrue "$res" \
  '.[0].type == "meta" and .[0].machine.pus >= 1 and (.[0].runtimes[0].version | length > 0) and (.[0].command | test("debug.crash"))'
check "one record per cell" jqtrue "$res" '[.[] | select(.type == "cell")] | length == 8'
check "crashed cells are failed, with the signal and stderr tail" jqtrue "$res" \
  '[.[] | select(.workload == "debug.crash")] | length == 4 and all(.status == "failed" and (.error | test("signal 6")) and has("stderr_tail"))'
check "cpu.primes cells are measured" jqtrue "$res" \
  '[.[] | select(.workload == "cpu.primes")] | length == 4 and all(.status == "ok" and .error == null and .ops == .units and .throughput > 0 and .wall_s > 0 and (.cpus_seen | length >= 1))'
check "record fields present" jqtrue "$res" \
  '[.[] | select(.type == "cell" and .status == "ok")] | all(has("workload","model","workers","placement","runtime","rep","status","error","ops","wall_s","throughput","speedup","cpus_seen"))'
check "speedup of 1 worker is 1" jqtrue "$res" \
  '[.[] | select(.workload == "cpu.primes" and .workers == 1)] | all(.speedup == 1)'
check "Python cells say their runtime" jqtrue "$res" \
  '[.[] | select(.model == "threads" and .status == "ok")] | all(.python.gil_enabled == true and (.runtime | length > 0))'
check "summary.md has the tables and the failures" \
  grep -q "Cells not measured" "$run/summary.md"
check "summary.md names the workload" grep -q "## cpu.primes" "$run/summary.md"
check "run prints where the results are" grep -q "results: $run/results.jsonl" "$tmp/run.out"

# 2. A hanging cell times out, is killed, and the run goes on.
"$gillab" run -w debug.hang,cpu.primes -m native-threads -n 1 -r 1 --size 0.05 \
  --timeout 1 -o "$tmp/hang" -q >/dev/null 2>&1
check "hang is a timeout, then the next cell runs" jqtrue "$tmp/hang/results.jsonl" \
  '(.[1].status == "timeout" and .[1].elapsed_s < 10) and .[2].status == "ok"'

# 3. The twins compute the same answer for the same work.
runner=$(ls "$build"/gillab-runner-* | head -n 1)
cell='"workload":"cpu.primes","workers":2,"units":20000,"sets":["",""]'
py=$("$runner" --cell "{$cell,\"model\":\"threads\"}" | jq .answer)
c=$("$runner" --cell "{$cell,\"model\":\"native-threads\"}" | jq .answer)
check "Python and C twins agree ($py primes)" test -n "$py" -a "$py" = "$c" -a "$py" != 0
cp=$("$runner" --cell "{$cell,\"model\":\"native-procs\"}" | jq .answer)
ap=$("$runner" --cell "{$cell,\"model\":\"asyncio\"}" | jq -c '[.answer, (.workers | length)]')
check "asyncio: the same answer, two tasks on one thread ($ap)" test "$ap" = "[$py,1]"
check "native-procs computes the same answer ($cp)" test "$cp" = "$c"

# processes: every start method, workers bound and adopted, crash reported.
"$gillab" run -w cpu.primes,debug.crash -m processes -n 1,2 -p compact -r 1 \
  --start-method fork,spawn,forkserver --size 0.05 -o "$tmp/mp" -q >/dev/null 2>&1
check "processes: each start method measures, workers bound and their CPU time gathered" \
  jqtrue "$tmp/mp/results.jsonl" \
  '[.[] | select(.workload == "cpu.primes")] | length == 6 and (map(.start_method) | unique == ["fork", "forkserver", "spawn"]) and all(.applied.start_method == .start_method and .status == "ok" and .placement_ok == true and (.per_worker | length) == .workers and (.per_worker | all(.cpu_s > 0)) and .gil.per_process == true)'
check "processes: the same answer as the C twin" jqtrue "$tmp/mp/results.jsonl" \
  '[.[] | select(.workload == "cpu.primes") | .answer] | unique | length == 1'
check "processes: a worker process that dies fails its cell" jqtrue "$tmp/mp/results.jsonl" \
  '[.[] | select(.workload == "debug.crash")] | length == 6 and all(.status == "failed" and (.error | test("died without a report")))'

# native-procs: worker processes, bound, crash and hang handled.
"$gillab" run -w cpu.primes,debug.crash -m native-procs -n 1,2 -p compact -r 1 \
  --size 0.05 -o "$tmp/procs" -q >/dev/null 2>&1
check "native-procs measures, each worker a process bound where planned" \
  jqtrue "$tmp/procs/results.jsonl" \
  '[.[] | select(.workload == "cpu.primes")] | length == 2 and all(.status == "ok" and .placement_ok == true and (.per_worker | all(.cpu_s > 0)))'
check "a crashing worker process fails its cell, saying how it died" \
  jqtrue "$tmp/procs/results.jsonl" \
  '[.[] | select(.workload == "debug.crash")] | length == 2 and all(.status == "failed" and (.error | test("worker process 0 .*signal 6")))'
"$gillab" run -w debug.hang -m native-procs -n 2 -r 1 --timeout 1 \
  -o "$tmp/prochang" -q >/dev/null 2>&1
sleep 0.2
check "a hanging native-procs cell times out and leaves no process behind" \
  test "$(jq -s '.[1].status' "$tmp/prochang/results.jsonl")" = '"timeout"' \
  -a -z "$(pgrep -f 'debug.hang' || true)"

# 4. Placement: compact binds each worker where planned, and it stays there.
"$gillab" run -w cpu.primes -m native-threads,threads -n 1,2 -p compact -r 1 \
  --size 0.05 -o "$tmp/place" -q >/dev/null 2>&1
check "compact binds workers to the planned PUs" jqtrue "$tmp/place/results.jsonl" \
  '[.[] | select(.type == "cell")] | length == 4 and all(.status == "ok" and (.per_worker | all(.bound != "" and (.cpus_seen == [.bound | tonumber]))))'

"$gillab" run -w cpu.primes -m native-threads,threads -n 2 -p one-core -r 1 \
  --size 0.05 -o "$tmp/onecore" -q >/dev/null 2>&1
check "one-core confines every worker to one PU, and says the placement held" \
  jqtrue "$tmp/onecore/results.jsonl" \
  '[.[] | select(.type == "cell" and .workers == 2)] | length == 2 and all(.placement_ok == true and (.cpus_seen | length == 1) and (.per_worker | map(.bound) | unique | length == 1))'
check "placement none has no placement to hold (placement_ok null)" jqtrue "$res" \
  '[.[] | select(.workload == "cpu.primes")] | all(.placement_ok == null)'

# 5. Bad input: clear errors, exit 2, nothing lost.
"$gillab" run -w nope >/dev/null 2>"$tmp/err"; rc=$?
check "unknown workload exits 2 and says where to look" \
  test $rc -eq 2 -a -n "$(grep 'gillab list' "$tmp/err")"
"$gillab" run --bogus >/dev/null 2>"$tmp/err"; rc=$?
check "unknown option exits 2" test $rc -eq 2
"$gillab" run --runtime 9.9 -o "$tmp/rt" >/dev/null 2>"$tmp/err"; rc=$?
check "missing runtime exits 2 and lists the available ones" \
  test $rc -eq 2 -a -n "$(grep 'available:' "$tmp/err")"
before=$(md5sum <"$res")
"$gillab" run -o "$run" -q >/dev/null 2>"$tmp/err"; rc=$?
check "an existing results directory is refused and left intact" \
  test $rc -eq 1 -a "$(md5sum <"$res")" = "$before" -a -n "$(grep 'already exists' "$tmp/err")"
"$gillab" nope >/dev/null 2>&1; rc=$?
check "unknown command exits 2" test $rc -eq 2
for cmd in run list topo report version help; do
  check "$cmd --help" quiet "$gillab" "$cmd" --help
done
check "report remakes summary.md" quiet "$gillab" report "$run"
check "topo plans a synthetic machine" \
  test "$("$gillab" topo --synthetic 'pack:2 core:8 pu:2' --plan scatter -n 4 | tail -n 1)" = "scatter  4 workers -> PU 0 16 2 18"

e2e_finish
