#!/usr/bin/env bash
# Regenerates docs/report_textgen.png and docs/report_react.png: `edubench report` over real runs
# of the reference plugins (KV cache off, on, speculative decoding; ReAct with and without KV
# reuse), rendered by headless Chromium as a student sees it. About 5 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=build/bin/edubench
work=${WORK:-$(mktemp -d)}
short=(--scenario single_stream --set min_duration_s=0 --set min_query_count=64 --quiet)
$bin run --workload kv_cache --sut kv_cache "${short[@]}" --sut-opt kv_cache=off -o "$work/kv_cache_off"
$bin run --workload kv_cache --sut kv_cache "${short[@]}" -o "$work/kv_cache_on"
$bin run --workload speculative_decode --sut speculative_decode "${short[@]}" -o "$work/speculative"
$bin run --workload react_agent --sut react_agent "${short[@]}" --sut-opt reuse_kv=off -o "$work/react_no_reuse"
$bin run --workload react_agent --sut react_agent "${short[@]}" -o "$work/react_reuse"
shoot_h() {  # NAME HEIGHT DIRS...: the report of DIRS rendered into docs/NAME.png
  local name=$1 height=$2
  shift 2
  $bin report "$@" -o "$work/$name.html" >/dev/null
  chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$work/profile" \
    --window-size=1240,"$height" --screenshot="docs/$name.png" "file://$work/$name.html" 2>/dev/null
}
shoot_h report_textgen 3750 "$work/kv_cache_off" "$work/kv_cache_on" "$work/speculative"
shoot_h report_react 2300 "$work/react_no_reuse" "$work/react_reuse"
$bin compare "$work/kv_cache_off" "$work/kv_cache_on" "$work/speculative"
echo "docs/report_textgen.png, docs/report_react.png (runs in $work)"
