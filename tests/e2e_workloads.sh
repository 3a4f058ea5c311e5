#!/usr/bin/env bash
# End-to-end: the workload suite's CPU, GIL-releasing and simple I/O
# workloads (cpu.nbody, cpu.dicts, cpu.sha256, cpu.zlib, io.sleep, io.file)
# run under their models at 1 and 2 workers with sane figures, every C twin
# computes the Python version's answer, io.sleep scales to 200 waiters, and
# every record carries its core use. Usage: e2e_workloads.sh BUILD_DIR
#
# os.spawn and os.switch: section 7; mem.cow and mem.cow_freeze: section 8;
# os.spawn and os.switch under subinterpreters on every runtime of the
# build: section 9.
#
# Sizes are small (--size 0.05: ~60 ms of work per cell) to keep the test
# under a minute. Timing checks use bounds far from what this machine
# measures (see each), since the VM is shared and noisy; the checks are
# about behaviour, not speed.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/e2e_lib.sh"
build=${1:?usage: e2e_workloads.sh BUILD_DIR}
gillab="$build/gillab"
wls=cpu.nbody,cpu.dicts,cpu.sha256,cpu.zlib,io.sleep,io.file

# 1. gillab list shows them.
"$gillab" list >"$tmp/list"
for w in ${wls//,/ }; do
  check "gillab list shows $w" grep -q "$w" "$tmp/list"
done

# 2. Every workload under every model at 1 and 2 workers.
"$gillab" run -w "$wls" \
  -m threads,processes,asyncio,subinterpreters,native-threads,native-procs \
  -n 1,2 -r 1 --size 0.05 -o "$tmp/all" -q >/dev/null 2>&1
res="$tmp/all/results.jsonl"
check "72 cells, all measured" jqtrue "$res" \
  '[.[] | select(.type == "cell")] | length == 72 and all(.status == "ok")'
check "each cell did its units, in a positive time" jqtrue "$res" \
  '[.[] | select(.type == "cell")] | all(.ops == .units and .wall_s > 0 and .throughput > 0 and .answer > 0)'
check "io.sleep is weak-scaled: each worker sleeps the same number of times" \
  jqtrue "$res" \
  '[.[] | select(.workload == "io.sleep")] | all(.scaling == "weak") and (map(select(.workers == 2 and .model == "threads"))[0].units == 2 * map(select(.workers == 1 and .model == "threads"))[0].units)'
check "the other workloads are strong-scaled" jqtrue "$res" \
  '[.[] | select(.type == "cell" and .workload != "io.sleep")] | all(.scaling == "strong")'
# A 1 ms sleep takes at least 1 ms: an io.sleep cell with k sleeps per
# worker cannot be shorter than k ms.
check "io.sleep sleeps (wall >= sleeps per worker x 1 ms)" jqtrue "$res" \
  '[.[] | select(.workload == "io.sleep")] | all(.wall_s >= (.units / .workers) * 0.001)'
check "Python answers agree across models and worker counts" jqtrue "$res" \
  '[.[] | select(.runtime != "native")] | group_by([.workload, .units]) | all(map(.answer) | unique | length == 1)'
check "C answers agree across models and worker counts" jqtrue "$res" \
  '[.[] | select(.runtime == "native")] | group_by([.workload, .units]) | all(map(.answer) | unique | length == 1)'
check "io.file leaves no file behind" test -z "$(ls "${TMPDIR:-/tmp}"/gillab-io-file-* 2>/dev/null)"

# A runner killed at its timeout cannot remove its file; the next io.file
# cell removes the files of runners that are gone.
"$gillab" run -w io.file -m native-threads -n 1 -r 1 --size 1000 --timeout 1 \
  -o "$tmp/iotimeout" -q >/dev/null 2>&1
"$gillab" run -w io.file -m native-threads -n 1 -r 1 --size 0.01 \
  -o "$tmp/ioafter" -q >/dev/null 2>&1
check "io.file: a timed-out cell's file is removed by the next cell" \
  test "$(jq -s -c '[.[1].status, .[3].status]' "$tmp/iotimeout/results.jsonl" "$tmp/ioafter/results.jsonl")" = '["timeout","ok"]' \
  -a -z "$(ls "${TMPDIR:-/tmp}"/gillab-io-file-* 2>/dev/null)"

# 3. Core use in every record, Python and native.
check "cores: a busy fraction per CPU in [0, 1], CPU time, peak RSS" jqtrue "$res" \
  '(.[0].machine.pus) as $pus | [.[] | select(.type == "cell")] | all(.cores.busy | length == $pus and all(. == null or (. >= 0 and . <= 1))) and all(.cores.user_s >= 0 and .cores.sys_s >= 0 and .cores.maxrss_kb > 1000)'
# CPU-bound cells keep at least one CPU busy most of the region, whatever
# else the machine runs (0.5: generous; here they read 0.9 to 1).
check "cores: CPU-bound cells show a busy CPU and user time" jqtrue "$res" \
  '[.[] | select(.workload == "cpu.nbody" and .workers == 1)] | all((.cores.busy | max) > 0.5 and .cores.user_s > 0)'
# The worker processes' CPU time reaches the runner's rusage when they are
# reaped: it must cover what each worker measured of itself (schedstat).
check "cores: worker processes' CPU time counts (processes, native-procs)" jqtrue "$res" \
  '[.[] | select(.workload == "cpu.nbody" and (.model == "processes" or .model == "native-procs"))] | length == 4 and all(.cores.user_s + .cores.sys_s >= 0.9 * ([.per_worker[].cpu_s] | add))'

# 4. The twins: the same units give the same answer in Python and C.
runner=$(ls "$build"/gillab-runner-* | head -n 1)
for spec in cpu.nbody:60 cpu.dicts:3000 cpu.sha256:20 cpu.zlib:8 io.sleep:20 io.file:3000; do
  w=${spec%%:*} u=${spec#*:}
  cell="\"workload\":\"$w\",\"workers\":2,\"units\":$u,\"sets\":[\"\",\"\"]"
  py=$("$runner" --cell "{$cell,\"model\":\"threads\"}" | jq .answer)
  c=$("$runner" --cell "{$cell,\"model\":\"native-threads\"}" | jq .answer)
  check "$w: Python and C twins agree ($py)" test -n "$py" -a "$py" = "$c" -a "$py" != 0
  # Every runtime of the build, in subinterpreters (own GIL from 3.12,
  # where extension modules must support them) computes it too.
  for r in "$build"/gillab-runner-*; do
    a=$("$r" --cell "{$cell,\"model\":\"subinterpreters\"}" 2>"$tmp/si.err" | jq .answer)
    check "$w: ${r##*-} subinterpreters agree ($a)" test "$a" = "$py"
    # Seen once in a CI run (io.file, 3.12.1), never again in 400 tries:
    # say what the runner said, for the next time.
    [ "$a" = "$py" ] || { echo "  the runner's stderr:"; tail -20 "$tmp/si.err"; }
  done
done

# 5. io.sleep with 200 concurrent waiters: threads and asyncio complete at
# least 20x the sleeps per second of one waiter (the issue's bar; this VM
# measures 90-140x at --size 1, 200 sleeps per waiter here).
"$gillab" run -w io.sleep -m threads,asyncio -n 1,200 -r 1 --size 0.25 \
  -o "$tmp/sleep" -q >/dev/null 2>&1
check "io.sleep: threads and asyncio at 200 waiters >= 20x one waiter" \
  jqtrue "$tmp/sleep/results.jsonl" \
  '[.[] | select(.type == "cell" and .workers == 200)] | length == 2 and all(.status == "ok" and .speedup >= 20)'

# 6. cpu.sha256 releases the GIL: two threads hardly wait for it (a
# CPU-bound pure Python pair waits about half its time: wait_share ~0.5).
"$gillab" run -w cpu.sha256 -m threads -n 2 -r 1 --size 0.1 -o "$tmp/sha" -q \
  >/dev/null 2>&1
check "cpu.sha256: threads wait little for the GIL (wait_share < 0.2)" \
  jqtrue "$tmp/sha/results.jsonl" \
  '[.[] | select(.type == "cell" and .workers == 2)] | length == 1 and all(.status == "ok" and (.gil.enabled == false or .gil.wait_share < 0.2))'

# 7. os.spawn and os.switch (latency workloads: units are milliseconds of
# measuring, at least 5 creations or 1 round trip per worker) under every
# fitting model at 1 and 2 workers, bound (-p compact: two CPUs; one-core:
# one). Bounds are far from what this VM measures (creations 5 us to 50 ms,
# round trips 0.3 us to a few ms): they check behaviour, not speed;
# ./scripts/bench os measures the order of the creation costs.
"$gillab" run -w os.spawn,os.switch \
  -m threads,processes,asyncio,native-threads,native-procs -n 1,2 \
  -p compact -r 1 --size 0.03 --start-method fork -o "$tmp/os" -q >/dev/null 2>&1
"$gillab" run -w os.switch -m threads,native-threads -n 1,2 -p one-core -r 1 \
  --size 0.03 -o "$tmp/os1" -q >/dev/null 2>&1
res="$tmp/os/results.jsonl"
check "os.*: 20 cells, all measured, answer = ops (every result right)" jqtrue "$res" \
  '[.[] | select(.type == "cell")] | length == 20 and all(.status == "ok" and .answer == .ops and .ops > 0)'
check "os.spawn: each model creates its kind of worker" jqtrue "$res" \
  '[.[] | select(.workload == "os.spawn") | [.model, (.spawn.kinds | join(","))]] | unique == [["asyncio","task"],["native-procs","fork,posix_spawn"],["native-threads","pthread"],["processes","fork"],["threads","thread"]]'
check "os.spawn: >= 5 creations per kind, 0 < p50 <= p99 <= max < 10 s" jqtrue "$res" \
  '[.[] | select(.workload == "os.spawn") | .spawn as $s | $s.kinds[] | $s[.]] | all(.creations >= 5 and .first_us.p50 > 0 and .first_us.p50 <= .first_us.p99 and .first_us.p99 <= .first_us.max and .first_us.max < 1e7 and .join_us.p50 > 0 and .total_us.p50 >= .first_us.p50)'
# A process has memory of its own (its stack, page tables' worth of
# written pages: this VM measures 150 kB for cat, 4-7 MB for a Python
# child); a thread or task adds little to its process (0-16 kB here).
check "os.spawn: a created process's USS > 50 kB; a thread's or task's growth < 4 MB" jqtrue "$res" \
  '[.[] | select(.workload == "os.spawn") | .spawn as $s | $s.kinds[] | [., $s[.].mem.uss_kb.p50, $s[.].mem.samples]] | all(.[2] >= 1 and (if .[0] == "thread" or .[0] == "task" or .[0] == "pthread" then .[1] < 4096 else .[1] > 50 end))'
check "os.switch: each model's mechanisms; partner itself at 1 worker, another at 2" jqtrue "$res" \
  '[.[] | select(.workload == "os.switch") | [.model, .workers, .switch.partner, (.switch.kinds | join(","))]] | unique == [["asyncio",1,"itself","future"],["asyncio",2,"another worker","future"],["native-procs",1,"itself","futex,pipe"],["native-procs",2,"another worker","futex,pipe"],["native-threads",1,"itself","futex,condvar,pipe"],["native-threads",2,"another worker","futex,condvar,pipe"],["processes",1,"itself","pipe,mp_pipe"],["processes",2,"another worker","pipe,mp_pipe"],["threads",1,"itself","event,condition,queue,pipe"],["threads",2,"another worker","event,condition,queue,pipe"]]'
check "os.switch: round trips timed, 0 < p50 <= p99 < 1 s" jqtrue "$res" \
  '[.[] | select(.workload == "os.switch") | .switch as $s | $s.kinds[] | $s[.]] | all(.round_trips >= 1 and .rtt_us.p50 > 0 and .rtt_us.p50 <= .rtt_us.p99 and .rtt_us.p99 < 1e6)'
check "os.switch: the pair ran where the placement says (two CPUs; one)" jqtrue "$res" \
  '[.[] | select(.workload == "os.switch" and .workers == 2 and .model != "asyncio")] | length == 4 and all(.placement_ok and ([.per_worker[].cpus_seen[]] | unique | length == 2))'
check "os.switch -p one-core: both sides on one CPU" jqtrue "$tmp/os1/results.jsonl" \
  '[.[] | select(.type == "cell" and .workers == 2)] | length == 2 and all(.status == "ok" and .placement_ok and ([.per_worker[].cpus_seen[]] | unique | length == 1))'
"$gillab" report "$tmp/os" >/dev/null 2>&1
check "os.*: summary.md shows the creation latency table" \
  grep -q "### Creation latency" "$tmp/os/summary.md"
check "os.*: summary.md shows no speedup for them" \
  test "$(sed -n '/^## os.spawn/,$p' "$tmp/os/summary.md" | grep -c '### Speedup')" = 0
check "os.switch: the finding lists each hand-off" \
  grep -q "one hand-off (half a round trip, p50)" "$tmp/os/summary.md"
# report.html draws no speedup or throughput chart for a latency
# experiment (plots.c): each says why in its place, one per os.* workload.
check "os.*: report.html says why it draws no speedup or throughput chart" \
  test "$(grep -o 'not a scaling experiment (a latency experiment' "$tmp/os/report.html" | wc -l)" = 4

# 8. mem.cow and mem.cow_freeze on every runtime of the build, a small heap
# (--size 0.12: ~31 MB; ~0.6 s a cell), 2 workers (and 1, the baseline);
# spawn cells are skipped, saying why. The bounds on shares are far from
# what this VM measures (a collection un-shares 45-57 % of the heap without
# gc.freeze() and 0.4-0.8 % with it; reading 29-79 %; idle under 0.5 %),
# because how the heap's pages are laid out varies with the runtime and the
# allocator: the test checks that each phase does what it should, and
# ./scripts/bench cow reports the issue's figures at 256 MB.
"$gillab" run -w mem.cow,mem.cow_freeze -m processes -n 2 -r 1 --size 0.12 \
  --start-method fork,spawn --runtime all -o "$tmp/cow" -q >/dev/null 2>&1
res="$tmp/cow/results.jsonl"
nrt=$("$gillab" list --runtimes 2>/dev/null | grep -c '^ *[0-9]')
check "mem.cow: fork cells measured on each of the $nrt runtimes, spawn skipped saying why" jqtrue "$res" \
  "[.[] | select(.type == \"cell\")] | (map(select(.start_method == \"fork\" and .status == \"ok\")) | length == 4 * $nrt) and (map(select(.start_method == \"spawn\")) | length == 4 * $nrt and all(.status == \"skipped\" and (.error | test(\"needs the fork start method\"))))"
check "mem.cow: the heap as built (>= its units in MB), the freeze variant frozen" jqtrue "$res" \
  '[.[] | select(.type == "cell" and .status == "ok") | .cow] | all(.heap.rss_kb >= .heap.target_mb * 1024 and .heap.rss_kb < .heap.target_mb * 1024 * 3 and .heap.tracked > 0 and .heap.tracked < .heap.objects and (if .freeze then .heap.frozen >= .heap.tracked else .heap.frozen == 0 end))'
check "mem.cow: each child sampled start, idle, gc, read; every worker read every object" jqtrue "$res" \
  '[.[] | select(.type == "cell" and .status == "ok")] | all((.cow.children | length) == .workers and all(.cow.children[]; [.samples[].phase] == ["start", "idle", "gc", "read"]) and .ops == .workers * .cow.heap.objects)'
# Inherited, not rebuilt: at the start each child shares at least most of
# the heap with its parent (Shared_Clean + Shared_Dirty).
check "mem.cow: each child starts sharing the parent's heap" jqtrue "$res" \
  '[.[] | select(.type == "cell" and .status == "ok") | .cow as $c | $c.children[].samples[0] | .shared_clean_kb + .shared_dirty_kb >= 0.8 * $c.heap.rss_kb] | all'
check "mem.cow: idle un-shares < 5 % of the heap; reading > 5 %, frozen or not" jqtrue "$res" \
  '[.[] | select(.type == "cell" and .status == "ok") | .cow] | all(.idle.step_share < 0.05 and .read.step_share > 0.05 and .read.share >= .gc.share - 0.01)'
check "mem.cow: a collection un-shares > 5 % without gc.freeze(), less with it" jqtrue "$res" \
  '[.[] | select(.type == "cell" and .status == "ok")] | group_by([.runtime, .workers]) | all(length == 2 and (map(select(.workload == "mem.cow"))[0].cow.gc.step_share) as $a | (map(select(.workload == "mem.cow_freeze"))[0].cow.gc.step_share) as $b | $a > 0.05 and $b < $a)'
check "mem.cow: summary.md shows the copy-on-write table and finding, no speedup" \
  test "$(sed -n '/^## mem.cow$/,$p' "$tmp/cow/summary.md" | grep -c -e '### Copy-on-write' -e 'gc.freeze() cut what the collection un-shared')" -ge 2 \
  -a "$(sed -n '/^## mem.cow$/,$p' "$tmp/cow/summary.md" | grep -c '### Speedup')" = 0
# 9. os.spawn and os.switch under subinterpreters, on every runtime of the
# build: interpreters created through the runtime's internal module
# (_xxsubinterpreters below 3.13, _interpreters from 3.13), and a
# ping-pong through each cross-interpreter channel or queue it has
# (channels from 3.11, _interpqueues from 3.13), polled, which the record
# says. An interpreter adds its own allocator's pages from 3.12 (1.5 MB
# here), little on 3.11 (8 kB: the main obmalloc is shared); the bound
# below is on 3.12+ only. A runtime with no channel fails its os.switch
# cells saying so; it is reported here as skipped.
"$gillab" list --runtimes | tail -n +2 >"$tmp/runtimes"
"$gillab" run -w os.spawn,os.switch -m subinterpreters -n 1,2 -p compact -r 1 \
  --size 0.03 --runtime all -o "$tmp/ossi" -q >/dev/null 2>&1
"$gillab" run -w os.switch -m subinterpreters -n 2 -p one-core -r 1 \
  --size 0.03 --runtime all -o "$tmp/ossi1" -q >/dev/null 2>&1
res="$tmp/ossi/results.jsonl"
while read -r tag version _; do
  mm=$(echo "$version" | awk -F. '{ print $1 * 100 + $2 }')
  sp="[.[] | select(.type == \"cell\" and .runtime == \"$tag\" and .workload == \"os.spawn\")]"
  sw="[.[] | select(.type == \"cell\" and .runtime == \"$tag\" and .workload == \"os.switch\")]"
  if [ "$mm" -ge 313 ]; then api=_interpreters kinds='"channel","queue"'; else api=_xxsubinterpreters kinds='"channel"'; fi
  check "os.spawn, subinterpreters on $tag: interpreters created by $api, each first result right" jqtrue "$res" \
    "$sp | length == 2 and all(.status == \"ok\" and .answer == .ops and .spawn.kinds == [\"subinterpreter\"] and (.spawn.subinterpreter | .creations >= 5 and (.api | startswith(\"$api.create\")) and .first_us.p50 > 0 and .first_us.p50 <= .first_us.p99 and .first_us.max < 1e7 and .join_us.p50 > 0 and .mem.samples >= 1))"
  if [ "$mm" -ge 312 ]; then
    check "os.spawn, subinterpreters on $tag: the api says own GIL; an interpreter adds > 200 kB" jqtrue "$res" \
      "$sp | all(.spawn.subinterpreter | (.api | test(\"own\")) and .mem.uss_kb.p50 > 200)"
  fi
  if jq -e -s "$sw | any(.error // \"\" | test(\"has no cross-interpreter\"))" "$res" >/dev/null; then
    echo "skip os.switch, subinterpreters on $tag: the runtime has no cross-interpreter channel or queue"
    continue
  fi
  check "os.switch, subinterpreters on $tag: [$kinds], polled and saying so, partner itself at 1, another at 2" jqtrue "$res" \
    "$sw | length == 2 and all(.status == \"ok\" and .answer == .ops and .switch.kinds == [$kinds] and (.switch as \$s | \$s.kinds | all(\$s[.] | (.waits | startswith(\"polls\")) and .polls_per_round_trip >= 0 and .round_trips >= 1 and .rtt_us.p50 > 0 and .rtt_us.p50 <= .rtt_us.p99 and .rtt_us.p99 < 1e6))) and (map([.workers, .switch.partner]) | sort == [[1, \"itself\"], [2, \"another worker\"]])"
  check "os.switch, subinterpreters on $tag: the pair on two CPUs (compact), on one (one-core)" jqtrue "$res" \
    "$sw | map(select(.workers == 2)) | length == 1 and all(.placement_ok and ([.per_worker[].cpus_seen[]] | unique | length == 2))"
  check "os.switch, subinterpreters on $tag -p one-core: both interpreters on one CPU" jqtrue "$tmp/ossi1/results.jsonl" \
    "[.[] | select(.type == \"cell\" and .runtime == \"$tag\" and .workers == 2)] | length == 1 and all(.status == \"ok\" and .placement_ok and ([.per_worker[].cpus_seen[]] | unique | length == 1))"
done <"$tmp/runtimes"
"$gillab" report "$tmp/ossi" >/dev/null 2>&1
check "os.*, subinterpreters: summary.md's latency tables have their rows" \
  grep -q '| subinterpreters (.* GIL) | compact | channel |' "$tmp/ossi/summary.md"
check "os.switch, subinterpreters: the finding says the hand-off is polled" \
  grep -q 'polled' "$tmp/ossi/summary.md"

e2e_finish
