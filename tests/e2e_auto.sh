#!/usr/bin/env bash
# End-to-end: `gillab run -r auto` repeats each cell until its headline
# interval is within --precision, or the cap. Usage: e2e_auto.sh BUILD_DIR
#
# 1. A small matrix at a loose precision (±20 %, tiny cells): from the
#    records alone (python3 below, with its own interval on order
#    statistics, the one stats.h describes), each cell either reached the
#    precision or ran to the cap and is named as capped in summary.md;
#    its repetitions are between the minimum and the cap, numbered 1..n
#    without a gap; a 2-worker cell never ran without its 1-worker cell
#    (every speedup has its baseline).
# 2. Killed in the middle and resumed: the records before kept, every
#    cell once by seq, and the same checks hold on the completed run.
# 3. --shard with -r auto is refused, saying why.
#
# The bounds are generous on purpose: a noisy machine (2 vCPUs shared
# with other builds) may send any cell to the cap, and the test must not
# fail for that; what it checks is that the records and the summary agree
# with the rule, whatever the machine did.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/e2e_lib.sh"
build=${1:?usage: e2e_auto.sh BUILD_DIR}
gillab="$build/gillab"

# rule_holds DIR PRECISION MIN MAX: the records of DIR against the rule.
rule_holds() {
  python3 - "$@" <<'EOF'
import json, math, re, sys
d, target, lo_reps, hi_reps = sys.argv[1], float(sys.argv[2]) / 100, int(sys.argv[3]), int(sys.argv[4])
recs = [json.loads(l) for l in open(d + "/results.jsonl")]
cells = {}
for r in recs[1:]:
    if r.get("warmup"):
        continue
    key = (r["workload"], r["model"], r["runtime"], r["workers"])
    cells.setdefault(key, []).append(r)
summary = open(d + "/summary.md").read()

def interval(v):
    # The median and its distribution-free interval: [x(k), x(n+1-k)]
    # with k the largest whose coverage 1 - 2 P(B <= k-1) is >= 95 %.
    v, n = sorted(v), len(v)
    med = v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2
    k = 1
    while k + 1 <= (n + 1) // 2 and 1 - 2 * sum(math.comb(n, i) for i in range(k + 1)) / 2**n >= 0.95:
        k += 1
    return med, v[k - 1], v[n - k]

bad = []
for key, rs in sorted(cells.items()):
    reps = sorted(r["rep"] for r in rs)
    vals = [r["throughput"] for r in rs if r["status"] == "ok"]
    med, lo, hi = interval(vals)
    rel = (hi - lo) / 2 / abs(med)
    label = "%s %s %s n=%d none" % (key[0], key[2], key[1], key[3])
    row = re.search(r"^\| %s \| throughput \| (\d+) \| .*\| (.*) \|$" % re.escape(label), summary, re.M)
    if not lo_reps <= len(reps) <= hi_reps:
        bad.append("%s: %d repetitions" % (label, len(reps)))
    if reps != list(range(1, len(reps) + 1)):
        bad.append("%s: repetitions %s have a gap" % (label, reps))
    if not row or int(row.group(1)) != len(reps):
        bad.append("%s: not in the summary's table with %d repetitions" % (label, len(reps)))
    reached = len(vals) >= lo_reps and rel <= target
    if reached and row and row.group(2) != "reached":
        bad.append("%s: ±%.1f %% reached, but the summary says %s" % (label, rel * 100, row.group(2)))
    if not reached and (len(reps) != hi_reps or not row or "hit the cap" not in row.group(2)):
        bad.append("%s: ±%.1f %% after %d, short of the target and not capped" % (label, rel * 100, len(reps)))
    # The stopping rule: a cell that reached the target before its last
    # repetition ran on only as its row's 1-worker cell (the baseline).
    if key[3] != 1:
        base = cells.get(key[:3] + (1,), [])
        if len(base) < len(reps):
            bad.append("%s ran %d times, its 1-worker cell %d" % (label, len(reps), len(base)))
        for r in rs:
            if r["status"] == "ok" and not isinstance(r.get("speedup"), (int, float)):
                bad.append("%s rep %d has no speedup" % (label, r["rep"]))
    print("  %s: %d repetitions, ±%.1f %%" % (label, len(reps), rel * 100))
for b in bad:
    print("  " + b)
sys.exit(1 if bad or not cells else 0)
EOF
}

# 1. A loose precision on tiny cells.
dir="$tmp/auto"
"$gillab" run -w cpu.primes -m threads,native-threads -n 1,2 -r auto \
  --precision 20 --min-reps 3 --max-reps 6 --size 0.05 -o "$dir" \
  >/dev/null 2>"$tmp/auto.err"
check "run -r auto exits 0" test $? -eq 0
check "... says it runs up to the cap" \
  grep -q 'up to 24 cells (-r auto: each cell 3 to 6 repetitions, until within ±20 %)' "$tmp/auto.err"
check "... and what it reached" \
  grep -q 'gillab: -r auto: [0-9]* measured cells run (at most 24); [0-9] of 4 cells within ±20 %' "$tmp/auto.err"
check "the metadata says what was asked: reps auto, the rule" \
  jqtrue "$dir/results.jsonl" '.[0].spec | .reps == "auto" and .precision == 0.2 and .min_reps == 3 and .max_reps == 6'
check "the summary's section says the rule" \
  grep -q 'within ±20 % of the median (half its width), from 3 repetitions and at most 6' "$dir/summary.md"
check "each cell reached ±20 % or is named as capped; 3 to 6 repetitions (from the records)" \
  rule_holds "$dir" 20 3 6
check "the section's table is well-formed Markdown" \
  python3 "$here/check_formats.py" md "$dir/summary.md"
check "report.html has the section too" grep -q 'Repetitions until the answer is sure' "$dir/report.html"
check "no incomplete run said of a run the rule ended" \
  bash -c "! grep -q 'Incomplete' '$dir/summary.md'"

# 2. Killed and resumed: a tight precision, so that cells run on.
dir="$tmp/killed"
"$gillab" run -w cpu.primes -m threads,native-threads -n 1,2 -r auto \
  --precision 0.5 --min-reps 3 --max-reps 5 --size 0.05 -q -o "$dir" \
  >/dev/null 2>&1 &
pid=$!
for _ in $(seq 600); do
  n=$(($(cat "$dir/results.jsonl" 2>/dev/null | wc -l) - 1))
  [ "$n" -ge 6 ] && break
  sleep 0.05
done
kill -KILL "$pid"
{ wait "$pid"; } 2>/dev/null
before=$(($(wc -l <"$dir/results.jsonl") - 1))
"$gillab" report "$dir" >/dev/null 2>&1
if [ "$before" -lt 20 ]; then
  check "killed after $before cells: its summary says the run is incomplete" \
    grep -q '^\*\*Incomplete run\*\* (it was interrupted)' "$dir/summary.md"
fi
cp "$dir/results.jsonl" "$tmp/before.jsonl"
"$gillab" run --resume "$dir" >/dev/null 2>"$tmp/resume.err"
check "run --resume of an auto run exits 0" test $? -eq 0
check "... saying the rule decides the rest" \
  grep -q "resuming .*: $before of its 20 cells recorded; -r auto runs those its rule still wants" "$tmp/resume.err"
check "the cells recorded before kept as they were" \
  cmp -s "$tmp/before.jsonl" <(head -n $((before + 1)) "$dir/results.jsonl")
check "every cell once by seq" \
  jqtrue "$dir/results.jsonl" '[.[] | select(.type == "cell") | .seq] | (unique | length) == length'
check "the completed run holds to the rule (3 to 5 repetitions)" \
  rule_holds "$dir" 0.5 3 5
check "... and is no longer incomplete" \
  bash -c "! grep -q 'Incomplete' '$dir/summary.md'"

# 3. Shards.
"$gillab" run -w cpu.primes -r auto --shard 0/2 -o "$tmp/shard" \
  >/dev/null 2>"$tmp/shard.err"
rc=$?
check "--shard with -r auto refused (exit 2)" test "$rc" -eq 2
check "... saying why" grep -q 'shard with -r auto is not supported' "$tmp/shard.err"

e2e_finish
