// The GPT one layer at a time, for students who build the forward pass (and a KV cache) from
// parts: embedding, a block's QKV projection, attention over given keys and values, the output
// projection, the MLP, the head and greedy choice. Each function is one step of
// GptImpl::forward, on the same weights, so composing them reproduces it (tests/torch/layers).
// Shapes are for one sequence: x is [T, C] (T tokens, C = n_embd); q, k, v are [H, T, hd]
// (H = n_head, hd = C / H). Call under c10::InferenceMode. LibTorch inside: plugin-side only.
#pragma once

#include <edubench/model/gpt.hpp>

#include <cstdint>

namespace edubench::model {

struct Qkv {
  torch::Tensor q, k, v;  // [H, T, hd] each
};

class GptLayers {
 public:
  // Keeps `m` alive and reads its parameters by their checkpoint names (no copy).
  explicit GptLayers(Gpt m);
  const GptConfig& config() const { return cfg_; }
  int64_t n_layer() const { return cfg_.n_layer; }

  // Token + position embeddings of `tokens` [T] (int64) placed at positions pos0 .. pos0+T-1.
  // Throws std::length_error when pos0 + T exceeds the model's block_size.
  torch::Tensor embed(const torch::Tensor& tokens, int64_t pos0) const;

  // Block `layer`'s ln_1 then c_attn on the residual stream x [T, C], split into heads.
  // These k and v are what a KV cache keeps, per layer, per position.
  Qkv qkv(int64_t layer, const torch::Tensor& x) const;

  // Causal attention of queries q [H, Tq, hd] over keys k and values v [H, Tk, hd]: query i
  // sits at position Tk - Tq + i and sees keys 0 .. Tk - Tq + i (so with a cache holding
  // every earlier position, one new query sees all of it). Returns y [Tq, C], heads merged.
  static torch::Tensor attend(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v);

  // Block `layer`'s output projection (c_proj) of y [T, C]; add it to the residual stream.
  torch::Tensor attn_out(int64_t layer, const torch::Tensor& y) const;

  // Block `layer`'s ln_2 then MLP of x [T, C]; add it to the residual stream.
  torch::Tensor mlp(int64_t layer, const torch::Tensor& x) const;

  // ln_f then lm_head: logits [T, vocab].
  torch::Tensor head(const torch::Tensor& x) const;

  // The whole uncached forward of one sequence built from the steps above: logits [T, vocab].
  // What the kv_cache starter runs at every step (the O(N^2) baseline).
  torch::Tensor forward(const torch::Tensor& tokens) const;

 private:
  struct Block {
    torch::Tensor ln1_w, ln1_b, attn_w, attn_b, proj_w, proj_b, ln2_w, ln2_b, fc_w, fc_b, mlp_w, mlp_b;
  };
  const Block& block(int64_t layer) const;

  Gpt model_;
  GptConfig cfg_;
  torch::Tensor wte_, wpe_, lnf_w_, lnf_b_, head_w_;
  std::vector<Block> blocks_;
};

// Greedy choice: the index of the largest logit of one row (argmax_token, for the layer API).
inline int32_t greedy_token(const torch::Tensor& logits_row) { return argmax_token(logits_row); }

}  // namespace edubench::model
