#!/usr/bin/env python3
"""Rewrites a .safetensors file's F32 tensors as F16 (IEEE half, round to nearest even), in
place, with the standard library only. For textgen_large: 79 MB of fp32 weights become 39 MB
in git; the model library widens them back to fp32 when it loads them, so the shipped model
(and its pinned references) is the fp16-rounded one.

usage: safetensors_to_fp16.py FILE
"""
import json
import math
import os
import struct
import sys


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: safetensors_to_fp16.py FILE")
    path = sys.argv[1]
    raw = open(path, "rb").read()
    if len(raw) < 8:
        sys.exit(f"{path}: too short for a safetensors file")
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    meta = header.pop("__metadata__", None)
    out_header, chunks, offset = {}, [], 0
    if meta is not None:
        out_header["__metadata__"] = meta
    for name, e in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
        a, b = e["data_offsets"]
        blob = data[a:b]
        if e["dtype"] == "F32":
            values = struct.unpack(f"<{(b - a) // 4}f", blob)
            if any(abs(v) > 65504 for v in values if math.isfinite(v)):
                sys.exit(f"{path}: {name}: values beyond the F16 range")
            blob = struct.pack(f"<{len(values)}e", *values)
        out_header[name] = {"dtype": "F16" if e["dtype"] == "F32" else e["dtype"], "shape": e["shape"],
                            "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
        chunks.append(blob)
    text = json.dumps(out_header, separators=(",", ":"))
    text += " " * ((8 - len(text) % 8) % 8)  # the data starts 8-byte aligned
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text.encode() + b"".join(chunks))
    os.replace(tmp, path)
    print(f"{path}: {len(out_header) - (meta is not None)} tensors as F16, {offset} bytes of data")


if __name__ == "__main__":
    main()
