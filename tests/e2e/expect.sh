#!/usr/bin/env bash
# Runs one edubench command and checks what a user (and the checker) would see:
#   expect.sh [--stdout REGEX] [--reason REGEX] EXIT_CODE STDERR_REGEX VALID RUN_DIR -- command ...
# EXIT_CODE   the exit code expected.
# STDERR_REGEX  extended regex. For a non-zero exit there must be exactly one line starting
#             "edubench: error: " and it must match; for exit 0 there must be no such line.
# VALID       true|false: RUN_DIR must hold all six run-directory files, result.json's "valid"
#             must be this, the manifest's hashes must match the files and the JSON must parse.
#             "-": no run directory is checked (list, validate, --help, command-line errors).
# --stdout    a regex stdout must match (list, validate, --help print something specific).
# --reason    a regex one of result.json's invalid_reasons must match.
set -uo pipefail
out_regex="" reason_regex=""
while [[ ${1:-} == --stdout || ${1:-} == --reason ]]; do
  [[ $1 == --stdout ]] && out_regex=$2 || reason_regex=$2
  shift 2
done
want_rc=$1 regex=$2 want_valid=$3 rundir=$4
shift 4
[[ ${1:-} == "--" ]] && shift
[[ $rundir != "-" ]] && rm -rf "$rundir"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$@" >"$tmp/out" 2>"$tmp/err"
rc=$?
fail() {
  echo "FAIL: $*"
  echo "--- stderr:"; cat "$tmp/err"
  echo "--- stdout (head):"; head -n 20 "$tmp/out"
  exit 1
}
[[ $rc == "$want_rc" ]] || fail "exit code $rc, expected $want_rc"
grep "^edubench: error: " "$tmp/err" >"$tmp/errlines"
n=$(wc -l <"$tmp/errlines")
if [[ $want_rc != 0 ]]; then
  [[ -n $regex ]] || fail "a failing command needs a STDERR_REGEX to check"
  [[ $n == 1 ]] || fail "$n 'edubench: error:' lines, expected exactly one"
  grep -Eq -- "$regex" "$tmp/errlines" || fail "the error line does not match /$regex/"
else
  [[ $n == 0 ]] || fail "unexpected error line on stderr"
  [[ -z $regex ]] || grep -Eq -- "$regex" "$tmp/err" || fail "stderr does not match /$regex/"
fi
if [[ -n $out_regex ]]; then
  grep -Eq -- "$out_regex" "$tmp/out" || fail "stdout does not match /$out_regex/"
fi
if [[ $want_valid != "-" ]]; then
  for f in result.json summary.txt events.jsonl accuracy.jsonl trace.json manifest.json; do
    [[ -f $rundir/$f ]] || fail "missing $rundir/$f"
  done
  python3 - "$rundir" "$want_valid" "$reason_regex" <<'PY' || fail "run directory check failed"
import hashlib, json, os, re, sys
d, want_valid, reason_regex = sys.argv[1], sys.argv[2], sys.argv[3]
def load(name):
    with open(os.path.join(d, name), "rb") as f:
        return f.read()
result = json.loads(load("result.json"))
valid = str(result["valid"]).lower()
if valid != want_valid:
    sys.exit(f"result.json valid={valid}, expected {want_valid}; invalid_reasons={result.get('invalid_reasons')}")
reasons = result["invalid_reasons"]
if want_valid == "false" and not reasons:
    sys.exit("an INVALID run must give at least one invalid_reason")
if want_valid == "true" and reasons:
    sys.exit(f"a VALID run with invalid_reasons {reasons}")
if reason_regex and not any(re.search(reason_regex, r) for r in reasons):
    sys.exit(f"no invalid_reason matches /{reason_regex}/: {reasons}")
for name in ("summary.txt", "manifest.json", "trace.json"):
    if not load(name):
        sys.exit(f"{name} is empty")
json.loads(load("trace.json"))
for name in ("events.jsonl", "accuracy.jsonl"):
    for i, line in enumerate(load(name).splitlines(), 1):
        try:
            json.loads(line)
        except ValueError as e:
            sys.exit(f"{name}:{i}: not JSON: {e}")
manifest = json.loads(load("manifest.json"))
for name in ("result.json", "summary.txt", "events.jsonl", "accuracy.jsonl", "trace.json"):
    if name not in manifest["files"]:
        sys.exit(f"manifest.json has no sha256 for {name}")
for name, sha in manifest["files"].items():
    if hashlib.sha256(load(name)).hexdigest() != sha:
        sys.exit(f"{name}: sha256 differs from manifest.json")
PY
fi
echo "ok: exit $rc"
