#!/usr/bin/env bash
# One attack under --isolation process: the harness must survive it, write every file of the
# run, and name what happened.
#   attack_case.sh EDUBENCH REGISTRY WORKDIR EXIT_CODE KIND_REGEX REPORT_REGEX [FILE_MUST_NOT_EXIST] -- run args
# KIND_REGEX matches the run's error kinds and invalid reasons (or "VALID" for an attack that
# was refused and that the plugin survived); REPORT_REGEX must match crash_report.txt, or sut_stderr.log when there is none.
set -uo pipefail
edubench=$1 registry=$2 work=$3 want_rc=$4 kind=$5 report=$6 forbidden=${7:-}
shift 6
[[ ${1:-} != "--" ]] && shift
[[ ${1:-} == "--" ]] && shift
rm -rf "$work"
mkdir -p "$work"
run=$work/run
fail() {
  echo "FAIL: $*"
  echo "--- stderr:"; cat "$work/err"
  for f in crash_report.txt sut_stderr.log; do [[ -f $run/$f ]] && { echo "--- $f:"; cat "$run/$f"; }; done
  exit 1
}
timeout 120 "$edubench" run --isolation process --registry "$registry" --output "$run" --quiet "$@" 2>"$work/err"
rc=$?
[[ $rc == "$want_rc" ]] || fail "exit code $rc, expected $want_rc"
# A test of a layer this kernel lacks (REQUIRE_CONTAINMENT: a regex over the worker's
# containment lines) is skipped, not passed: the run says which layer was missing.
if [[ -n ${REQUIRE_CONTAINMENT:-} ]] && ! python3 - "$run" "$REQUIRE_CONTAINMENT" <<'PY'
import json, re, sys
lines = json.load(open(sys.argv[1] + "/result.json"))["sut"]["containment"]
sys.exit(0 if any(re.search(sys.argv[2], l) for l in lines) else 1)
PY
then
  echo "SKIP: no containment line matches /$REQUIRE_CONTAINMENT/ on this kernel"
  exit 77
fi
for f in result.json summary.txt events.jsonl accuracy.jsonl trace.json manifest.json sut_stderr.log; do
  [[ -f $run/$f ]] || fail "the run directory lacks $f"
done
python3 - "$run" "$kind" <<'PY' || fail "result.json does not name the failure"
import json, re, sys
run, kind = sys.argv[1], sys.argv[2]
r = json.load(open(run + "/result.json"))
m = json.load(open(run + "/manifest.json"))
assert "sut_stderr.log" in m["files"], "sut_stderr.log is not sealed in the manifest"
kinds = [json.loads(l).get("kind", "") for l in open(run + "/events.jsonl") if '"ev":"error"' in l]
line = "VALID" if r.get("valid") else " ".join(kinds + r["invalid_reasons"])
assert re.search(kind, line), f"{kind!r} not in {line!r}"
PY
if [[ -f $run/crash_report.txt ]]; then
  grep -Eq "$report" "$run/crash_report.txt" || fail "crash_report.txt does not match /$report/"
  grep -q "queries in flight" "$run/crash_report.txt" || fail "crash_report.txt lists no queries in flight"
else
  grep -Eq "$report" "$run/sut_stderr.log" || fail "sut_stderr.log does not match /$report/"
fi
if [[ -n $forbidden ]]; then
  [[ -e $forbidden ]] && fail "$forbidden exists: the attack was not contained"
fi
echo "PASS"
