#!/usr/bin/env bash
# The "Done when" promise: the plain-C echo plugin, compiled at test time OUTSIDE the build tree
# against sut_api.h alone with the strictest flags, loads and passes echo in all three scenarios
# and both modes (VALID; in accuracy mode the accuracy target is met).
#   out_of_tree.sh EDUBENCH REPO_DIR RUNS_DIR
set -euo pipefail
edubench=$1 src=$2 runs=$3
tmp=$(mktemp -d "${TMPDIR:-/tmp}/edubench-oot.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
rm -rf "$runs" && mkdir -p "$runs"
fail() { echo "FAIL: $*"; exit 1; }

cc -std=c99 -pedantic -Wall -Wextra -Werror -O2 -shared -fPIC -fvisibility=hidden \
   -I"$src/sut_api/include" "$src/plugins/echo_c/echo.c" -o "$tmp/my_echo.so" \
  || fail "echo.c does not compile as strict C99 against sut_api.h alone"
exports=$(nm -D --defined-only "$tmp/my_echo.so" | awk '$2 == "T" {print $3}')
[[ $exports == "edu_sut_entry" ]] || fail "exported functions are '$exports', expected edu_sut_entry only"

for scenario in single_stream offline server; do
  case $scenario in  # short settings that still leave LoadGen's early stopping room to pass
    single_stream) short=(--set min_duration_s=0.01 --set min_query_count=64) ;;
    offline) short=(--set min_duration_s=0 --set min_query_count=1000) ;;
    server) short=(--set min_duration_s=0.2 --set min_query_count=500 --set target_qps=2500 --set latency_bound_ms=200) ;;
  esac
  for mode in performance accuracy; do
    dir=$runs/$scenario-$mode
    rc=0
    "$edubench" run --workload echo --sut "$tmp/my_echo.so" --scenario "$scenario" --mode "$mode" \
      --registry "$src/workloads.yaml" --output "$dir" --quiet "${short[@]}" || rc=$?
    [[ $rc == 0 ]] || fail "$scenario $mode exited $rc (run directory: $dir)"
    python3 - "$dir/result.json" "$mode" <<'PY' || fail "$scenario $mode: result.json disagrees ($dir)"
import json, sys
r = json.load(open(sys.argv[1]))
if r["valid"] is not True:
    sys.exit(f"valid={r['valid']}: {r['invalid_reasons']}")
if sys.argv[2] == "accuracy":
    a = r["accuracy"]
    if not a or a["passed"] is not True or a["value"] < a["target"]:
        sys.exit(f"accuracy not met: {a}")
PY
    echo "ok: $scenario $mode"
  done
done
