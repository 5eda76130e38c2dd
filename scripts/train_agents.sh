#!/usr/bin/env bash
# Reproduces the agent models from their seeds: regenerates the data sets (if missing) and
# trains models/react and models/codegen. Each run is capped at 42 minutes and then saved as it
# is. One intra-op thread each: the two trainings run side by side on a 2-core machine, and
# with two OpenMP threads a step slows several-fold whenever the other core is busy
# (docs/performance_textgen.md). Needs a build with the LibTorch plugins.
# usage: scripts/train_agents.sh [all|react|codegen]   (BIN=build/bin to override)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-build/bin}
which="${1:-all}"
case $which in all|react|codegen) ;; *) echo "usage: $0 [all|react|codegen]" >&2; exit 2 ;; esac
[[ -f data/react/train.txt ]] || "$BIN/edubench-make-react-data" --out data/react --seed 7
[[ -f data/codegen/train.txt ]] || "$BIN/edubench-make-codegen-data" --out data/codegen --seed 11
common=(--n-layer 4 --n-head 4 --n-embd 192 --block-size 512 --batch 16 --steps 900 --warmup 50
        --lr 2e-3 --eval-every 50 --threads 1 --max-minutes 42)
pids=()
if [[ $which == all || $which == react ]]; then
  "$BIN/edubench-train" --train data/react/train.txt --validation data/react/validation.txt \
    --out models/react --curve docs/training/react.csv --seed 3 "${common[@]}" &
  pids+=($!)
fi
if [[ $which == all || $which == codegen ]]; then
  "$BIN/edubench-train" --train data/codegen/train.txt --validation data/codegen/validation.txt \
    --out models/codegen --curve docs/training/codegen.csv --seed 4 "${common[@]}" &
  pids+=($!)
fi
for p in "${pids[@]}"; do wait "$p"; done
