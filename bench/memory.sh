#!/usr/bin/env bash
# Peak RSS of the harness over null-SUT runs of growing length (issue 17, item 3): Server and
# Offline, each run's maximum resident set size from GNU time, in one table.
# Usage: bench/memory.sh [BUILD_DIR] [SERVER_QPS] [SERVER_COUNTS...]
#   e.g. bench/memory.sh build 200000 1000000 10000000
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
QPS=${2:-200000}
shift $(( $# > 2 ? 2 : $# ))
COUNTS=("${@:-1000000 10000000}")
EB="$BUILD/bin/edubench"
SUT="$BUILD/bin/edubench_sut_bench_null.so"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

run() {  # run NAME SCENARIO N [--set ...]: prints "| NAME | N | peak RSS MB | bytes/query | wall s | valid |"
  local name=$1 scenario=$2 n=$3
  shift 3
  local d="$OUT/$name-$n"
  /usr/bin/time -f "%M %e" -o "$OUT/time" "$EB" run --workload echo --sut "$SUT" --scenario "$scenario" --quiet \
    --output "$d" --set min_query_count="$n" --set accuracy_log_probability=0 --set run_timeout_s=3600 "$@" >/dev/null 2>&1 || true
  read -r kb wall < <(tail -n 1 "$OUT/time")  # GNU time puts "Command exited with ..." first
  local valid
  valid=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['valid'])" "$d/result.json" 2>/dev/null || echo "no result")
  echo "| $name | $n | $((kb / 1024)) | $((kb * 1024 / n)) | $wall | $valid |"
  rm -rf "$d"
}

echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) vCPUs; $(date -u '+%F %H:%M') UTC; build $BUILD"
echo
echo "| run | queries | peak RSS (MB) | RSS bytes / query | wall (s) | valid |"
echo "| --- | --- | --- | --- | --- | --- |"
for n in ${COUNTS[@]}; do
  run "server @ $QPS QPS" server "$n" --set target_qps="$QPS" --set min_duration_s=0 \
    --set latency_bound_ms=10 --set latency_percentile=0.99
done
for n in ${OFFLINE_COUNTS:-1000000 4000000}; do
  run offline offline "$n" --set min_duration_s=0
done
