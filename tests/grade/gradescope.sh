#!/usr/bin/env bash
# `edubench gradescope init` + the bundle's run_autograder in a temporary root laid out like
# Gradescope's /autograder: an honest echo team (every rule passes, a leaderboard), a team whose
# plugin crashes in create (a failed test, 0 points), a hand-in without a .so, and a CMake project
# that does not build; each results.json is checked against the format (validate_gradescope.py).
#   gradescope.sh EDUBENCH REGISTRY WORK ECHO_C CRASHING
set -uo pipefail
edubench=$1 registry=$2 work=$3 echo_c=$4 crashing=$5
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work" && mkdir -p "$work"
fail() { echo "FAIL: $*"; exit 1; }

bundle=$work/bundle
"$edubench" gradescope init "$bundle" --workload echo --scenario offline --points 10 --registry "$registry" \
  > "$work/init.out" || fail "gradescope init exited $?"
for f in setup.sh run_autograder README.md; do
  grep -q "wrote $bundle/$f" "$work/init.out" || fail "init did not name $f"
done
[[ -x $bundle/run_autograder && -x $bundle/setup.sh ]] || fail "the scripts are not executable"
bash -n "$bundle/run_autograder" && bash -n "$bundle/setup.sh" || fail "a script does not parse"
"$edubench" gradescope init "$bundle" --workload echo --registry "$registry" > /dev/null 2> "$work/again.err"
[[ $? == 2 ]] && grep -q "exists and is not empty" "$work/again.err" || fail "init over a bundle was not refused"

# autograde NAME: runs the bundle on $work/NAME/submission, results in $work/NAME/results/
autograde() {
  AUTOGRADER_ROOT=$work/$1 EDUBENCH=$edubench "$bundle/run_autograder" > "$work/$1.out" 2>&1 ||
    fail "run_autograder ($1) exited $?: $(tail -n 5 "$work/$1.out")"
  [[ -f $work/$1/results/results.json ]] || fail "no results.json for $1"
}
check() {  # check NAME validator-args...
  local name=$1; shift
  python3 "$here/validate_gradescope.py" "$work/$name/results/results.json" "$@" || {
    cat "$work/$name/results/results.json"; fail "$name: results.json"; }
}

mkdir -p "$work/honest/submission" && cp "$echo_c" "$work/honest/submission/sut.so"
autograde honest
check honest --expect-score 10 --expect-max 10 --expect-leaderboard --expect-output "^PASS: "

mkdir -p "$work/crash/submission" && cp "$crashing" "$work/crash/submission/"
autograde crash
check crash --expect-score 0 --expect-max 10 --expect-status failed --expect-output "FAIL"

mkdir -p "$work/nothing/submission" && echo "oops" > "$work/nothing/submission/notes.txt"
autograde nothing
check nothing --expect-score 0 --expect-max 10 --expect-output "expected exactly one \.so .* found 0"

mkdir -p "$work/broken/submission"
printf 'cmake_minimum_required(VERSION 3.20)\nproject(t C)\nadd_library(sut MODULE sut.c)\n' > "$work/broken/submission/CMakeLists.txt"
echo "this is not C" > "$work/broken/submission/sut.c"
autograde broken
check broken --expect-score 0 --expect-max 10 --expect-output "does not build(.|\n)*sut\.c"
echo "gradescope bundle: all cases as expected"
