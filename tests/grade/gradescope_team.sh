#!/usr/bin/env bash
# One team through a Gradescope bundle for one workload (Offline): init, run_autograder in a
# temporary /autograder, then results.json checked against the format, the expected points and,
# for code workloads, against every hidden test of the data set (none may appear).
#   gradescope_team.sh EDUBENCH REGISTRY WORK WORKLOAD PLUGIN_SO EXPECT_SCORE [HIDDEN_TESTS_JSONL]
set -uo pipefail
edubench=$1 registry=$2 work=$3 workload=$4 plugin=$5 expect=$6 hidden=${7:-}
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work" && mkdir -p "$work/root/submission"
"$edubench" gradescope init "$work/bundle" --workload "$workload" --scenario offline --registry "$registry" > /dev/null ||
  { echo "FAIL: gradescope init exited $?"; exit 1; }
cp "$plugin" "$work/root/submission/"
AUTOGRADER_ROOT=$work/root EDUBENCH=$edubench "$work/bundle/run_autograder" > "$work/autograder.out" 2>&1 ||
  { echo "FAIL: run_autograder exited $?"; cat "$work/autograder.out"; exit 1; }
args=("$work/root/results/results.json" --expect-score "$expect" --expect-max 10)
[[ -n $hidden ]] && args+=(--hidden "$hidden")
python3 "$here/validate_gradescope.py" "${args[@]}" || { cat "$work/root/results/results.json"; exit 1; }
