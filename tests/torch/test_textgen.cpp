// The shipped textgen models on real test-split prompts: KV-cached, uncached and speculative
// greedy decoding (draft model and n-gram drafter) give the same tokens, and those are the
// registry's reference tokens.
#include <edubench/model/generate.hpp>
#include <edubench/model/tokenizer.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <fstream>

using namespace edubench::model;

namespace {

const std::string kDir = EDUBENCH_SOURCE_DIR;
constexpr int64_t kNew = 48;  // enough for several speculative rounds, still fast

struct Case {
  std::vector<int64_t> prompt;
  std::vector<int32_t> reference;  // the first kNew reference tokens
};

std::vector<Case> cases(size_t n) {
  std::ifstream f(kDir + "/data/textgen/kv_cache_prompts.jsonl");
  REQUIRE(f);
  std::vector<Case> out;
  for (std::string line; out.size() < n && std::getline(f, line);) {
    auto j = nlohmann::json::parse(line);
    auto ref = j.at("reference_tokens").get<std::vector<int32_t>>();
    REQUIRE(ref.size() >= static_cast<size_t>(kNew));
    out.push_back({encode_bytes(j.at("prompt").get<std::string>()), {ref.begin(), ref.begin() + kNew}});
  }
  return out;
}

Gpt& target() {
  static Gpt m = load_gpt(kDir + "/models/textgen/config.json", kDir + "/models/textgen/model.safetensors");
  return m;
}
Gpt& draft() {
  static Gpt m = load_gpt(kDir + "/models/textgen_draft/config.json", kDir + "/models/textgen_draft/model.safetensors");
  return m;
}

}  // namespace

TEST_CASE("cached and uncached greedy decoding reproduce the registry's references") {
  set_threads(1);
  c10::InferenceMode g;
  KvCache cache(target()->config(), 1, target()->config().block_size);
  for (const auto& c : cases(3)) {
    CHECK(greedy_generate(target(), cache, c.prompt, kNew, Decode::torch) == c.reference);
    CHECK(greedy_generate(target(), cache, c.prompt, kNew, Decode::uncached) == c.reference);
  }
}

TEST_CASE("speculative decoding with the draft model is lossless and accepts drafts") {
  set_threads(1);
  c10::InferenceMode g;
  SpeculativeDecoder dec(target(), draft(), 4);
  SpecStats st;
  for (const auto& c : cases(3)) {
    std::vector<int32_t> streamed;
    auto out = dec.generate(c.prompt, kNew, st, [&](const int32_t* t, size_t n) { streamed.insert(streamed.end(), t, t + n); });
    CHECK(out == c.reference);
    CHECK(streamed == out);
  }
  // A trained draft agrees with the target often, so verification saves target passes.
  CHECK(st.accepted > 0);
  CHECK(st.accepted <= st.drafted);
  CHECK(st.target_passes < 3 * kNew);
  // By position: the counts add up to the totals, and a draft reaches position i+1 only
  // through position i (a token after a rejected one is never accepted).
  REQUIRE(st.drafted_at.size() == 4);
  int64_t drafted = 0, accepted = 0;
  for (size_t i = 0; i < 4; ++i) {
    drafted += st.drafted_at[i];
    accepted += st.accepted_at[i];
    CHECK(st.accepted_at[i] <= st.drafted_at[i]);
    if (i) CHECK(st.accepted_at[i] <= st.accepted_at[i - 1]);
  }
  CHECK(drafted == st.drafted);
  CHECK(accepted == st.accepted);
}

TEST_CASE("speculative decoding with the n-gram drafter is lossless") {
  set_threads(1);
  c10::InferenceMode g;
  SpeculativeDecoder dec(target(), Gpt{nullptr}, 6);
  SpecStats st;
  for (const auto& c : cases(3)) CHECK(dec.generate(c.prompt, kNew, st) == c.reference);
  CHECK(st.accepted <= st.drafted);
}

TEST_CASE("the target's held-out loss is clearly below the draft's") {
  // Speculation only pays when the target is the better model: compare both on the same
  // windows of the held-out test split (committed; train and validation are regenerated).
  set_threads(1);
  c10::InferenceMode g;
  std::ifstream f(kDir + "/data/textgen/test.txt", std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(f)), {});
  REQUIRE(text.size() > 8 * 257 * 50);
  auto loss = [&](Gpt& m) {
    double sum = 0;
    for (size_t w = 0; w < 8; ++w) {
      auto x = encode_bytes(std::string_view(text).substr(w * 257 * 50, 257));
      auto t = torch::tensor(x, torch::kLong);
      auto logits = m->forward(t.narrow(0, 0, 256).unsqueeze(0))[0];
      sum += torch::nn::functional::cross_entropy(logits, t.narrow(0, 1, 256)).item<double>();
    }
    return sum / 8;
  };
  CHECK(loss(target()) < loss(draft()) - 0.1);
}
