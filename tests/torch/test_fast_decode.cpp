// The fast decode path against its oracle, LibTorch: the same logits (within 1e-5 of the
// largest, relative), the same keys and values written into the cache, the same batched step,
// rollback by truncation, and on the shipped model the registry's greedy tokens on every prompt.
#include <edubench/model/fast_decode.hpp>
#include <edubench/model/generate.hpp>
#include <edubench/model/tokenizer.hpp>

#include "tiny_gpt.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <fstream>

using namespace edubench::model;

namespace {

torch::Tensor tokens(std::vector<int64_t> t) { return torch::tensor(t, torch::kLong); }

// The fast path's logits rows as a tensor (a copy: the buffer is reused by the next step).
torch::Tensor logits_of(const float* p, int64_t n, int64_t vocab) { return torch::from_blob(const_cast<float*>(p), {n, vocab}).clone(); }

// max |a - b| <= 1e-5 * max |b|: relative to the logits' scale (single logits may be near 0).
bool close(const torch::Tensor& a, const torch::Tensor& b) {
  return (a - b).abs().max().item<double>() <= 1e-5 * b.abs().max().item<double>();
}

// n_embd 36 (2 heads of 18): widths that are not multiples of any vector width.
edubench::model::GptConfig odd_width() {
  edubench::model::GptConfig c = tiny();
  c.n_embd = 36;
  return c;
}

Gpt random_model(uint64_t seed, const edubench::model::GptConfig& c = tiny()) {
  torch::manual_seed(seed);
  Gpt m(c);
  m->eval();
  // Non-trivial layer norms and biases (the initialisation sets them to 1 and 0).
  torch::NoGradGuard ng;
  for (auto& p : m->named_parameters())
    if (p.key().find("ln_") != std::string::npos || p.key().find("bias") != std::string::npos) p.value().normal_(0.5, 0.3);
  return m;
}

}  // namespace

TEST_CASE("fast decode steps give LibTorch's logits and write the same cache") {
  Gpt m = random_model(21);
  c10::InferenceMode g;
  FastDecoder fast(m);
  KvCache a(m->config(), 1, 64), b(m->config(), 1, 64);
  m->forward_cached(tokens({3, 1, 4, 1, 5}), a, 0);
  m->forward_cached(tokens({3, 1, 4, 1, 5}), b, 0);
  for (int64_t t : {9, 2, 6, 5, 3, 5, 8, 9, 7, 9}) {
    auto ref = m->forward_cached(tokens({t}), a, 0);
    auto got = logits_of(fast.step(t, b, 0), 1, fast.vocab());
    CHECK(close(got, ref));
  }
  CHECK(b.length(0) == a.length(0));
  for (size_t l = 0; l < a.k.size(); ++l) {
    CHECK(close(b.k[l], a.k[l]));
    CHECK(close(b.v[l], a.v[l]));
  }
}

TEST_CASE("a fast batched step equals LibTorch's decode_step, rows at different lengths and out of order") {
  Gpt m = random_model(22);
  c10::InferenceMode g;
  FastDecoder fast(m, 3);
  KvCache a(m->config(), 4, 64), b(m->config(), 4, 64);
  const std::vector<std::vector<int64_t>> prompts = {{1, 2, 3}, {4, 5, 6, 7, 8, 9, 10}, {11}, {12, 13}};
  for (int64_t r = 0; r < 4; ++r) {
    m->forward_cached(tokens(prompts[static_cast<size_t>(r)]), a, r);
    m->forward_cached(tokens(prompts[static_cast<size_t>(r)]), b, r);
  }
  const std::vector<int64_t> which = {3, 1, 0}, next = {20, 21, 22};  // row 2 sits this step out
  auto ref = m->decode_step(tokens(next), a, which);
  auto got = logits_of(fast.step(next.data(), which.data(), 3, b), 3, fast.vocab());
  CHECK(close(got, ref));
  for (int64_t r = 0; r < 4; ++r) CHECK(b.length(r) == a.length(r));
  CHECK_THROWS_AS(fast.step(next.data(), which.data(), 4, b), std::invalid_argument);  // more rows than buffers
}

TEST_CASE("several tokens of one row in one fast step equal LibTorch's forward_cached over them") {
  // The speculative verification pass: causal among its own tokens, beside another sequence.
  Gpt m = random_model(25);
  c10::InferenceMode g;
  FastDecoder fast(m, 6);
  KvCache a(m->config(), 2, 64), b(m->config(), 2, 64);
  for (KvCache* c : {&a, &b}) {
    m->forward_cached(tokens({1, 2, 3}), *c, 0);
    m->forward_cached(tokens({7, 8}), *c, 1);
  }
  auto ref0 = m->forward_cached(tokens({40, 41, 42, 43, 44}), a, 0);
  auto ref1 = m->forward_cached(tokens({50}), a, 1);
  const std::vector<int64_t> next = {40, 41, 42, 50, 43, 44}, which = {0, 0, 0, 1, 0, 0};
  auto got = logits_of(fast.step(next.data(), which.data(), 6, b), 6, fast.vocab());
  CHECK(close(got.index({torch::tensor({0, 1, 2, 4, 5})}), ref0));
  CHECK(close(got[3].unsqueeze(0), ref1));
  CHECK(b.length(0) == 8);
  CHECK(b.length(1) == 3);
  for (size_t l = 0; l < a.k.size(); ++l) CHECK(close(b.k[l], a.k[l]));
}

TEST_CASE("after a rollback by truncation the fast path continues like a fresh run") {
  // Speculative decoding rejects drafts by cutting the cache's length; the stale keys beyond
  // it must neither be seen nor matter.
  Gpt m = random_model(23);
  c10::InferenceMode g;
  FastDecoder fast(m);
  KvCache cache(m->config(), 1, 64), fresh(m->config(), 1, 64);
  m->forward_cached(tokens({5, 6, 7, 8}), cache, 0);
  for (int64_t t : {30, 31, 32}) fast.step(t, cache, 0);
  cache.truncate(0, 5);  // keeps 5 6 7 8 30
  auto got = logits_of(fast.step(40, cache, 0), 1, fast.vocab());
  auto ref = m->forward_cached(tokens({5, 6, 7, 8, 30, 40}), fresh, 0)[-1].unsqueeze(0);
  CHECK(close(got, ref));
  CHECK(cache.length(0) == 6);
}

TEST_CASE("the fast path refuses a full cache") {
  Gpt m = random_model(24);
  c10::InferenceMode g;
  FastDecoder fast(m);
  KvCache cache(m->config(), 1, 8);
  m->forward_cached(tokens({1, 2, 3, 4, 5, 6, 7}), cache, 0);
  fast.step(8, cache, 0);
  CHECK_THROWS_AS(fast.step(9, cache, 0), std::length_error);
  CHECK(cache.length(0) == 8);
}

TEST_CASE("weights that are exact fp16 numbers: the step reads fp16 copies and still gives LibTorch's logits") {
  Gpt m = random_model(23);
  {
    torch::NoGradGuard ng;
    for (auto& p : m->parameters()) p.copy_(p.to(torch::kHalf).to(torch::kFloat));  // as if stored in fp16
  }
  c10::InferenceMode g;
  FastDecoder half(m, 8), full(m, 8, /*fp16=*/false);
  const auto& c = m->config();
  const int64_t matrices = c.n_layer * 12 * c.n_embd * c.n_embd + c.vocab_size * c.n_embd;
  CHECK(full.matrix_bytes_per_step() == 4 * matrices);
  // Without F16C the decoder keeps fp32 (and this test checks the fp32 path twice).
  __builtin_cpu_init();
  const bool f16c = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
  CHECK(half.matrix_bytes_per_step() == (f16c ? 2 : 4) * matrices);
  // One row, then a row with five tokens (a verification pass), then three rows at once.
  KvCache a(c, 3, 64), b(c, 3, 64);
  for (int64_t r = 0; r < 3; ++r) {
    m->forward_cached(tokens({3, 1, 4, r}), a, r);
    m->forward_cached(tokens({3, 1, 4, r}), b, r);
  }
  CHECK(close(logits_of(half.step(9, b, 0), 1, half.vocab()), m->forward_cached(tokens({9}), a, 0)));
  const std::vector<int64_t> five = {2, 6, 5, 3, 5}, same(5, 1);
  CHECK(close(logits_of(half.step(five.data(), same.data(), 5, b), 5, half.vocab()), m->forward_cached(tokens(five), a, 1)));
  const std::vector<int64_t> three = {8, 9, 7}, rows = {2, 0, 1};
  auto ref = m->decode_step(tokens(three), a, rows);
  CHECK(close(logits_of(half.step(three.data(), rows.data(), 3, b), 3, half.vocab()), ref));
  // A model whose weights are not all fp16 numbers keeps reading fp32.
  Gpt other = random_model(24);
  CHECK(FastDecoder(other).matrix_bytes_per_step() == 4 * matrices);
}

TEST_CASE("fp16 weights, widths that are not multiples of the vector width: 1 to 8 and 12 rows at once give LibTorch's logits") {
  // 36 = 2 x 16 + 4 and 108 = 13 x 8 + 4: every kernel's leftover columns and weight rows run;
  // 12 rows take two passes over the panels.
  const edubench::model::GptConfig c = odd_width();
  Gpt m = random_model(31, c);
  {
    torch::NoGradGuard ng;
    for (auto& p : m->parameters()) p.normal_(0.0, 0.2).copy_(p.to(torch::kHalf).to(torch::kFloat));
  }
  c10::InferenceMode g;
  FastDecoder half(m, 12);
  KvCache a(c, 12, 64), b(c, 12, 64);
  for (int64_t n : {1, 2, 3, 4, 5, 6, 7, 8, 12}) {
    std::vector<int64_t> toks, rows;
    for (int64_t r = 0; r < n; ++r) {
      toks.push_back((7 * n + 3 * r) % c.vocab_size);
      rows.push_back((r + n) % 12);  // rows at different lengths, out of order
    }
    auto ref = m->decode_step(torch::tensor(toks, torch::kLong), a, rows);
    CHECK_MESSAGE(close(logits_of(half.step(toks.data(), rows.data(), n, b), n, half.vocab()), ref), n, " rows");
  }
}

TEST_CASE("1 to 8 tokens of one sequence in one step, head width 18, 17 to 48 keys: LibTorch's logits") {
  // A verification pass's attention: every token count the few-token kernels take (7 and 8 in two
  // groups), head columns that are not a multiple of the vector width (36 / 2 heads), and key
  // counts with and without a full block of 16 plus leftovers.
  const edubench::model::GptConfig c = odd_width();
  Gpt m = random_model(32, c);
  c10::InferenceMode g;
  FastDecoder fast(m, 8);
  for (int64_t prefix : {16, 40}) {
    for (int64_t n = 1; n <= 8; ++n) {
      KvCache a(c, 1, 64), b(c, 1, 64);
      std::vector<int64_t> pre, toks;
      for (int64_t t = 0; t < prefix; ++t) pre.push_back((5 * t + 1) % c.vocab_size);
      for (int64_t t = 0; t < n; ++t) toks.push_back((11 * t + n) % c.vocab_size);
      m->forward_cached(torch::tensor(pre, torch::kLong), a, 0);
      m->forward_cached(torch::tensor(pre, torch::kLong), b, 0);
      auto ref = m->forward_cached(torch::tensor(toks, torch::kLong), a, 0);
      const std::vector<int64_t> rows(static_cast<size_t>(n), 0);
      CHECK_MESSAGE(close(logits_of(fast.step(toks.data(), rows.data(), n, b), n, fast.vocab()), ref), n,
                    " tokens after ", prefix);
      CHECK(b.length(0) == prefix + n);
    }
  }
}

TEST_CASE("shipped textgen: the fast path gives LibTorch's logits and the registry's tokens on every prompt") {
  set_threads(1);
  c10::InferenceMode g;
  const std::string dir = EDUBENCH_SOURCE_DIR;
  Gpt m = load_gpt(dir + "/models/textgen/config.json", dir + "/models/textgen/model.safetensors");
  std::ifstream f(dir + "/data/textgen/kv_cache_prompts.jsonl");
  REQUIRE(f);
  std::vector<std::vector<int64_t>> prompts;
  std::vector<std::vector<int32_t>> refs;
  for (std::string line; std::getline(f, line);) {
    auto j = nlohmann::json::parse(line);
    prompts.push_back(encode_bytes(j.at("prompt").get<std::string>()));
    refs.push_back(j.at("reference_tokens").get<std::vector<int32_t>>());
  }
  REQUIRE(prompts.size() == 64);
  const int64_t V = m->config().vocab_size, T = m->config().block_size, B = 8;
  // Every prompt, eight at a time in batched steps (as the kv_cache plugin decodes): the
  // registry's 128 tokens, which LibTorch wrote.
  KvCache batch(m->config(), B, T);
  FastDecoder fast(m, B);
  for (size_t first = 0; first < prompts.size(); first += B) {
    std::vector<int64_t> rows, next;
    std::vector<std::vector<int32_t>> out(B);
    for (int64_t r = 0; r < B; ++r) {
      batch.truncate(r, 0);
      auto logits = m->forward_cached(tokens(prompts[first + static_cast<size_t>(r)]), batch, r);
      out[static_cast<size_t>(r)].push_back(argmax_token(logits[-1]));
      rows.push_back(r);
      next.push_back(out[static_cast<size_t>(r)].back());
    }
    while (out[0].size() < refs[first].size()) {
      const float* logits = fast.step(next.data(), rows.data(), B, batch);
      for (int64_t r = 0; r < B; ++r) {
        out[static_cast<size_t>(r)].push_back(argmax_token(logits + r * V, V));
        next[static_cast<size_t>(r)] = out[static_cast<size_t>(r)].back();
      }
    }
    for (int64_t r = 0; r < B; ++r) CHECK(out[static_cast<size_t>(r)] == refs[first + static_cast<size_t>(r)]);
  }
  // Batch 1 (the SingleStream step) on a few prompts: greedy tokens, and the logits along a
  // whole continuation against LibTorch's step by step.
  KvCache one(m->config(), 1, T), oracle(m->config(), 1, T);
  FastDecoder single(m);
  for (size_t i = 0; i < 4; ++i) CHECK(greedy_generate(m, one, prompts[i], 128, Decode::fast) == refs[i]);
  one.reset();
  m->forward_cached(tokens(prompts[0]), oracle, 0);
  m->forward_cached(tokens(prompts[0]), one, 0);
  for (int32_t t : refs[0]) CHECK(close(logits_of(single.step(t, one, 0), 1, V), m->forward_cached(tokens({t}), oracle, 0)));
}
