#!/usr/bin/env python3
"""Per-step figures of agent runs, from their run directories (events.jsonl).

usage: agent_steps.py RUN_DIR [RUN_DIR...]

For each run: per step index (0 = the first generation of a query), the mean model time, tokens
prefilled and generated, and context length (the SUT's step_* / attempt_* reports, in the order
a query reported them); then where the time went: model (SUT-reported) vs tools and the
sandbox (timed by the harness around call_tool / run_code), and the sandbox's time per run.
"""
import collections
import json
import os
import sys


def load(run_dir):
    steps = collections.defaultdict(lambda: collections.defaultdict(list))  # query -> metric -> values
    tool_ms, code_ms = [], []
    with open(os.path.join(run_dir, "events.jsonl")) as f:
        for line in f:
            e = json.loads(line)
            if e["ev"] == "report":
                steps[e["q"]][e["metric"]].append(e["value"])
            elif e["ev"] == "tool":
                tool_ms.append((e["end_ns"] - e["t_ns"]) / 1e6)
            elif e["ev"] == "code":
                code_ms.append((e["end_ns"] - e["t_ns"]) / 1e6)
    return steps, tool_ms, code_ms


def mean(xs):
    return sum(xs) / len(xs) if xs else 0.0


def main(dirs):
    for d in dirs:
        steps, tool_ms, code_ms = load(d)
        prefix = "step" if any("step_model_ms" in m for m in steps.values()) else "attempt"
        print(f"## {d}\n")
        print(f"| {prefix} | queries | model ms | prefilled tokens | generated tokens | context tokens |")
        print("| --- | --- | --- | --- | --- | --- |")
        by_index = collections.defaultdict(lambda: collections.defaultdict(list))
        for q in steps.values():
            for k in ("model_ms", "prefill_tokens", "tokens_generated", "context_tokens"):
                for i, v in enumerate(q.get(f"{prefix}_{k}", [])):
                    by_index[i][k].append(v)
        for i in sorted(by_index):
            s = by_index[i]
            print(f"| {i} | {len(s['model_ms'])} | {mean(s['model_ms']):.1f} | {mean(s['prefill_tokens']):.0f} | "
                  f"{mean(s['tokens_generated']):.0f} | {mean(s['context_tokens']):.0f} |")
        model = sum(v for q in steps.values() for v in q.get(f"{prefix}_model_ms", []))
        tools, sandbox = sum(tool_ms), sum(code_ms)
        total = model + tools + sandbox or 1.0
        print(f"\ntime: model {model:.0f} ms ({100 * model / total:.1f}%), tools {tools:.0f} ms "
              f"({100 * tools / total:.1f}%, {len(tool_ms)} calls, {mean(tool_ms):.3f} ms each), sandbox "
              f"{sandbox:.0f} ms ({100 * sandbox / total:.1f}%, {len(code_ms)} runs, {mean(code_ms):.1f} ms each)\n")


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        sys.exit(0 if len(sys.argv) > 1 else 2)
    main(sys.argv[1:])
