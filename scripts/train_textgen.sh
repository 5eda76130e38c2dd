#!/usr/bin/env bash
# Reproduces the textgen target and draft models from their seeds (about 35 + 5 minutes on a
# 2-core machine). Needs the data from scripts/prepare_textgen_data.py and a build with the
# LibTorch plugins (scripts/build.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
TRAIN=${TRAIN:-build/bin/edubench-train}
which="${1:-all}"
if [[ $which == all || $which == target ]]; then
  "$TRAIN" --train data/textgen/train.txt --validation data/textgen/validation.txt \
    --out models/textgen --curve docs/training/textgen.csv \
    --n-layer 4 --n-head 4 --n-embd 256 --block-size 256 --batch 16 --steps 1500 --warmup 100 \
    --lr 2e-3 --eval-every 50 --seed 1 --threads 2 --max-minutes 60
fi
if [[ $which == all || $which == draft ]]; then
  "$TRAIN" --train data/textgen/train.txt --validation data/textgen/validation.txt \
    --out models/textgen_draft --curve docs/training/textgen_draft.csv \
    --n-layer 2 --n-head 2 --n-embd 96 --block-size 256 --batch 16 --steps 1500 --warmup 100 \
    --lr 3e-3 --eval-every 50 --seed 2 --threads 2 --max-minutes 60
fi
