#!/usr/bin/env bash
# `edubench grade --slurm --submit` and `--collect` on a real single-node Slurm cluster
# (slurm_cluster.sh: munged, slurmctld and slurmd of Debian's slurm-wlm): the collected grade
# book holds the same verdicts and failed rules as a local grade of the same class. Exit 77
# (skipped) where Slurm is not installed or cannot start, unless EDUBENCH_REQUIRE_SLURM=1.
#   grade_slurm_real.sh EDUBENCH REGISTRY WORKDIR ECHO_C CHEAT_CACHE
set -uo pipefail
edubench=$1 registry=$2 work=$3 echo_c=$4 cheat=$5
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work"
mkdir -p "$work"
cluster=$work/cluster
fail() {
  echo "FAIL: $*"
  for f in "$work"/out.* "$work"/err.* "$work"/slurm-grades/slurm/logs/* "$cluster"/*.log; do
    [[ -f $f ]] && { echo "--- $f"; tail -20 "$f"; }
  done
  "$here/slurm_cluster.sh" stop "$cluster"
  exit 1
}
conf=$("$here/slurm_cluster.sh" start "$cluster")
rc=$?
if [[ $rc == 77 ]]; then
  [[ ${EDUBENCH_REQUIRE_SLURM:-0} == 1 ]] && fail "Slurm could not start and EDUBENCH_REQUIRE_SLURM=1"
  exit 77
fi
[[ $rc == 0 ]] || fail "slurm_cluster.sh start exited $rc"
export SLURM_CONF=$conf
trap '"$here/slurm_cluster.sh" stop "$cluster"' EXIT

batch=$work/class
mkdir -p "$batch/honest" "$batch/cheater" "$batch/empty"
cp "$echo_c" "$batch/honest/sut.so"
cp "$cheat" "$batch/cheater/sut.so"
# Offline: the cache cheat fails TEST04 there with a wide margin even on a loaded machine.
args=(--registry "$registry" --scenario offline)

start=$(date +%s)
# --exclusive: one team at a time on the node, as in the local grade (TEST04 compares timings).
"$edubench" grade "$batch" --slurm --submit --output "$work/slurm-grades" "${args[@]}" \
  --sbatch-arg=--exclusive --sbatch-arg=--time=00:10:00 >"$work/out.submit" 2>"$work/err.submit" ||
  fail "grade --slurm --submit exited $?"
job=$(sed -n 's/^Submitted batch job \([0-9]*\)$/\1/p' "$work/out.submit")
[[ -n $job ]] || fail "no job id in the sbatch output"
for _ in $(seq 300); do
  [[ -z $(squeue -h -j "$job" 2>/dev/null) ]] && break
  sleep 1
done
[[ -z $(squeue -h -j "$job" 2>/dev/null) ]] && echo "job $job ran in $(($(date +%s) - start)) s" ||
  fail "job $job still queued or running after 300 s"
"$edubench" grade --collect "$work/slurm-grades" >"$work/out.collect" 2>"$work/err.collect" ||
  fail "--collect exited $?"
grep -q "^collected 3 parts" "$work/out.collect" || fail "expected 3 parts"

"$edubench" grade "$batch" --output "$work/local-grades" "${args[@]}" >"$work/out.local" 2>"$work/err.local" ||
  fail "the local grade exited $?"
python3 - "$work" <<'PY' || fail "the Slurm grade differs from the local one"
import sqlite3, sys
work = sys.argv[1]
def book(name):
    db = sqlite3.connect(f"{work}/{name}/gradebook.sqlite")
    return {(t, w, s): (v, r) for t, w, s, v, r in
            db.execute("SELECT team, workload, scenario, verdict, failed_rules FROM grades")}
slurm, local = book("slurm-grades"), book("local-grades")
if slurm != local: sys.exit(f"slurm {sorted(slurm.items())}\nlocal {sorted(local.items())}")
want = {("honest", "echo", "offline"): "PASS", ("cheater", "echo", "offline"): "FAIL", ("empty", "-", "-"): "ERROR"}
got = {k: v[0] for k, v in slurm.items()}
if got != want: sys.exit(f"verdicts {got}")
print(f"{len(slurm)} rows, the same verdicts and failed rules under Slurm and locally")
PY
echo "ok: graded on a real Slurm cluster"
