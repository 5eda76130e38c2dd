#!/usr/bin/env bash
# Null-SUT benchmark of the harness itself (issue 2, item 8): Offline throughput, the added
# latency, and the highest Server QPS that stays VALID with a 10 ms p99 bound.
# Usage: bench/null_sut.sh [BUILD_DIR]   (prints a markdown table; copy it into docs/performance.md)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
EB="$BUILD/bin/edubench"
SUT="$BUILD/bin/edubench_sut_bench_null.so"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

field() {  # field RESULT_JSON python-expression-on-r
  python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print($2)" "$1"
}

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; $(date -u +%F)"
echo
echo "| run | queries | samples/s | latency p50 (us) | latency p99 (us) | valid |"
echo "| --- | --- | --- | --- | --- | --- |"
for n in 1000000 3000000; do
  d="$OUT/offline-$n"
  "$EB" run --workload echo --sut "$SUT" --scenario offline --quiet --output "$d" \
    --set min_query_count=$n --set min_duration_s=0 --set accuracy_log_probability=0 || true
  echo "| offline | $n | $(field "$d/result.json" "round(r['metrics']['samples_per_s'])") |" \
       "$(field "$d/result.json" "round(r['metrics']['latency_ms']['p50']*1000,1)") |" \
       "$(field "$d/result.json" "round(r['metrics']['latency_ms']['p99']*1000,1)") |" \
       "$(field "$d/result.json" "r['valid']") |"
done
d="$OUT/single"
"$EB" run --workload echo --sut "$SUT" --scenario single_stream --quiet --output "$d" \
  --set min_query_count=200000 --set min_duration_s=2 --set accuracy_log_probability=0 || true
echo "| single_stream | $(field "$d/result.json" "r['metrics']['queries_completed']") |" \
     "$(field "$d/result.json" "round(r['metrics']['samples_per_s'])") |" \
     "$(field "$d/result.json" "round(r['metrics']['latency_ms']['p50']*1000,2)") |" \
     "$(field "$d/result.json" "round(r['metrics']['latency_ms']['p99']*1000,2)") |" \
     "$(field "$d/result.json" "r['valid']") |"
for qps in 50000 100000 200000 400000 800000 1600000; do
  d="$OUT/server-$qps"
  "$EB" run --workload echo --sut "$SUT" --scenario server --quiet --output "$d" \
    --set target_qps=$qps --set min_duration_s=5 --set min_query_count=1000 \
    --set latency_bound_ms=10 --set latency_percentile=0.99 --set accuracy_log_probability=0 || true
  echo "| server @ $qps QPS | $(field "$d/result.json" "r['metrics']['queries_completed']") |" \
       "$(field "$d/result.json" "round(r['metrics']['samples_per_s'])") |" \
       "$(field "$d/result.json" "round(r['metrics']['latency_ms']['p50']*1000,1)") |" \
       "$(field "$d/result.json" "round(r['metrics']['latency_ms']['p99']*1000,1)") |" \
       "$(field "$d/result.json" "r['valid']") |"
done
