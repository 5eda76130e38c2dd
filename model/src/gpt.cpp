// The GPT, its KV cache, checkpoint I/O and token selection.
#include <edubench/model/blas_core.hpp>
#include <edubench/model/gpt.hpp>
#include <edubench/model/safetensors.hpp>

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <mutex>
#include <stdexcept>

namespace edubench::model {
namespace F = torch::nn::functional;
namespace {
// Every user of the GPT links this file: through it, OpenBLAS's kernels are chosen for this CPU
// when the library is loaded (blas_core.hpp), before any forward pass.
[[maybe_unused]] const bool kBlasCoreChosen = (blas_core(), true);
}  // namespace

// ---- config.json -----------------------------------------------------------------------------

GptConfig load_config(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error(path + ": cannot open the model config");
  const std::string text((std::istreambuf_iterator<char>(f)), {});
  return parse_config(text, path);
}

void save_config(const GptConfig& c, const std::string& path) {
  nlohmann::ordered_json j;
  j["model_type"] = "gpt";
  j["vocab_size"] = c.vocab_size;
  j["n_layer"] = c.n_layer;
  j["n_head"] = c.n_head;
  j["n_embd"] = c.n_embd;
  j["block_size"] = c.block_size;
  j["bias"] = true;
  j["tied_lm_head"] = false;
  j["tokenizer"] = c.tokenizer;
  std::ofstream f(path);
  f << j.dump(2) << "\n";
  if (!f) throw std::runtime_error(path + ": cannot write");
}

// ---- KV cache --------------------------------------------------------------------------------

KvCache::KvCache(const GptConfig& c, int64_t batch, int64_t max_ctx) : len_(static_cast<size_t>(batch), 0), max_ctx_(max_ctx) {
  if (max_ctx > c.block_size) throw std::invalid_argument("KV cache longer than the model's block_size");
  for (int64_t l = 0; l < c.n_layer; ++l) {
    k.push_back(torch::zeros({batch, c.n_head, max_ctx, c.head_dim()}));
    v.push_back(torch::zeros({batch, c.n_head, max_ctx, c.head_dim()}));
  }
  per_position_bytes_ = 2 * c.n_layer * c.n_embd * static_cast<int64_t>(sizeof(float));
}

void KvCache::truncate(int64_t b, int64_t len) {
  if (len < 0 || len > length(b)) throw std::invalid_argument("KvCache::truncate beyond the current length");
  len_[static_cast<size_t>(b)] = len;
}

int64_t KvCache::bytes() const { return per_position_bytes_ * max_ctx_ * batch(); }
int64_t KvCache::bytes_used(int64_t b) const { return per_position_bytes_ * length(b); }

// ---- modules (names follow nanoGPT so checkpoints read anywhere) ------------------------------

struct AttnImpl : torch::nn::Module {
  torch::nn::Linear c_attn{nullptr}, c_proj{nullptr};
  AttnImpl(int64_t c) {
    c_attn = register_module("c_attn", torch::nn::Linear(c, 3 * c));
    c_proj = register_module("c_proj", torch::nn::Linear(c, c));
  }
};
TORCH_MODULE(Attn);

struct MlpImpl : torch::nn::Module {
  torch::nn::Linear c_fc{nullptr}, c_proj{nullptr};
  MlpImpl(int64_t c) {
    c_fc = register_module("c_fc", torch::nn::Linear(c, 4 * c));
    c_proj = register_module("c_proj", torch::nn::Linear(4 * c, c));
  }
  torch::Tensor forward(const torch::Tensor& x) { return c_proj(torch::gelu(c_fc(x))); }
};
TORCH_MODULE(Mlp);

struct BlockImpl : torch::nn::Module {
  torch::nn::LayerNorm ln_1{nullptr}, ln_2{nullptr};
  Attn attn{nullptr};
  Mlp mlp{nullptr};
  BlockImpl(int64_t c) {
    ln_1 = register_module("ln_1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({c})));
    attn = register_module("attn", Attn(c));
    ln_2 = register_module("ln_2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({c})));
    mlp = register_module("mlp", Mlp(c));
  }
};
TORCH_MODULE(Block);

struct TransformerImpl : torch::nn::Module {
  torch::nn::Embedding wte{nullptr}, wpe{nullptr};
  torch::nn::ModuleList h;
  torch::nn::LayerNorm ln_f{nullptr};
  TransformerImpl(const GptConfig& c) {
    wte = register_module("wte", torch::nn::Embedding(c.vocab_size, c.n_embd));
    wpe = register_module("wpe", torch::nn::Embedding(c.block_size, c.n_embd));
    h = register_module("h", torch::nn::ModuleList());
    for (int64_t i = 0; i < c.n_layer; ++i) h->push_back(Block(c.n_embd));
    ln_f = register_module("ln_f", torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.n_embd})));
  }
};
TORCH_MODULE(Transformer);


GptImpl::GptImpl(const GptConfig& c) : cfg_(c) {
  auto tr = register_module("transformer", Transformer(c));
  wte = tr->wte;
  wpe = tr->wpe;
  h = tr->h;
  ln_f = tr->ln_f;
  lm_head = register_module("lm_head", torch::nn::Linear(torch::nn::LinearOptions(c.n_embd, c.vocab_size).bias(false)));
  // nanoGPT's initialisation: N(0, 0.02), residual projections scaled by 1/sqrt(2 n_layer).
  torch::NoGradGuard ng;
  for (auto& p : named_parameters()) {
    const std::string& n = p.key();
    if (n.size() >= 4 && n.compare(n.size() - 4, 4, "bias") == 0) {
      p.value().zero_();
    } else if (n.find("ln_") != std::string::npos) {
      p.value().fill_(1.0);
    } else {
      double std = n.find("c_proj.weight") != std::string::npos ? 0.02 / std::sqrt(2.0 * c.n_layer) : 0.02;
      p.value().normal_(0.0, std);
    }
  }
}

int64_t GptImpl::parameter_count() const {
  int64_t n = 0;
  for (const auto& p : parameters()) n += p.numel();
  return n;
}

torch::Tensor GptImpl::forward(const torch::Tensor& idx) {
  const int64_t B = idx.size(0), T = idx.size(1), C = cfg_.n_embd, H = cfg_.n_head;
  auto pos = torch::arange(T, torch::kLong);
  auto x = wte(idx) + wpe(pos);
  auto mask = torch::ones({T, T}, torch::kBool).triu(1);
  for (const auto& m : *h) {
    auto* blk = m->as<BlockImpl>();
    auto qkv = blk->attn->c_attn(blk->ln_1(x)).split(C, 2);
    auto q = qkv[0].view({B, T, H, C / H}).transpose(1, 2);
    auto k = qkv[1].view({B, T, H, C / H}).transpose(1, 2);
    auto v = qkv[2].view({B, T, H, C / H}).transpose(1, 2);
    auto att = torch::matmul(q, k.transpose(-2, -1)) / std::sqrt(static_cast<double>(C / H));
    att = att.masked_fill(mask, -std::numeric_limits<float>::infinity()).softmax(-1);
    auto y = torch::matmul(att, v).transpose(1, 2).contiguous().view({B, T, C});
    x = x + blk->attn->c_proj(y);
    x = x + blk->mlp(blk->ln_2(x));
  }
  return lm_head(ln_f(x));
}

torch::Tensor GptImpl::forward_cached(const torch::Tensor& tokens, KvCache& cache, int64_t b) {
  const int64_t T = tokens.size(0), C = cfg_.n_embd, H = cfg_.n_head, hd = C / H;
  const int64_t pos = cache.length(b);
  if (pos + T > cache.max_ctx()) throw std::length_error("context longer than the KV cache");
  auto x = wte(tokens) + wpe(torch::arange(pos, pos + T, torch::kLong));  // [T, C]
  // Query i (absolute position pos + i) sees keys 0 .. pos + i; a single query sees them all,
  // so the one-token decode step needs no mask.
  torch::Tensor mask;
  if (T > 1) mask = torch::ones({T, pos + T}, torch::kBool).triu(pos + 1);
  int64_t layer = 0;
  for (const auto& m : *h) {
    auto* blk = m->as<BlockImpl>();
    auto qkv = blk->attn->c_attn(blk->ln_1(x)).split(C, 1);  // 3 x [T, C]
    auto q = qkv[0].view({T, H, hd}).transpose(0, 1);         // [H, T, hd]
    auto kc = cache.k[static_cast<size_t>(layer)][b];          // [H, max_ctx, hd], a view
    auto vc = cache.v[static_cast<size_t>(layer)][b];
    kc.narrow(1, pos, T).copy_(qkv[1].view({T, H, hd}).transpose(0, 1));  // written in place
    vc.narrow(1, pos, T).copy_(qkv[2].view({T, H, hd}).transpose(0, 1));
    auto keys = kc.narrow(1, 0, pos + T), values = vc.narrow(1, 0, pos + T);
    auto att = torch::matmul(q, keys.transpose(-2, -1)) / std::sqrt(static_cast<double>(hd));
    if (T > 1) att = att.masked_fill(mask, -std::numeric_limits<float>::infinity());
    auto y = torch::matmul(att.softmax(-1), values).transpose(0, 1).contiguous().view({T, C});
    x = x + blk->attn->c_proj(y);
    x = x + blk->mlp(blk->ln_2(x));
    ++layer;
  }
  cache.len_[static_cast<size_t>(b)] = pos + T;
  return lm_head(ln_f(x));
}

torch::Tensor GptImpl::decode_step(const torch::Tensor& tokens, KvCache& cache, const std::vector<int64_t>& rows) {
  const int64_t B = static_cast<int64_t>(rows.size()), C = cfg_.n_embd, H = cfg_.n_head, hd = C / H;
  if (rows.empty() || tokens.dim() != 1 || tokens.size(0) != B)
    throw std::invalid_argument("decode_step: expected one token per row and at least one row");
  std::vector<int64_t> pos(rows.size());
  int64_t L = 0;
  for (size_t r = 0; r < rows.size(); ++r) {
    pos[r] = cache.length(rows[r]);
    if (pos[r] + 1 > cache.max_ctx()) throw std::length_error("context longer than the KV cache");
    L = std::max(L, pos[r] + 1);
  }
  bool contiguous = true;
  for (size_t r = 1; r < rows.size(); ++r) contiguous = contiguous && rows[r] == rows[r - 1] + 1;
  auto pos_t = torch::tensor(pos, torch::kLong);
  auto rows_t = torch::tensor(rows, torch::kLong);
  auto x = wte(tokens) + wpe(pos_t);  // [B, C]
  // Row r sees keys 0 .. pos[r]; longer rows' extra slots are masked.
  auto mask = torch::arange(L, torch::kLong).unsqueeze(0) > pos_t.unsqueeze(1);  // [B, L]
  mask = mask.view({B, 1, 1, L});
  int64_t layer = 0;
  for (const auto& m : *h) {
    auto* blk = m->as<BlockImpl>();
    auto qkv = blk->attn->c_attn(blk->ln_1(x)).split(C, 1);
    auto q = qkv[0].view({B, H, 1, hd});
    auto k_new = qkv[1].view({B, H, hd}), v_new = qkv[2].view({B, H, hd});
    auto& kc = cache.k[static_cast<size_t>(layer)];
    auto& vc = cache.v[static_cast<size_t>(layer)];
    for (int64_t r = 0; r < B; ++r) {
      kc[rows[static_cast<size_t>(r)]].select(1, pos[static_cast<size_t>(r)]).copy_(k_new[r]);
      vc[rows[static_cast<size_t>(r)]].select(1, pos[static_cast<size_t>(r)]).copy_(v_new[r]);
    }
    // Consecutive rows (the usual case: a full batch) are a view; others are gathered.
    auto keys = (contiguous ? kc.narrow(0, rows[0], B) : kc.index_select(0, rows_t)).narrow(2, 0, L);  // [B, H, L, hd]
    auto values = (contiguous ? vc.narrow(0, rows[0], B) : vc.index_select(0, rows_t)).narrow(2, 0, L);
    auto att = torch::matmul(q, keys.transpose(-2, -1)) / std::sqrt(static_cast<double>(hd));
    att = att.masked_fill(mask, -std::numeric_limits<float>::infinity()).softmax(-1);
    auto y = torch::matmul(att, values).view({B, C});
    x = x + blk->attn->c_proj(y);
    x = x + blk->mlp(blk->ln_2(x));
    ++layer;
  }
  for (size_t r = 0; r < rows.size(); ++r) cache.len_[static_cast<size_t>(rows[r])] = pos[r] + 1;
  return lm_head(ln_f(x));
}

// ---- checkpoints -----------------------------------------------------------------------------

Gpt load_gpt(const std::string& config_path, const std::string& weights_path) {
  GptConfig c = load_config(config_path);
  Gpt m(c);
  auto tensors = read_safetensors(weights_path);
  torch::NoGradGuard ng;
  for (auto& p : m->named_parameters()) {
    auto it = tensors.find(p.key());
    if (it == tensors.end()) throw std::runtime_error(weights_path + ": missing tensor " + p.key());
    if (it->second.sizes() != p.value().sizes())
      throw std::runtime_error(weights_path + ": tensor " + p.key() + " has the wrong shape for " + config_path);
    p.value().copy_(it->second);
  }
  m->eval();
  return m;
}

void save_gpt(Gpt& m, const std::string& config_path, const std::string& weights_path) {
  std::map<std::string, torch::Tensor> t;
  for (auto& p : m->named_parameters()) t[p.key()] = p.value().detach().contiguous();
  write_safetensors(weights_path, t, {{"format", "pt"}, {"producer", "edubench-train"}});
  save_config(m->config(), config_path);
}

int32_t argmax_token(const torch::Tensor& logits_row) { return static_cast<int32_t>(logits_row.argmax().item<int64_t>()); }

int32_t sample_token(const torch::Tensor& logits_row, double temperature, torch::Generator& gen) {
  if (temperature <= 0) return argmax_token(logits_row);
  auto probs = (logits_row / temperature).softmax(-1);
  return static_cast<int32_t>(torch::multinomial(probs, 1, false, gen).item<int64_t>());
}

void set_threads(int n) {
  static std::once_flag once;
  std::call_once(once, [n] { torch::set_num_threads(n); });
}

}  // namespace edubench::model
