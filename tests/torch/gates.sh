#!/usr/bin/env bash
# `edubench compare BEFORE AFTER --gates` on kv_cache: the reference pair (cache off, then on)
# passes the workload's gate; a planted regression (the cache off on both sides) fails it with
# exit 8 and the gate named; runs of different workloads are bad input (exit 2).
#   gates.sh EDUBENCH KV_CACHE_SO ECHO_C_SO REGISTRY WORK
set -uo pipefail
edubench=$1 kv=$2 echo_c=$3 registry=$4 work=$5
rm -rf "$work" && mkdir -p "$work"
fail() { echo "FAIL: $*"; exit 1; }
run() {  # run NAME kv_cache=on|off
  "$edubench" run --workload kv_cache --sut "$kv" --scenario single_stream --sut-opt "$2" --registry "$registry" \
    --set min_query_count=4 --set min_duration_s=0 --output "$work/$1" --quiet
  [[ -f $work/$1/result.json ]] || fail "run $1 wrote no result.json"
}
run off kv_cache=off
run on kv_cache=on
run off2 kv_cache=off

"$edubench" compare "$work/off" "$work/on" --gates --registry "$registry" > "$work/pass.out" 2>&1
rc=$?
[[ $rc == 0 ]] && grep -q "^PASS gate cache_speedup: tokens_per_s after / before" "$work/pass.out" ||
  { cat "$work/pass.out"; fail "the reference pair: exit $rc, expected 0 and a PASS line"; }

"$edubench" compare "$work/off" "$work/off2" --gates --registry "$registry" > "$work/fail.out" 2>&1
rc=$?
[[ $rc == 8 ]] && grep -q "^FAIL gate cache_speedup: .*needs >= 3x" "$work/fail.out" ||
  { cat "$work/fail.out"; fail "cache off on both sides: exit $rc, expected 8 and a FAIL line"; }

"$edubench" run --workload echo --sut "$echo_c" --scenario single_stream --registry "$registry" \
  --set min_query_count=4 --set min_duration_s=0 --output "$work/echo" --quiet
"$edubench" compare "$work/off" "$work/echo" --gates --registry "$registry" > "$work/bad.out" 2>&1
rc=$?
[[ $rc == 2 ]] && grep -q "runs of different workloads or scenarios" "$work/bad.out" ||
  { cat "$work/bad.out"; fail "different workloads: exit $rc, expected 2"; }
echo "gates: reference pair PASS, regression FAIL (exit 8), mixed pair refused"
