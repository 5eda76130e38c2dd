#!/usr/bin/env bash
# `edubench grade` end to end on a class built here from real plugins: an honest team, a cheat,
# a plugin whose create fails, one without the entry symbol, one serving no ready workload, a
# folder without a .so and one with a bad team.yaml. Then resuming: a second run grades nothing,
# touching a .so changes nothing, replacing it re-grades that team only.
#   grade_batch.sh EDUBENCH REGISTRY WORKDIR ECHO_C CHEAT_CACHE CREATE_FAILS NO_ENTRY WRONG_WORKLOAD HONEST2
set -uo pipefail
edubench=$1 registry=$2 work=$3
echo_c=$4 cheat=$5 create_fails=$6 no_entry=$7 wrong_workload=$8 honest2=$9
rm -rf "$work"
batch=$work/class
out=$work/class-grades  # the default output: SUBMISSIONS_DIR-grades
mkdir -p "$batch"/{honest,cheater,broken,noentry,wrongwl,empty,badyaml}
cp "$echo_c" "$batch/honest/sut.so"
cat >"$batch/honest/team.yaml" <<'EOF'
name: Honest <b>& "Co"
members: [Ada Lovelace, Bob]
division: closed
EOF
cp "$cheat" "$batch/cheater/"
cp "$create_fails" "$batch/broken/"
cp "$no_entry" "$batch/noentry/"
cp "$wrong_workload" "$batch/wrongwl/"
echo "we forgot the plugin" >"$batch/empty/README.txt"
cp "$echo_c" "$batch/badyaml/"
printf 'name: Bad\ndivision: half\n' >"$batch/badyaml/team.yaml"

fail() {
  echo "FAIL: $*"
  for f in "$work"/out* "$work"/err*; do [[ -f $f ]] && { echo "--- $f"; cat "$f"; }; done
  exit 1
}
grade() {  # grade NAME args...: runs edubench grade, output into $work/out.NAME and err.NAME
  local name=$1
  shift
  "$edubench" grade "$batch" --registry "$registry" "$@" >"$work/out.$name" 2>"$work/err.$name"
  local rc=$?
  [[ $rc == 0 ]] || fail "grade ($name) exited $rc"
  grep -q "^edubench: error:" "$work/err.$name" && fail "grade ($name) printed an error line"
  grep -q "Traceback\|terminate called\|what():" "$work/err.$name" && fail "a crash reached the user"
  return 0
}
db() { python3 - "$out/gradebook.sqlite" "$@"; }

start=$(date +%s.%N)
grade first
echo "first batch: $(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$start" "$(date +%s.%N)") s"
cat "$work/out.first"

db <<'PY' || fail "grade book rows"
import sqlite3, sys, re
db = sqlite3.connect(sys.argv[1])
db.row_factory = sqlite3.Row
rows = {(r["team"], r["workload"], r["scenario"]): r for r in db.execute("SELECT * FROM grades")}
def need(cond, what):
    if not cond:
        sys.exit("grade book: " + what)
scenarios = ["offline", "server", "single_stream"]
need(len(rows) == 3 + 3 + 3 + 4, f"{len(rows)} rows: {sorted(rows)}")
for sc in scenarios:
    h = rows[("honest", "echo", sc)]
    need(h["verdict"] == "PASS", f"honest {sc}: {h['verdict']} {h['detail']}")
    need(h["failed_rules"] == "", f"honest {sc} failed rules {h['failed_rules']}")
    need(h["team_name"] == 'Honest <b>& "Co"' and h["members"] == "Ada Lovelace, Bob", "team.yaml fields")
    need(h["metric_value"] is not None and h["metric_value"] > 0, f"honest {sc} metric")
    need(h["metric_name"] == {"offline": "samples_per_s", "single_stream": "latency_p90_ms",
                              "server": "latency_p99_ms"}[sc], f"metric name {h['metric_name']}")
    need(h["accuracy_metric"] == "exact_match" and h["accuracy_value"] == 1.0, "honest accuracy")
    need(h["submission_exit"] == 0 and h["check_exit"] == 0, "honest exit codes")
    need(h["submission_s"] > 0 and h["check_s"] > 0, "timings")
    need(re.fullmatch(r"[0-9a-f]{64}", h["plugin_sha256"]) and re.fullmatch(r"[0-9a-f]{64}", h["registry_sha256"]),
         "hashes")
    need(h["plugin_name"] == "echo_c", "plugin name")
    need(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", h["graded_at"]), "graded_at")
    c = rows[("cheater", "echo", sc)]
    need(c["verdict"] == "FAIL" and "TEST04" in c["failed_rules"].split(), f"cheater {sc}: {c['failed_rules']}")
    need(c["check_exit"] == 6, "cheater check exit 6")
    b = rows[("broken", "echo", sc)]
    need(b["verdict"] == "FAIL" and b["submission_exit"] == 3, f"broken {sc}: {b['verdict']} {b['submission_exit']}")
    need("create failed" in b["detail"] and "no accelerator found" in b["detail"], f"broken detail {b['detail']}")
e = rows[("empty", "-", "-")]
need(e["verdict"] == "ERROR" and "no .so in the team folder" in e["detail"], f"empty: {e['detail']}")
y = rows[("badyaml", "-", "-")]
need(y["verdict"] == "ERROR" and re.search(r"badyaml/team\.yaml:2: division: expected closed or open", y["detail"]),
     f"badyaml: {y['detail']}")
need(y["team_name"] == "badyaml" and y["division"] == "closed", "a bad team.yaml leaves nothing in the row")
n = rows[("noentry", "-", "-")]
need(n["verdict"] == "FAIL" and "no exported symbol edu_sut_entry" in n["detail"], f"noentry: {n['detail']}")
w = rows[("wrongwl", "-", "-")]
need(w["verdict"] == "FAIL" and "serves none of the ready workloads" in w["detail"], f"wrongwl: {w['detail']}")
b = list(db.execute("SELECT graded, skipped, finished_at FROM batches"))
need(len(b) == 1 and b[0][0] == len(rows) and b[0][1] == 0 and b[0][2], f"batches {b}")
PY

# The tables: every row, passing rows first, best metric first; team text escaped in HTML.
python3 - "$out" <<'PY' || fail "grades.csv / grades.html"
import csv, sys
out = sys.argv[1]
rows = list(csv.DictReader(open(f"{out}/grades.csv", newline="")))
if len(rows) != 13: sys.exit(f"grades.csv: {len(rows)} rows")
verdicts = [r["verdict"] for r in rows]
if verdicts != sorted(verdicts, key=["PASS", "FAIL", "ERROR"].index): sys.exit(f"not sorted by result: {verdicts}")
if rows[0]["team"] != "honest" or rows[0]["rank"] != "1": sys.exit(f"first row {rows[0]}")
if rows[0]["team_name"] != 'Honest <b>& "Co"': sys.exit("csv team_name")
html = open(f"{out}/grades.html").read()
if "Honest &lt;b&gt;&amp; &quot;Co&quot;" not in html or "<b>&" in html: sys.exit("html not escaped")
if html.count("<tr class=") != 13: sys.exit("html rows")
PY
[[ -s $out/runs/honest/echo/offline/verdict.json && -s $out/runs/honest/echo/offline/grade.log ]] ||
  fail "run directory of a grade"

snapshot() { db <<<'import sqlite3,sys; [print(*r) for r in sqlite3.connect(sys.argv[1]).execute("SELECT team, workload, scenario, plugin_sha256, graded_at FROM grades ORDER BY 1,2,3")]'; }
before=$(snapshot)
sleep 1  # graded_at has whole seconds: a re-grade must show

# Resume: nothing new to grade.
grade second
grep -q "^0 submissions graded, 9 graded already" "$work/out.second" || fail "second run graded something"
[[ $(snapshot | grep -v ' - ') == $(grep -v ' - ' <<<"$before") ]] || fail "second run changed graded rows"

# Touching a .so changes no byte: still graded.
touch "$batch/honest/sut.so" "$batch/cheater/"*.so
grade touched
grep -q "^0 submissions graded, 9 graded already" "$work/out.touched" || fail "touching a .so re-graded"

# Another .so for one team: that team only is graded again, its old rows replaced.
cp "$honest2" "$batch/honest/sut.so"
grade replaced
grep -q "^3 submissions graded, 6 graded already" "$work/out.replaced" || fail "replacing a .so: expected 3 re-graded"
db <<'PY' || fail "replaced plugin"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
names = {r[0] for r in db.execute("SELECT plugin_name FROM grades WHERE team = 'honest'")}
if names != {"fault_many_threads"}: sys.exit(f"honest's rows are about {names}")
if db.execute("SELECT count(*) FROM grades").fetchone()[0] != 13: sys.exit("row count changed")
if db.execute("SELECT count(*) FROM batches").fetchone()[0] != 4: sys.exit("one batch row per run")
PY

# --team and --regrade: that team again, no other.
grade one --team cheater --regrade --scenario offline
grep -q "^1 submissions graded, 0 graded already" "$work/out.one" || fail "--team cheater --regrade --scenario offline"
grep -q "^FAIL  cheater  echo/offline: failed: TEST04" "$work/out.one" || fail "the cheater's row line"
[[ $(grep -c '^\(PASS\|FAIL\|ERROR\) ' "$work/out.one") == 1 ]] || fail "--team graded another team"

# --quiet: nothing on stdout.
grade quiet --quiet
[[ -s $work/out.quiet ]] && fail "--quiet printed"
echo "ok: grade batch, resume and re-grade"
