#!/usr/bin/env bash
# End-to-end: memory per worker (issue 15, point 4). Every cell record, of
# every model, carries `mem` (RSS, PSS and USS of the cell's process and of
# each worker process, from /proc/PID/smaps_rollup), and a threads cell's
# per-worker cost is well below a processes cell's; summary.md and
# results.csv show them. Usage: e2e_memory.sh BUILD_DIR
#
# Sizes are small (cpu.primes at --size 0.05: ~50 ms of work per cell).
# The bounds are far from what this machine measures, since they are about
# what a worker is, not about this VM: a forked worker process holds 5.9
# MiB of private memory here (pages copied as its reference counts are
# written, and its own allocations), a spawned one 7.9 MiB (an interpreter
# of its own), while a thread adds 0.04 to 0.08 MiB to the cell's process
# (its stack's touched pages and its thread state). The test asks for
# more than 1 MiB per process, less than 0.5 MiB per thread, and a ratio
# of at least 10 (this VM: about 100).
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/e2e_lib.sh"
build=${1:?usage: e2e_memory.sh BUILD_DIR}
gillab="$build/gillab"

# 1. Every model at 1 and 2 workers: every record has its memory.
"$gillab" run -w cpu.primes \
  -m threads,processes,asyncio,subinterpreters,native-threads,native-procs \
  --start-method fork,spawn -n 1,2 -r 1 --size 0.05 -o "$tmp/all" -q \
  >/dev/null 2>&1
res="$tmp/all/results.jsonl"
check "14 cells, all measured" jqtrue "$res" \
  '[.[] | select(.type == "cell")] | length == 14 and all(.status == "ok")'
check "every record has mem: the cell's process before, at peak and end" \
  jqtrue "$res" \
  '[.[] | select(.type == "cell") | .mem] | all(.source == "/proc/PID/smaps_rollup" and .cell.pid > 0 and .cell.samples >= 1 and .cell.rss_base_kb > 1000 and .cell.rss_peak_kb > 1000 and .cell.rss_end_kb > 1000 and .cell.uss_end_kb > 0 and .cell.pss_end_kb > 0)'
# A page counted in USS is in PSS, and one in PSS in RSS.
check "USS <= PSS <= RSS in every reading of the cell's process" jqtrue "$res" \
  '[.[] | select(.type == "cell") | .mem.cell] | all(.uss_peak_kb <= .pss_peak_kb and .pss_peak_kb <= .rss_peak_kb and .uss_end_kb <= .pss_end_kb and .pss_end_kb <= .rss_end_kb)'
check "every record says what each worker added (per_worker_kb)" jqtrue "$res" \
  '[.[] | select(.type == "cell") | .mem.per_worker_kb] | all((.uss | type) == "number" and (.pss | type) == "number" and (.rss | type) == "number")'
check "worker processes: one entry each, read at their end by themselves" \
  jqtrue "$res" \
  '[.[] | select(.type == "cell" and (.model == "processes" or .model == "native-procs"))] | length == 6 and all(. as $c | .mem.workers | length == $c.workers and all(.pid > 0 and .pid != $c.mem.cell.pid and .samples >= 1 and .uss_end_kb > 0 and .uss_end_kb <= .pss_end_kb and .pss_end_kb <= .rss_end_kb))'
# The pids the memory was read from are the workers' own, as each Python
# worker process said from inside itself (applied.workers[].pid).
check "worker processes: the pids read are the workers' (processes)" \
  jqtrue "$res" \
  '[.[] | select(.type == "cell" and .model == "processes")] | all(([.mem.workers[].pid] | sort) == ([.applied.workers[].pid] | sort))'
check "in-process models: no worker processes" jqtrue "$res" \
  '[.[] | select(.type == "cell" and .model != "processes" and .model != "native-procs")] | all(.mem.workers == [])'
# The total is the cell's process and its worker processes.
check "the total at the end adds the worker processes to the cell's" \
  jqtrue "$res" \
  '[.[] | select(.type == "cell")] | all(.mem.total.uss_end_kb == .mem.cell.uss_end_kb + ([.mem.workers[].uss_end_kb] | add // 0))'

# 2. Threads against processes, 3 repetitions each.
"$gillab" run -w cpu.primes -m threads,processes --start-method fork \
  -n 1,2 -r 3 --size 0.05 -o "$tmp/cmp" -q >/dev/null 2>&1
cmp="$tmp/cmp/results.jsonl"
check "12 cells, all measured" jqtrue "$cmp" \
  '[.[] | select(.type == "cell")] | length == 12 and all(.status == "ok")'
med='sort | .[length / 2 | floor]'
check "a thread adds < 0.5 MiB, a process > 1 MiB (USS, medians)" jqtrue "$cmp" \
  "([.[] | select(.model == \"threads\") | .mem.per_worker_kb.uss] | $med) < 512 and ([.[] | select(.model == \"processes\") | .mem.per_worker_kb.uss] | $med) > 1024"
check "a process's per-worker USS is at least 10x a thread's" jqtrue "$cmp" \
  "([.[] | select(.model == \"processes\") | .mem.per_worker_kb.uss] | $med) >= 10 * ([([.[] | select(.model == \"threads\") | .mem.per_worker_kb.uss] | $med), 1] | max)"
echo "  per-worker USS kB (threads, processes fork): $(jq -s -c "[([.[] | select(.model == \"threads\") | .mem.per_worker_kb.uss] | $med), ([.[] | select(.model == \"processes\") | .mem.per_worker_kb.uss] | $med)]" "$cmp")"

# 3. The reports: summary.md's tables and finding, results.csv's columns.
sum="$tmp/cmp/summary.md"
check "summary.md: the memory per worker tables" grep -q '^### Memory per worker' "$sum"
check "summary.md: the finding names threads and processes" \
  grep -q '^- processes fork (.*): [0-9.]* MiB USS, [0-9.]* MiB PSS (slope over 2 worker counts, 1 to 2)$' "$sum"
thr=$(sed -n 's/^- threads ([^)]*): \([-0-9.]*\) MiB USS.*/\1/p' "$sum")
pro=$(sed -n 's/^- processes fork ([^)]*): \([-0-9.]*\) MiB USS.*/\1/p' "$sum")
check "summary.md: the fitted cost of a process is above 1 MiB, a thread's below 0.5 ($thr, $pro)" \
  awk -v t="$thr" -v p="$pro" 'BEGIN { exit !(t != "" && p != "" && t < 0.5 && p > 1) }'
check "results.csv: mem columns, filled in every row" bash -c "
  f='$tmp/cmp/results.csv'
  h=\$(grep '^workload,' \"\$f\")
  col=\$(echo \"\$h\" | tr , '\n' | grep -nx mem_per_worker_uss_kb | cut -d: -f1)
  [ -n \"\$col\" ] && grep -v '^#' \"\$f\" | tail -n +2 | cut -d, -f\"\$col\" | grep -qvx '' &&
  ! grep -v '^#' \"\$f\" | tail -n +2 | cut -d, -f\"\$col\" | grep -qx ''"

e2e_finish
