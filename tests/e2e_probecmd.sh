#!/usr/bin/env bash
# End-to-end: `gillab probe` on programs written as a user would
# (tests/probe/), under every runtime of the build, reading what the probe
# library observed in the user's processes (tests/probe_facts.py).
# Usage: e2e_probecmd.sh BUILD_DIR PYTHON...  (the runtimes' executables,
# the default first).
#
# Bounds are generous where they depend on timing: these 2-vCPU VMs are
# noisy, and other tests may run beside this one. Two CPU-bound threads on
# a quiet machine wait 50 % each (./scripts/bench probecmd measures it).
# When other processes compete for the two CPUs, each thread also sits in
# the run queue between dropping the GIL and asking for it again (seen
# here at a load of 2.5: 31 % wait, 50 % held, 19 % run queue), which is
# neither; so the test asks for 35-65 % held (one holder at a time, whatever
# the load), 20-65 % waited, and the kernel's blocked time within 20 % of
# the probe's wait (both leave the run queue out).
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/e2e_lib.sh"
build=${1:?usage: e2e_probecmd.sh BUILD_DIR PYTHON...}
shift
pythons=("$@")
gillab="$build/gillab"
progs="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/probe"
facts() { python3 "$(dirname "${BASH_SOURCE[0]}")/probe_facts.py" "$1" >"$1/facts.json"; }

# 1. Two named CPU-bound threads, on every runtime.
for py in "${pythons[@]}"; do
  ver=$("$py" -c 'import sys, sysconfig; print("%d.%d%s" % (sys.version_info[:2] + ("t" if sysconfig.get_config_var("Py_GIL_DISABLED") else "",)))')
  out="$tmp/crunch-$ver"
  "$gillab" probe -q -o "$out" -- "$py" "$progs/crunch.py" 2 >/dev/null 2>"$out.err"
  check "$ver: gillab probe passes the program's exit status (0)" test $? -eq 0
  facts "$out"
  one='[.[] | select(.python)] | length == 1'
  check "$ver: one CPython process, probed, with a final line" jqone "$out/facts.json" \
    "$one and (.[] | select(.python) | .probed and .final)"
  if [[ $ver == *t ]]; then
    check "$ver: the GIL is disabled, nobody waits for it, parks are counted per thread" jqone "$out/facts.json" \
      '.[] | select(.python) | .process.gil_enabled == false and (.threads | map(select(.name == "parser" or .name == "scorer")) | length == 2 and all(.wait_s == 0 and .park_s != null))'
  else
    check "$ver: parser and scorer each held the GIL 35-65 % of their time and waited for it 20-65 %" jqone "$out/facts.json" \
      '.[] | select(.python) | .threads | map(select(.name == "parser" or .name == "scorer")) | length == 2 and all(.held_share > 0.35 and .held_share < 0.65 and .wait_share > 0.2 and .wait_share < 0.65)'
    check "$ver: their blocked time agrees with their GIL wait (within 20 %)" jqone "$out/facts.json" \
      '.[] | select(.python) | .threads | map(select(.name == "parser" or .name == "scorer")) | all(((.blocked_s - .wait_s) | fabs) < 0.2 * .wait_s)'
  fi
  check "$ver: summary.md names the threads" grep -q scorer "$out/summary.md"
done
py=${pythons[0]}

# 1b. On a free-threaded runtime, an old extension imported mid-run turns
# the GIL on: the probe says when and which import, and counts waits after.
for ft in "${pythons[@]}"; do
  "$ft" -c 'import sysconfig, sys; sys.exit(0 if sysconfig.get_config_var("Py_GIL_DISABLED") else 1)' || continue
  inc=$("$ft" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
  suffix=$("$ft" -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))')
  mkdir -p "$tmp/ext"
  if ! cc -shared -fPIC -I"$inc" "$progs/oldext/oldext.c" -o "$tmp/ext/oldext$suffix" 2>"$tmp/ext.err"; then
    echo "skip the GIL re-enabled check: cannot build an extension for $ft ($(head -1 "$tmp/ext.err"))"
    break
  fi
  "$gillab" probe -q --interval 0.5 -o "$tmp/reenable" -- "$ft" "$progs/late_import.py" "$tmp/ext" >/dev/null 2>&1
  facts "$tmp/reenable"
  check "free-threaded: the GIL turned on by importing oldext is reported, with the module" jqone "$tmp/reenable/facts.json" \
    '.[] | select(.python) | .process.gil_enabled == true and (.process.gil_reenabled.modules | index("oldext"))'
  check "free-threaded: after that, the workers waited for the GIL" jqone "$tmp/reenable/facts.json" \
    '.[] | select(.python) | .threads | map(select(.name | test("worker-"))) | length == 2 and all(.waits > 0)'
  check "summary.md says which import turned the GIL on" grep -q oldext "$tmp/reenable/summary.md"
  break
done

# 2. Sleepers wait nothing.
"$gillab" probe -q -o "$tmp/sleepy" -- "$py" "$progs/sleepy.py" >/dev/null 2>&1
facts "$tmp/sleepy"
check "three pollers that sleep wait less than 2 % of their time" jqone "$tmp/sleepy/facts.json" \
  '.[] | select(.python) | .threads | map(select(.name | test("poller"))) | length == 3 and all(.wait_share < 0.02)'

# 3. A spawn pool of 2 processes, each task on 2 threads.
"$gillab" probe -q -o "$tmp/pool" -- "$py" "$progs/spawn_pool.py" >/dev/null 2>&1
facts "$tmp/pool"
check "spawn pool: the parent and both workers probed (3 or more CPython processes)" jqone "$tmp/pool/facts.json" \
  '[.[] | select(.python and .probed)] | length >= 3'
check "spawn pool: each worker's two threads held the GIL 30-70 % of their time and waited for it" jqone "$tmp/pool/facts.json" \
  '[.[] | select(.python) | select(any(.threads[]; .name == "half-0"))] | length == 2 and all(.threads | map(select(.name | test("half-"))) | length == 2 and all(.held_share > 0.3 and .held_share < 0.7 and .wait_share > 0.15 and .wait_share < 0.7))'

# 4. A forking server: the children are probed and say whom they forked from.
"$gillab" probe -q -o "$tmp/fork" -- "$py" "$progs/fork_server.py" >/dev/null 2>&1
facts "$tmp/fork"
check "forking server: 3 forked children, probed, from the server's pid" jqone "$tmp/fork/facts.json" \
  '(.[] | select(.python and .forked_from == null) | .pid) as $p | [.[] | select(.forked_from == $p and .probed)] | length == 3'

# 5. Exit statuses pass through; what was measured is kept.
"$gillab" probe -q -o "$tmp/exit3" -- "$py" "$progs/exit3.py" >/dev/null 2>&1
check "a program that exits 3: gillab probe exits 3" test $? -eq 3
"$gillab" probe -q -o "$tmp/killed" -- "$py" "$progs/selfkill.py" >/dev/null 2>"$tmp/killed.err"
check "a program killed by SIGKILL: gillab probe exits 137" test $? -eq 137
facts "$tmp/killed"
check "the killed program's intervals are kept (no final line)" jqone "$tmp/killed/facts.json" \
  '.[] | select(.python) | .intervals >= 1 and (.final | not) and (.threads | map(select(.name | test("doomed"))) | length == 2 and all(.waits > 0))'
check "summary.md of the killed program exists" test -s "$tmp/killed/summary.md"

# 6. --duration stops a program that would run for ever, and keeps its data.
start=$(date +%s)
"$gillab" probe -q --duration 2 -o "$tmp/hang" -- "$py" "$progs/hang.py" >/dev/null 2>&1
took=$(($(date +%s) - start))
check "--duration 2 stops a hanging program within 10 s (took ${took}s)" test "$took" -le 10
facts "$tmp/hang"
check "--duration: the stopped program's figures are kept" jqone "$tmp/hang/facts.json" \
  '.[] | select(.python) | .intervals >= 1 and any(.threads[]; .name == "stuck")'

# 7. A shell script that starts tools, then Python: the tools run unprobed.
"$gillab" probe -q -o "$tmp/sh" -- env PYTHON="$py" "$progs/launcher.sh" >/dev/null 2>&1
facts "$tmp/sh"
check "launcher script: the shell and sleep are listed as not CPython" jqone "$tmp/sh/facts.json" \
  'any(.[]; .exe == "sleep" and (.python | not)) and any(.[]; (.exe | test("sh$")) and (.python | not))'
check "launcher script: the Python it execs is probed" jqone "$tmp/sh/facts.json" \
  '[.[] | select(.python and .probed)] | length == 1'

# 8. A GIL the probe cannot verify (a simulated wrong layout): unprobed,
# said why, no GIL figure.
GILLAB_PROBE_TEST_LAYOUT_SHIFT=8 "$gillab" probe -q -o "$tmp/shift" -- "$py" "$progs/crunch.py" 1 >/dev/null 2>&1
facts "$tmp/shift"
check "a wrong layout fails the check: unprobed, the reason given, no GIL figure" jqone "$tmp/shift/facts.json" \
  '.[] | select(.python) | (.probed | not) and (.reason | test("check")) and all(.threads[]; .has_gil_figures | not)'

# 9. The trace: Chrome Trace Event format, GIL waits on both threads.
"$gillab" probe -q -o "$tmp/tr" --trace "$tmp/tr.json" -- "$py" "$progs/crunch.py" 1 >/dev/null 2>&1
facts "$tmp/tr"
check "trace: the library recorded GIL waits of both threads" jqone "$tmp/tr/facts.json" \
  '.[] | select(.python) | (.trace_tids | length) >= 2'
check "trace file: GIL-wait slices on parser and scorer" jqone "$tmp/tr.json" \
  '([.traceEvents[] | select(.ph == "M" and .name == "thread_name") | select(.args.name == "parser" or .args.name == "scorer") | .tid]) as $t | ($t | length == 2) and ([.traceEvents[] | select(.ph == "X" and .name == "gil_wait") | .tid] | unique | contains($t))'

e2e_finish
