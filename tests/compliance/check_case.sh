#!/usr/bin/env bash
# One compliance case end to end: `edubench run --mode submission`, an optional edit of the
# submission directory, then `edubench check`, whose verdict must be the expected one.
#   check_case.sh EDUBENCH REGISTRY WORKDIR EDIT EXPECT -- run arguments...
#   check_case.sh EDUBENCH REGISTRY WORKDIR EDIT EXPECT -- --reuse SUBMISSION_DIR
# --reuse copies a submission another case made instead of running one (a model workload's
#         submission takes tens of seconds; an edit of it need not run it again).
# EDIT    none | latency (a completion time in performance/events.jsonl) | delete_event (a
#         completion line of performance/events.jsonl) | swap_plugin (another sha256 in
#         accuracy/manifest.json) | truncate (performance/events.jsonl cut mid-line) |
#         bad_submission (submission.json not JSON) | audit_offset (another
#         audit.performance_sample_offset recorded in submission.json) | verdict (code workloads:
#         a failing hidden-test verdict in accuracy/accuracy.jsonl recorded as passed, and the
#         manifest and submission.json resealed, so that only running the code again can tell)
# EXPECT  PASS: exit 0, no FAIL line, verdict.json passed. Otherwise a regex: exit 6, one
#         "edubench: error:" line, a "FAIL <regex>" line and verdict.json not passed.
# SKIP_IF_AUDIT_SAMPLE=N (environment): exit 77 (ctest: skipped) when the submission's audit drew
#         sample N, for a cheat that is honest on that one sample (a 1-in-the-data-set's-size draw).
set -uo pipefail
edubench=$1 registry=$2 work=$3 edit=$4 expect=$5
shift 5
[[ ${1:-} == "--" ]] && shift
rm -rf "$work"
mkdir -p "$work"
sub=$work/submission
fail() {
  echo "FAIL: $*"
  echo "--- check stdout:"; cat "$work/out" 2>/dev/null
  echo "--- check stderr:"; cat "$work/err" 2>/dev/null
  exit 1
}
if [[ ${1:-} == --reuse ]]; then
  [[ -f ${2:-}/submission.json ]] || fail "--reuse ${2:-}: no submission there (run its case first)"
  cp -r "$2" "$sub"
  rm -f "$sub/verdict.json"
else
  "$edubench" run --mode submission --registry "$registry" --output "$sub" --quiet "$@" 2>"$work/run_err"
  rc=$?
  # A cheat may make its own runs INVALID (1) or inaccurate (4); anything else means no evidence.
  [[ $rc == 0 || $rc == 1 || $rc == 4 ]] || { cat "$work/run_err"; fail "run --mode submission exited $rc"; }
fi
[[ -f $sub/submission.json ]] || fail "no submission.json"
if [[ -n ${SKIP_IF_AUDIT_SAMPLE:-} ]]; then
  # The sample it issues most often (an Offline audit mixes distinct ones in).
  drawn=$(grep '"ev":"issue"' "$sub/audit_same_sample/events.jsonl" | sed -nE 's/.*"sample":([0-9]+).*/\1/p' |
          sort | uniq -c | sort -rn | awk 'NR==1 {print $2}')
  [[ -n $drawn ]] || fail "cannot read the audit's sample"
  [[ $drawn == "$SKIP_IF_AUDIT_SAMPLE" ]] && { echo "skipped: the audit drew sample $drawn"; exit 77; }
fi
events=$sub/performance/events.jsonl
case $edit in
  none) ;;
  latency)  # the last completion 1 ms earlier: a better latency, the file otherwise well-formed
    python3 - "$events" <<'PY' || fail "edit failed"
import json, sys
p = sys.argv[1]
lines = open(p).read().splitlines()
i = max(k for k, l in enumerate(lines) if '"ev":"complete"' in l)
j = json.loads(lines[i]); j["t_ns"] -= 1000000
lines[i] = json.dumps(j, separators=(",", ":"))
open(p, "w").write("\n".join(lines) + "\n")
PY
    ;;
  delete_event) python3 - "$events" <<'PY' || fail "edit failed"
import sys
p = sys.argv[1]
lines = open(p).read().splitlines()
i = next(k for k, l in enumerate(lines) if '"ev":"complete"' in l)
del lines[i]
open(p, "w").write("\n".join(lines) + "\n")
PY
    ;;
  swap_plugin) sed -i -E '/"sut"/,/}/ s/"sha256": "[0-9a-f]+"/"sha256": "'"$(printf '0%.0s' {1..64})"'"/' \
      "$sub/accuracy/manifest.json" || fail "edit failed" ;;
  truncate) size=$(stat -c %s "$events"); truncate -s $((size / 2)) "$events" ;;
  bad_submission) echo '{"workload": "echo", ' >"$sub/submission.json" ;;
  audit_offset) python3 - "$sub/submission.json" <<'PY' || fail "edit failed"
import json, sys
p = sys.argv[1]
s = json.load(open(p))
s["audit"]["performance_sample_offset"] += 1
json.dump(s, open(p, "w"), indent=2)
PY
    ;;
  verdict) python3 - "$sub" <<'PY' || fail "edit failed"
import hashlib, json, sys
sub = sys.argv[1]
sha = lambda p: hashlib.sha256(open(p, "rb").read()).hexdigest()
acc = sub + "/accuracy/accuracy.jsonl"
lines = open(acc).read().splitlines()
i = next(k for k, l in enumerate(lines) if json.loads(l).get("hidden_tests", "passed") != "passed")
j = json.loads(lines[i])
j["hidden_tests"] = j["first_attempt_hidden_tests"] = "passed"
lines[i] = json.dumps(j, separators=(",", ":"))
open(acc, "w").write("\n".join(lines) + "\n")
print("edited query", j["q"], "(sample", j["sample"], ") to passed")
manifest = sub + "/accuracy/manifest.json"
m = json.load(open(manifest))
m["files"]["accuracy.jsonl"] = sha(acc)
json.dump(m, open(manifest, "w"), indent=2)
s = json.load(open(sub + "/submission.json"))
s["runs"]["accuracy"]["manifest_sha256"] = sha(manifest)
json.dump(s, open(sub + "/submission.json", "w"), indent=2)
PY
    ;;
  *) fail "unknown edit $edit" ;;
esac
"$edubench" check "$sub" --registry "$registry" >"$work/out" 2>"$work/err"
rc=$?
grep -q "Traceback\|terminate called\|what():" "$work/err" && fail "a crash reached the user"
[[ -f $sub/verdict.json ]] || fail "no verdict.json"
passed=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["passed"])' "$sub/verdict.json") ||
  fail "verdict.json does not parse"
if [[ $expect == PASS ]]; then
  [[ $rc == 0 ]] || fail "check exited $rc, expected 0"
  grep -q "^FAIL" "$work/out" && fail "a rule failed"
  [[ $passed == True ]] || fail "verdict.json passed=$passed"
else
  [[ $rc == 6 ]] || fail "check exited $rc, expected 6"
  [[ $(grep -c "^edubench: error: " "$work/err") == 1 ]] || fail "expected exactly one error line"
  grep -Eq "^FAIL ($expect)" "$work/out" || fail "no FAIL line for /$expect/"
  [[ $passed == False ]] || fail "verdict.json passed=$passed"
fi
grep -E "^FAIL" "$work/out" | head -n 5
echo "ok: check exit $rc"
