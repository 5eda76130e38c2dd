// GptLayers: GptImpl::forward split into the steps a student composes (layers.hpp). The math is
// the same op for op, so a starter built from these matches the reference's tokens.
#include <edubench/model/layers.hpp>

#include <cmath>
#include <limits>
#include <stdexcept>

namespace edubench::model {
namespace F = torch::nn::functional;

namespace {

torch::Tensor param(const torch::OrderedDict<std::string, torch::Tensor>& p, const std::string& name) {
  const torch::Tensor* t = p.find(name);
  if (!t) throw std::runtime_error("GptLayers: the model has no parameter " + name);
  return *t;
}

}  // namespace

GptLayers::GptLayers(Gpt m) : model_(std::move(m)), cfg_(model_->config()) {
  const auto p = model_->named_parameters();
  wte_ = param(p, "transformer.wte.weight");
  wpe_ = param(p, "transformer.wpe.weight");
  lnf_w_ = param(p, "transformer.ln_f.weight");
  lnf_b_ = param(p, "transformer.ln_f.bias");
  head_w_ = param(p, "lm_head.weight");
  for (int64_t l = 0; l < cfg_.n_layer; ++l) {
    const std::string b = "transformer.h." + std::to_string(l) + ".";
    blocks_.push_back({param(p, b + "ln_1.weight"), param(p, b + "ln_1.bias"), param(p, b + "attn.c_attn.weight"),
                       param(p, b + "attn.c_attn.bias"), param(p, b + "attn.c_proj.weight"),
                       param(p, b + "attn.c_proj.bias"), param(p, b + "ln_2.weight"), param(p, b + "ln_2.bias"),
                       param(p, b + "mlp.c_fc.weight"), param(p, b + "mlp.c_fc.bias"),
                       param(p, b + "mlp.c_proj.weight"), param(p, b + "mlp.c_proj.bias")});
  }
}

const GptLayers::Block& GptLayers::block(int64_t layer) const {
  if (layer < 0 || layer >= cfg_.n_layer)
    throw std::out_of_range("GptLayers: layer " + std::to_string(layer) + " of " + std::to_string(cfg_.n_layer));
  return blocks_[static_cast<size_t>(layer)];
}

torch::Tensor GptLayers::embed(const torch::Tensor& tokens, int64_t pos0) const {
  const int64_t T = tokens.size(0);
  if (pos0 < 0 || pos0 + T > cfg_.block_size)
    throw std::length_error("GptLayers::embed: positions " + std::to_string(pos0) + ".." + std::to_string(pos0 + T) +
                            " exceed block_size " + std::to_string(cfg_.block_size));
  return F::embedding(tokens, wte_) + F::embedding(torch::arange(pos0, pos0 + T, torch::kLong), wpe_);
}

Qkv GptLayers::qkv(int64_t layer, const torch::Tensor& x) const {
  const Block& b = block(layer);
  const int64_t T = x.size(0), C = cfg_.n_embd, H = cfg_.n_head;
  auto h = F::layer_norm(x, F::LayerNormFuncOptions({C}).weight(b.ln1_w).bias(b.ln1_b));
  auto parts = F::linear(h, b.attn_w, b.attn_b).split(C, 1);  // 3 x [T, C]
  auto heads = [&](const torch::Tensor& t) { return t.view({T, H, C / H}).transpose(0, 1); };
  return {heads(parts[0]), heads(parts[1]), heads(parts[2])};
}

torch::Tensor GptLayers::attend(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v) {
  const int64_t H = q.size(0), Tq = q.size(1), hd = q.size(2), Tk = k.size(1);
  if (Tq > Tk) throw std::invalid_argument("GptLayers::attend: more queries than keys");
  auto att = torch::matmul(q, k.transpose(-2, -1)) / std::sqrt(static_cast<double>(hd));  // [H, Tq, Tk]
  if (Tq > 1)  // a single query at the last position sees every key: no mask needed
    att = att.masked_fill(torch::ones({Tq, Tk}, torch::kBool).triu(Tk - Tq + 1), -std::numeric_limits<float>::infinity());
  return torch::matmul(att.softmax(-1), v).transpose(0, 1).contiguous().view({Tq, H * hd});
}

torch::Tensor GptLayers::attn_out(int64_t layer, const torch::Tensor& y) const {
  const Block& b = block(layer);
  return F::linear(y, b.proj_w, b.proj_b);
}

torch::Tensor GptLayers::mlp(int64_t layer, const torch::Tensor& x) const {
  const Block& b = block(layer);
  auto h = F::layer_norm(x, F::LayerNormFuncOptions({cfg_.n_embd}).weight(b.ln2_w).bias(b.ln2_b));
  return F::linear(torch::gelu(F::linear(h, b.fc_w, b.fc_b)), b.mlp_w, b.mlp_b);
}

torch::Tensor GptLayers::head(const torch::Tensor& x) const {
  auto h = F::layer_norm(x, F::LayerNormFuncOptions({cfg_.n_embd}).weight(lnf_w_).bias(lnf_b_));
  return F::linear(h, head_w_);
}

torch::Tensor GptLayers::forward(const torch::Tensor& tokens) const {
  auto x = embed(tokens, 0);
  for (int64_t l = 0; l < cfg_.n_layer; ++l) {
    Qkv a = qkv(l, x);
    x = x + attn_out(l, attend(a.q, a.k, a.v));
    x = x + mlp(l, x);
  }
  return head(x);
}

}  // namespace edubench::model
