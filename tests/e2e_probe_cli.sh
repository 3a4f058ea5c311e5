#!/usr/bin/env bash
# End-to-end: gillab probe's handling of the command, which needs nothing
# measured. Usage: e2e_probe_cli.sh BUILD_DIR NOOP_LIB_A NOOP_LIB_B
#
# NOOP_LIB_A stands in for the probe library (GILLAB_PROBE_LIBRARY), B for
# a user's own LD_PRELOAD. Checked: usage errors (2), a missing library, a
# command not found (127), the exit status passed through (3), a command
# killed by SIGKILL (137 and a message), --duration stopping `sleep 100`
# in time with its output kept, SIGTERM to gillab passed on, LD_PRELOAD
# with the library first and the user's kept, the probe's variables, the
# output directories reused or refused; then the crafted sample
# (tests/data/probe/procs) copied into GILLAB_PROBE_DIR by the command:
# results.jsonl, the reports, `gillab report` making the same summary.md
# again, and the trace through check_trace.py. With the real library built
# (embed/preload.c), a Python command is probed for real; without it that
# part says it is skipped.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/e2e_lib.sh"
build=${1:?usage: e2e_probe_cli.sh BUILD_DIR NOOP_LIB_A NOOP_LIB_B}
gillab="$build/gillab"
liba=${2:?}
libb=${3:?}
export GILLAB_PROBE_LIBRARY="$liba"

# 1. Usage errors, help, a missing library, a command not found.
"$gillab" probe >/dev/null 2>"$tmp/err"
check "no command: status 2" test $? -eq 2
check "no command: says what to do" grep -q "give the command to run after --" "$tmp/err"
"$gillab" probe --duration -1 -- true >/dev/null 2>&1
check "bad --duration: status 2" test $? -eq 2
"$gillab" probe --interval x -- true >/dev/null 2>&1
check "bad --interval: status 2" test $? -eq 2
"$gillab" probe --bogus -- true >/dev/null 2>&1
check "unknown option: status 2" test $? -eq 2
check "--help: status 0, names the override" bash -c \
  "'$gillab' probe --help | grep -q GILLAB_PROBE_LIBRARY"
GILLAB_PROBE_LIBRARY=/nonexistent/libx.so "$gillab" probe -q -o "$tmp/nolib" -- true 2>"$tmp/err"
check "missing library: status 1" test $? -eq 1
check "missing library: says so" grep -q "probe library /nonexistent/libx.so is missing" "$tmp/err"
"$gillab" probe -q -o "$tmp/nf" -- no-such-command-gillab 2>"$tmp/err"
check "command not found: status 127" test $? -eq 127
check "command not found: as a shell says it" grep -qx "gillab probe: no-such-command-gillab: command not found" "$tmp/err"
check "command not found: nothing written" test ! -e "$tmp/nf"

# 2. Exit statuses.
"$gillab" probe -q -o "$tmp/x3" -- sh -c 'exit 3' 2>/dev/null
check "exit 3 passed through" test $? -eq 3
check "exit 3 in the metadata" jqtrue "$tmp/x3/results.jsonl" \
  '.[0].kind == "probe" and .[0].exit.code == 3 and .[0].exit.status == 3'
"$gillab" probe -q -o "$tmp/k9" -- sh -c 'kill -9 $$' 2>"$tmp/err"
check "killed by SIGKILL: 137" test $? -eq 137
check "killed by SIGKILL: says so" grep -q "killed by signal 9 (SIGKILL)" "$tmp/err"
check "killed by SIGKILL: in summary.md" grep -q "was killed by signal 9 (SIGKILL)" "$tmp/k9/summary.md"

# 3. --duration stops a long command in time; what was written is kept.
start=$(date +%s.%N)
"$gillab" probe -o "$tmp/dur" --duration 1 --interval 0.2 -- sleep 100 2>"$tmp/dur.err"
rc=$?
took=$(echo "$(date +%s.%N) - $start" | bc)
check "--duration: sleep 100 stopped by SIGINT (130)" test $rc -eq 130
check "--duration: within 1 to 3 s ($took s)" bash -c "(( \$(echo '$took >= 1 && $took < 3' | bc) ))"
check "--duration: said" grep -q -- "--duration" "$tmp/dur.err"
check "--duration: progress lines every interval" \
  test "$(grep -c 'processes seen\|process seen' "$tmp/dur.err")" -ge 3
check "--duration: results kept" jqtrue "$tmp/dur/results.jsonl" \
  '.[0].stopped_by == "duration" and .[0].exit.signal == 2'
check "--duration: reports written" test -s "$tmp/dur/summary.md" -a -s "$tmp/dur/results.csv"

# A command that ignores SIGINT: SIGTERM 2 s later.
start=$(date +%s.%N)
"$gillab" probe -q -o "$tmp/term" --duration 0.5 -- sh -c 'trap "" INT; sleep 100 & wait' 2>/dev/null
rc=$?
took=$(echo "$(date +%s.%N) - $start" | bc)
check "SIGINT ignored: SIGTERM ends it (143)" test $rc -eq 143
check "SIGINT ignored: after the 2 s grace ($took s)" bash -c "(( \$(echo '$took >= 2.4 && $took < 4.5' | bc) ))"

# SIGTERM to gillab is passed on to the command's group.
"$gillab" probe -q -o "$tmp/fwd" -- sleep 100 2>/dev/null &
gp=$!
sleep 0.5
kill -TERM $gp
wait $gp
check "SIGTERM passed on: the command ended by it (143)" test $? -eq 143
check "SIGTERM passed on: in the metadata" jqtrue "$tmp/fwd/results.jsonl" '.[0].stopped_by == "SIGTERM"'

# 4. The environment: the library first, the user's LD_PRELOAD kept.
LD_PRELOAD="$libb" "$gillab" probe -q -o "$tmp/env" --interval 0.25 --trace "$tmp/t.json" --trace-min-us 50 -- \
  sh -c 'echo "$LD_PRELOAD"; echo "$GILLAB_PROBE_DIR"; echo "$GILLAB_PROBE_INTERVAL_MS $GILLAB_PROBE_TRACE $GILLAB_PROBE_TRACE_MIN_US"' \
  >"$tmp/env.out" 2>/dev/null
check "LD_PRELOAD: the library first, the user's kept" test "$(sed -n 1p "$tmp/env.out")" = "$(realpath "$liba"):$libb"
check "GILLAB_PROBE_DIR is DIR/procs" test "$(sed -n 2p "$tmp/env.out")" = "$tmp/env/procs"
check "interval and trace variables" test "$(sed -n 3p "$tmp/env.out")" = "250 1 50"
check "--trace FILE written even with nothing traced" python3 "$here/check_trace.py" "$tmp/t.json" --probe

# 5. Output directories: a previous probe's is reused, others refused.
"$gillab" probe -q -o "$tmp/x3" -- true 2>/dev/null
check "a previous probe directory is reused" test $? -eq 0
mkdir -p "$tmp/mine"
echo keep >"$tmp/mine/notes.txt"
"$gillab" probe -q -o "$tmp/mine" -- true 2>"$tmp/err"
check "a directory of other files: refused (2)" test $? -eq 2
check "a directory of other files: left as it was" test "$(ls "$tmp/mine")" = notes.txt
mkdir -p "$tmp/run"
echo '{"type":"meta","command":"gillab run"}' >"$tmp/run/results.jsonl"
"$gillab" probe -q -o "$tmp/run" -- true 2>"$tmp/err"
check "a run's directory: refused" test $? -eq 2
mkdir -p "$tmp/ln"
echo keep >"$tmp/target"
ln -s "$tmp/target" "$tmp/ln/summary.md"
"$gillab" probe -q -o "$tmp/ln" -- true 2>"$tmp/err"
check "a symbolic link among the outputs: refused" test $? -eq 2
check "a symbolic link among the outputs: its target untouched" test "$(cat "$tmp/target")" = keep

# 6. The crafted sample, copied in by the command: the whole pipeline.
"$gillab" probe -q -o "$tmp/s" --trace "$tmp/s.json" -- \
  sh -c "cp '$here/data/probe/procs/'*.jsonl \"\$GILLAB_PROBE_DIR\"/" 2>"$tmp/s.err"
check "sample: status 0" test $? -eq 0
check "sample: the torn line said" grep -q "1 line of the process files left out" "$tmp/s.err"
check "sample: results.jsonl holds every whole line, tagged" jqtrue "$tmp/s/results.jsonl" \
  '.[0].procs.files == 5 and .[0].procs.records == 18 and (.[1:] | all(.file and .pid))'
check "sample: findings" grep -q "worker-a and worker-b each waited 50 % of their time for the GIL from t=1 s" "$tmp/s/summary.md"
check "sample: report.html with both charts" test "$(grep -c '<figure>' "$tmp/s/report.html")" -eq 2
check "sample: report.html has no script" bash -c "! grep -q '<script' '$tmp/s/report.html'"
check "sample: the charts fit for slides, as the run report's (check_charts.py)" \
  python3 "$here/check_charts.py" "$tmp/s"
check "sample: --trace FILE equals DIR/trace.json" cmp "$tmp/s.json" "$tmp/s/trace.json"
check "sample: the trace passes the Trace Event Format check" python3 "$here/check_trace.py" "$tmp/s.json" --probe
check "sample: the trace's events" jqone "$tmp/s.json" \
  '[.traceEvents[] | select(.ph != "M")] | length == 10 and (map(.pid) | unique == [1000])'
if python3 "$here/chromium_check.py" "$tmp/s/report.html" >"$tmp/chrome.json" 2>/dev/null; then
  check "sample: report.html in Chromium: both charts, no request, no error" jqone "$tmp/chrome.json" \
    '.loaded and .svg == 2 and .captions == 2 and .requests == [] and .console_errors == [] and .scripts == 0'
else
  echo "skip report.html in Chromium: it cannot be started here"
fi
cp "$tmp/s/summary.md" "$tmp/summary.before"
cp "$tmp/s/results.csv" "$tmp/csv.before"
rm "$tmp/s/summary.md" "$tmp/s/results.csv" "$tmp/s/report.html" "$tmp/s/trace.json"
"$gillab" report "$tmp/s" >/dev/null 2>&1
check "gillab report: the probe's reports made again" test -s "$tmp/s/report.html" -a -s "$tmp/s/trace.json"
check "gillab report: the same summary.md" cmp "$tmp/summary.before" "$tmp/s/summary.md"
check "gillab report: the same results.csv" cmp "$tmp/csv.before" "$tmp/s/results.csv"

# 7. The real library, when built.
if [ -e "$build/libgillab-probe.so" ]; then
  unset GILLAB_PROBE_LIBRARY
  "$gillab" probe -q -o "$tmp/real" -- python3 -c '
import threading
def spin():
    n = 0
    for i in range(3_000_000):
        n += i
ts = [threading.Thread(target=spin, name="spin-%d" % i) for i in range(2)]
[t.start() for t in ts]; [t.join() for t in ts]' 2>"$tmp/real.err"
  check "real library: status 0" test $? -eq 0
  check "real library: a Python process probed" jqtrue "$tmp/real/results.jsonl" \
    'map(select(.type == "runtime")) | any(.probed)'
else
  echo "skip the real library's part: $build/libgillab-probe.so is not built (embed/preload.c is not in this tree yet)"
fi
e2e_finish
