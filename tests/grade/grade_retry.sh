#!/usr/bin/env bash
# `edubench grade` around a batch: a plugin that crashes on its first attempt passes on the
# retry and the retry is recorded (and with --retries 0 it fails); --leaderboard and
# --gradescope-csv; --verify-top re-runs the leaders and flags the one that got 100x slower;
# --recheck runs the checker again over a tampered run directory without re-running anything.
#   grade_retry.sh EDUBENCH REGISTRY WORKDIR ECHO_C MOODY
set -uo pipefail
edubench=$1 registry=$2 work=$3 echo_c=$4 moody=$5
rm -rf "$work"
batch=$work/class
out=$work/class-grades
mkdir -p "$batch"/{honest,moody,stubborn}
cp "$echo_c" "$batch/honest/sut.so"
printf 'name: Honest\nmembers: [Ada Lovelace <ada@uni.edu>, Bob]\n' >"$batch/honest/team.yaml"
cp "$moody" "$batch/moody/sut.so"
printf 'name: Moody\nmembers: [Cy <cy@uni.edu>]\n' >"$batch/moody/team.yaml"
cp "$moody" "$batch/stubborn/sut.so"

fail() {
  echo "FAIL: $*"
  for f in "$work"/out.* "$work"/err.*; do [[ -f $f ]] && { echo "--- $f"; cat "$f"; }; done
  exit 1
}
grade() {  # grade NAME args...
  local name=$1
  shift
  "$edubench" grade "$batch" --registry "$registry" --scenario offline "$@" >"$work/out.$name" 2>"$work/err.$name"
  local rc=$?
  [[ $rc == 0 ]] || fail "grade ($name) exited $rc"
  grep -q "^edubench: error:" "$work/err.$name" && fail "grade ($name) printed an error line"
  return 0
}
db() { python3 - "$out/gradebook.sqlite" "$@"; }
crash_for() { echo "crash_until $(($(date +%s) + $2))" >"$batch/$1/moody.txt"; }

grade honest --team honest

# The first attempt's first query waits 6 s and aborts; the retry runs after that and passes.
crash_for moody 6
grade moody --team moody
grep -q "^retry moody  echo/offline: attempt 1 was FAIL" "$work/out.moody" || fail "no retry line"
grep -q "^PASS  moody  echo/offline: .*(attempt 2)" "$work/out.moody" || fail "the retry did not pass"
crash_for stubborn 6
grade stubborn --team stubborn --retries 0
grep -q "^FAIL  stubborn  echo/offline" "$work/out.stubborn" || fail "--retries 0 still retried or passed"
grep -q "^retry" "$work/out.stubborn" && fail "--retries 0 retried"
db <<'PY' || fail "attempts in the grade book"
import sqlite3, sys, os
db = sqlite3.connect(sys.argv[1]); db.row_factory = sqlite3.Row
r = {x["team"]: x for x in db.execute("SELECT * FROM grades")}
m = r["moody"]
if (m["verdict"], m["attempts"]) != ("PASS", 2): sys.exit(f"moody {m['verdict']} after {m['attempts']} attempts")
if not m["earlier_attempts"].startswith("attempt 1: FAIL, submission exit 3: "): sys.exit(m["earlier_attempts"])
kept = m["run_dir"] + ".attempt1"
if not os.path.isdir(kept) or kept not in m["earlier_attempts"]: sys.exit(f"attempt 1's run directory {kept}")
s = r["stubborn"]
if (s["verdict"], s["attempts"], s["earlier_attempts"]) != ("FAIL", 1, ""): sys.exit(f"stubborn {dict(s)}")
if r["honest"]["attempts"] != 1: sys.exit("honest took more than one attempt")
PY

# The leaderboard and Gradescope's upload, from the book (nothing graded again).
rm -f "$batch/moody/moody.txt"
grade board --leaderboard --gradescope-csv "$work/gradescope.csv"
grep -q "^0 submissions graded, 3 graded already" "$work/out.board" || fail "the leaderboard graded something"
grep -q "^leaderboard echo/offline by samples_per_s (higher is better)" "$work/out.board" || fail "leaderboard header"
[[ $(grep -c "^ *[12]  \(honest\|moody\) .*not verified" "$work/out.board") == 2 ]] || fail "leaderboard rows"
grep -q "stubborn" <(grep -A3 "^leaderboard" "$work/out.board") && fail "a failing team on the leaderboard"
grep -q "passed on attempt 2" "$work/out.board" || fail "the leaderboard hides the retry"
[[ $(wc -l <"$out/leaderboard.csv") == 3 ]] || fail "leaderboard.csv: $(cat "$out/leaderboard.csv")"
python3 - "$work/gradescope.csv" <<'PY' || fail "gradescope.csv"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
got = {(r["Name"], r["Email"], r["Team"], r["Total Score"], r["Max Points"]) for r in rows}
want = {("Ada Lovelace", "ada@uni.edu", "Honest", "10", "10"), ("Bob", "", "Honest", "10", "10"),
        ("Cy", "cy@uni.edu", "Moody", "10", "10")}
if got != want: sys.exit(f"{got}")
PY
grep -q "warning: team honest: member 'Bob' has no email" "$work/err.board" || fail "no warning for Bob"
grep -q "warning: team stubborn: no members" "$work/err.board" || fail "no warning for stubborn"

# --verify-top: moody now answers 100x slower; honest re-runs within a factor 4 (a shared machine).
echo "service_us 1000" >"$batch/moody/moody.txt"
grade verify --verify-top 2 --verify-tolerance 3 --leaderboard
grep -q "^verify honest  echo/offline: same, samples_per_s" "$work/out.verify" || fail "honest not verified same"
grep -q "^verify moody  echo/offline: differs, samples_per_s" "$work/out.verify" || fail "moody's slowdown not flagged"
grep -q "re-run differs" "$work/out.verify" || fail "the leaderboard does not show the flag"
grade verify2 --verify-top 2 --verify-tolerance 3
grep -q "^verify" "$work/out.verify2" && fail "verified rows were re-run again"
db <<'PY' || fail "verification in the grade book"
import sqlite3, sys, os
db = sqlite3.connect(sys.argv[1]); db.row_factory = sqlite3.Row
r = {x["team"]: x for x in db.execute("SELECT * FROM grades")}
for t, want in (("honest", "same"), ("moody", "differs")):
    if r[t]["verified"] != want or not r[t]["verify_value"] or not os.path.isdir(r[t]["verify_run_dir"]):
        sys.exit(f"{t}: {r[t]['verified']} {r[t]['verify_value']} {r[t]['verify_run_dir']}")
if r["moody"]["metric_value"] < 20 * r["moody"]["verify_value"]: sys.exit("moody's re-run is not much slower")
if r["stubborn"]["verified"] != "": sys.exit("a failing row was verified")
PY

# --recheck: honest's log loses a line; the checker finds it, no submission runs.
before=$(db <<<'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT submission_s FROM grades WHERE team=\"honest\"").fetchone()[0])')
events=$out/runs/honest/echo/offline/performance/events.jsonl
[[ -s $events ]] || fail "no $events"
sed -i '5d' "$events"
grade recheck --recheck
grep -q "^FAIL  honest  echo/offline: was PASS on recheck" "$work/out.recheck" || fail "recheck did not catch the edit"
grep -q "^3 submissions rechecked" "$work/out.recheck" || fail "recheck count"
db - "$before" <<'PY' || fail "recheck columns"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1]); db.row_factory = sqlite3.Row
h = db.execute("SELECT * FROM grades WHERE team='honest'").fetchone()
if h["verdict"] != "FAIL" or not h["rechecked_at"]: sys.exit(f"{h['verdict']} {h['rechecked_at']}")
if str(h["submission_s"]) != sys.argv[3]: sys.exit("the submission ran again")
PY
echo "ok: retries, leaderboard, gradescope csv, verify-top, recheck"
