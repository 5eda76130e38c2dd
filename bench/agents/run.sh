#!/usr/bin/env bash
# Agent benchmark (issue 4): per-step latency with and without KV reuse, where the time goes
# (model vs tools vs sandbox), sandbox cost per run. Runs by hand, one worker, one thread, so
# that steps are not queued behind each other; prints markdown tables for docs/performance.md.
# usage: bench/agents/run.sh [BUILD_DIR]   (about 2 minutes)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
out=$(mktemp -d /tmp/edubench-bench-agents.XXXXXX)
run() {
  local name=$1
  shift
  "$build/bin/edubench" run --scenario single_stream --set min_duration_s=0 --set min_query_count=64 \
    --output "$out/$name" --quiet "$@" || true   # a run below its quality target still times
}
run react_reuse --workload react_agent --sut react_agent --sut-opt reuse_kv=on
run react_no_reuse --workload react_agent --sut react_agent --sut-opt reuse_kv=off
run codegen --workload codegen_agent --sut codegen_agent
python3 bench/agents/agent_steps.py "$out/react_reuse" "$out/react_no_reuse" "$out/codegen"
echo "run directories: $out"
