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

TEST_CASE("batched speculative decoding: rows joining at different rounds, each lossless, accepting different lengths") {
  set_threads(1);
  c10::InferenceMode g;
  auto cs = cases(5);
  for (bool model_draft : {true, false}) {
    CAPTURE(model_draft);
    SpeculativeDecoder dec(target(), model_draft ? draft() : Gpt{nullptr}, 4, 3);
    // Rows 0 and 1 start together; row 2 joins two rounds later with a shorter request; when
    // row 2 finishes, a fourth prompt takes its row while the others are still in flight.
    std::vector<std::vector<int32_t>> streamed(4);
    auto sink = [&](size_t i) { return [&streamed, i](const int32_t* t, size_t n) { streamed[i].insert(streamed[i].end(), t, t + n); }; };
    dec.start(0, cs[0].prompt, kNew, sink(0));
    dec.start(1, cs[1].prompt, kNew, sink(1));
    std::vector<std::vector<int64_t>> accepted_per_round;  // per round, each row's accepted count
    std::vector<int32_t> outs[4];
    int rounds = 0;
    bool refilled = false;
    while (dec.any_active()) {
      if (rounds == 2) dec.start(2, cs[2].prompt, 20, sink(2));
      std::vector<int64_t> before = {dec.stats(0).accepted, dec.stats(1).accepted};
      dec.round();
      ++rounds;
      accepted_per_round.push_back({dec.stats(0).accepted - before[0], dec.stats(1).accepted - before[1]});
      if (rounds > 2 && !refilled && !dec.active(2)) {
        outs[2] = dec.output(2);
        dec.start(2, cs[3].prompt, kNew, sink(3));
        refilled = true;
      }
    }
    REQUIRE(refilled);
    CHECK(dec.output(0) == cs[0].reference);
    CHECK(dec.output(1) == cs[1].reference);
    CHECK(outs[2] == std::vector<int32_t>(cs[2].reference.begin(), cs[2].reference.begin() + 20));
    CHECK(dec.output(2) == cs[3].reference);
    for (size_t i = 0; i < 4; ++i) CHECK(streamed[i] == (i == 2 ? outs[2] : dec.output(i == 3 ? 2 : static_cast<int64_t>(i))));
    // Rows in one verification pass take different numbers of drafts (what the cache rollback
    // per row is for); with the model draft, some round shows it.
    if (model_draft) {
      bool differ = false;
      for (const auto& a : accepted_per_round) differ = differ || a[0] != a[1];
      CHECK(differ);
      CHECK(dec.stats(0).accepted > 0);
    }
  }
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
