// GptLayers (layers.hpp), the layer-level API the starters build on: its steps composed equal
// GptImpl::forward; a KV cache built from them (the kv_cache lab's lever) gives the same logits
// as the full forward; on the shipped textgen weights the composed greedy tokens are the
// reference's. The tiny random geometry is a plumbing test; the last case uses real weights.
#include "tiny_gpt.hpp"

#include <edubench/model/generate.hpp>
#include <edubench/model/layers.hpp>

#include <doctest/doctest.h>

using namespace edubench::model;

TEST_CASE("GptLayers::forward equals GptImpl::forward") {
  c10::InferenceMode guard;
  torch::manual_seed(3);
  Gpt m(tiny());
  m->eval();
  GptLayers layers(m);
  auto tokens = torch::randint(0, 256, {20}, torch::kLong);
  auto want = m->forward(tokens.unsqueeze(0))[0];
  auto got = layers.forward(tokens);
  CHECK(got.sizes() == want.sizes());
  CHECK(torch::allclose(got, want, 1e-5, 1e-5));
}

TEST_CASE("a KV cache composed from the layer API matches the full forward at every step") {
  c10::InferenceMode guard;
  torch::manual_seed(4);
  Gpt m(tiny());
  m->eval();
  GptLayers L(m);
  const GptConfig& c = L.config();
  auto tokens = torch::randint(0, 256, {12}, torch::kLong);
  std::vector<torch::Tensor> K(c.n_layer), V(c.n_layer);  // per layer [H, t, hd], grown by cat
  for (int64_t pos = 0; pos < tokens.size(0); ++pos) {
    auto x = L.embed(tokens.narrow(0, pos, 1), pos);
    for (int64_t l = 0; l < c.n_layer; ++l) {
      Qkv a = L.qkv(l, x);
      K[l] = pos == 0 ? a.k : torch::cat({K[l], a.k}, 1);
      V[l] = pos == 0 ? a.v : torch::cat({V[l], a.v}, 1);
      x = x + L.attn_out(l, GptLayers::attend(a.q, K[l], V[l]));
      x = x + L.mlp(l, x);
    }
    auto want = L.forward(tokens.narrow(0, 0, pos + 1))[-1];
    CHECK(torch::allclose(L.head(x)[0], want, 1e-4, 1e-4));
  }
}

TEST_CASE("GptLayers refuses what does not fit: positions past block_size, a layer out of range") {
  c10::InferenceMode guard;
  Gpt m(tiny());
  GptLayers L(m);
  CHECK_THROWS_AS(L.embed(torch::zeros({4}, torch::kLong), tiny().block_size - 2), std::length_error);
  CHECK_THROWS_AS(L.qkv(tiny().n_layer, torch::zeros({1, tiny().n_embd})), std::out_of_range);
  auto q = torch::zeros({2, 3, 16}), kv = torch::zeros({2, 2, 16});
  CHECK_THROWS_AS(GptLayers::attend(q, kv, kv), std::invalid_argument);
}

TEST_CASE("the layer API's uncached greedy tokens are the reference's on the shipped textgen model") {
  c10::InferenceMode guard;
  const std::string dir = std::string(EDUBENCH_SOURCE_DIR) + "/models/textgen/";
  Gpt m = load_gpt(dir + "config.json", dir + "model.safetensors");
  GptLayers L(m);
  const std::vector<int64_t> prompt = {'A', 'n', 'd', ' ', 't', 'h', 'e', ' ', 'L', 'O', 'R', 'D', ' '};
  KvCache cache(m->config(), 1, m->config().block_size);
  auto want = greedy_generate(m, cache, prompt, 24, Decode::torch);
  std::vector<int64_t> ctx = prompt;
  std::vector<int32_t> got;
  for (int i = 0; i < 24; ++i) {
    got.push_back(greedy_token(L.forward(torch::tensor(ctx, torch::kLong))[-1]));
    ctx.push_back(got.back());
  }
  CHECK(got == want);
}
