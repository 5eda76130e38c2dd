// The decode step on raw buffers and OpenBLAS (see fast_decode.hpp). Numerics follow GptImpl:
// pre-LN blocks, LayerNorm eps 1e-5, exact (erf) GELU, softmax over the cached positions.
#include <edubench/model/fast_decode.hpp>

#include <ATen/Parallel.h>
#include <cblas.h>
#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

namespace edubench::model {
namespace {

using Params = torch::OrderedDict<std::string, torch::Tensor>;

const float* param(const Params& ps, const std::string& name, int64_t numel) {
  const auto* t = ps.find(name);
  if (t == nullptr) throw std::invalid_argument("FastDecoder: the model has no parameter " + name);
  if (t->scalar_type() != torch::kFloat || !t->is_contiguous() || !t->device().is_cpu() || t->numel() != numel)
    throw std::invalid_argument("FastDecoder: " + name + " is not a contiguous fp32 CPU tensor of the config's size");
  return t->data_ptr<float>();
}

// y = LayerNorm(x) over rows of c values (torch's eps; statistics in double, as precise as
// LibTorch's float Welford or more).
void layer_norm_scalar(const float* x, int64_t n, int64_t c, const float* w, const float* b, float* y) {
  for (int64_t r = 0; r < n; ++r, x += c, y += c) {
    double sum = 0, sq = 0;
    for (int64_t i = 0; i < c; ++i) sum += x[i];
    const double mean = sum / static_cast<double>(c);
    for (int64_t i = 0; i < c; ++i) sq += (x[i] - mean) * (x[i] - mean);
    const float inv = static_cast<float>(1.0 / std::sqrt(sq / static_cast<double>(c) + 1e-5));
    const float m = static_cast<float>(mean);
    for (int64_t i = 0; i < c; ++i) y[i] = (x[i] - m) * inv * w[i] + b[i];
  }
}

// The same, 4 doubles / 8 floats at a time: one value at a time, the 13 LayerNorms of a
// textgen_large step took ~0.009 ms a row, 0.036 ms of a 5-token verification pass's extra cost.
__attribute__((target("avx2"))) void layer_norm_avx2(const float* x, int64_t n, int64_t c, const float* w,
                                                     const float* b, float* y) {
  if (c % 8 != 0) return layer_norm_scalar(x, n, c, w, b, y);
  for (int64_t r = 0; r < n; ++r, x += c, y += c) {
    __m256d sum = _mm256_setzero_pd(), sq = _mm256_setzero_pd();
    for (int64_t i = 0; i < c; i += 4) sum = _mm256_add_pd(sum, _mm256_cvtps_pd(_mm_loadu_ps(x + i)));
    alignas(32) double lanes[4];
    _mm256_store_pd(lanes, sum);
    const double mean = (lanes[0] + lanes[1] + lanes[2] + lanes[3]) / static_cast<double>(c);
    const __m256d mv = _mm256_set1_pd(mean);
    for (int64_t i = 0; i < c; i += 4) {
      const __m256d d = _mm256_sub_pd(_mm256_cvtps_pd(_mm_loadu_ps(x + i)), mv);
      sq = _mm256_add_pd(sq, _mm256_mul_pd(d, d));
    }
    _mm256_store_pd(lanes, sq);
    const double var = (lanes[0] + lanes[1] + lanes[2] + lanes[3]) / static_cast<double>(c);
    const __m256 inv = _mm256_set1_ps(static_cast<float>(1.0 / std::sqrt(var + 1e-5)));
    const __m256 m = _mm256_set1_ps(static_cast<float>(mean));
    for (int64_t i = 0; i < c; i += 8) {
      const __m256 t = _mm256_mul_ps(_mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(x + i), m), inv), _mm256_loadu_ps(w + i));
      _mm256_storeu_ps(y + i, _mm256_add_ps(t, _mm256_loadu_ps(b + i)));
    }
  }
}

// y[r, j] += x[r] . W[j] for RN rows of x at once: each weight row is read once for all of them
// (a verification pass of a few tokens). OpenBLAS's GEMM packs W on every call and runs no
// faster than RN GEMVs at these shapes (bench/textgen: v(4) = 4.45 on textgen); this reads W
// once, as the memory-bound step needs. AVX2 + FMA, chosen at run time (the build targets
// plain x86-64).
template <int RN>
__attribute__((target("avx2,fma"))) void rows_dot_avx2(const float* x, int64_t in, const float* w, int64_t out,
                                                        float* y, int64_t ystride) {
  for (int64_t j = 0; j < out; ++j) {
    const float* wj = w + j * in;
    __m256 acc[RN];
    for (int r = 0; r < RN; ++r) acc[r] = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 8 <= in; i += 8) {
      const __m256 wv = _mm256_loadu_ps(wj + i);
      for (int r = 0; r < RN; ++r) acc[r] = _mm256_fmadd_ps(wv, _mm256_loadu_ps(x + r * in + i), acc[r]);
    }
    for (int r = 0; r < RN; ++r) {
      const __m128 q = _mm_add_ps(_mm256_castps256_ps128(acc[r]), _mm256_extractf128_ps(acc[r], 1));
      const __m128 d = _mm_add_ps(q, _mm_movehl_ps(q, q));
      float sum = _mm_cvtss_f32(_mm_add_ss(d, _mm_shuffle_ps(d, d, 1)));
      for (int64_t k = i; k < in; ++k) sum += wj[k] * x[r * in + k];
      y[r * ystride + j] += sum;
    }
  }
}

bool has_avx2_fma() {
  static const bool yes = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  }();
  return yes;
}

void layer_norm(const float* x, int64_t n, int64_t c, const float* w, const float* b, float* y) {
  if (has_avx2_fma()) return layer_norm_avx2(x, n, c, w, b, y);
  layer_norm_scalar(x, n, c, w, b, y);
}

bool has_f16c() {
  static const bool yes = [] {
    __builtin_cpu_init();
    return has_avx2_fma() && __builtin_cpu_supports("f16c");
  }();
  return yes;
}

// EDUBENCH_NO_AVX512=1 takes the AVX2 kernels on a CPU that has AVX-512: the tests run both
// (tests/torch), and a team can time one against the other.
bool has_avx512() {
  static const bool yes = [] {
    __builtin_cpu_init();
    const char* off = std::getenv("EDUBENCH_NO_AVX512");
    return has_f16c() && __builtin_cpu_supports("avx512f") && !(off != nullptr && std::string(off) == "1");
  }();
  return yes;
}

// GCC 12's avx512fintrin.h reads an _mm512_undefined_ps() value in _mm512_cvtph_ps and warns
// about it in every caller (GCC bug 105593); nothing here is uninitialized.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

// Lanes [0, n) of 16 set (n clamped to 0..16).
inline __mmask16 first_lanes(int64_t n) {
  return n >= 16 ? static_cast<__mmask16>(0xFFFF) : n <= 0 ? 0 : static_cast<__mmask16>((1u << n) - 1);
}

// ---- matrices from fp16 panels ------------------------------------------------------------------
// The fp16 copy of a weight matrix W [out, in] is stored in panels of kPanel output rows: panel
// p holds, for each input column k in order, W[kPanel p .. kPanel p + 31][k] side by side (64
// bytes, one cache line), the last panel padded with zeros. A step reads each panel front to
// back as one stream, and every output's sum runs over k in order with no horizontal sums: the
// same sum for 1 row or 8, on AVX2 or AVX-512, so a verification pass gives bit for bit the
// logits of single steps. Against weight rows read 4 at a time with lane sums (the layout
// before), a 5-row pass over textgen_large's matrices took 0.86-0.88 of the time and one row
// 0.93-0.95 (docs/performance_textgen.md, "Weights in panels").
constexpr int64_t kPanel = 32;
// Prefetch distance, in panel lines (k steps): 4 KB ahead; of 16, 24, 32, 48 and 64 lines, 48-64
// were best. The hardware prefetcher alone let the reads wait on L3 when a pass has many rows'
// arithmetic.
constexpr int64_t kAheadLines = 64;

// y[r, o] += sum over k of x[r, k] W[o, k] for RN rows of x, 32 outputs (two 512-bit
// accumulators per row) a panel; prefetches may run past the matrix's end (they never fault).
template <int RN>
__attribute__((target("avx512f,fma,f16c"))) void panels_f16_z(const float* x, int64_t in, const uint16_t* w,
                                                               int64_t out, float* y) {
  for (int64_t o = 0; o < out; o += kPanel) {
    const uint16_t* panel = w + o * in;
    __m512 acc[RN][2];
    for (auto& row : acc) row[0] = row[1] = _mm512_setzero_ps();
    for (int64_t k = 0; k < in; ++k) {
      const uint16_t* wk = panel + k * kPanel;
      _mm_prefetch(reinterpret_cast<const char*>(wk + kAheadLines * kPanel), _MM_HINT_T0);
      const __m512 w0 = _mm512_cvtph_ps(_mm256_load_si256(reinterpret_cast<const __m256i*>(wk)));
      const __m512 w1 = _mm512_cvtph_ps(_mm256_load_si256(reinterpret_cast<const __m256i*>(wk + 16)));
      for (int r = 0; r < RN; ++r) {
        const __m512 xr = _mm512_set1_ps(x[r * in + k]);
        acc[r][0] = _mm512_fmadd_ps(w0, xr, acc[r][0]);
        acc[r][1] = _mm512_fmadd_ps(w1, xr, acc[r][1]);
      }
    }
    for (int half = 0; half < 2; ++half) {
      const __mmask16 m = first_lanes(out - o - 16 * half);
      for (int r = 0; r < RN; ++r) {
        float* yr = y + r * out + o + 16 * half;
        _mm512_mask_storeu_ps(yr, m, _mm512_add_ps(_mm512_maskz_loadu_ps(m, yr), acc[r][half]));
      }
    }
  }
}

// The same on 256-bit registers (16 of them): each panel in two halves of 16 outputs, RN x 2
// accumulators; the second half's lines come from L1/L2.
template <int RN>
__attribute__((target("avx2,fma,f16c"))) void panels_f16_avx2(const float* x, int64_t in, const uint16_t* w,
                                                               int64_t out, float* y) {
  for (int64_t o = 0; o < out; o += kPanel) {
    const uint16_t* panel = w + o * in;
    for (int64_t half = 0; half < 2 && o + 16 * half < out; ++half) {
      __m256 acc[RN][2];
      for (auto& row : acc) row[0] = row[1] = _mm256_setzero_ps();
      for (int64_t k = 0; k < in; ++k) {
        const uint16_t* wk = panel + k * kPanel + 16 * half;
        _mm_prefetch(reinterpret_cast<const char*>(wk + kAheadLines * kPanel), _MM_HINT_T0);
        const __m256 w0 = _mm256_cvtph_ps(_mm_load_si128(reinterpret_cast<const __m128i*>(wk)));
        const __m256 w1 = _mm256_cvtph_ps(_mm_load_si128(reinterpret_cast<const __m128i*>(wk + 8)));
        for (int r = 0; r < RN; ++r) {
          const __m256 xr = _mm256_broadcast_ss(x + r * in + k);
          acc[r][0] = _mm256_fmadd_ps(w0, xr, acc[r][0]);
          acc[r][1] = _mm256_fmadd_ps(w1, xr, acc[r][1]);
        }
      }
      const int64_t cols = std::min<int64_t>(16, out - o - 16 * half);
      for (int r = 0; r < RN; ++r) {
        alignas(32) float sum[16];
        _mm256_store_ps(sum, acc[r][0]);
        _mm256_store_ps(sum + 8, acc[r][1]);
        float* yr = y + r * out + o + 16 * half;
        for (int64_t c = 0; c < cols; ++c) yr[c] += sum[c];
      }
    }
  }
}

// y[n, out] += x[n, in] W^T from W's fp16 panels, 1..8 rows of x in one pass over W (a
// verification pass of gamma + 1 tokens must not stream the weights twice); on AVX2, 7 and 8
// rows take two passes (their accumulators would not fit 16 registers).
template <int RN>
void panels_f16(const float* x, int64_t in, const uint16_t* w, int64_t out, float* y) {
  if (has_avx512()) return panels_f16_z<RN>(x, in, w, out, y);
  if constexpr (RN <= 6) {
    panels_f16_avx2<RN>(x, in, w, out, y);
  } else {
    panels_f16_avx2<4>(x, in, w, out, y);
    panels_f16_avx2<RN - 4>(x + 4 * in, in, w, out, y + 4 * out);
  }
}

void few_rows_f16(const float* x, int64_t n, int64_t in, const uint16_t* w, int64_t out, float* y) {
  switch (n) {
    case 1: return panels_f16<1>(x, in, w, out, y);
    case 2: return panels_f16<2>(x, in, w, out, y);
    case 3: return panels_f16<3>(x, in, w, out, y);
    case 4: return panels_f16<4>(x, in, w, out, y);
    case 5: return panels_f16<5>(x, in, w, out, y);
    case 6: return panels_f16<6>(x, in, w, out, y);
    case 7: return panels_f16<7>(x, in, w, out, y);
    default: return panels_f16<8>(x, in, w, out, y);
  }
}

// W [out, in] (fp16 values) as panels (see kPanel).
torch::Tensor to_panels(const torch::Tensor& half) {
  const int64_t out = half.size(0), in = half.size(1), panels = (out + kPanel - 1) / kPanel;
  torch::Tensor packed = torch::zeros({panels * kPanel * in}, torch::kHalf);
  const auto* src = reinterpret_cast<const uint16_t*>(half.data_ptr<at::Half>());
  auto* dst = reinterpret_cast<uint16_t*>(packed.data_ptr<at::Half>());
  for (int64_t o = 0; o < out; ++o)
    for (int64_t k = 0; k < in; ++k) dst[(o / kPanel) * kPanel * in + k * kPanel + o % kPanel] = src[o * in + k];
  return packed;
}

// ---- attention of a few tokens of one sequence on 512-bit registers ----------------------------
// A verification pass's m tokens attend over the same cached keys and values: the AVX2 kernels
// above took 2.3 times a single token's attention for m = 5 on an Emerald Rapids core (a
// horizontal sum for every score, V read once per 8 columns); these read each key and value row
// once for all m tokens and sum 16 scores at a time.

// (a's 128-bit lanes 0+1, 2+3, b's lanes 0+1, 2+3)
__attribute__((target("avx512f"))) inline __m512 add_lane_pairs(__m512 a, __m512 b) {
  return _mm512_add_ps(_mm512_shuffle_f32x4(a, b, _MM_SHUFFLE(2, 0, 2, 0)),
                       _mm512_shuffle_f32x4(a, b, _MM_SHUFFLE(3, 1, 3, 1)));
}

// The 16 lane sums of v[0..15] as one vector (r[j] = the sum of v[j]'s lanes): a tree of
// unpacks, shuffles and adds, 45 instructions for 16 sums against ~8 each one at a time.
__attribute__((target("avx512f"))) inline __m512 sum16(const __m512* v) {
  __m512 t[8], u[4];
  for (int k = 0; k < 8; ++k)  // per 128-bit lane: (v0 a+c, v1 a+c, v0 b+d, v1 b+d) of pairs
    t[k] = _mm512_add_ps(_mm512_unpacklo_ps(v[2 * k], v[2 * k + 1]), _mm512_unpackhi_ps(v[2 * k], v[2 * k + 1]));
  for (int k = 0; k < 4; ++k)  // per 128-bit lane: the lane's sums of 4 vectors
    u[k] = _mm512_add_ps(_mm512_shuffle_ps(t[2 * k], t[2 * k + 1], _MM_SHUFFLE(1, 0, 1, 0)),
                         _mm512_shuffle_ps(t[2 * k], t[2 * k + 1], _MM_SHUFFLE(3, 2, 3, 2)));
  return add_lane_pairs(add_lane_pairs(u[0], u[1]), add_lane_pairs(u[2], u[3]));
}

// p[i * L + l] = q[i] . k[l] for i < m, l < L (rows of hd floats). Keys 16 at a time; a block of
// 16 key rows is read from memory once and from L1 for the other queries.
__attribute__((target("avx512f"))) void scores_z(const float* q, int64_t m, const float* k, int64_t L, int64_t hd,
                                                 float* p) {
  const int64_t chunks = (hd + 15) / 16;
  for (int64_t l0 = 0; l0 < L; l0 += 16) {
    const int64_t nk = std::min<int64_t>(16, L - l0);
    // The next block's rows, fetched while this one is computed (the cache's rows come from L3).
    if (l0 + 16 < L) {
      const char* next = reinterpret_cast<const char*>(k + (l0 + 16) * hd);
      for (int64_t b = 0; b < std::min<int64_t>(16, L - l0 - 16) * hd * 4; b += 64) _mm_prefetch(next + b, _MM_HINT_T0);
    }
    for (int64_t i = 0; i < m; ++i) {
      __m512 part[16];
      for (auto& v : part) v = _mm512_setzero_ps();
      for (int64_t c = 0; c < chunks; ++c) {
        const __mmask16 mc = first_lanes(hd - c * 16);
        const __m512 qv = _mm512_maskz_loadu_ps(mc, q + i * hd + c * 16);
        if (nk == 16) {
          for (int j = 0; j < 16; ++j)
            part[j] = _mm512_fmadd_ps(qv, _mm512_maskz_loadu_ps(mc, k + (l0 + j) * hd + c * 16), part[j]);
        } else {  // the last keys
          for (int j = 0; j < nk; ++j)
            part[j] = _mm512_fmadd_ps(qv, _mm512_maskz_loadu_ps(mc, k + (l0 + j) * hd + c * 16), part[j]);
        }
      }
      _mm512_mask_storeu_ps(p + i * L + l0, first_lanes(nk), sum16(part));
    }
  }
}

// y[i * ystride + c] = sum over l < L of p[i * L + l] v[l * hd + c], for M <= 6 rows: 64 columns
// at a time (M x 4 accumulators), each value row read once for all M rows.
template <int M>
__attribute__((target("avx512f"))) void pv_z(const float* p, int64_t L, const float* v, int64_t hd, float* y,
                                             int64_t ystride) {
  for (int64_t c0 = 0; c0 < hd; c0 += 64) {
    __mmask16 mc[4];
    for (int c = 0; c < 4; ++c) mc[c] = first_lanes(hd - c0 - 16 * c);
    __m512 acc[M][4];
    for (auto& row : acc)
      for (auto& a : row) a = _mm512_setzero_ps();
    for (int64_t l = 0; l < L; ++l) {
      if (l + 8 < L)  // the row 8 ahead, fetched while this one is computed
        for (int64_t b = 0; b < std::min<int64_t>(64, hd - c0) * 4; b += 64)
          _mm_prefetch(reinterpret_cast<const char*>(v + (l + 8) * hd + c0) + b, _MM_HINT_T0);
      __m512 vv[4];
      for (int c = 0; c < 4; ++c) vv[c] = _mm512_maskz_loadu_ps(mc[c], v + l * hd + c0 + 16 * c);
      for (int i = 0; i < M; ++i) {
        const __m512 pi = _mm512_set1_ps(p[i * L + l]);
        for (int c = 0; c < 4; ++c) acc[i][c] = _mm512_fmadd_ps(pi, vv[c], acc[i][c]);
      }
    }
    for (int i = 0; i < M; ++i)
      for (int c = 0; c < 4; ++c) _mm512_mask_storeu_ps(y + i * ystride + c0 + 16 * c, mc[c], acc[i][c]);
  }
}

// pv_z for 1..8 rows (7 and 8 as two groups of at most 4: more accumulators would not fit).
void probs_times_values_z(int64_t m, const float* p, int64_t L, const float* v, int64_t hd, float* y, int64_t ystride) {
  for (int64_t r = 0; r < m;) {
    const int64_t g = m - r > 6 ? 4 : m - r;
    const float* pr = p + r * L;
    float* yr = y + r * ystride;
    switch (g) {
      case 1: pv_z<1>(pr, L, v, hd, yr, ystride); break;
      case 2: pv_z<2>(pr, L, v, hd, yr, ystride); break;
      case 3: pv_z<3>(pr, L, v, hd, yr, ystride); break;
      case 4: pv_z<4>(pr, L, v, hd, yr, ystride); break;
      case 5: pv_z<5>(pr, L, v, hd, yr, ystride); break;
      default: pv_z<6>(pr, L, v, hd, yr, ystride); break;
    }
    r += g;
  }
}

#pragma GCC diagnostic pop

// y[n, out] += x[n, in] W^T for 2..8 rows, 4 rows of x per pass over W (their accumulators
// stay in registers).
void few_rows(const float* x, int64_t n, int64_t in, const float* w, int64_t out, float* y) {
  for (int64_t r = 0; r < n; r += 4) {
    const float* xr = x + r * in;
    float* yr = y + r * out;
    switch (std::min<int64_t>(4, n - r)) {
      case 1: rows_dot_avx2<1>(xr, in, w, out, yr, out); break;
      case 2: rows_dot_avx2<2>(xr, in, w, out, yr, out); break;
      case 3: rows_dot_avx2<3>(xr, in, w, out, yr, out); break;
      default: rows_dot_avx2<4>(xr, in, w, out, yr, out); break;
    }
  }
}

// y[i, 0..hd) = sum over l < L of p[i, l] v[l, 0..hd), for M rows of p: the value half of a
// verification pass's attention, each row of V read once for all M tokens. OpenBLAS's SGEMM
// copies (packs) the whole cached V (and K) slice first on every call, per head and layer,
// which a handful of rows does not repay.
template <int M>
__attribute__((target("avx2,fma"))) void probs_times_values(const float* p, int64_t L, const float* v, int64_t hd,
                                                             float* y, int64_t ystride) {
  int64_t c = 0;
  for (; c + 8 <= hd; c += 8) {
    __m256 acc[M];
    for (int i = 0; i < M; ++i) acc[i] = _mm256_setzero_ps();
    for (int64_t l = 0; l < L; ++l) {
      const __m256 vv = _mm256_loadu_ps(v + l * hd + c);
      for (int i = 0; i < M; ++i) acc[i] = _mm256_fmadd_ps(_mm256_broadcast_ss(p + i * L + l), vv, acc[i]);
    }
    for (int i = 0; i < M; ++i) _mm256_storeu_ps(y + i * ystride + c, acc[i]);
  }
  for (; c < hd; ++c)
    for (int i = 0; i < M; ++i) {
      float sum = 0;
      for (int64_t l = 0; l < L; ++l) sum += p[i * L + l] * v[l * hd + c];
      y[i * ystride + c] = sum;
    }
}

void probs_times_values(int64_t m, const float* p, int64_t L, const float* v, int64_t hd, float* y, int64_t ystride) {
  switch (m) {
    case 2: return probs_times_values<2>(p, L, v, hd, y, ystride);
    case 3: return probs_times_values<3>(p, L, v, hd, y, ystride);
    case 4: return probs_times_values<4>(p, L, v, hd, y, ystride);
    case 5: return probs_times_values<5>(p, L, v, hd, y, ystride);
    case 6: return probs_times_values<6>(p, L, v, hd, y, ystride);
    case 7: return probs_times_values<7>(p, L, v, hd, y, ystride);
    default: return probs_times_values<8>(p, L, v, hd, y, ystride);
  }
}

using Weight = FastDecoder::Weight;

// Up to this many rows take passes of 8 over the fp16 panels rather than LibTorch's SGEMM over
// the fp32 weights: Offline through the harness on textgen_large (2026-11-29, two runs each),
// speculative_decode_large batch=4 (20 rows a pass) 666-676 -> 961-1186 tokens/s, kv_cache_large
// batch=16 459-502 -> 720-775, batch=32 621-634 -> 651-857. More rows: not measured.
constexpr int64_t kMaxPanelRows = 32;

// y[n, out] (+)= x[n, in] W^T + b, W in nn.Linear's [out, in] layout. One row is a GEMV (the
// batch-1 step), a few rows one pass over W, more a GEMM; accumulate adds onto y (the residual
// connections).
void linear(const float* x, int64_t n, int64_t in, const Weight& w, const float* b, int64_t out, float* y,
            bool accumulate) {
  for (int64_t r = 0; r < n; ++r) {
    float* yr = y + r * out;
    if (b == nullptr && !accumulate)
      std::fill(yr, yr + out, 0.0f);
    else if (b != nullptr && !accumulate)
      std::copy(b, b + out, yr);
    else if (b != nullptr)
      for (int64_t i = 0; i < out; ++i) yr[i] += b[i];
  }
  const int io = static_cast<int>(out), ii = static_cast<int>(in);
  if (w.f16 != nullptr && n <= kMaxPanelRows) {
    for (int64_t r = 0; r < n; r += 8)  // passes of up to 8 rows over the fp16 panels
      few_rows_f16(x + r * in, std::min<int64_t>(8, n - r), in, w.f16, out, y + r * out);
  } else if (n == 1)
    cblas_sgemv(CblasRowMajor, CblasNoTrans, io, ii, 1.0f, w.f32, ii, x, 1, 1.0f, y, 1);
  else if (n <= 8 && has_avx2_fma())
    few_rows(x, n, in, w.f32, out, y);
  else
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(n), io, ii, 1.0f, x, ii, w.f32, ii, 1.0f, y, io);
}

// exp(x) for x <= 0 (Cephes' expf: x = k ln 2 + r, |r| <= ln 2 / 2, a degree-6 polynomial in r;
// relative error about 2e-7; below -87.3 the result is 0, as expf's underflow).
__attribute__((target("avx2,fma"))) __m256 exp_nonpositive(__m256 x) {
  x = _mm256_max_ps(x, _mm256_set1_ps(-87.3f));
  const __m256 k = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(k, _mm256_set1_ps(0.693359375f), x);  // ln 2 in two parts
  r = _mm256_fnmadd_ps(k, _mm256_set1_ps(-2.12194440e-4f), r);
  __m256 p = _mm256_set1_ps(1.9875691500e-4f);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
  p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
  const __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(k), _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(p, _mm256_castsi256_ps(e));  // times 2^k
}

// GELU with erf as LibTorch's vectorized CPU kernel computes it (Abramowitz & Stegun 7.1.26,
// |error| <= 1.5e-7): std::erf one value at a time took 0.11 ms of a textgen_large token
// (12,288 values), and five times that in a 5-token verification pass.
__attribute__((target("avx2,fma"))) void gelu_avx2(float* x, int64_t n) {
  const __m256 sign = _mm256_set1_ps(-0.0f), one = _mm256_set1_ps(1.0f), half = _mm256_set1_ps(0.5f);
  const __m256 a = _mm256_set1_ps(static_cast<float>(M_SQRT1_2));
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    const __m256 z = _mm256_mul_ps(v, a);
    const __m256 s = _mm256_and_ps(sign, z);
    const __m256 az = _mm256_xor_ps(s, z);
    const __m256 t = _mm256_div_ps(one, _mm256_fmadd_ps(_mm256_set1_ps(0.3275911f), az, one));
    __m256 r = _mm256_fmadd_ps(_mm256_set1_ps(1.061405429f), t, _mm256_set1_ps(-1.453152027f));
    r = _mm256_fmadd_ps(r, t, _mm256_set1_ps(1.421413741f));
    r = _mm256_fmadd_ps(r, t, _mm256_set1_ps(-0.284496736f));
    r = _mm256_fmadd_ps(r, t, _mm256_set1_ps(0.254829592f));
    const __m256 e = exp_nonpositive(_mm256_xor_ps(sign, _mm256_mul_ps(z, z)));  // exp(-z^2)
    const __m256 erf_abs = _mm256_fnmadd_ps(_mm256_mul_ps(r, t), e, one);   // 1 - r t exp(-z^2)
    const __m256 erf = _mm256_xor_ps(s, erf_abs);
    _mm256_storeu_ps(x + i, _mm256_mul_ps(_mm256_mul_ps(half, v), _mm256_add_ps(one, erf)));
  }
  for (; i < n; ++i) x[i] = 0.5f * x[i] * (1.0f + std::erf(x[i] * static_cast<float>(M_SQRT1_2)));
}

void gelu(float* x, int64_t n) {
  if (has_avx2_fma()) return gelu_avx2(x, n);
  for (int64_t i = 0; i < n; ++i) x[i] = 0.5f * x[i] * (1.0f + std::erf(x[i] * static_cast<float>(M_SQRT1_2)));
}

// p[0, n) = softmax(p[0, n)), exp by exp_nonpositive (every p - max <= 0): std::exp one value at
// a time was most of a 5-token verification's attention (5 x 8 heads x 6 layers x ~300 scores).
__attribute__((target("avx2,fma"))) void softmax_avx2(float* p, int64_t n) {
  __m256 m8 = _mm256_set1_ps(-INFINITY);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) m8 = _mm256_max_ps(m8, _mm256_loadu_ps(p + i));
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, m8);
  float mx = *std::max_element(lanes, lanes + 8);
  for (; i < n; ++i) mx = std::max(mx, p[i]);
  const __m256 mv = _mm256_set1_ps(mx);
  __m256 s8 = _mm256_setzero_ps();
  for (i = 0; i + 8 <= n; i += 8) {
    const __m256 e = exp_nonpositive(_mm256_sub_ps(_mm256_loadu_ps(p + i), mv));
    _mm256_storeu_ps(p + i, e);
    s8 = _mm256_add_ps(s8, e);
  }
  _mm256_store_ps(lanes, s8);
  float sum = 0;
  for (float l : lanes) sum += l;
  for (; i < n; ++i) sum += (p[i] = std::exp(p[i] - mx));
  const __m256 inv = _mm256_set1_ps(1.0f / sum);
  for (i = 0; i + 8 <= n; i += 8) _mm256_storeu_ps(p + i, _mm256_mul_ps(_mm256_loadu_ps(p + i), inv));
  for (; i < n; ++i) p[i] *= 1.0f / sum;
}

void softmax(float* p, int64_t n) {
  if (has_avx2_fma()) return softmax_avx2(p, n);
  const float mx = *std::max_element(p, p + n);
  float sum = 0;
  for (int64_t j = 0; j < n; ++j) sum += (p[j] = std::exp(p[j] - mx));
  const float inv = 1.0f / sum;
  for (int64_t j = 0; j < n; ++j) p[j] *= inv;
}

}  // namespace

FastDecoder::Weight FastDecoder::matrix(const Params& ps, const std::string& name, int64_t numel, bool fp16) {
  Weight w;
  w.f32 = param(ps, name, numel);
  const torch::Tensor& t = ps[name];
  if (fp16 && has_f16c()) {
    torch::Tensor h = t.to(torch::kHalf).contiguous();
    if (t.dim() == 2 && h.to(torch::kFloat).equal(t)) {  // every value exact: the copy changes nothing
      f16_.push_back(to_panels(h));
      w.f16 = reinterpret_cast<const uint16_t*>(f16_.back().data_ptr<at::Half>());
    }
  }
  matrix_bytes_ += numel * (w.f16 ? 2 : 4);
  return w;
}

FastDecoder::FastDecoder(Gpt m, int64_t max_rows, bool fp16)
    : model_(std::move(m)), cfg_(model_->config()), max_rows_(max_rows) {
  if (max_rows < 1) throw std::invalid_argument("FastDecoder: max_rows must be at least 1");
  const int64_t C = cfg_.n_embd, V = cfg_.vocab_size;
  const Params ps = model_->named_parameters();
  wte_ = param(ps, "transformer.wte.weight", V * C);
  wpe_ = param(ps, "transformer.wpe.weight", cfg_.block_size * C);
  lnf_w_ = param(ps, "transformer.ln_f.weight", C);
  lnf_b_ = param(ps, "transformer.ln_f.bias", C);
  lm_head_ = matrix(ps, "lm_head.weight", V * C, fp16);
  for (int64_t l = 0; l < cfg_.n_layer; ++l) {
    const std::string p = "transformer.h." + std::to_string(l) + ".";
    layers_.push_back({param(ps, p + "ln_1.weight", C), param(ps, p + "ln_1.bias", C),
                       matrix(ps, p + "attn.c_attn.weight", 3 * C * C, fp16), param(ps, p + "attn.c_attn.bias", 3 * C),
                       matrix(ps, p + "attn.c_proj.weight", C * C, fp16), param(ps, p + "attn.c_proj.bias", C),
                       param(ps, p + "ln_2.weight", C), param(ps, p + "ln_2.bias", C),
                       matrix(ps, p + "mlp.c_fc.weight", 4 * C * C, fp16), param(ps, p + "mlp.c_fc.bias", 4 * C),
                       matrix(ps, p + "mlp.c_proj.weight", 4 * C * C, fp16), param(ps, p + "mlp.c_proj.bias", C)});
  }
  const auto rows = static_cast<size_t>(max_rows), c = static_cast<size_t>(C);
  x_.resize(rows * c);
  h_.resize(rows * c);
  qkv_.resize(rows * 3 * c);
  y_.resize(rows * c);
  fc_.resize(rows * 4 * c);
  att_.resize(rows * static_cast<size_t>(cfg_.block_size));  // scores of up to max_rows tokens of one sequence
  logits_.resize(rows * static_cast<size_t>(V));
  qs_.resize(rows * static_cast<size_t>(cfg_.head_dim()));
  pos_.resize(rows);
}

// Each query over its sequence's keys 0 .. pos (its own included). Consecutive tokens of one
// sequence share the key and value reads; a later token's scores are cut from the earlier ones'
// softmax (zero weight), so no mask is built.
void FastDecoder::attend(int64_t layer, const int64_t* rows, int64_t n, KvCache& cache) {
  const int64_t C = cfg_.n_embd, H = cfg_.n_head, hd = cfg_.head_dim(), T = cache.max_ctx();
  const float scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(hd)));
  float* kc = cache.k[static_cast<size_t>(layer)].data_ptr<float>();  // [batch, H, T, hd]
  float* vc = cache.v[static_cast<size_t>(layer)].data_ptr<float>();
  float* p = att_.data();
  // m consecutive tokens of one sequence (a verification pass) attend together: their keys and
  // values are read once for all of them (two small GEMMs), not once per token.
  for (int64_t r = 0, m = 1; r < n; r += m) {
    for (m = 1; r + m < n && rows[r + m] == rows[r]; ++m) {
    }
    const int64_t Lmax = pos_[static_cast<size_t>(r + m - 1)] + 1;
    const float* q = qkv_.data() + r * 3 * C;
    for (int64_t h = 0; h < H; ++h) {
      float* k = kc + (rows[r] * H + h) * T * hd;
      float* v = vc + (rows[r] * H + h) * T * hd;
      for (int64_t i = 0; i < m; ++i) {  // the new keys and values, in place
        const float* qi = q + i * 3 * C;
        const int64_t pos = pos_[static_cast<size_t>(r + i)];
        std::copy(qi + C + h * hd, qi + C + (h + 1) * hd, k + pos * hd);
        std::copy(qi + 2 * C + h * hd, qi + 2 * C + (h + 1) * hd, v + pos * hd);
      }
      // scores = Q K^T / sqrt(hd); softmax of each token over its own positions 0 .. pos; y = P V.
      // The hand-written kernels for a few tokens: 512-bit ones where the CPU has them.
      const bool z = m <= 8 && has_avx512(), few = m <= 8 && has_avx2_fma();
      if (m == 1) {
        cblas_sgemv(CblasRowMajor, CblasNoTrans, static_cast<int>(Lmax), static_cast<int>(hd), scale, k,
                    static_cast<int>(hd), q + h * hd, 1, 0.0f, p, 1);
      } else if (few) {
        float* qs = qs_.data();  // the m queries of this head, scaled, contiguous
        for (int64_t i = 0; i < m; ++i)
          for (int64_t c = 0; c < hd; ++c) qs[i * hd + c] = scale * q[i * 3 * C + h * hd + c];
        if (z) {
          scores_z(qs, m, k, Lmax, hd, p);
        } else {
          std::fill(p, p + m * Lmax, 0.0f);
          few_rows(qs, m, hd, k, Lmax, p);
        }
      } else {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(m), static_cast<int>(Lmax),
                    static_cast<int>(hd), scale, q + h * hd, static_cast<int>(3 * C), k, static_cast<int>(hd), 0.0f, p,
                    static_cast<int>(Lmax));
      }
      for (int64_t i = 0; i < m; ++i) {
        float* pi = p + i * Lmax;
        const int64_t L = pos_[static_cast<size_t>(r + i)] + 1;
        softmax(pi, L);
        std::fill(pi + L, pi + Lmax, 0.0f);  // the later tokens' keys: not this token's to see
      }
      if (m == 1)
        cblas_sgemv(CblasRowMajor, CblasTrans, static_cast<int>(Lmax), static_cast<int>(hd), 1.0f, v,
                    static_cast<int>(hd), p, 1, 0.0f, y_.data() + r * C + h * hd, 1);
      else if (z)
        probs_times_values_z(m, p, Lmax, v, hd, y_.data() + r * C + h * hd, C);
      else if (few)
        probs_times_values(m, p, Lmax, v, hd, y_.data() + r * C + h * hd, C);
      else
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(m), static_cast<int>(hd),
                    static_cast<int>(Lmax), 1.0f, p, static_cast<int>(Lmax), v, static_cast<int>(hd), 0.0f,
                    y_.data() + r * C + h * hd, static_cast<int>(C));
    }
  }
}

const float* FastDecoder::step(const int64_t* tokens, const int64_t* rows, int64_t n, KvCache& cache) {
  if (n < 1 || n > max_rows_) throw std::invalid_argument("FastDecoder::step: expected 1.." + std::to_string(max_rows_) + " rows");
  // OpenBLAS sizes its OpenMP team by the calling thread's setting; give a new thread
  // LibTorch's intra-op count (set_threads) rather than OpenMP's default of every core.
  at::internal::lazy_init_num_threads();
  const int64_t C = cfg_.n_embd, V = cfg_.vocab_size;
  for (int64_t r = 0; r < n; ++r) {
    if (rows[r] < 0 || rows[r] >= cache.batch()) throw std::out_of_range("FastDecoder::step: no such cache row");
    if (tokens[r] < 0 || tokens[r] >= V) throw std::out_of_range("FastDecoder::step: token outside the vocabulary");
    // A row given several times takes its tokens at consecutive positions (a verification
    // pass): attend() writes each key before the later queries of the row read it.
    int64_t pos = cache.length(rows[r]);
    for (int64_t e = 0; e < r; ++e) pos += rows[e] == rows[r];
    if (pos + 1 > cache.max_ctx()) throw std::length_error("context longer than the KV cache");
    pos_[static_cast<size_t>(r)] = pos;
    float* x = x_.data() + r * C;
    const float *te = wte_ + tokens[r] * C, *pe = wpe_ + pos * C;
    for (int64_t i = 0; i < C; ++i) x[i] = te[i] + pe[i];
  }
  float *x = x_.data(), *h = h_.data();
  for (int64_t l = 0; l < cfg_.n_layer; ++l) {
    const Layer& w = layers_[static_cast<size_t>(l)];
    layer_norm(x, n, C, w.ln1_w, w.ln1_b, h);
    linear(h, n, C, w.attn_w, w.attn_b, 3 * C, qkv_.data(), false);  // q, k, v in one GEMV (c_attn)
    attend(l, rows, n, cache);
    linear(y_.data(), n, C, w.attn_proj_w, w.attn_proj_b, C, x, true);
    layer_norm(x, n, C, w.ln2_w, w.ln2_b, h);
    linear(h, n, C, w.fc_w, w.fc_b, 4 * C, fc_.data(), false);
    gelu(fc_.data(), n * 4 * C);
    linear(fc_.data(), n, 4 * C, w.mlp_proj_w, w.mlp_proj_b, C, x, true);
  }
  for (int64_t r = 0; r < n; ++r) cache.len_[static_cast<size_t>(rows[r])] = pos_[static_cast<size_t>(r)] + 1;
  layer_norm(x, n, C, lnf_w_, lnf_b_, h);
  linear(h, n, C, lm_head_, nullptr, V, logits_.data(), false);
  return logits_.data();
}

int32_t argmax_token(const float* row, int64_t n) {
  return static_cast<int32_t>(std::max_element(row, row + n) - row);  // the first of equal maxima
}

}  // namespace edubench::model
