#!/usr/bin/env python3
"""The eager-Python baseline of the decode-speed comparison (bench_textgen --what eager): the
textgen GPT written the way a Python course writes it (nn.Module, a torch.cat KV cache, a
Python loop per token), loading the project's safetensors with the standard library. Greedy
decoding of the prompts it is given; prints one JSON object: tokens and wall-clock seconds per
prompt (prefill and every step included, as the C++ side counts them).

usage: gpt_eager.py --model DIR --prompts FILE --count N --new-tokens K --threads T
"""
import argparse
import json
import math
import os
import struct
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Attention(nn.Module):
    def __init__(self, c, n_head):
        super().__init__()
        self.n_head = n_head
        self.c_attn = nn.Linear(c, 3 * c)
        self.c_proj = nn.Linear(c, c)

    def forward(self, x, cache):
        B, T, C = x.shape
        hd = C // self.n_head
        q, k, v = self.c_attn(x).split(C, dim=2)
        q = q.view(B, T, self.n_head, hd).transpose(1, 2)
        k = k.view(B, T, self.n_head, hd).transpose(1, 2)
        v = v.view(B, T, self.n_head, hd).transpose(1, 2)
        if cache is not None:
            k = torch.cat([cache[0], k], dim=2)
            v = torch.cat([cache[1], v], dim=2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hd))
        if T > 1:  # query i sits at position S - T + i and sees keys 0 .. S - T + i
            S = k.size(2)
            mask = torch.ones(T, S, dtype=torch.bool).triu(S - T + 1)
            att = att.masked_fill(mask, float("-inf"))
        y = F.softmax(att, dim=-1) @ v
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        return self.c_proj(y), (k, v)


class Mlp(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c_fc = nn.Linear(c, 4 * c)
        self.c_proj = nn.Linear(4 * c, c)

    def forward(self, x):
        return self.c_proj(F.gelu(self.c_fc(x)))


class Block(nn.Module):
    def __init__(self, c, n_head):
        super().__init__()
        self.ln_1 = nn.LayerNorm(c)
        self.attn = Attention(c, n_head)
        self.ln_2 = nn.LayerNorm(c)
        self.mlp = Mlp(c)

    def forward(self, x, cache):
        a, cache = self.attn(self.ln_1(x), cache)
        x = x + a
        return x + self.mlp(self.ln_2(x)), cache


class GPT(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        c = cfg["n_embd"]
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(cfg["vocab_size"], c),
            wpe=nn.Embedding(cfg["block_size"], c),
            h=nn.ModuleList([Block(c, cfg["n_head"]) for _ in range(cfg["n_layer"])]),
            ln_f=nn.LayerNorm(c)))
        self.lm_head = nn.Linear(c, cfg["vocab_size"], bias=False)

    def forward(self, idx, caches):
        T = idx.size(1)
        start = 0 if caches is None else caches[0][0].size(2)
        pos = torch.arange(start, start + T, dtype=torch.long)
        x = self.transformer.wte(idx) + self.transformer.wpe(pos)
        new = []
        for i, block in enumerate(self.transformer.h):
            x, c = block(x, None if caches is None else caches[i])
            new.append(c)
        return self.lm_head(self.transformer.ln_f(x)), new


def read_safetensors(path):
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    header.pop("__metadata__", None)
    data = bytearray(raw[8 + n:])
    out = {}
    for name, e in header.items():
        if e["dtype"] not in ("F32", "F16"):  # F16: textgen_large on disk, widened as the C++ side does
            raise SystemExit(f"gpt_eager: {path}: {name}: expected F32 or F16, got {e['dtype']}")
        a, b = e["data_offsets"]
        dtype, width = (torch.float32, 4) if e["dtype"] == "F32" else (torch.float16, 2)
        out[name] = torch.frombuffer(data, dtype=dtype, offset=a, count=(b - a) // width).view(e["shape"]).to(torch.float32, copy=True)
    return out


@torch.no_grad()
def generate(model, prompt, new_tokens):
    logits, caches = model(torch.tensor([prompt], dtype=torch.long), None)
    out = [int(logits[0, -1].argmax())]
    while len(out) < new_tokens:
        logits, caches = model(torch.tensor([[out[-1]]], dtype=torch.long), caches)
        out.append(int(logits[0, -1].argmax()))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--prompts", required=True)
    ap.add_argument("--count", type=int, default=32)
    ap.add_argument("--new-tokens", type=int, default=128)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    cfg = json.load(open(os.path.join(a.model, "config.json")))
    model = GPT(cfg)
    model.load_state_dict(read_safetensors(os.path.join(a.model, "model.safetensors")))
    model.eval()
    prompts = []
    with open(a.prompts) as f:
        for line in f:
            if len(prompts) == a.count:
                break
            prompts.append(list(json.loads(line)["prompt"].encode("utf-8")))
    generate(model, prompts[0], 8)  # warm-up: first-call allocations and kernel selection
    tokens, seconds = [], []
    for p in prompts:
        t0 = time.perf_counter()
        tokens.append(generate(model, p, a.new_tokens))
        seconds.append(time.perf_counter() - t0)
    print(json.dumps({"threads": torch.get_num_threads(), "torch": torch.__version__,
                      "tokens": tokens, "seconds": seconds}))


if __name__ == "__main__":
    main()
