#!/usr/bin/env bash
# `edubench grade --slurm` and `--collect` without Slurm: the array job script written for a
# class is run by bash once per task with SLURM_ARRAY_TASK_ID set, as sbatch would run it, and
# the parts are merged. A team folder whose name holds a space and a quote proves the quoting.
#   grade_slurm.sh EDUBENCH REGISTRY WORKDIR ECHO_C CHEAT_CACHE
set -uo pipefail
edubench=$1 registry=$2 work=$3 echo_c=$4 cheat=$5
rm -rf "$work"
batch=$work/class
out=$work/grades
mkdir -p "$batch/honest" "$batch/o'brien team"
cp "$echo_c" "$batch/honest/sut.so"
cp "$cheat" "$batch/o'brien team/sut.so"
fail() {
  echo "FAIL: $*"
  for f in "$work"/out* "$work"/err* "$out"/slurm/logs/*; do [[ -f $f ]] && { echo "--- $f"; cat "$f"; }; done
  exit 1
}

"$edubench" grade "$batch" --slurm --output "$out" --registry "$registry" --scenario offline \
  --set query_timeout_s=20 --sbatch-arg=--time=00:10:00 --retries 2 >"$work/out.slurm" 2>"$work/err.slurm" ||
  fail "grade --slurm exited $?"
script=$out/slurm/grade.sbatch
[[ -x $script ]] || fail "no executable $script"
grep -q "sbatch $script" "$work/out.slurm" || fail "the sbatch command is not printed"
grep -q "^#SBATCH --array=0-1$" "$script" || fail "array size"
grep -q "^#SBATCH --time=00:10:00$" "$script" || fail "--sbatch-arg"
grep -q -- "--retries 2$" "$script" || fail "--retries is not passed to the tasks"
grep -q "^#SBATCH --output=$out/slurm/logs/%A_%a.out$" "$script" || fail "log path"
[[ -d $out/slurm/logs ]] || fail "the log folder must exist before sbatch runs"
[[ -e $out/gradebook.sqlite ]] && fail "--slurm graded locally"
bash -n "$script" || fail "the script does not parse"

# Without a task id, or with one out of range: a clear error, nothing graded.
env -u SLURM_ARRAY_TASK_ID bash "$script" >"$work/out.noid" 2>"$work/err.noid" && fail "ran without a task id"
grep -q "SLURM_ARRAY_TASK_ID" "$work/err.noid" || fail "no message without a task id"
SLURM_ARRAY_TASK_ID=2 bash "$script" >"$work/out.range" 2>"$work/err.range"
[[ $? == 2 ]] || fail "task id 2 of 0-1 should exit 2"
grep -q "^edubench: error: SLURM_ARRAY_TASK_ID=2: expected 0..1" "$work/err.range" || fail "out-of-range message"

for i in 0 1; do
  SLURM_ARRAY_TASK_ID=$i bash "$script" >"$work/out.task$i" 2>"$work/err.task$i" || fail "task $i exited $?"
done
[[ -f "$out/slurm/parts/honest/gradebook.sqlite" && -f "$out/slurm/parts/o'brien team/gradebook.sqlite" ]] ||
  fail "a part is missing"

"$edubench" grade --collect "$out" >"$work/out.collect" 2>"$work/err.collect" || fail "--collect exited $?"
grep -q "^collected 2 parts" "$work/out.collect" || fail "collect summary"
"$edubench" grade --collect "$out" --quiet >"$work/out.collect2" 2>"$work/err.collect2" || fail "second --collect"
python3 - "$out" <<'PY' || fail "collected grade book"
import csv, sqlite3, sys
out = sys.argv[1]
db = sqlite3.connect(f"{out}/gradebook.sqlite")
rows = {r[0]: r[1:] for r in db.execute("SELECT team, verdict, failed_rules, overrides, run_dir FROM grades")}
if set(rows) != {"honest", "o'brien team"}: sys.exit(f"teams {sorted(rows)}")
if rows["honest"][0] != "PASS": sys.exit(f"honest {rows['honest']}")
if rows["o'brien team"][0] != "FAIL" or "TEST04" not in rows["o'brien team"][1]: sys.exit(f"cheat {rows}")
if any(r[2] != "query_timeout_s=20" for r in rows.values()): sys.exit("--set not recorded")
if not rows["honest"][3].startswith(f"{out}/slurm/parts/honest/runs/"): sys.exit(f"run_dir {rows['honest'][3]}")
batches = db.execute("SELECT count(*) FROM batches WHERE finished_at IS NOT NULL").fetchone()[0]
if batches != 2: sys.exit(f"{batches} batches: collecting twice must not copy them twice")
table = list(csv.DictReader(open(f"{out}/grades.csv", newline="")))
if [r["team"] for r in table] != ["honest", "o'brien team"]: sys.exit("grades.csv order")
if "o&#39;brien team" not in open(f"{out}/grades.html").read(): sys.exit("grades.html")
PY

# Submitting needs sbatch; where there is none (a PATH without it here) the error says so.
env PATH=/nonexistent "$edubench" grade "$batch" --slurm --submit --output "$out" --registry "$registry" \
  >"$work/out.submit" 2>"$work/err.submit"
[[ $? == 2 ]] || fail "--submit without sbatch should exit 2"
grep -q "^edubench: error: --submit: sbatch is not on the PATH" "$work/err.submit" || fail "--submit message"
grep -q "^#SBATCH --time=00:10:00$" "$script" || fail "a --submit that cannot happen rewrote the job"
echo "ok: slurm script run by bash, parts collected"
