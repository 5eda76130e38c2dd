#!/usr/bin/env bash
# result.json's sut_memory is the harness's own reading of the kernel's figures: a plugin that
# holds 300 MiB shows at least that, isolated (the worker's VmHWM) and in process (the growth
# above the process before create, marked as including the harness); a plain echo shows far less.
# The samples taken during the load (0.1 s apart) each show the 300 MiB the plugin holds.
#   sut_memory.sh EDUBENCH REGISTRY WORKDIR ECHO_C MOODY
set -uo pipefail
edubench=$1 registry=$2 work=$3 echo_c=$4 moody=$5
rm -rf "$work"
mkdir -p "$work/hog"
cp "$moody" "$work/hog/sut.so"
printf 'alloc_mb 300\nservice_us 1000\n' >"$work/hog/moody.txt"  # 1 ms a query: a load of ~0.5 s
fail() { echo "FAIL: $*"; exit 1; }
run() {  # run NAME SUT ISOLATION
  "$edubench" run --registry "$registry" --workload echo --scenario offline --sut "$2" --isolation "$3" \
    --set min_query_count=500 --set max_query_count=500 --output "$work/$1" --quiet >"$work/$1.out" 2>&1 || { cat "$work/$1.out"; fail "run $1 exited $?"; }
}
run hog_isolated "$work/hog/sut.so" process
run hog_in_process "$work/hog/sut.so" none
run echo_isolated "$echo_c" process
python3 - "$work" <<'PY' || fail "sut_memory"
import json, sys
work = sys.argv[1]
def mem(name):
    return json.load(open(f"{work}/{name}/result.json"))["sut_memory"]
MiB = 1 << 20
h = mem("hog_isolated")
if h is None or h["includes_harness"] or "worker process" not in h["source"]:
    sys.exit(f"isolated: {h}")
if not 300 * MiB <= h["peak_rss_bytes"] < 400 * MiB: sys.exit(f"isolated peak {h['peak_rss_bytes'] / MiB:.1f} MiB")
if h["rss_bytes"] < 300 * MiB: sys.exit(f"isolated rss at the end {h['rss_bytes'] / MiB:.1f} MiB")
s = h.get("samples")
if not s or s["interval_s"] != 0.1 or len(s["t_s"]) != len(s["rss_bytes"]) or len(s["t_s"]) < 3:
    sys.exit(f"isolated samples: {s}")
if any(b <= a for a, b in zip(s["t_s"], s["t_s"][1:])): sys.exit(f"sample times not increasing: {s['t_s']}")
if min(s["rss_bytes"]) < 300 * MiB: sys.exit(f"a sample below the 300 MiB held: {min(s['rss_bytes']) / MiB:.1f} MiB")
p = mem("hog_in_process")
if p is None or not p["includes_harness"]: sys.exit(f"in process: {p}")
if p["peak_growth_bytes"] < 300 * MiB: sys.exit(f"in-process growth {p['peak_growth_bytes'] / MiB:.1f} MiB")
if p["peak_rss_bytes"] < p["baseline_rss_bytes"] + 300 * MiB: sys.exit("in-process peak below baseline + 300 MiB")
e = mem("echo_isolated")
if e is None or e["peak_rss_bytes"] >= 100 * MiB: sys.exit(f"echo: {e}")
print(f"hog isolated {h['peak_rss_bytes'] / MiB:.1f} MiB, in process +{p['peak_growth_bytes'] / MiB:.1f} MiB, "
      f"echo {e['peak_rss_bytes'] / MiB:.1f} MiB")
PY
grep -q "^SUT memory: peak RSS 3[0-9][0-9]\.[0-9] MiB (the worker process)" "$work/hog_isolated/summary.txt" ||
  fail "summary.txt: $(grep 'SUT memory' "$work/hog_isolated/summary.txt")"
grep -q "^SUT memory: .*(in process, the harness included" "$work/hog_in_process/summary.txt" || fail "in-process summary"
echo "ok: sut_memory"
