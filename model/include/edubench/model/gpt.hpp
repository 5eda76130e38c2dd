// A GPT of configurable geometry (nanoGPT/GPT-2 shape: token + position embeddings, pre-LN
// blocks, causal self-attention, GELU MLP, untied LM head) with a pre-allocated KV cache that
// is written in place and truncated without a copy. Plugin-side code only: LibTorch inside.
#pragma once

#include <edubench/model/checkpoint_format.hpp>

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

namespace edubench::model {

// config.json <-> GptConfig; throws std::runtime_error naming the file and the field.
GptConfig load_config(const std::string& path);
void save_config(const GptConfig& c, const std::string& path);

// Keys and values of every layer, [batch, heads, max_ctx, head_dim], allocated once; each
// sequence has its own length. Truncation (speculative rollback, agent context reuse) only
// changes that length.
class KvCache {
 public:
  KvCache(const GptConfig& c, int64_t batch, int64_t max_ctx);
  int64_t batch() const { return static_cast<int64_t>(len_.size()); }
  int64_t max_ctx() const { return max_ctx_; }
  int64_t length(int64_t b) const { return len_[static_cast<size_t>(b)]; }
  void truncate(int64_t b, int64_t len);
  void reset() { std::fill(len_.begin(), len_.end(), 0); }
  int64_t bytes() const;           // allocated
  int64_t bytes_used(int64_t b) const;  // holding sequence b's current length

  std::vector<torch::Tensor> k, v;  // per layer
  std::vector<int64_t> len_;

 private:
  int64_t max_ctx_;
  int64_t per_position_bytes_;
};

class GptImpl : public torch::nn::Module {
 public:
  explicit GptImpl(const GptConfig& c);
  const GptConfig& config() const { return cfg_; }

  // Training / no-cache path: logits [B, T, V] for tokens [B, T] (T <= block_size).
  torch::Tensor forward(const torch::Tensor& idx);

  // Cached path for sequence `b` of the cache: appends tokens [T] at positions
  // length(b) .. length(b)+T-1 and returns logits [T, V]. Call under c10::InferenceMode.
  torch::Tensor forward_cached(const torch::Tensor& tokens, KvCache& cache, int64_t b);

  // One decode step for several sequences at once: tokens [B] (one per sequence in `rows`),
  // each at its own position; returns logits [B, V].
  torch::Tensor decode_step(const torch::Tensor& tokens, KvCache& cache, const std::vector<int64_t>& rows);

  int64_t parameter_count() const;

 private:
  GptConfig cfg_;
  torch::nn::Embedding wte{nullptr}, wpe{nullptr};
  torch::nn::ModuleList h{nullptr};
  torch::nn::LayerNorm ln_f{nullptr};
  torch::nn::Linear lm_head{nullptr};
};
TORCH_MODULE(Gpt);

// Weights as .safetensors with nanoGPT names (transformer.wte.weight, transformer.h.0.attn.c_attn.weight,
// ...; nn.Linear layout [out, in]) plus config.json next to them.
Gpt load_gpt(const std::string& config_path, const std::string& weights_path);
void save_gpt(Gpt& m, const std::string& config_path, const std::string& weights_path);

// Greedy argmax of the last logits row, as a token id.
int32_t argmax_token(const torch::Tensor& logits_row);
// Seeded temperature sampling from one logits row.
int32_t sample_token(const torch::Tensor& logits_row, double temperature, torch::Generator& gen);

// Sets intra-op threads once per process (idempotent).
void set_threads(int n);

}  // namespace edubench::model
