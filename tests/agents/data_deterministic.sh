#!/usr/bin/env bash
# usage: data_deterministic.sh GENERATOR WORKDIR SIZE-OPTIONS...
# Runs the generator twice with one seed and once with another, at a small size: the first two
# outputs must be identical file by file, the third must differ. SIZE-OPTIONS keep it small.
set -euo pipefail
gen=$1 work=$2
shift 2
small=("$@")
rm -rf "$work" && mkdir -p "$work"
"$gen" --out "$work/a" --seed 11 "${small[@]}"
"$gen" --out "$work/b" --seed 11 "${small[@]}"
"$gen" --out "$work/c" --seed 12 "${small[@]}"
files=(train.txt validation.txt test.jsonl)
[[ -f $work/a/test_hard.jsonl ]] && files+=(test_hard.jsonl)  # codegen's hard level
for f in "${files[@]}"; do
  [[ -s $work/a/$f ]] || { echo "FAIL: $f is empty"; exit 1; }
  cmp "$work/a/$f" "$work/b/$f" || { echo "FAIL: $f differs for the same seed"; exit 1; }
  if cmp -s "$work/a/$f" "$work/c/$f"; then echo "FAIL: $f is the same for seeds 11 and 12"; exit 1; fi
done
echo "deterministic for a seed: ok"
