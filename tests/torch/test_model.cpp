// Model core: the cached paths compute what the uncached forward computes; truncation then
// regeneration equals a fresh run; checkpoints round-trip. These use random weights on
// purpose: they are unit tests of plumbing, not of a workload.
#include <edubench/model/blas_core.hpp>
#include <edubench/model/generate.hpp>
#include <edubench/model/gpt.hpp>
#include <edubench/model/safetensors.hpp>

#include "temp_dir.hpp"
#include "tiny_gpt.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

using namespace edubench::model;

namespace {

torch::Tensor tokens(std::initializer_list<int64_t> t) { return torch::tensor(std::vector<int64_t>(t), torch::kLong); }

}  // namespace

TEST_CASE("cached prefill + decode equals the uncached forward") {
  torch::manual_seed(3);
  Gpt m(tiny());
  m->eval();
  c10::InferenceMode g;
  auto seq = tokens({72, 101, 108, 108, 111, 32, 119, 111, 114, 108, 100});
  auto full = m->forward(seq.unsqueeze(0))[0];  // [T, V]
  KvCache cache(m->config(), 1, 64);
  auto pre = m->forward_cached(seq.narrow(0, 0, 6), cache, 0);
  CHECK(torch::allclose(pre, full.narrow(0, 0, 6), 1e-4, 1e-5));
  for (int64_t t = 6; t < seq.size(0); ++t) {
    auto step = m->forward_cached(seq.narrow(0, t, 1), cache, 0);
    CHECK(torch::allclose(step[0], full[t], 1e-4, 1e-5));
  }
  CHECK(cache.length(0) == seq.size(0));
}

TEST_CASE("a batched decode step equals each sequence decoded alone") {
  torch::manual_seed(4);
  Gpt m(tiny());
  m->eval();
  c10::InferenceMode g;
  KvCache batched(m->config(), 3, 64), alone(m->config(), 1, 64);
  std::vector<torch::Tensor> prompts = {tokens({1, 2, 3}), tokens({4, 5, 6, 7, 8}), tokens({9})};
  for (int64_t b = 0; b < 3; ++b) m->forward_cached(prompts[static_cast<size_t>(b)], batched, b);
  auto logits = m->decode_step(tokens({10, 11, 12}), batched, {0, 1, 2});
  for (int64_t b = 0; b < 3; ++b) {
    alone.reset();
    m->forward_cached(prompts[static_cast<size_t>(b)], alone, 0);
    auto ref = m->forward_cached(tokens({10 + b}), alone, 0);
    CHECK(torch::allclose(logits[b], ref[0], 1e-4, 1e-5));
    CHECK(batched.length(b) == prompts[static_cast<size_t>(b)].size(0) + 1);
  }
}

TEST_CASE("truncating the cache then regenerating equals a fresh run") {
  torch::manual_seed(5);
  Gpt m(tiny());
  m->eval();
  c10::InferenceMode g;
  KvCache cache(m->config(), 1, 64);
  m->forward_cached(tokens({5, 6, 7, 8, 9, 10}), cache, 0);
  cache.truncate(0, 3);  // roll back: a length change, no copy
  auto again = m->forward_cached(tokens({20, 21}), cache, 0);
  KvCache fresh(m->config(), 1, 64);
  auto ref = m->forward_cached(tokens({5, 6, 7, 20, 21}), fresh, 0);
  CHECK(torch::allclose(again, ref.narrow(0, 3, 2), 1e-4, 1e-5));
  CHECK_THROWS_AS(cache.truncate(0, 99), std::invalid_argument);
}

TEST_CASE("safetensors: a model written and read back is the same model") {
  torch::manual_seed(6);
  Gpt m(tiny());
  const edubench::test::TempDir temp("safetensors");
  const auto& dir = temp.path;
  save_gpt(m, (dir / "config.json").string(), (dir / "model.safetensors").string());
  Gpt back = load_gpt((dir / "config.json").string(), (dir / "model.safetensors").string());
  auto a = m->named_parameters(), b = back->named_parameters();
  REQUIRE(a.size() == b.size());
  for (const auto& p : a) CHECK(torch::equal(p.value(), b[p.key()]));
  auto raw = read_safetensors((dir / "model.safetensors").string());
  CHECK(raw.count("transformer.h.0.attn.c_attn.weight"));
  CHECK(raw.at("transformer.h.0.attn.c_attn.weight").sizes() == torch::IntArrayRef({96, 32}));  // [out, in]
  CHECK(raw.count("lm_head.weight"));
}

TEST_CASE("safetensors: a damaged file is refused with its name") {
  auto p = (std::filesystem::temp_directory_path() / "edubench_bad.safetensors").string();
  const char bytes[] = "\x40\x00\x00\x00\x00\x00\x00\x00{not json}";  // claims 64 header bytes, has 10
  std::ofstream(p, std::ios::binary).write(bytes, sizeof bytes - 1);
  CHECK_THROWS_WITH_AS(read_safetensors(p), (p + ": header length beyond the file").c_str(), std::runtime_error);
  std::filesystem::remove(p);  // nothing left in /tmp (bench/soak.sh counts what runs leave there)
}

TEST_CASE("n-gram drafter: proposes what followed the latest earlier match of the suffix") {
  // ... 1 2 3 [4 5 6] ... 1 2 3 -> 4 5 (gamma 2); the latest match wins over an older one.
  CHECK(ngram_draft({1, 2, 3, 4, 5, 6, 9, 1, 2, 3}, 2) == std::vector<int64_t>{4, 5});
  CHECK(ngram_draft({1, 2, 7, 1, 2, 8, 1, 2}, 3) == std::vector<int64_t>{8, 1, 2});
  CHECK(ngram_draft({5, 6, 7}, 4).empty());  // no repeat: nothing to propose
}

namespace {
// Every prompt in its own row of one decoder, all started together, rounds until done.
std::vector<std::vector<int32_t>> batched(SpeculativeDecoder& dec, const std::vector<std::vector<int64_t>>& prompts,
                                          int64_t n) {
  for (size_t i = 0; i < prompts.size(); ++i) dec.start(static_cast<int64_t>(i), prompts[i], n, {});
  while (dec.any_active()) dec.round();
  std::vector<std::vector<int32_t>> out;
  for (size_t i = 0; i < prompts.size(); ++i) out.push_back(dec.output(static_cast<int64_t>(i)));
  return out;
}
// A target and a draft of random weights (seed 8), in eval mode.
std::pair<Gpt, Gpt> random_target_and_draft() {
  torch::manual_seed(8);
  Gpt target(tiny()), draft(tiny());
  target->eval();
  draft->eval();
  return {target, draft};
}
}  // namespace

TEST_CASE("speculative decoding equals greedy decoding, even with a random draft") {
  // Random weights on purpose: the draft disagrees with the target almost always, which
  // exercises every rejection and rollback path; the output must not change.
  auto [target, draft] = random_target_and_draft();
  c10::InferenceMode g;
  std::vector<int64_t> prompt = {10, 20, 30, 40};
  KvCache cache(target->config(), 1, 64);
  auto greedy = greedy_generate(target, cache, prompt, 40, Decode::torch);
  for (int64_t gamma : {1, 3, 8}) {
    SpecStats st;
    CHECK(SpeculativeDecoder(target, draft, gamma).generate(prompt, 40, st) == greedy);
    CHECK(SpeculativeDecoder(target, Gpt{nullptr}, gamma).generate(prompt, 40, st) == greedy);
  }
  // Rows of different lengths in one batch: each row's rejections roll back only its own cache.
  const std::vector<int64_t> other = {7, 7, 9, 1, 2, 3, 4, 5, 6};
  auto greedy_other = greedy_generate(target, cache, other, 40, Decode::torch);
  SpeculativeDecoder two(target, draft, 3, 2);
  CHECK(batched(two, {prompt, other}, 40) == std::vector<std::vector<int32_t>>{greedy, greedy_other});
  SpecStats self;  // the target drafting for itself: every draft is accepted
  CHECK(SpeculativeDecoder(target, target, 4).generate(prompt, 40, self) == greedy);
  CHECK(self.accepted == self.drafted);
  CHECK(self.target_passes == 1 + 39 / 5 + (39 % 5 ? 1 : 0));
}

TEST_CASE("a draft that stops when it is unsure drafts fewer tokens, losslessly") {
  auto [target, draft] = random_target_and_draft();
  c10::InferenceMode g;
  const std::vector<int64_t> prompt = {10, 20, 30, 40};
  KvCache cache(target->config(), 1, 64);
  const auto greedy = greedy_generate(target, cache, prompt, 40, Decode::torch);
  SpecStats all, unsure;
  SpeculativeDecoder always(target, draft, 4);
  CHECK(always.generate(prompt, 40, all) == greedy);
  SpeculativeDecoder stops(target, draft, 4);
  stops.set_draft_confidence(0.999);  // a random draft is never this sure: one token a round
  CHECK(stops.generate(prompt, 40, unsure) == greedy);
  const int64_t rounds = unsure.target_passes - 1;
  CHECK(unsure.drafted <= rounds);
  CHECK(unsure.drafted >= rounds - 1);  // the last round may have no room to draft
  CHECK(all.drafted > 2 * (all.target_passes - 1));
}

TEST_CASE("a draft confidence that is not a probability, or without a draft model, is refused") {
  auto [target, draft] = random_target_and_draft();
  SpeculativeDecoder dec(target, draft, 4);
  CHECK_THROWS_AS(dec.set_draft_confidence(1.0), std::invalid_argument);
  CHECK_THROWS_AS(dec.set_draft_confidence(-0.1), std::invalid_argument);
  CHECK_THROWS_AS(dec.set_draft_confidence(std::nan("")), std::invalid_argument);
  dec.set_draft_confidence(0.5);
  SpeculativeDecoder lookup(target, Gpt{nullptr}, 4);
  CHECK_THROWS_AS(lookup.set_draft_confidence(0.5), std::invalid_argument);
  lookup.set_draft_confidence(0.0);
}

TEST_CASE("a speculative decoder accounts for its time by part") {
  auto [target, draft] = random_target_and_draft();
  c10::InferenceMode g;
  const std::vector<int64_t> prompt = {10, 20, 30, 40};
  SpecStats st;
  SpeculativeDecoder dec(target, draft, 3);
  const auto t0 = std::chrono::steady_clock::now();
  dec.generate(prompt, 30, st);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const SpecSeconds& s = dec.seconds();
  CHECK(s.target_prefill > 0);
  CHECK(s.draft_prefill > 0);
  CHECK(s.draft_steps > 0);
  CHECK(s.verify > 0);
  CHECK(s.other >= 0);
  CHECK(s.total() <= wall);
  dec.reset_seconds();
  CHECK(dec.seconds().total() == 0);
  SpeculativeDecoder lookup(target, Gpt{nullptr}, 3);  // prompt lookup runs no draft model
  lookup.generate(prompt, 30, st);
  CHECK(lookup.seconds().verify > 0);
  CHECK(lookup.seconds().draft_prefill + lookup.seconds().draft_steps + lookup.seconds().draft_feed == 0);
}

TEST_CASE("OpenBLAS runs kernels for this CPU, not the Pentium 4 ones it falls back to on a CPU it does not know") {
  if (blas_core().empty() || std::getenv("OPENBLAS_CORETYPE") != nullptr) return;  // another BLAS, or the user's choice
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx2")) return;  // nothing better than the fallback to choose
  CHECK(blas_core() != "Prescott");
  // and LibTorch's products on those kernels are still right
  auto a = torch::randn({37, 53}), b = torch::randn({53, 29});
  CHECK(torch::allclose(torch::matmul(a, b), (a.unsqueeze(2) * b.unsqueeze(0)).sum(1), 1e-4, 1e-4));
}

TEST_CASE("a draft with a shorter context drafts from a sliding window of the latest tokens, losslessly") {
  // textgen (context 256) drafts for textgen_large (context 1024): the draft's cache is
  // refilled with the latest half of its context whenever a round would overflow it.
  torch::manual_seed(9);
  Gpt target(tiny());
  auto short_cfg = tiny();
  short_cfg.block_size = 16;
  Gpt draft(short_cfg);
  target->eval();
  draft->eval();
  c10::InferenceMode g;
  KvCache cache(target->config(), 1, 64);
  for (const std::vector<int64_t>& prompt : {std::vector<int64_t>{10, 20, 30, 40}, std::vector<int64_t>(20, 7)}) {
    const int64_t n = 64 - static_cast<int64_t>(prompt.size());  // up to the target's whole context
    auto greedy = greedy_generate(target, cache, prompt, n, Decode::torch);
    for (int64_t gamma : {1, 3, 7, 12}) {  // 12 > the window's half: clamped, not overflowed
      SpecStats st;
      CHECK(SpeculativeDecoder(target, draft, gamma).generate(prompt, n, st) == greedy);
      CHECK(st.drafted > 0);
      // The same prompt twice in a batch of three beside a short one: each row slides its own window.
      SpeculativeDecoder three(target, draft, gamma, 3);
      auto outs = batched(three, {prompt, {3, 1, 4}, prompt}, n - 16);
      CHECK(outs[0] == std::vector<int32_t>(greedy.begin(), greedy.end() - 16));
      CHECK(outs[2] == outs[0]);
      CHECK(outs[1] == greedy_generate(target, cache, {3, 1, 4}, n - 16, Decode::torch));
    }
  }
}

TEST_CASE("a prompt that does not fit the context is refused") {
  Gpt m(tiny());
  c10::InferenceMode g;
  KvCache cache(m->config(), 1, 64);
  SpecStats st;
  CHECK_THROWS_AS(greedy_generate(m, cache, std::vector<int64_t>(60, 1), 5, Decode::fast), std::length_error);
  CHECK_THROWS_AS(SpeculativeDecoder(m, Gpt{nullptr}, 2).generate(std::vector<int64_t>(60, 1), 5, st), std::length_error);
  CHECK_THROWS_AS(SpeculativeDecoder(m, Gpt{nullptr}, 2).generate({}, 5, st), std::invalid_argument);
}

TEST_CASE("temperature sampling is reproducible from its seed and greedy at temperature 0") {
  auto logits = torch::tensor({0.1f, 2.0f, 0.5f, 1.5f, -1.0f});
  auto draw = [&](uint64_t seed) {
    auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    std::vector<int32_t> out;
    for (int i = 0; i < 64; ++i) out.push_back(sample_token(logits, 1.0, gen));
    return out;
  };
  CHECK(draw(11) == draw(11));
  CHECK(draw(11) != draw(12));
  auto seq = draw(11);
  CHECK(std::count(seq.begin(), seq.end(), 1) > 0);  // a sample, not the argmax every time
  CHECK(std::count(seq.begin(), seq.end(), 1) < 64);
  auto gen = at::make_generator<at::CPUGeneratorImpl>(1);
  CHECK(sample_token(logits, 0.0, gen) == 1);
}

TEST_CASE("KV bytes grow linearly with context: 2 x layers x width x 4 bytes per position, the tensors' own") {
  Gpt m(tiny());
  m->eval();
  c10::InferenceMode g;
  const GptConfig& c = m->config();
  KvCache cache(c, 2, 64);
  // What one position holds for one sequence, counted in the cache's tensors themselves.
  int64_t per_position = 0;
  for (size_t l = 0; l < cache.k.size(); ++l)
    per_position += (cache.k[l][0].select(1, 0).numel() + cache.v[l][0].select(1, 0).numel()) *
                    static_cast<int64_t>(cache.k[l].element_size());
  CHECK(per_position == 2 * c.n_layer * c.n_embd * 4);
  int64_t allocated = 0;
  for (size_t l = 0; l < cache.k.size(); ++l) allocated += cache.k[l].nbytes() + cache.v[l].nbytes();
  CHECK(cache.bytes() == allocated);  // allocated once, for every sequence and position
  CHECK(cache.bytes_used(0) == 0);
  auto seq = tokens({72, 101, 108, 108, 111, 32, 119, 111, 114, 108, 100, 33});
  m->forward_cached(seq.narrow(0, 0, 4), cache, 0);  // a prefill of 4
  CHECK(cache.bytes_used(0) == 4 * per_position);
  for (int64_t t = 4; t < seq.size(0); ++t) {
    m->forward_cached(seq.narrow(0, t, 1), cache, 0);
    CHECK(cache.bytes_used(0) == (t + 1) * per_position);  // one position per decoded token
  }
  CHECK(cache.bytes_used(1) == 0);  // the other sequence holds nothing yet
  cache.truncate(0, 5);              // a speculative rollback gives the bytes back
  CHECK(cache.bytes_used(0) == 5 * per_position);
}
