#!/usr/bin/env bash
# A few training steps of a tiny model on real text: the validation loss must go down and a
# loadable checkpoint must come out.
set -euo pipefail
train=$1 text=$2 out=$3
rm -rf "$out"
"$train" --train "$text" --validation "$text" --out "$out" --n-layer 1 --n-head 2 --n-embd 32 \
  --block-size 32 --batch 8 --steps 60 --warmup 5 --lr 1e-2 --eval-every 20 --seed 7 --threads 1 >/dev/null
python3 - "$out/loss.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
first, last = float(rows[0]["val_loss"]), float(rows[-1]["val_loss"])
print(f"val loss {first:.3f} -> {last:.3f}")
sys.exit(0 if last < first - 0.2 else f"the loss did not go down: {first} -> {last}")
PY
test -s "$out/model.safetensors" && test -s "$out/config.json"
# A first stage on short windows of a longer context (--seq-len): the curve counts its tokens,
# and the checkpoint keeps the full context for the next stage (--init).
"$train" --train "$text" --validation "$text" --out "$out/short" --n-layer 1 --n-head 2 --n-embd 32 \
  --block-size 64 --seq-len 16 --batch 8 --steps 20 --warmup 5 --lr 1e-2 --eval-every 20 --seed 7 --threads 1 >/dev/null
grep -q '"block_size": 64' "$out/short/config.json" || { echo "FAIL: the context is not kept"; exit 1; }
[[ $(tail -1 "$out/short/loss.csv" | cut -d, -f3) == 2560 ]] || { echo "FAIL: tokens counted at the context, not --seq-len"; exit 1; }
if "$train" --train "$text" --validation "$text" --out "$out/bad" --block-size 64 --seq-len 65 --steps 1 \
    >/dev/null 2>"$out/bad.err"; then
  echo "FAIL: --seq-len beyond the context accepted"; exit 1
fi
grep -q "edubench-train: error: --seq-len 65: expected 1..64" "$out/bad.err" || { cat "$out/bad.err"; exit 1; }
