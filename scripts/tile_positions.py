#!/usr/bin/env python3
"""Copies a GPT's first K position embeddings over the rest, in place (row i := row i mod K),
with the standard library only. textgen_large's stages 1 and 2 train on 256-byte windows, so
positions 256-1023 keep their random initialisation; trained from there on whole 1024-byte
windows, they stayed at the bigram plateau (validation 2.01 after 100 steps, the first 256
positions at 1.12). Tiled, every position starts from a trained embedding: only the relative
offsets across a multiple of K are new to the model.

usage: tile_positions.py FILE K
"""
import json
import os
import struct
import sys

NAME = "transformer.wpe.weight"


def main():
    if len(sys.argv) != 3 or not sys.argv[2].isdigit() or int(sys.argv[2]) < 1:
        sys.exit("usage: tile_positions.py FILE K   (K: the positions trained, e.g. 256)")
    path, k = sys.argv[1], int(sys.argv[2])
    raw = bytearray(open(path, "rb").read())
    if len(raw) < 8:
        sys.exit(f"{path}: too short for a safetensors file")
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    e = header.get(NAME)
    if e is None:
        sys.exit(f"{path}: no tensor {NAME}")
    if e["dtype"] != "F32" or len(e["shape"]) != 2:
        sys.exit(f"{path}: {NAME}: expected a 2-D F32 tensor, got {e['dtype']} {e['shape']}")
    rows, width = e["shape"]
    if k >= rows:
        sys.exit(f"{path}: K={k}: the model has only {rows} positions")
    base = 8 + n + e["data_offsets"][0]
    row = width * 4
    for i in range(k, rows):
        src = base + (i % k) * row
        raw[base + i * row:base + (i + 1) * row] = raw[src:src + row]
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(raw)
    os.replace(tmp, path)
    print(f"{path}: positions {k}-{rows - 1} of {NAME} copied from 0-{k - 1}")


if __name__ == "__main__":
    main()
