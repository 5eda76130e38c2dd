#!/usr/bin/env bash
# A run with warm-up queries (and, if its settings set SLOs, goodput), checked from outside:
#   load_shape_case.sh RUN_DIR WARMUP -- edubench run ... --output RUN_DIR
# The run must be VALID; the first WARMUP issue events of events.jsonl, and only they, are
# marked warmup; result.json counts them as warmup_queries and nowhere else; and its p99 issue
# lag and goodput equal what this script recomputes from events.jsonl by the formulas of
# docs/metrics.md, independently of the C++ code.
set -uo pipefail
rundir=$1 warmup=$2
shift 2
[[ ${1:-} == "--" ]] && shift
rm -rf "$rundir"
mkdir -p "$(dirname "$rundir")"
"$@" >/dev/null 2>"$rundir.err" || { echo "FAIL: exit $?"; cat "$rundir.err"; exit 1; }
python3 - "$rundir" "$warmup" <<'PY'
import json, math, os, sys
d, warmup = sys.argv[1], int(sys.argv[2])
result = json.load(open(os.path.join(d, "result.json")))
events = [json.loads(l) for l in open(os.path.join(d, "events.jsonl"))]
def fail(msg):
    sys.exit("FAIL: " + msg)
if not result["valid"]:
    fail(f"INVALID: {result['invalid_reasons']}")
m = result["metrics"]
issues = sorted((e for e in events if e["ev"] == "issue"), key=lambda e: e["q"])
marked = [e["q"] for e in issues if e.get("warmup")]
if marked != [e["q"] for e in issues[:warmup]]:
    fail(f"warm-up marks on queries {marked[:5]}..., expected the first {warmup}")
if m["warmup_queries"] != warmup or m["queries_issued"] != len(issues) - warmup:
    fail(f"warmup_queries {m['warmup_queries']}, queries_issued {m['queries_issued']} of {len(issues)} issued")
if "(tokens - 1)" not in result["metric_definitions"]["tpot_ms"]:
    fail("metric_definitions.tpot_ms does not state its formula")
server = result["scenario"] == "server"
q = {e["q"]: {"origin": e["sched_ns"] if server else e["t_ns"], "lag": (e["t_ns"] - e["sched_ns"]) / 1e6,
              "streams": []} for e in issues if not e.get("warmup")}
for e in events:
    if e["ev"] == "stream" and e["q"] in q:
        q[e["q"]]["streams"].append(e["t_ns"])
    if e["ev"] == "complete" and e["q"] in q:
        q[e["q"]].update(done=e["t_ns"], tokens=e["n_tokens"])
def p99(values):  # LoadGen's rule: sorted[floor(n * q)]
    values = sorted(values)
    return values[min(len(values) - 1, math.floor(len(values) * 0.99))]
lag = p99([x["lag"] for x in q.values()])
if abs(lag - m["issue_lag_ms"]["p99"]) > 1e-9 * max(1, lag):
    fail(f"issue_lag_ms.p99 {m['issue_lag_ms']['p99']} != {lag} recomputed")
s = result["settings"]
if any(s[k] > 0 for k in ("slo_ttft_ms", "slo_tpot_ms", "slo_e2e_ms")):
    good = good_tokens = 0
    for x in q.values():
        e2e = (x["done"] - x["origin"]) / 1e6
        ttft = (x["streams"][0] - x["origin"]) / 1e6 if x["streams"] else None
        tpot = (x["done"] - x["streams"][0]) / 1e6 / (x["tokens"] - 1) if x["streams"] and x["tokens"] > 1 else None
        ok = (s["slo_e2e_ms"] == 0 or e2e <= s["slo_e2e_ms"]) and \
             (s["slo_ttft_ms"] == 0 or (ttft is not None and ttft <= s["slo_ttft_ms"])) and \
             (s["slo_tpot_ms"] == 0 or tpot is None or tpot <= s["slo_tpot_ms"])
        good += ok
        good_tokens += x["tokens"] if ok else 0
    duration = (max(x["done"] for x in q.values()) - min(x["origin"] for x in q.values())) / 1e9
    g = m["goodput"]
    for name, want in (("request_goodput_per_s", good / duration), ("token_goodput_per_s", good_tokens / duration)):
        if abs(g[name] - want) > 1e-9 * max(1, want):
            fail(f"goodput.{name} {g[name]} != {want} recomputed from events.jsonl")
    if g["good_queries"] != good:
        fail(f"goodput.good_queries {g['good_queries']} != {good}")
print(f"ok: {warmup} warm-up queries marked and excluded; p99 issue lag {lag:.3f} ms"
      + (f"; request goodput {m['goodput']['request_goodput_per_s']:.6g}/s" if "goodput" in m else ""))
PY
