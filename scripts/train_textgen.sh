#!/usr/bin/env bash
# Reproduces the textgen target and draft models from their seeds (about 32 + 5 minutes on an
# idle 2-core machine; each run is capped at 45 / 15 minutes and then saved as it is). Needs
# the data from scripts/prepare_textgen_data.py and a build with the LibTorch plugins.
# usage: scripts/train_textgen.sh [all|target|draft|large]   (TRAIN=path/to/edubench-train to override)
# `large` (textgen_large, 19.7M parameters, context 1024) is not part of `all`: about 2.7 hours on
# an idle 2-core machine in four stages, and only the bandwidth-bound lessons need it.
# Two intra-op threads: training is GEMM-bound (unlike batch-1 decoding, see
# docs/performance_textgen.md). Results: models/textgen*/, curves in docs/training/.
set -euo pipefail
cd "$(dirname "$0")/.."
TRAIN=${TRAIN:-build/bin/edubench-train}
which="${1:-all}"
case $which in all|target|draft|large) ;; *) echo "usage: $0 [all|target|draft|large]" >&2; exit 2 ;; esac
if [[ $which == all || $which == target ]]; then
  "$TRAIN" --train data/textgen/train.txt --validation data/textgen/validation.txt \
    --out models/textgen --curve docs/training/textgen.csv \
    --n-layer 4 --n-head 4 --n-embd 256 --block-size 256 --batch 16 --steps 1500 --warmup 100 \
    --lr 2e-3 --eval-every 50 --seed 1 --threads 2 --max-minutes 45
fi
if [[ $which == all || $which == draft ]]; then
  "$TRAIN" --train data/textgen/train.txt --validation data/textgen/validation.txt \
    --out models/textgen_draft --curve docs/training/textgen_draft.csv \
    --n-layer 2 --n-head 2 --n-embd 96 --block-size 256 --batch 16 --steps 1500 --warmup 100 \
    --lr 3e-3 --eval-every 50 --seed 2 --threads 2 --max-minutes 15
fi
if [[ $which == large ]]; then
  # Four stages (docs/training/README.md, "textgen_large"). Whole 1024-byte windows, 4 per step,
  # kept the loss at the bigram plateau (val 2.31-2.35 through 300-400 steps at lr 1.5e-3 and
  # 6e-4; docs/training/textgen_large_attempts/): stages 1 and 2 train the same 1024-context model
  # on 16 windows of 256 bytes a step (`--seq-len 256`: it left the plateau by step 200 and costs
  # 3.6 s a step instead of 5.5). Positions 256-1023 are then still random, and trained as they
  # were they stayed at the plateau too, so they start as copies of positions 0-255
  # (scripts/tile_positions.py) before stages 3 and 4 train on whole 1024-byte windows.
  # LARGE_START_STAGE=2, 3 or 4 resumes from the weights already in the folder.
  start=${LARGE_START_STAGE:-1}
  common=(--train data/textgen/train.txt --validation data/textgen/validation.txt
          --out models/textgen_large --threads 2)
  if (( start <= 1 )); then
    "$TRAIN" "${common[@]}" --curve docs/training/textgen_large.csv \
      --n-layer 6 --n-head 8 --n-embd 512 --block-size 1024 --seq-len 256 --batch 16 --steps 600 \
      --warmup 50 --lr 1e-3 --eval-every 50 --seed 3 --max-minutes "${LARGE_MAX_MINUTES:-60}"
  fi
  if (( start <= 2 )); then
    "$TRAIN" "${common[@]}" --init models/textgen_large --curve docs/training/textgen_large_stage2.csv \
      --seq-len 256 --batch 16 --steps 1200 --warmup 50 --lr 6e-4 --eval-every 50 --seed 4 \
      --max-minutes "${LARGE_MAX_MINUTES:-90}"
    python3 scripts/tile_positions.py models/textgen_large/model.safetensors 256
  fi
  if (( start <= 3 )); then
    "$TRAIN" "${common[@]}" --init models/textgen_large --curve docs/training/textgen_large_stage3.csv \
      --batch 4 --steps 150 --warmup 15 --lr 3e-4 --eval-every 25 --seed 5 --max-minutes "${LARGE_MAX_MINUTES:-25}"
  fi
  "$TRAIN" "${common[@]}" --init models/textgen_large --curve docs/training/textgen_large_stage4.csv \
    --batch 4 --steps 400 --warmup 20 --lr 3e-4 --eval-every 50 --seed 6 --max-minutes "${LARGE_MAX_MINUTES:-45}"
  # fp16 on disk: 39 MB in git instead of 79; the model library widens it to fp32 on load.
  python3 scripts/safetensors_to_fp16.py models/textgen_large/model.safetensors
fi
