// Which OpenBLAS kernels this process runs on. Debian 12's OpenBLAS (0.3.21, built for many CPUs
// and choosing at load time) does not know CPUs newer than itself (Intel Emerald Rapids, AMD
// Zen 5, ...) and falls back to its Pentium 4 kernels ("Prescott", SSE3): LibTorch's SGEMM then
// runs at about a fifth of the AVX-512 kernels' rate (docs/performance_textgen.md). The model
// library corrects that once, when it is loaded (before any BLAS call of its own): a CPU that
// OpenBLAS took for a Prescott but that has AVX-512 / AVX2 gets the SkylakeX / Haswell kernels.
// OPENBLAS_CORETYPE set by the user is left alone, as is any other BLAS. No LibTorch here.
#pragma once

#include <string>

namespace edubench::model {

// The OpenBLAS core in use after that correction ("SkylakeX", "Haswell", ...); "" when the BLAS
// loaded is not an OpenBLAS that chooses its kernels at run time.
std::string blas_core();

// What the correction did, for a log line: "" when nothing, else e.g. "OpenBLAS took this CPU for
// Prescott; using its SkylakeX kernels".
std::string blas_core_note();

}  // namespace edubench::model
