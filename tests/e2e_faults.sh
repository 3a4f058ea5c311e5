#!/usr/bin/env bash
# End-to-end: nothing half-written, nothing clobbered. Usage:
# e2e_faults.sh BUILD_DIR
#
# 1. A run on a 64 KiB tmpfs (mounted by the test when root; skipped,
#    saying why, otherwise): it fails saying the disk is full, and its
#    results.jsonl holds only whole records (each line JSON, the last one
#    ended).
# 2. `gillab report` killed with SIGTERM at 25 moments over its run (and a
#    little after): each
#    time it ends by the signal (143) or finishes, and summary.md,
#    results.csv, report.html and every chart are the previous ones, byte
#    for byte; no temporary file is left in the directory. Then with a
#    gnuplot that hangs (a stand-in first in PATH): SIGTERM, SIGINT or
#    SIGKILL while it draws leaves no gnuplot running, no gillab-chart-*
#    file (the script goes to gnuplot's stdin: it had no file argument)
#    and the previous outputs whole.
# 3. `gillab report` on a full disk (a tmpfs filled up, root only): it
#    fails naming the cause, and the previous outputs stay whole.
# 4. Nothing clobbered: a summary.md that is a symbolic link is refused
#    (its target untouched); `run -o` into a directory of other files is
#    refused; `compare -o` refuses to overwrite a results file.
# 5. Cells cannot outlive or outgrow the run: gillab killed with SIGKILL
#    during a processes cell (fork, then spawn) leaves none of the cell's
#    processes; a process a cell started with setsid is killed when the
#    cell ends (ok or timed out); --memory-limit kills a cell and its
#    record says "killed: memory limit"; a result over 64 MiB is refused;
#    a timed-out io.file cell leaves nothing in TMPDIR; SIGTERM and SIGHUP
#    exit 143 and 129, saying which.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/e2e_lib.sh"
build=${1:?usage: e2e_faults.sh BUILD_DIR}
gillab="$build/gillab"
data="$here/data/report"
mounts=()
cleanup() {
  for m in "${mounts[@]}"; do umount "$m" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT

# Mounts a tmpfs of size $2 at $1 (root only). Fails when it cannot.
small_disk() {
  mkdir -p "$1" && [ "$(id -u)" = 0 ] &&
    mount -t tmpfs -o "size=$2" tmpfs "$1" 2>/dev/null && mounts+=("$1")
}

# The outputs of a report directory with their checksums, sorted.
outputs() { (cd "$1" && md5sum summary.md results.csv report.html ./*.svg); }

# Temporary files of outputs (outfile.c's names) left in a directory.
leftovers() { find "$1" -name '.*.tmp-*' | wc -l; }

# 1. A full disk during a run.
if small_disk "$tmp/full" 64k; then
  "$gillab" run -w cpu.primes -m native-threads -n 1,2 -r 200 --size 0.001 \
    -q -o "$tmp/full/r" >"$tmp/full.out" 2>"$tmp/full.err"
  rc=$?
  check "run on a 64 KiB tmpfs fails (exit 1)" test "$rc" -eq 1
  check "... saying the disk is full" \
    grep -q 'results.jsonl: No space left on device' "$tmp/full.err"
  n=$(wc -l <"$tmp/full/r/results.jsonl")
  check "... after keeping some records ($n lines)" test "$n" -gt 2
  check "... every line a whole JSON record" \
    python3 "$here/check_formats.py" jsonl "$tmp/full/r/results.jsonl"
  check "... the last one ended (no torn line)" \
    test "$(tail -c 1 "$tmp/full/r/results.jsonl" | od -An -c | tr -d ' ')" = '\n'
  "$gillab" report "$tmp/full/r" >/dev/null 2>"$tmp/full-report.err"
  check "report of it warns of no line (none torn)" \
    bash -c "! grep -q 'results.jsonl:[0-9]' '$tmp/full-report.err'"
else
  echo "skip 1: a 64 KiB tmpfs needs root and mount (uid $(id -u))"
fi

# 2. A report interrupted at any moment.
mkdir -p "$tmp/rep"
cp "$data/results.jsonl" "$tmp/rep/"
"$gillab" report "$tmp/rep" >/dev/null 2>&1
outputs "$tmp/rep" >"$tmp/before"
start=$(date +%s%N)
"$gillab" report "$tmp/rep" >/dev/null 2>&1
took_us=$((($(date +%s%N) - start) / 1000))
bad=0 killed=0
for i in $(seq 0 24); do
  "$gillab" report "$tmp/rep" >/dev/null 2>&1 &
  pid=$!
  usleep=$((took_us * i / 20)) # the last few after the end
  sleep "$(printf '0.%06d' "$usleep")" 2>/dev/null || sleep 0
  kill -TERM "$pid" 2>/dev/null
  wait "$pid"
  rc=$?
  [ "$rc" = 143 ] && killed=$((killed + 1))
  if [ "$rc" != 143 ] && [ "$rc" != 0 ]; then
    echo "  moment $i: exit $rc"
    bad=$((bad + 1))
  fi
  if ! outputs "$tmp/rep" | cmp -s - "$tmp/before"; then
    echo "  moment $i: an output changed"
    bad=$((bad + 1))
  fi
done
check "report killed at 25 moments ($killed by SIGTERM, exit 143; the others finished): outputs whole" \
  test "$bad" -eq 0 -a "$killed" -gt 0
check "... no temporary file left in the directory" test "$(leftovers "$tmp/rep")" -eq 0

# ... while gnuplot draws: a stand-in draws gillab's probe chart (plot 1)
# with the real gnuplot and hangs on the others, saying its pid.
mkdir -p "$tmp/fakebin" "$tmp/chart-tmp"
real_gnuplot=$(command -v gnuplot)
cat >"$tmp/fakebin/gnuplot" <<FAKE
#!/bin/sh
script=\$(cat)
if [ "\$script" = "set terminal svg
plot 1" ]; then
  printf '%s\\n' "\$script" | exec "$real_gnuplot"
fi
echo "\$# \$\$" >>"$tmp/gnuplot-pids"
exec sleep 60
FAKE
chmod +x "$tmp/fakebin/gnuplot"
for sig in TERM INT KILL; do
  rm -f "$tmp/gnuplot-pids"
  TMPDIR="$tmp/chart-tmp" PATH="$tmp/fakebin:$PATH" \
    "$gillab" report "$tmp/rep" >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 200); do
    [ -s "$tmp/gnuplot-pids" ] && break
    sleep 0.05
  done
  read -r nargs gp <"$tmp/gnuplot-pids"
  kill -"$sig" "$pid"
  wait "$pid"
  rc=$?
  for _ in $(seq 40); do
    kill -0 "$gp" 2>/dev/null || break
    sleep 0.05
  done
  want=$((128 + $(kill -l "$sig")))
  check "report interrupted by SIG$sig while gnuplot draws: exit $want ($rc)" \
    test "$rc" = "$want"
  check "... its gnuplot (pid $gp) gone" bash -c "! kill -0 $gp 2>/dev/null"
  check "... gnuplot had no script file ($nargs arguments); no gillab-chart-* left" \
    test "$nargs" = 0 -a -z "$(find "$tmp/chart-tmp" "$tmp/rep" -name 'gillab-chart-*')"
  check "... the previous outputs whole, no temporary file" \
    bash -c "outputs() { (cd \"\$1\" && md5sum summary.md results.csv report.html ./*.svg); }
             outputs '$tmp/rep' | cmp -s - '$tmp/before' && [ $(leftovers "$tmp/rep") = 0 ]"
done

# 3. A full disk during a report.
if small_disk "$tmp/small" 4m; then
  cp "$data/results.jsonl" "$tmp/small/"
  "$gillab" report "$tmp/small" >/dev/null 2>&1
  outputs "$tmp/small" >"$tmp/small-before"
  dd if=/dev/zero of="$tmp/small/filler" bs=4k 2>/dev/null
  "$gillab" report "$tmp/small" >/dev/null 2>"$tmp/small.err"
  check "report on a full disk fails (exit 1)" test $? -eq 1
  check "... naming the cause" grep -q 'No space left on device' "$tmp/small.err"
  check "... the previous outputs whole" \
    bash -c "outputs() { (cd \"\$1\" && md5sum summary.md results.csv report.html ./*.svg); }
             outputs '$tmp/small' | cmp -s - '$tmp/small-before'"
  check "... no temporary file left" test "$(leftovers "$tmp/small")" -eq 0
else
  echo "skip 3: a small tmpfs needs root and mount (uid $(id -u))"
fi

# 4. Nothing clobbered.
mkdir -p "$tmp/link"
cp "$data/results.jsonl" "$tmp/link/"
echo precious >"$tmp/precious"
ln -s "$tmp/precious" "$tmp/link/summary.md"
"$gillab" report "$tmp/link" >/dev/null 2>"$tmp/link.err"
check "report refuses a summary.md that is a symbolic link (exit 1)" test $? -eq 1
check "... saying so" grep -q 'summary.md is a symbolic link' "$tmp/link.err"
check "... its target untouched" test "$(cat "$tmp/precious")" = precious
mkdir -p "$tmp/other"
echo mine >"$tmp/other/summary.md"
"$gillab" run -w cpu.primes -m native-threads -n 1 -r 1 --size 0.01 -q \
  -o "$tmp/other" >/dev/null 2>"$tmp/other.err"
check "run -o into a directory of other files is refused (exit 1)" test $? -eq 1
check "... saying why" grep -q 'holds files and no results.jsonl' "$tmp/other.err"
check "... the files untouched" test "$(cat "$tmp/other/summary.md")" = mine
cp "$tmp/rep/results.jsonl" "$tmp/kept.jsonl"
"$gillab" compare -o "$tmp/rep/results.jsonl" "$tmp/rep" "$tmp/rep" >/dev/null 2>"$tmp/cmp.err"
check "compare -o refuses a run's results.jsonl (exit 1)" test $? -eq 1
check "... and leaves it as it was" cmp -s "$tmp/kept.jsonl" "$tmp/rep/results.jsonl"
"$gillab" compare -o "$tmp/kept.jsonl" "$tmp/rep" "$tmp/rep" >/dev/null 2>&1
check "... or a results file by another name" test $? -eq 1
"$gillab" compare -o "$tmp/cmp.md" "$tmp/rep" "$tmp/rep" >/dev/null 2>&1
check "compare -o FILE.md still writes" test -s "$tmp/cmp.md"

# 5. Cells cannot outlive or outgrow the run.
descendants() {
  local p
  for p in $(pgrep -P "$1"); do
    echo "$p"
    descendants "$p"
  done
}
# Alive: present and not a zombie (PID 1 of a container may never reap).
alive() {
  local k st out=""
  for k in "$@"; do
    st=$(awk '{print $3}' "/proc/$k/stat" 2>/dev/null)
    [ -n "$st" ] && [ "$st" != Z ] && out="$out $k"
  done
  echo "$out"
}
killed9=""
for sm in fork spawn; do
  "$gillab" run -w cpu.primes -m processes --start-method "$sm" -n 2 -r 3 \
    --size 3 -q -o "$tmp/k9-$sm" >/dev/null 2>&1 &
  pid=$!
  kids=""
  for _ in $(seq 200); do # until the cell's workers run (3 processes)
    kids=$(descendants "$pid")
    [ "$(echo "$kids" | wc -w)" -ge 3 ] && break
    sleep 0.05
  done
  sleep 0.3
  kids=$(descendants "$pid")
  killed9="$killed9 $pid"
  kill -KILL "$pid"
  { wait "$pid"; } 2>/dev/null
  sleep 1
  check "SIGKILL of gillab during a processes ($sm) cell: none of its $(echo $kids | wc -w) processes left" \
    test -n "$kids" -a -z "$(alive $kids)"
done

mkdir -p "$tmp/wl"
printf '%s\n' '"""Starts a process in a session of its own, then works (or hangs)."""' \
  'import os, subprocess, time' 'UNITS = 1' '' \
  'def work(worker, nworkers, units):' \
  '    p = subprocess.Popen(["setsid", "sleep", "300"])' \
  "    with open(\"$tmp/escaped\", \"a\") as f:" \
  '        f.write("%d\n" % p.pid)' \
  '    if units > 1:' '        time.sleep(300)' '    return 1' >"$tmp/wl/escape.py"
"$gillab" run -w "$tmp/wl/escape.py" -m threads -n 1 -r 1 -q -o "$tmp/esc" \
  >/dev/null 2>&1
check "a cell's setsid process: the cell ok" \
  jqtrue "$tmp/esc/results.jsonl" '[.[] | select(.type == "cell") | .status] == ["ok"]'
sleep 0.5
check "... and the process killed when the cell ended" \
  test -s "$tmp/escaped" -a -z "$(alive $(cat "$tmp/escaped"))"
: >"$tmp/escaped"
"$gillab" run -w "$tmp/wl/escape.py" -m threads -n 1 -r 1 --units 2 \
  --timeout 2 -q -o "$tmp/esc2" >/dev/null 2>&1
sleep 0.5
check "... killed too when the cell timed out" \
  test -s "$tmp/escaped" -a -z "$(alive $(cat "$tmp/escaped"))"
left=0
for p in $killed9; do
  left=$((left + $(find "${TMPDIR:-/tmp}" -maxdepth 1 -name "gillab-cell-$p-*" | wc -l)))
done
check "the temporary directories of the gillabs killed above swept by the next run" \
  test "$left" -eq 0

"$gillab" run -w mem.dealloc -m processes -n 1 -r 1 --size 3 \
  --memory-limit 40M -q -o "$tmp/mem" >/dev/null 2>&1
check "--memory-limit 40M: the cell's record says killed: memory limit" \
  jqtrue "$tmp/mem/results.jsonl" '[.[] | select(.type == "cell")] | .[0].status == "failed" and (.[0].error | startswith("killed: memory limit"))'
"$gillab" run -w mem.dealloc -m threads -n 1 -r 1 --memory-limit 1M -q \
  -o "$tmp/mem1" >/dev/null 2>"$tmp/mem1.err"
check "--memory-limit 1M: a usage error (exit 2)" test $? -eq 2

printf '%s\n' '"""Returns a result of 70 MB through end()."""' 'UNITS = 1' '' \
  'def work(worker, nworkers, units):' '    return 1' '' \
  'def end(state, extras, wall_s):' '    return {"blob": "x" * (70 << 20)}' \
  >"$tmp/wl/big.py"
"$gillab" run -w "$tmp/wl/big.py" -m threads -n 1 -r 1 -q -o "$tmp/big" \
  >/dev/null 2>&1
check "a 70 MB result: the cell failed, killed: result larger than 64 MiB" \
  jqtrue "$tmp/big/results.jsonl" '[.[] | select(.type == "cell")] | .[0].status == "failed" and (.[0].error | startswith("killed: result larger than 64 MiB"))'
check "... and results.jsonl stays small" \
  test "$(wc -c <"$tmp/big/results.jsonl")" -lt 1000000

mkdir -p "$tmp/tmpdir"
TMPDIR="$tmp/tmpdir" "$gillab" run -w io.file -m native-threads -n 1 -r 1 \
  --size 50 --timeout 0.5 -q -o "$tmp/iof" >/dev/null 2>&1
check "a timed-out io.file cell" \
  jqtrue "$tmp/iof/results.jsonl" '[.[] | select(.type == "cell") | .status] == ["timeout"]'
check "... leaves nothing in TMPDIR" test -z "$(ls -A "$tmp/tmpdir")"

for s in TERM:143:terminated HUP:129:hung; do
  sig=${s%%:*} rest=${s#*:}
  code=${rest%%:*} word=${rest#*:}
  "$gillab" run -w cpu.primes -m threads -n 1 -r 5 --size 0.5 -q \
    -o "$tmp/sig-$sig" >/dev/null 2>"$tmp/sig-$sig.err" &
  pid=$!
  for _ in $(seq 200); do
    [ "$(cat "$tmp/sig-$sig/results.jsonl" 2>/dev/null | wc -l)" -ge 2 ] && break
    sleep 0.05
  done
  kill -"$sig" "$pid"
  wait "$pid"
  rc=$?
  check "SIG$sig during a run: exit $code ($rc), saying so" \
    bash -c "[ $rc = $code ] && grep -q '$word.* (SIG$sig)' '$tmp/sig-$sig.err'"
  check "... the cells measured kept and summarised" test -s "$tmp/sig-$sig/summary.md"
done

e2e_finish
