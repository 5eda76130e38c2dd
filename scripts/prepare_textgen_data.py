#!/usr/bin/env python3
"""Builds the textgen data set from Debian's bible-kjv (King James Version, public domain).

Splits whole chapters into train / validation / test by a seeded hash (so neighbouring verses
never straddle splits), writes them under the output folder, and cuts the workload's prompts
from the test split. Deterministic: the same package and seed give the same bytes.

usage: scripts/prepare_textgen_data.py [--out data/textgen] [--seed 1234] [--prompts 64] [--prompt-lengths 16,32,64,128]
"""
import argparse
import hashlib
import json
import os
import re
import subprocess
import sys


def chapters():
    """(name, text) per chapter, verses one per line, verse numbers dropped."""
    try:
        raw = subprocess.run(["bible", "-l100000", "Gen1:1-Rev22:21"], check=True,
                             capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        sys.exit(f"prepare_textgen_data: cannot run `bible` (install bible-kjv): {e}")
    name, verses = None, []
    for line in raw.splitlines():
        if not line.strip():
            continue
        m = re.match(r"^ *(\d+) (.*)$", line)
        if m:
            verses.append(m.group(2).strip())
        else:
            if name and verses:
                yield name, "\n".join(verses) + "\n"
            name, verses = line.strip(), []
    if name and verses:
        yield name, "\n".join(verses) + "\n"


def split_of(name, seed):
    h = int(hashlib.sha256(f"{seed}:{name}".encode()).hexdigest(), 16) % 100
    return "test" if h < 4 else "validation" if h < 8 else "train"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="data/textgen")
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--prompts", type=int, default=64)
    ap.add_argument("--prompt-chars", type=int, default=48)
    ap.add_argument("--length-prompts", type=int, default=32, help="places cut at every --prompt-lengths")
    ap.add_argument("--prompt-lengths", default="16,32,64,128")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    parts = {"train": [], "validation": [], "test": []}
    for name, text in chapters():
        parts[split_of(name, args.seed)].append(text)
    for split, texts in parts.items():
        with open(os.path.join(args.out, f"{split}.txt"), "w", encoding="ascii") as f:
            f.write("".join(texts))
    # Prompts: the first prompt-chars characters of evenly spaced test verses long enough to
    # have a continuation; the references (greedy outputs) are added by the reference model.
    verses = [v for v in "".join(parts["test"]).splitlines() if len(v) > args.prompt_chars + 20]
    step = max(1, len(verses) // args.prompts)
    with open(os.path.join(args.out, "prompts.jsonl"), "w", encoding="ascii") as f:
        for v in verses[::step][: args.prompts]:
            f.write(json.dumps({"prompt": v[: args.prompt_chars]}) + "\n")
    # The prompt-length knob's prompts (--set prompt_tokens=N): at each of length-prompts evenly
    # spaced places of the test split (prompt-chars into a verse, as above), the N characters
    # before it for every N, so a longer prompt is the shorter one with more of what precedes it.
    test = "".join(parts["test"])
    lengths = [int(n) for n in args.prompt_lengths.split(",")]
    starts, at = [], 0
    for v in test.splitlines(keepends=True):
        if len(v) > args.prompt_chars + 20 and at + args.prompt_chars >= max(lengths):
            starts.append(at + args.prompt_chars)
        at += len(v)
    step = max(1, len(starts) // args.length_prompts)
    with open(os.path.join(args.out, "prompts_by_length.jsonl"), "w", encoding="ascii") as f:
        for n in lengths:
            for end in starts[::step][: args.length_prompts]:
                f.write(json.dumps({"prompt": test[end - n : end]}) + "\n")
    for fn in ["train.txt", "validation.txt", "test.txt", "prompts.jsonl", "prompts_by_length.jsonl"]:
        p = os.path.join(args.out, fn)
        print(f"{hashlib.sha256(open(p, 'rb').read()).hexdigest()}  {p}  ({os.path.getsize(p)} bytes)")


if __name__ == "__main__":
    main()
