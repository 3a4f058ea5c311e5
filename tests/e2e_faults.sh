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
#    for byte; no temporary file is left in the directory.
# 3. `gillab report` on a full disk (a tmpfs filled up, root only): it
#    fails naming the cause, and the previous outputs stay whole.
# 4. Nothing clobbered: a summary.md that is a symbolic link is refused
#    (its target untouched); `run -o` into a directory of other files is
#    refused; `compare -o` refuses to overwrite a results file.
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

e2e_finish
