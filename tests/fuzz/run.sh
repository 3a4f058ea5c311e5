#!/usr/bin/env bash
# run.sh TARGET SEEDS SECONDS — one fuzz target for SECONDS from its seed
# corpus, then every regression input of SEEDS/../regressions/NAME (crashes
# found before, kept so they stay fixed). New inputs go to a temporary
# directory, not into the checked-in corpus. Exits non-zero on a crash,
# leaving it in the temporary directory and saying where.
set -uo pipefail
target=${1:?usage: run.sh TARGET SEEDS SECONDS}
seeds=${2:?}
secs=${3:-10}
name=$(basename "$seeds")
work=$(mktemp -d)
regressions="$(dirname "$seeds")/../regressions/$name"
mapfile -t kept < <(find "$regressions" -maxdepth 1 -type f ! -name '.*' 2>/dev/null)
if [ "${#kept[@]}" -gt 0 ]; then
  "$target" "${kept[@]}" >"$work/regressions.log" 2>&1 || {
    tail -40 "$work/regressions.log"
    echo "run.sh: a regression input of $name crashes again (log: $work)"
    exit 1
  }
fi
"$target" -max_total_time="$secs" -close_fd_mask=2 -artifact_prefix="$work/" \
  "$work" "$seeds" >"$work/fuzz.log" 2>&1
rc=$?
grep -E '^#[0-9]+ +DONE|Done [0-9]+ runs' "$work/fuzz.log" | tail -1
if [ "$rc" != 0 ]; then
  tail -60 "$work/fuzz.log"
  echo "run.sh: $name crashed (input and log in $work)"
  exit 1
fi
rm -rf "$work"
