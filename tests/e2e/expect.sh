#!/usr/bin/env bash
# Runs one edubench command and checks what a user would see:
#   expect.sh EXIT_CODE STDERR_REGEX VALID RUN_DIR -- command ...
# EXIT_CODE: the exit code expected. STDERR_REGEX: an extended regex stderr must match ("" for
# none; then stderr must be empty of "error:" lines). VALID: true|false, result.json's "valid"
# in RUN_DIR (every run-directory file must exist), or "-" when no run directory is expected.
set -uo pipefail
want_rc=$1 regex=$2 want_valid=$3 rundir=$4
shift 4
[[ ${1:-} == "--" ]] && shift
[[ $rundir != "-" ]] && rm -rf "$rundir"
err=$(mktemp)
trap 'rm -f "$err"' EXIT
"$@" >/dev/null 2>"$err"
rc=$?
fail() { echo "FAIL: $*"; echo "--- command: $*"; echo "--- stderr:"; cat "$err"; exit 1; }
[[ $rc == "$want_rc" ]] || fail "exit code $rc, expected $want_rc"
if [[ -n $regex ]]; then
  grep -Eq -- "$regex" "$err" || fail "stderr does not match /$regex/"
  # An error is exactly one line.
  n=$(grep -c "^edubench: error:" "$err")
  [[ $n -le 1 ]] || fail "$n error lines, expected one"
else
  ! grep -q "error:" "$err" || fail "unexpected error on stderr"
fi
if [[ $want_valid != "-" ]]; then
  for f in result.json summary.txt events.jsonl trace.json manifest.json; do
    [[ -s $rundir/$f ]] || fail "missing or empty $rundir/$f"
  done
  [[ -f $rundir/accuracy.jsonl ]] || fail "missing $rundir/accuracy.jsonl"  # empty when nothing was logged
  valid=$(python3 -c 'import json,sys; print(str(json.load(open(sys.argv[1]))["valid"]).lower())' "$rundir/result.json") \
    || fail "result.json is not JSON"
  [[ $valid == "$want_valid" ]] || fail "result.json valid=$valid, expected $want_valid"
  python3 - "$rundir" <<'PY' || fail "manifest does not match the files"
import hashlib, json, sys, os
d = sys.argv[1]
m = json.load(open(os.path.join(d, "manifest.json")))
for name, sha in m["files"].items():
    if hashlib.sha256(open(os.path.join(d, name), "rb").read()).hexdigest() != sha:
        sys.exit(f"{name}: sha256 differs from manifest")
json.load(open(os.path.join(d, "trace.json")))
for line in open(os.path.join(d, "events.jsonl")):
    json.loads(line)
PY
fi
echo "ok: exit $rc"
