#!/usr/bin/env bash
# The harness's own CPU per query on the null SUT across Server rates (issue 17, item 4), and the
# latency it buys: each rate run with two builds back to back (A then B, then B then A at the
# next rate), so a ratio comes from one moment of the machine. Process CPU is GNU time's user +
# sys for the whole command (run directory writing included); the thread split is result.json's
# harness.cpu where the build records it.
# Usage: bench/harness_cpu.sh BUILD_A BUILD_B [RATES...]   (prints a markdown table)
set -euo pipefail
cd "$(dirname "$0")/.."
A=$1
B=$2
shift 2
RATES=("${@:-25000 100000 400000 1600000}")
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

one() {  # one BUILD QPS
  local build=$1 qps=$2 d="$OUT/run"
  rm -rf "$d"
  /usr/bin/time -f "%U %S %e" -o "$OUT/time" "$build/bin/edubench" run --workload echo \
    --sut "$build/bin/edubench_sut_bench_null.so" --scenario server --quiet --output "$d" \
    --set target_qps="$qps" --set min_duration_s=5 --set min_query_count=1000 --set latency_bound_ms=10 \
    --set latency_percentile=0.99 --set accuracy_log_probability=0 >/dev/null 2>&1 || true
  read -r user sys wall < <(tail -n 1 "$OUT/time")
  python3 - "$d/result.json" "$build" "$qps" "$user" "$sys" "$wall" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
build, qps, user, sys_, wall = sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6])
m = r["metrics"]
n = m["queries_completed"]
cpu = r.get("harness", {}).get("cpu")
threads = f'{cpu["harness_threads_s"]:.2f} (issue {cpu["issue_thread_s"]:.2f}, log {cpu["log_thread_s"]:.2f}), wake {cpu.get("wake_latency_us", 0):.0f} us' if cpu else "not recorded"
print(f"| {qps:,} | {build} | {n:,} | {wall:.1f} | {user + sys_:.2f} | {(user + sys_) / n * 1e6:.2f} | {threads} |"
      f" {m['latency_ms']['p50'] * 1000:.1f} | {m['latency_ms']['p99'] * 1000:.1f} | {r['valid']} |")
PY
}

echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) vCPUs; $(date -u '+%F %H:%M') UTC"
echo
echo "| QPS | build | queries | wall (s) | process CPU (s) | CPU us / query | harness threads CPU (s) | p50 (us) | p99 (us) | valid |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
flip=0
for qps in ${RATES[@]}; do
  if [ $flip = 0 ]; then one "$A" "$qps"; one "$B" "$qps"; flip=1; else one "$B" "$qps"; one "$A" "$qps"; flip=0; fi
done
