// Decoding loops over the GPT, shared by the plugins, the reference-output tool, the tests and
// the benchmarks: greedy generation with or without the KV cache, and lossless speculative
// decoding (a draft GPT or prompt lookup proposes, the target verifies in one pass).
#pragma once

#include <edubench/model/fast_decode.hpp>
#include <edubench/model/gpt.hpp>

#include <functional>
#include <optional>
#include <vector>

namespace edubench::model {

// Receives tokens as they are produced (one, or a burst of accepted drafts).
using TokenSink = std::function<void(const int32_t* tokens, size_t n)>;

// How greedy_generate computes a step.
enum class Decode {
  uncached,  // the whole prefix again at every step (the O(N^2) baseline); the cache is unused
  torch,     // LibTorch prefill, then LibTorch one token per step into the KV cache (the oracle)
  fast,      // LibTorch prefill, then FastDecoder steps into the same KV cache
};

// Greedy continuation of `prompt` by `max_new` tokens; cached ways use row 0 of `cache`
// (reset first). Call under c10::InferenceMode.
std::vector<int32_t> greedy_generate(Gpt& m, KvCache& cache, const std::vector<int64_t>& prompt, int64_t max_new,
                                     Decode how, const TokenSink& sink = {});

// Prompt lookup: the tokens that followed the latest earlier occurrence of the context's last
// n tokens (n = max_n down to 1), at most `gamma` of them; empty when nothing matches.
std::vector<int64_t> ngram_draft(const std::vector<int64_t>& ctx, int64_t gamma, int64_t max_n = 3);

struct SpecStats {
  int64_t drafted = 0;        // tokens proposed
  int64_t accepted = 0;       // of those, equal to the target's greedy choice
  int64_t target_passes = 0;  // target forward passes, prefill included
  int64_t draft_passes = 0;   // draft model forward passes, prefill included
  // By position in the draft (0 = the first drafted token): how many drafts reached it and how
  // many were accepted there. Acceptance falls with position; that is what bounds a useful gamma.
  std::vector<int64_t> drafted_at, accepted_at;

  SpecStats& operator+=(const SpecStats& o);  // sums, position by position
};

// Where a SpeculativeDecoder's time went: wall-clock seconds summed over its calls since it was
// made or reset. `other` is what the rounds spent outside the passes (choosing, rolling back,
// emitting): the cost the speedup formula does not count.
struct SpecSeconds {
  double target_prefill = 0;  // start(): the prompt through the target (LibTorch)
  double draft_prefill = 0;   // the draft's prompt and its window re-prefills (LibTorch)
  double draft_steps = 0;     // fast draft passes that propose tokens
  double draft_feed = 0;      // fast draft passes over a fully accepted round's last draft
  double verify = 0;          // fast target passes over x and the drafts
  double other = 0;
  double passes() const { return draft_prefill + draft_steps + draft_feed + verify; }  // those a round times
  double total() const { return target_prefill + passes() + other; }
};

// Draft-and-verify decoding whose output equals the target's greedy output, for up to `rows`
// sequences at once. Both caches are allocated once (block_size long, `rows` rows) and rolled
// back by length after each verification. Prefills run on LibTorch, one row at a time; draft
// steps and verification passes take the fast path over every active row together: one draft
// pass per draft position, one target pass for all rows' gamma + 1 tokens. Rows accept
// different numbers of drafts and each rolls back to its own length. A draft whose context is
// shorter than the target's drafts from a window of the latest tokens.
class SpeculativeDecoder {
 public:
  // `draft` null: the n-gram (prompt lookup) drafter.
  SpeculativeDecoder(Gpt target, Gpt draft, int64_t gamma, int64_t rows = 1);
  int64_t context() const { return target_->config().block_size; }
  int64_t rows() const { return static_cast<int64_t>(rows_.size()); }

  // One sequence alone (row 0). Call under c10::InferenceMode. Throws std::length_error when
  // prompt + max_new exceeds the context.
  std::vector<int32_t> generate(const std::vector<int64_t>& prompt, int64_t max_new, SpecStats& stats,
                                const TokenSink& sink = {});

  // Continuous batching: start() prefills a free row and emits its first token; round() runs
  // one draft-and-verify round over every active row, emitting each row's burst to its sink.
  // A row is active until it has produced max_new tokens. Same InferenceMode and throws as generate().
  void start(int64_t row, const std::vector<int64_t>& prompt, int64_t max_new, TokenSink sink);
  void round();
  bool active(int64_t row) const { return rows_[static_cast<size_t>(row)].active; }
  bool any_active() const;
  const SpecStats& stats(int64_t row) const { return rows_[static_cast<size_t>(row)].stats; }
  const std::vector<int32_t>& output(int64_t row) const { return rows_[static_cast<size_t>(row)].out; }
  // A row stops drafting for the round after a draft token the draft model gave less than this
  // probability (0, the default: always gamma tokens). Output unchanged (lossless either way);
  // fewer verification rows where the draft is unsure. The draft model only: throws
  // std::invalid_argument for p outside [0, 1), or p > 0 without a draft model.
  void set_draft_confidence(double p);
  const SpecSeconds& seconds() const { return seconds_; }
  void reset_seconds() { seconds_ = {}; }

 private:
  struct Row {
    bool active = false;
    int64_t max_new = 0;
    std::vector<int64_t> ctx;  // every token so far; the last one is in neither cache yet
    std::vector<int32_t> out;
    int64_t dropped = 0;  // the draft cache holds ctx[dropped ..]
    std::vector<int64_t> draft;
    SpecStats stats;
    TokenSink sink;
  };
  void emit(Row& r, const std::vector<int32_t>& burst);
  void draft_prefill(int64_t row, int64_t from, int64_t to);
  int64_t draft_length(int64_t row) const;
  void draft_all(const std::vector<int64_t>& active);
  void round_untimed();

  Gpt target_, draft_;
  int64_t gamma_;
  KvCache tc_;
  std::optional<KvCache> dc_;
  FastDecoder tfast_;
  std::optional<FastDecoder> dfast_;
  std::vector<Row> rows_;
  SpecSeconds seconds_;
  double draft_confidence_ = 0;
};

}  // namespace edubench::model
