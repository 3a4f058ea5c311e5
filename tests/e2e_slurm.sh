#!/usr/bin/env bash
# e2e_slurm.sh BUILD — a sharded run on a real Slurm cluster of one node
# (issue 19): this script starts munged and slurmctld/slurmd as root in a
# temporary directory (a generated munge key and slurm.conf, one node with
# this machine's CPUs, ports of its own), submits
# scripts/cluster/gillab.sbatch as an array of 4 tasks running `gillab run
# --shard auto`, and merges the shards: the merged cells (key and
# repetition) must be those of the same run unsharded, none twice, with
# summary.md from the merge. Then: a removed shard is named and refused,
# --partial marks every output partial, and two shards whose metadata
# claim different CPU models are kept apart in the report.
#
# Skipped (exit 77, with the reason) only when the daemons cannot start:
# not root, Slurm or munge not installed (scripts/bootstrap --for-tests
# installs them), or a daemon that does not come up (its log is shown).
set -uo pipefail
build=$(cd "$1" && pwd)
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$src/tests/e2e_lib.sh"
gillab=$build/gillab

skip() {
  echo "SKIP e2e.slurm: $*"
  exit 77
}
[ "$(id -u)" = 0 ] || skip "slurmd must run as root to start jobs, and this is uid $(id -u)"
for b in munged mungekey slurmctld slurmd sbatch squeue sinfo; do
  command -v "$b" >/dev/null || [ -x "/usr/sbin/$b" ] ||
    skip "$b is not installed (Debian's slurm-wlm and munge: scripts/bootstrap --for-tests)"
done
PATH=$PATH:/usr/sbin

# The cluster: everything in $tmp/cluster, removed at the end with the
# daemons (e2e_lib's trap removes $tmp; this one stops them first).
c=$tmp/cluster
mkdir -p "$c/ctld" "$c/spool" && chmod 700 "$c"
stop_daemons() {
  for p in slurmd slurmctld munged; do
    [ -s "$c/$p.pid" ] && kill "$(cat "$c/$p.pid")" 2>/dev/null
  done
  sleep 0.5
  rm -rf "$tmp"
}
trap stop_daemons EXIT
show_logs() {
  for l in "$c"/*.log; do
    echo "--- $l"
    tail -n 15 "$l"
  done
}

mungekey -c -k "$c/munge.key" 2>"$c/mungekey.log" ||
  skip "mungekey cannot make a key: $(cat "$c/mungekey.log")"
munged --force --key-file="$c/munge.key" --socket="$c/munge.sock" \
  --pid-file="$c/munged.pid" --log-file="$c/munged.log" \
  --seed-file="$c/munged.seed" 2>>"$c/munged.log" ||
  skip "munged does not start: $(tail -n 3 "$c/munged.log")"

node=$(hostname -s)
ncpus=$(nproc)
base=$((20000 + $$ % 20000))
cat >"$c/slurm.conf" <<CONF
ClusterName=gillabtest
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$base
SlurmdPort=$((base + 1))
AuthType=auth/munge
AuthInfo=socket=$c/munge.sock
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$c/ctld
SlurmdSpoolDir=$c/spool
SlurmctldPidFile=$c/slurmctld.pid
SlurmdPidFile=$c/slurmd.pid
SlurmctldLogFile=$c/slurmctld.log
SlurmdLogFile=$c/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MpiDefault=none
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
NodeName=$node NodeAddr=127.0.0.1 CPUs=$ncpus State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$c/slurm.conf
slurmctld -c -f "$SLURM_CONF" 2>>"$c/slurmctld.log"
slurmd -f "$SLURM_CONF" -N "$node" 2>>"$c/slurmd.log"
up=0
for _ in $(seq 1 60); do
  if sinfo -h -N -o '%T' 2>/dev/null | grep -qx idle; then
    up=1
    break
  fi
  sleep 0.5
done
if [ "$up" = 0 ]; then
  show_logs
  skip "the Slurm daemons did not bring node $node up in 30 s (logs above)"
fi
echo "cluster up: node $node, $ncpus CPUs, slurmctld on port $base"

# The run: 4 rows (2 workloads x 2 models), 1 and 2 workers, 2 repetitions.
opts=(-q -w cpu.primes,io.sleep -m threads,processes -n 1,2 -r 2 --size 0.02)
cd "$tmp"
job=$(GILLAB=$gillab sbatch --parsable --array=0-3 \
  "$src/scripts/cluster/gillab.sbatch" "${opts[@]}" -o "$tmp/results")
check "sbatch takes the array (job $job)" test -n "$job"
"$gillab" run "${opts[@]}" -o "$tmp/whole" >/dev/null
for _ in $(seq 1 240); do
  [ -z "$(squeue -h -j "$job" 2>/dev/null)" ] && break
  sleep 0.5
done
check "the array's 4 tasks ended" test -z "$(squeue -h -j "$job" 2>/dev/null)"
shards=("$tmp/results/slurm-$job"/shard-*-of-4)
check "4 shard directories, named by run id and shard" test "${#shards[@]}" = 4
if [ "${#shards[@]}" != 4 ]; then
  show_logs
  cat "$tmp"/gillab-*.out 2>/dev/null | tail -n 20
fi
check "each shard's metadata: slurm, the spec and its hash" jqtrue \
  "${shards[0]}/results.jsonl" \
  '.[0] | .shard.source == "slurm" and .shard.count == 4 and
   (.spec_sha256 | length) == 64 and .spec.workloads == ["cpu.primes","io.sleep"]'

key='select(.type == "cell") | [.workload, .model, .runtime, .placement,
  .workers, .rep, (.warmup // false)] | tostring'
"$gillab" merge "$tmp/merged" "${shards[@]}" >/dev/null 2>"$tmp/merge.err"
check "merge of the 4 shards succeeds" test -s "$tmp/merged/summary.md"
jq -r "$key" "$tmp/merged/results.jsonl" | sort >"$tmp/merged.keys"
jq -r "$key" "$tmp/whole/results.jsonl" | sort >"$tmp/whole.keys"
check "merged cells = the unsharded run's (16 cells)" \
  cmp -s "$tmp/merged.keys" "$tmp/whole.keys"
check "no cell twice" test -z "$(uniq -d "$tmp/merged.keys")"
check "16 cells" test "$(wc -l <"$tmp/merged.keys")" = 16
check "every merged record keeps its shard" jqtrue \
  "$tmp/merged/results.jsonl" \
  '[.[] | select(.type == "cell") | .shard] | all(. >= 0 and . < 4)'
check "summary.md from the merge names the run" \
  grep -q "merged: 4 of 4 shards of run slurm-$job" "$tmp/merged/summary.md"
check "one machine: no machine label" \
  sh -c "! grep -q ', on m1' '$tmp/merged/summary.md'"

# A shard missing: named, refused; --partial: marked in every output.
gone=${shards[2]}
rm -rf "$gone"
"$gillab" merge "$tmp/m3" "${shards[@]:0:2}" "${shards[3]}" \
  >/dev/null 2>"$tmp/m3.err"
rc=$?
check "a missing shard fails the merge (exit $rc)" test "$rc" = 1
check "... and is named" grep -q "missing: shard 2 of 4" "$tmp/m3.err"
check "... and nothing is written" test ! -e "$tmp/m3/results.jsonl"
"$gillab" merge --partial "$tmp/p3" "${shards[@]:0:2}" "${shards[3]}" \
  >/dev/null 2>"$tmp/p3.err"
check "--partial merges what is there" test -s "$tmp/p3/summary.md"
check "--partial: summary.md says PARTIAL" \
  grep -q "^# PARTIAL" "$tmp/p3/summary.md"
check "--partial: results.csv says partial" \
  grep -q "^# partial: PARTIAL.*missing shards: 2" "$tmp/p3/results.csv"
check "--partial: report.html says partial" grep -q "PARTIAL" \
  "$tmp/p3/report.html"
check "--partial: results.jsonl says partial" jqtrue "$tmp/p3/results.jsonl" \
  '.[0].merged.partial == true and .[0].merged.missing == "2"'

# Two machines: shard 1 of 2 claims another CPU model and holds the same
# cells as shard 0; every row stays on its machine.
mkdir -p "$tmp/two/a" "$tmp/two/b"
src0=${shards[0]}/results.jsonl
{
  head -n 1 "$src0" | jq -c '.shard.count = 2'
  tail -n +2 "$src0"
} >"$tmp/two/a/results.jsonl"
{
  head -n 1 "$src0" |
    jq -c '.shard.count = 2 | .shard.index = 1 |
           .machine.cpu_model = "Imaginary CPU 9000"'
  tail -n +2 "$src0" | jq -c '.throughput *= 3'
} >"$tmp/two/b/results.jsonl"
"$gillab" merge "$tmp/two/m" "$tmp/two/a" "$tmp/two/b" >/dev/null 2>&1
s=$tmp/two/m/summary.md
check "two machines: merged" test -s "$s"
check "two machines: summary.md says so" grep -q "^\*\*2 machines\*\*" "$s"
check "two machines: a section for each" \
  sh -c "grep -q '^## Machine m1: ' '$s' && grep -q '^## Machine m2: Imaginary CPU 9000' '$s'"
check "two machines: every table row names its machine" \
  sh -c "! grep -E '^\| (3\.|native)' '$s' | grep -v ', on m[12] |'"
check "two machines: the same rows on each, apart" \
  test "$(grep -c ', on m1 |' "$s")" -ge 1 -a \
  "$(grep -c ', on m1 |' "$s")" = "$(grep -c ', on m2 |' "$s")"
check "two machines: records carry the machine, csv too" \
  sh -c "jq -e -s '[.[] | select(.type == \"cell\") | .machine] | unique == [\"m1\",\"m2\"]' '$tmp/two/m/results.jsonl' >/dev/null &&
         head -n 40 '$tmp/two/m/results.csv' | grep -q ',shard,machine\$'"
# The m2 copy ran 3x faster: a figure averaged across machines would be
# 2x; each machine's own median must come through unmixed.
check "two machines: no figure averaged across them" jqtrue \
  "$tmp/two/m/results.jsonl" \
  '[.[] | select(.type == "cell" and .status == "ok")] | group_by([.workload,.model,.runtime,.workers,.machine]) | all(length == 2)'

e2e_finish
