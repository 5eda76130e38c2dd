// The decode step (one new token for each of a few sequences) without LibTorch's per-op cost:
// plain loops and direct OpenBLAS calls on the model's own weight storage, activation buffers
// allocated once, attention of one query over the cache without a mask. LibTorch stays the
// training and prefill engine and the oracle this path is tested against (tests/torch/).
#pragma once

#include <edubench/model/gpt.hpp>

#include <cstdint>
#include <vector>

namespace edubench::model {

class FastDecoder {
 public:
  // Reads m's parameters in place (no copy: weights updated in place are seen) and keeps m
  // alive; buffers hold up to max_rows sequences per step. Throws std::invalid_argument on
  // parameters that are not contiguous fp32 on the CPU.
  // fp16: where every value of a weight matrix is exactly an fp16 number (weights stored in
  // fp16 on disk, as textgen_large's are) and the CPU has F16C, steps of up to 32 rows read an
  // fp16 copy of it: the same values, half the bytes of a memory-bound step. false: fp32 only.
  explicit FastDecoder(Gpt m, int64_t max_rows = 1, bool fp16 = true);

  // One decode step: tokens[i] is appended to sequence rows[i] of `cache` at position
  // cache.length(rows[i]) (keys and values written in place, length + 1), as
  // GptImpl::decode_step does. A row may be given several times: its tokens then take
  // consecutive positions in the order given, each seeing the ones before it (a speculative
  // verification pass: every weight read once for all of them, as forward_cached does).
  // Returns logits [n, vocab], row-major, valid until the next call.
  // Throws std::length_error when a sequence is full. One thread at a time per decoder; the
  // BLAS calls follow the calling thread's intra-op thread count (the plugins' default: 1).
  const float* step(const int64_t* tokens, const int64_t* rows, int64_t n, KvCache& cache);
  const float* step(int64_t token, KvCache& cache, int64_t row) { return step(&token, &row, 1, cache); }

  int64_t vocab() const { return cfg_.vocab_size; }
  int64_t max_rows() const { return max_rows_; }
  // Weight bytes a batch-1 step reads from its matrices (fp16 copies count 2 bytes a value).
  int64_t matrix_bytes_per_step() const { return matrix_bytes_; }

  // A weight matrix as the step reads it: LibTorch's fp32 storage, and its fp16 copy (in panels
  // of 32 output rows, see fast_decode.cpp) or null.
  struct Weight {
    const float* f32 = nullptr;
    const uint16_t* f16 = nullptr;
  };

 private:
  struct Layer {
    const float *ln1_w, *ln1_b;
    Weight attn_w;
    const float* attn_b;
    Weight attn_proj_w;
    const float *attn_proj_b, *ln2_w, *ln2_b;
    Weight fc_w;
    const float* fc_b;
    Weight mlp_proj_w;
    const float* mlp_proj_b;
  };
  Weight matrix(const torch::OrderedDict<std::string, torch::Tensor>& ps, const std::string& name, int64_t numel,
                bool fp16);
  void attend(int64_t layer, const int64_t* rows, int64_t n, KvCache& cache);

  Gpt model_;
  GptConfig cfg_;
  int64_t max_rows_;
  const float *wte_, *wpe_, *lnf_w_, *lnf_b_;
  Weight lm_head_;
  std::vector<Layer> layers_;
  std::vector<torch::Tensor> f16_;  // owns the fp16 copies
  int64_t matrix_bytes_ = 0;
  // Activations of up to max_rows sequences, allocated once.
  std::vector<float> x_, h_, qkv_, y_, fc_, att_, logits_;
  std::vector<float> qs_;  // one head's queries of a verification pass, scaled, contiguous
  std::vector<int64_t> pos_;  // each row's position in this step
};

// Index of the first largest of n values (LibTorch's argmax on a row).
int32_t argmax_token(const float* row, int64_t n);

}  // namespace edubench::model
