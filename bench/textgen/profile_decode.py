#!/usr/bin/env python3
"""Where a batch-1 decode step's time goes: samples `bench_decode --loop WAY` with perf (self
time per symbol, every thread of the process) and sums the samples into kinds of work by
symbol and library name. The numbers of docs/performance_textgen.md, "Where the time goes".

usage: profile_decode.py BENCH_DECODE ROOT [torch|fast] [STEPS]
"""
import re
import subprocess
import sys

# First match wins; the order puts specific kernels before the catch-alls of their library.
KINDS = [
    ("OpenMP (libgomp: team start, barriers, spinning)", r"libgomp"),
    ("GEMV/GEMM kernels (OpenBLAS)", r"libopenblas|libblas|sgemv|sgemm|saxpy|sdot|gemm_|gemv_"),
    ("attention matmuls (bmm/baddbmm loops)", r"bmm|baddbmm"),
    ("softmax kernel", r"softmax|Softmax"),
    ("layer norm kernel", r"layer_norm|LayerNorm|RowwiseMoments"),
    ("GELU kernel", r"gelu|Gelu"),
    ("allocation (malloc/free, CPU allocator, tensor objects)",
     r"malloc|free|posix_memalign|alloc_cpu|free_cpu|CPUAllocator|DefaultCPUAllocator|StorageImpl|"
     r"TensorImpl::TensorImpl|TensorImpl::~TensorImpl|~TensorImpl|empty_cpu|empty_generic|empty_strided|"
     r"make_intrusive|release_resources|\bnew\b|operator new|operator delete|raw_deleter|memset"),
    ("elementwise and copy kernels (add, copy, fill, masked_fill, cat)",
     r"vectorized_loop|basic_loop|cpu_kernel|VectorizedLoop|copy_kernel|direct_copy|add_kernel|fill_kernel|"
     r"masked_fill|cat_serial|memcpy|memmove|\bcopy_\b|index_select|embedding"),
    ("dispatch and framework (dispatcher, TensorIterator setup, views, shape checks, refcounts)",
     r"libtorch|libc10|c10::|at::|torch::"),
    ("this program and libm (the fast path's own loops: layer norm, softmax, GELU, embeddings)",
     r"bench_decode|edubench|libm\.so|libm-|erf|exp"),
]


def main():
    bench, root = sys.argv[1], sys.argv[2]
    way = sys.argv[3] if len(sys.argv) > 3 else "torch"
    steps = sys.argv[4] if len(sys.argv) > 4 else "3000"
    data = f"/tmp/profile_decode_{way}.data"
    subprocess.run(["perf", "record", "-q", "-F", "2999", "-o", data, "--", bench, "--root", root, "--loop", way,
                    "--steps", steps], check=True)
    rep = subprocess.run(["perf", "report", "-i", data, "--no-children", "--sort", "dso,symbol", "--stdio",
                          "--percent-limit", "0"], check=True, capture_output=True, text=True).stdout
    totals, top = {}, []
    for line in rep.splitlines():
        m = re.match(r"\s*([\d.]+)%\s+(\S+)\s+\[[.k]\]\s+(.*)", line)
        if not m:
            continue
        pct, dso, sym = float(m.group(1)), m.group(2), m.group(3).strip()
        kind = next((k for k, rx in KINDS if re.search(rx, dso + " " + sym)), "other (kernel, libc, unresolved)")
        totals[kind] = totals.get(kind, 0.0) + pct
        top.append((pct, kind, dso, sym))
    print(f"### perf self time of `bench_decode --loop {way}` ({steps} steps, all threads)\n")
    print("| kind of work | share of samples |\n| --- | --- |")
    for kind, pct in sorted(totals.items(), key=lambda kv: -kv[1]):
        print(f"| {kind} | {pct:.1f}% |")
    print("\nTop symbols:\n")
    print("| share | kind | library | symbol |\n| --- | --- | --- | --- |")
    for pct, kind, dso, sym in sorted(top, reverse=True)[:25]:
        print(f"| {pct:.2f}% | {kind.split(' (')[0]} | {dso} | `{sym[:90]}` |")


if __name__ == "__main__":
    main()
