#!/usr/bin/env bash
# Speculative decoding's two knobs through the harness (issue 16 item 4), by hand:
#  1. batch: Offline tokens/s of the reference at batch=1,2,4,8 (continuous batching, one target
#     pass per round for every row), beside kv_cache's plain batched decode at the same batch;
#  2. prompt length: SingleStream on speculative_decode_by_length at prompt_tokens=16..128,
#     draft model and n-gram drafter, with acceptance and TTFT.
# The sides of each table alternate and repeat (REPS, default 2; the best run is kept) because
# the machine's speed drifts. Prints markdown tables for docs/labs/speculative_decode.md.
# usage: bench/textgen/spec_knobs.sh [BUILD_DIR] [REPS]   (about 5 minutes idle)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
reps=${2:-2}
out=$(mktemp -d /tmp/edubench-spec-knobs.XXXXXX)
run() {  # NAME ARGS...: the run directory is $out/NAME.REP
  local name=$1 rep=$2
  shift 2
  "$build/bin/edubench" run --output "$out/$name.$rep" --quiet "$@"
}
for rep in $(seq "$reps"); do
  for b in 1 2 4 8; do
    run spec_b$b "$rep" --workload speculative_decode --sut speculative_decode --scenario offline \
      --set min_duration_s=0 --set min_query_count=64 --sut-opt batch=$b
    run kv_b$b "$rep" --workload kv_cache --sut kv_cache --scenario offline \
      --set min_duration_s=0 --set min_query_count=64 --sut-opt batch=$b
  done
  for n in 16 32 64 128; do
    for d in model ngram; do
      run len${n}_$d "$rep" --workload speculative_decode_by_length --sut speculative_decode --scenario single_stream \
        --set min_duration_s=0 --set min_query_count=64 --set prompt_tokens=$n --sut-opt drafter=$d
    done
  done
done
python3 - "$out" "$reps" <<'PY'
import json, sys
out, reps = sys.argv[1], int(sys.argv[2])
def best(name):  # the run with the highest tokens/s of the repetitions
    rs = [json.load(open(f"{out}/{name}.{r}/result.json")) for r in range(1, reps + 1)]
    return max(rs, key=lambda r: r["metrics"]["tokens_per_s"])
def rep(r, k):
    v = r["metrics"]["reported"].get(k)
    return v["mean"] if v else float("nan")
print("| batch | speculative tokens/s | rows per verification | target passes / query | kv_cache tokens/s | speculative / kv_cache |")
print("| --- | --- | --- | --- | --- | --- |")
for b in (1, 2, 4, 8):
    s, k = best(f"spec_b{b}"), best(f"kv_b{b}")
    st, kt = s["metrics"]["tokens_per_s"], k["metrics"]["tokens_per_s"]
    print(f"| {b} | {st:.0f} | {rep(s, 'verify_batch_rows'):.2f} | {rep(s, 'target_passes'):.1f} | {kt:.0f} | {st / kt:.2f}x |")
print()
print("| prompt tokens | drafter | tokens/s | acceptance | accepted / verification | TTFT p50 ms | TPOT p50 ms |")
print("| --- | --- | --- | --- | --- | --- | --- |")
for n in (16, 32, 64, 128):
    for d in ("model", "ngram"):
        r = best(f"len{n}_{d}")
        m = r["metrics"]
        print(f"| {n} | {d} | {m['tokens_per_s']:.0f} | {m['derived']['acceptance_rate']:.3f} | "
              f"{m['derived']['mean_accepted_length']:.2f} | {m['ttft_ms']['p50']:.1f} | {m['tpot_ms']['p50']:.2f} |")
PY
echo "run directories: $out"
