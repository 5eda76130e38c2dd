#!/usr/bin/env python3
"""Reads a shipped checkpoint with nothing but Python's standard library and the safetensors
format spec (8-byte little-endian header length, JSON header, raw little-endian data), and
checks it against its config.json: nanoGPT names, nn.Linear [out, in] shapes, F32 data laid
out back to back, finite values. F32, or F16 for textgen_large (half the bytes in git). Proves the weights are loadable outside this project.

usage: read_safetensors.py MODEL_DIR
"""
import json
import math
import os
import struct
import sys


def fail(msg):
    sys.exit(f"read_safetensors: {msg}")


def main():
    d = sys.argv[1]
    cfg = json.load(open(os.path.join(d, "config.json")))
    path = os.path.join(d, "model.safetensors")
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    header.pop("__metadata__", None)
    C, L, V, T = cfg["n_embd"], cfg["n_layer"], cfg["vocab_size"], cfg["block_size"]
    want = {"transformer.wte.weight": [V, C], "transformer.wpe.weight": [T, C],
            "transformer.ln_f.weight": [C], "transformer.ln_f.bias": [C], "lm_head.weight": [V, C]}
    for i in range(L):
        p = f"transformer.h.{i}."
        want.update({p + "ln_1.weight": [C], p + "ln_1.bias": [C], p + "ln_2.weight": [C], p + "ln_2.bias": [C],
                     p + "attn.c_attn.weight": [3 * C, C], p + "attn.c_attn.bias": [3 * C],
                     p + "attn.c_proj.weight": [C, C], p + "attn.c_proj.bias": [C],
                     p + "mlp.c_fc.weight": [4 * C, C], p + "mlp.c_fc.bias": [4 * C],
                     p + "mlp.c_proj.weight": [C, 4 * C], p + "mlp.c_proj.bias": [C]})
    if set(header) != set(want):
        fail(f"{path}: tensor names differ from nanoGPT's: {sorted(set(header) ^ set(want))}")
    end = 0
    for name, e in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
        if e["dtype"] not in ("F32", "F16") or e["shape"] != want[name]:
            fail(f"{path}: {name}: expected F32 or F16 {want[name]}, got {e['dtype']} {e['shape']}")
        width = 4 if e["dtype"] == "F32" else 2
        a, b = e["data_offsets"]
        if a != end or b - a != width * math.prod(e["shape"]):
            fail(f"{path}: {name}: data_offsets {a}..{b} are not back to back")
        end = b
        values = struct.unpack(f"<{(b - a) // width}{'f' if width == 4 else 'e'}", data[a:b])
        if not all(math.isfinite(v) for v in values):
            fail(f"{path}: {name}: non-finite values")
    if end != len(data):
        fail(f"{path}: {len(data) - end} bytes after the last tensor")
    params = sum(math.prod(e["shape"]) for e in header.values())
    print(f"{path}: {len(header)} tensors, {params} parameters, read with the standard library")


if __name__ == "__main__":
    main()
