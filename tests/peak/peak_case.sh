#!/usr/bin/env bash
# peak_case.sh EDUBENCH REGISTRY WORK FIXED_RATE_SO: the peak search on a server of known
# capacity (one worker, 4 ms a query: 250 queries/s) ends with a peak whose probes bracket it
# (a VALID run at the peak, an INVALID one within the tolerance above), every probe a complete
# run directory, and the peak below what the server can do.
set -euo pipefail
edubench=$1 registry=$2 work=$3 sut=$4
rm -rf "$work"
"$edubench" run --workload echo --sut "$sut" --scenario server --find-peak --registry "$registry" \
  --set min_duration_s=1 --set min_query_count=100 --set latency_percentile=0.9 --set latency_bound_ms=100 \
  --peak-start-qps 50 --peak-tolerance 0.1 --output "$work" >"$work.out" 2>"$work.err" || {
  echo "FAIL: find-peak exited $?"; cat "$work.out" "$work.err"; exit 1; }
cat "$work.out"
grep -q "^peak: .* queries/s VALID, INVALID at" "$work.out" || { echo "FAIL: no peak line"; exit 1; }
python3 - "$work" <<'PY'
import json, os, sys
work = sys.argv[1]
peak = json.load(open(os.path.join(work, "peak.json")))
probes = peak["probes"]
def fail(why):
    print("FAIL:", why); sys.exit(1)
if not peak["converged"]: fail("not converged: %s" % peak)
p, hi = peak["peak_qps"], peak["lowest_invalid_qps"]
at_peak = [x for x in probes if x["target_qps"] == p]
if not at_peak or not at_peak[0]["valid"]: fail("no VALID probe at the peak %s" % p)
above = [x for x in probes if x["target_qps"] == hi and not x["valid"]]
if not above or not (p < hi <= p * 1.1 + 1e-9): fail("no INVALID probe within 10%% above the peak: %s .. %s" % (p, hi))
if not (10 <= p <= 400): fail("peak %s outside what a 250 queries/s server can hold VALID" % p)
for x in probes:
    result = json.load(open(os.path.join(work, x["dir"], "result.json")))
    if result["valid"] != x["valid"]: fail("probe %s: peak.json says %s, result.json %s" % (x["dir"], x["valid"], result["valid"]))
    if abs(result["settings"]["target_qps"] - x["target_qps"]) > 1e-3 * x["target_qps"]:
        fail("probe %s ran at another rate" % x["dir"])
print("peak %.4g queries/s, INVALID at %.4g, %d probes" % (p, hi, len(probes)))
PY
