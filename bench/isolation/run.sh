#!/usr/bin/env bash
# The cost of --isolation process against --isolation none, measured by the harness itself:
# SingleStream round trips of the echo SUT (no work: the latency is the channel), TTFT, Offline
# throughput, and one real workload (react_agent) where the model dominates. Runs alternate
# between the two modes so a shared machine's drift hits both.
#   bench/isolation/run.sh [ROUNDS]     (BIN=build/bin to override; results on stdout)
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-build/bin}
rounds=${1:-3}
reg=tests/compliance/short_registry.yaml
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
figure() {  # DIR -> "p50 p99 ttft_p50 ttft_p99 samples/s" in microseconds
  python3 - "$1" <<'PY'
import json, sys
m = json.load(open(sys.argv[1] + "/result.json"))["metrics"]
us = lambda d, k: d.get(k, 0) * 1000
print(f'{us(m["latency_ms"],"p50"):9.1f} {us(m["latency_ms"],"p99"):9.1f} {us(m["ttft_ms"],"p50"):9.1f} '
      f'{us(m["ttft_ms"],"p99"):9.1f} {m["samples_per_s"]:12.0f}')
PY
}
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "date: $(date -u +%F)"
printf '%-34s %9s %9s %9s %9s %12s\n' "run (us)" p50 p99 ttft_p50 ttft_p99 samples/s
for r in $(seq "$rounds"); do
  for iso in none process; do
    d=$out/ss_${iso}_$r
    "$BIN/edubench" run -q -w echo -s echo_c --scenario single_stream --isolation "$iso" --registry "$reg" \
      -o "$d" --set min_query_count=20000 >/dev/null
    printf '%-34s %s\n' "echo single_stream $iso #$r" "$(figure "$d")"
    d=$out/off_${iso}_$r
    "$BIN/edubench" run -q -w echo -s echo_c --scenario offline --isolation "$iso" --registry "$reg" \
      -o "$d" --set min_query_count=200000 >/dev/null
    printf '%-34s %s\n' "echo offline $iso #$r" "$(figure "$d")"
  done
done
for iso in none process; do
  d=$out/react_$iso
  "$BIN/edubench" run -q -w react_agent -s react_agent --scenario single_stream --isolation "$iso" \
    --set min_query_count=64 --set min_duration_s=0 --sut-opt threads=1 -o "$d" >/dev/null || true
  printf '%-34s %s\n' "react_agent single_stream $iso" "$(figure "$d")"
done
