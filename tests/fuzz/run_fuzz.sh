#!/usr/bin/env bash
# One fuzz target over its committed corpus (tests/fuzz/corpus/NAME).
#   run_fuzz.sh BINARY NAME WORK_DIR SECONDS EDUBENCH
# SECONDS > 0: BINARY is a libFuzzer build (EDUBENCH_FUZZ=ON); it fuzzes that long, new inputs
#   go to WORK_DIR/corpus, a crashing input to WORK_DIR/crash-* (copy it into the corpus with
#   the fix: it is then replayed by every build).
# SECONDS = 0: BINARY replays the corpus once (any build).
# EDUBENCH is the edubench binary: fuzz_checker's template submission is a real run of it.
set -euo pipefail
[[ $# == 5 ]] || { echo "usage: $0 BINARY NAME WORK_DIR SECONDS EDUBENCH" >&2; exit 2; }
bin=$1 name=$2 work=$3 seconds=$4 edubench=$5
here=$(cd "$(dirname "$0")" && pwd)
corpus=$here/corpus/$name
[[ -d $corpus ]] || { echo "$0: no corpus folder $corpus" >&2; exit 2; }
mkdir -p "$work/corpus"
if [[ $name == checker ]]; then
  export EDUBENCH_FUZZ_REGISTRY=$here/../compliance/short_registry.yaml
  export EDUBENCH_FUZZ_SUBMISSION=$work/submission
  if [[ ! -f $work/submission/submission.json ]]; then
    rm -rf "$work/submission"
    (cd "$here/../compliance" && "$edubench" run --mode submission --registry "$EDUBENCH_FUZZ_REGISTRY" \
      --workload echo --sut echo_c --scenario single_stream --output "$work/submission" --quiet)
  fi
fi
export TMPDIR=$work
if (( seconds == 0 )); then
  exec "$bin" "$corpus"
fi
# -timeout: an input that takes 10 s is a hang; -rss_limit_mb: one that takes 2 GiB is a finding.
exec "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$work/" "$work/corpus" "$corpus"
