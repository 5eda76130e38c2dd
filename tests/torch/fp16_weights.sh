#!/usr/bin/env bash
# scripts/safetensors_to_fp16.py on a copy of a shipped model: the file is half the size, the
# standard-library reader accepts it, and the model library loads it (widened to fp32) with a
# held-out loss within 0.005 nats/byte of the fp32 original. textgen_large ships this way.
# usage: fp16_weights.sh GENERATE SOURCE_DIR MODEL WORK_DIR
set -euo pipefail
gen=$1 src=$2 model=$3 work=$4
rm -rf "$work" && mkdir -p "$work"
cp "$src/models/$model/config.json" "$src/models/$model/model.safetensors" "$work/"
python3 "$src/scripts/safetensors_to_fp16.py" "$work/model.safetensors"
python3 "$src/tests/torch/read_safetensors.py" "$work"
full=$(stat -c %s "$src/models/$model/model.safetensors") half=$(stat -c %s "$work/model.safetensors")
(( half < full * 52 / 100 )) || { echo "fp16 file is $half bytes, fp32 $full: not about half" >&2; exit 1; }
loss() { "$gen" --model "$1/config.json" --weights "$1/model.safetensors" --eval-text "$src/data/textgen/test.txt" --threads 1 |
           sed -n 's/.*loss \([0-9.]*\) nats.*/\1/p'; }
a=$(loss "$src/models/$model") b=$(loss "$work")
echo "test loss: fp32 $a, fp16 $b"
python3 -c "import sys; sys.exit(0 if abs($a - $b) < 0.005 else 1)" || { echo "fp16 changed the loss by more than 0.005" >&2; exit 1; }
