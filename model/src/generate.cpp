// Greedy and speculative decoding loops.
#include <edubench/model/generate.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <optional>
#include <stdexcept>
#include <utility>

namespace edubench::model {
namespace {

torch::Tensor as_tensor(const std::vector<int64_t>& t) { return torch::tensor(t, torch::kLong); }
torch::Tensor one(int64_t t) { return torch::tensor({t}, torch::kLong); }

// Adds the seconds since it was made to `into` when it goes out of scope.
class AddSeconds {
 public:
  explicit AddSeconds(double& into) : into_(into), t0_(std::chrono::steady_clock::now()) {}
  ~AddSeconds() { into_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count(); }
  AddSeconds(const AddSeconds&) = delete;
  AddSeconds& operator=(const AddSeconds&) = delete;

 private:
  double& into_;
  std::chrono::steady_clock::time_point t0_;
};

// The softmax probability of the largest of n logits.
double top_probability(const float* logits, int64_t n) {
  const float mx = *std::max_element(logits, logits + n);
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) sum += std::exp(static_cast<double>(logits[i] - mx));
  return 1.0 / sum;
}

void check_fits(const Gpt& m, size_t prompt, int64_t max_new) {
  if (prompt == 0) throw std::invalid_argument("empty prompt");
  if (max_new < 0 || static_cast<int64_t>(prompt) + max_new > m->config().block_size)
    throw std::length_error("prompt (" + std::to_string(prompt) + ") + max_new_tokens (" + std::to_string(max_new) +
                            ") exceeds the model's context of " + std::to_string(m->config().block_size));
}

}  // namespace

std::vector<int32_t> greedy_generate(Gpt& m, KvCache& cache, const std::vector<int64_t>& prompt, int64_t max_new,
                                     Decode how, const TokenSink& sink) {
  check_fits(m, prompt.size(), max_new);
  std::vector<int32_t> out;
  std::vector<int64_t> ctx = prompt;
  if (how != Decode::uncached) cache.truncate(0, 0);
  std::optional<FastDecoder> fast;
  if (how == Decode::fast && max_new > 1) fast.emplace(m);
  for (int64_t i = 0; i < max_new; ++i) {
    int32_t t;
    if (how == Decode::uncached)
      t = argmax_token(m->forward(as_tensor(ctx).unsqueeze(0))[0][-1]);
    else if (i == 0)
      t = argmax_token(m->forward_cached(as_tensor(prompt), cache, 0)[-1]);
    else if (how == Decode::torch)
      t = argmax_token(m->forward_cached(one(out.back()), cache, 0)[-1]);
    else
      t = argmax_token(fast->step(out.back(), cache, 0), fast->vocab());
    out.push_back(t);
    ctx.push_back(t);
    if (sink) sink(&out.back(), 1);
  }
  return out;
}

std::vector<int64_t> ngram_draft(const std::vector<int64_t>& ctx, int64_t gamma, int64_t max_n) {
  const int64_t L = static_cast<int64_t>(ctx.size());
  for (int64_t n = max_n; n >= 1; --n) {
    if (L <= n) continue;
    for (int64_t s = L - n - 1; s >= 0; --s) {
      if (!std::equal(ctx.begin() + s, ctx.begin() + s + n, ctx.end() - n)) continue;
      return std::vector<int64_t>(ctx.begin() + s + n, ctx.begin() + std::min(L, s + n + gamma));
    }
  }
  return {};
}

SpeculativeDecoder::SpeculativeDecoder(Gpt target, Gpt draft, int64_t gamma, int64_t rows)
    : target_(std::move(target)), draft_(std::move(draft)), gamma_(gamma),
      tc_(target_->config(), std::max<int64_t>(1, rows), target_->config().block_size),
      tfast_(target_, std::max<int64_t>(1, rows) * (std::max<int64_t>(1, gamma) + 1)) {
  if (gamma_ < 1) throw std::invalid_argument("gamma must be at least 1");
  if (rows < 1) throw std::invalid_argument("rows must be at least 1");
  rows_.resize(static_cast<size_t>(rows));
  if (draft_) {
    if (draft_->config().vocab_size != target_->config().vocab_size)
      throw std::invalid_argument("the draft and target models have different vocabularies");
    // A draft with a shorter context than the target's drafts from a window of the latest
    // tokens (round() slides it); its cache never holds more than its own context.
    dc_.emplace(draft_->config(), rows, std::min(draft_->config().block_size, target_->config().block_size));
    dfast_.emplace(draft_, rows);
  }
}

void SpeculativeDecoder::set_draft_confidence(double p) {
  if (!(p >= 0 && p < 1)) throw std::invalid_argument("draft confidence: expected a probability in [0, 1)");
  if (p > 0 && !draft_) throw std::invalid_argument("draft confidence: needs a draft model (prompt lookup has no probabilities)");
  draft_confidence_ = p;
}

SpecStats& SpecStats::operator+=(const SpecStats& o) {
  drafted += o.drafted;
  accepted += o.accepted;
  target_passes += o.target_passes;
  draft_passes += o.draft_passes;
  if (drafted_at.size() < o.drafted_at.size()) drafted_at.resize(o.drafted_at.size()), accepted_at.resize(o.drafted_at.size());
  for (size_t k = 0; k < o.drafted_at.size(); ++k) drafted_at[k] += o.drafted_at[k], accepted_at[k] += o.accepted_at[k];
  return *this;
}

bool SpeculativeDecoder::any_active() const {
  return std::any_of(rows_.begin(), rows_.end(), [](const Row& r) { return r.active; });
}

void SpeculativeDecoder::emit(Row& r, const std::vector<int32_t>& burst) {
  r.out.insert(r.out.end(), burst.begin(), burst.end());
  r.ctx.insert(r.ctx.end(), burst.begin(), burst.end());
  if (r.sink) r.sink(burst.data(), burst.size());
  if (static_cast<int64_t>(r.out.size()) >= r.max_new) r.active = false;
}

// The draft cache of `row` re-prefilled with ctx[from, to): the latest half of its window when
// a round would overflow it.
void SpeculativeDecoder::draft_prefill(int64_t row, int64_t from, int64_t to) {
  AddSeconds timed(seconds_.draft_prefill);
  Row& r = rows_[static_cast<size_t>(row)];
  r.dropped = from;
  dc_->truncate(row, 0);
  draft_->forward_cached(as_tensor(std::vector<int64_t>(r.ctx.begin() + from, r.ctx.begin() + to)), *dc_, row);
  ++r.stats.draft_passes;
}

void SpeculativeDecoder::start(int64_t row, const std::vector<int64_t>& prompt, int64_t max_new, TokenSink sink) {
  check_fits(target_, prompt.size(), max_new);
  Row& r = rows_.at(static_cast<size_t>(row));
  r = Row{};
  r.max_new = max_new;
  r.ctx = prompt;
  r.sink = std::move(sink);
  if (max_new == 0) return;
  r.active = true;
  tc_.truncate(row, 0);
  torch::Tensor logits;
  {
    AddSeconds timed(seconds_.target_prefill);
    logits = target_->forward_cached(as_tensor(prompt), tc_, row);
  }
  ++r.stats.target_passes;
  if (dc_) {
    const int64_t window = dc_->max_ctx();
    const int64_t n = static_cast<int64_t>(prompt.size());
    draft_prefill(row, n > window / 2 ? n - window / 2 : 0, n);
  }
  emit(r, {argmax_token(logits[-1])});
}

// How many tokens `row` drafts this round.
int64_t SpeculativeDecoder::draft_length(int64_t row) const {
  const Row& r = rows_[static_cast<size_t>(row)];
  const int64_t L = tc_.length(row);  // == ctx.size() - 1
  const int64_t room = r.max_new - static_cast<int64_t>(r.out.size());
  // room - 1 drafts, all accepted, plus the target's own token fill the request exactly.
  int64_t g = std::min({gamma_, room - 1, context() - L - 1});
  if (dc_) g = std::min(g, dc_->max_ctx() - dc_->max_ctx() / 2 - 1);  // a round fits a fresh window
  return std::max<int64_t>(0, g);
}

// Every active row's drafts: one batched draft-model pass per draft position (rows that draft
// fewer tokens drop out), or prompt lookup.
void SpeculativeDecoder::draft_all(const std::vector<int64_t>& active) {
  std::vector<int64_t> want(active.size());
  int64_t longest = 0;
  for (size_t i = 0; i < active.size(); ++i) {
    const int64_t row = active[i];
    Row& r = rows_[static_cast<size_t>(row)];
    r.draft.clear();
    want[i] = draft_length(row);
    longest = std::max(longest, want[i]);
    if (want[i] == 0) continue;
    if (!dc_) {
      r.draft = ngram_draft(r.ctx, want[i]);
      continue;
    }
    // This round needs room for x, g - 1 drafts and the target's token after them. A cache
    // that missed a token (it was full when the last round ended) is refilled too.
    const int64_t L = tc_.length(row);
    if (L + 1 + want[i] - r.dropped > dc_->max_ctx() || dc_->length(row) != L - r.dropped)
      draft_prefill(row, std::max<int64_t>(0, L - dc_->max_ctx() / 2), L);
  }
  if (!dc_) return;
  std::vector<int64_t> tokens, rows;
  std::vector<size_t> which;  // index into active of each row in this step
  for (int64_t k = 0; k < longest; ++k) {
    tokens.clear();
    rows.clear();
    which.clear();
    for (size_t i = 0; i < active.size(); ++i) {
      if (want[i] <= k) continue;
      const Row& r = rows_[static_cast<size_t>(active[i])];
      tokens.push_back(k == 0 ? r.ctx.back() : r.draft.back());
      rows.push_back(active[i]);
      which.push_back(i);
    }
    if (rows.empty()) break;
    const float* logits;
    {
      AddSeconds timed(seconds_.draft_steps);
      logits = dfast_->step(tokens.data(), rows.data(), static_cast<int64_t>(rows.size()), *dc_);
    }
    for (size_t j = 0; j < rows.size(); ++j) {
      Row& r = rows_[static_cast<size_t>(rows[j])];
      const float* lj = logits + static_cast<int64_t>(j) * dfast_->vocab();
      r.draft.push_back(argmax_token(lj, dfast_->vocab()));
      ++r.stats.draft_passes;
      if (draft_confidence_ > 0 && top_probability(lj, dfast_->vocab()) < draft_confidence_) want[which[j]] = k + 1;
    }
  }
}

void SpeculativeDecoder::round() {
  // `other` = the round's time less the passes timed inside it.
  const double passes_before = seconds_.passes();
  double whole = 0;
  {
    AddSeconds timed(whole);
    round_untimed();
  }
  seconds_.other += whole - (seconds_.passes() - passes_before);
}

void SpeculativeDecoder::round_untimed() {
  std::vector<int64_t> active;
  for (size_t i = 0; i < rows_.size(); ++i)
    if (rows_[i].active) active.push_back(static_cast<int64_t>(i));
  if (active.empty()) return;
  draft_all(active);
  // One fast pass over every row's [x, drafts...]: each weight read once for all of them (the
  // reason speculation pays when a step is bound by memory bandwidth). A row's tokens take
  // consecutive positions from L; its logits at i predict position L + i + 1.
  std::vector<int64_t> tokens, rows;
  std::vector<size_t> first(active.size());
  std::vector<int64_t> before(active.size());
  for (size_t i = 0; i < active.size(); ++i) {
    const Row& r = rows_[static_cast<size_t>(active[i])];
    first[i] = tokens.size();
    before[i] = tc_.length(active[i]);
    tokens.push_back(r.ctx.back());
    tokens.insert(tokens.end(), r.draft.begin(), r.draft.end());
    rows.insert(rows.end(), r.draft.size() + 1, active[i]);
  }
  const float* vl;
  {
    AddSeconds timed(seconds_.verify);
    vl = tfast_.step(tokens.data(), rows.data(), static_cast<int64_t>(tokens.size()), tc_);
  }
  auto choice = [&](size_t i) { return argmax_token(vl + static_cast<int64_t>(i) * tfast_.vocab(), tfast_.vocab()); };
  std::vector<int64_t> feed_tokens, feed_rows;  // draft caches one token short
  for (size_t i = 0; i < active.size(); ++i) {
    const int64_t row = active[i];
    Row& r = rows_[static_cast<size_t>(row)];
    SpecStats& st = r.stats;
    ++st.target_passes;
    size_t a = 0;
    while (a < r.draft.size() && choice(first[i] + a) == r.draft[a]) ++a;
    const int32_t next = choice(first[i] + a);  // the target's own token
    st.drafted += static_cast<int64_t>(r.draft.size());
    st.accepted += static_cast<int64_t>(a);
    if (st.drafted_at.size() < r.draft.size()) st.drafted_at.resize(r.draft.size()), st.accepted_at.resize(r.draft.size());
    for (size_t k = 0; k < r.draft.size(); ++k) ++st.drafted_at[k], st.accepted_at[k] += k < a;
    // Both caches keep [x, drafts[0..a)): a length change for the target; the draft cache holds
    // x and drafts[0..len-2], so it is cut back, or fed the one token it has not seen.
    const int64_t L = before[i];
    tc_.truncate(row, L + 1 + static_cast<int64_t>(a));
    if (dc_) {
      const int64_t keep = L + 1 + static_cast<int64_t>(a) - r.dropped;
      if (dc_->length(row) >= keep) {
        dc_->truncate(row, keep);
      } else if (dc_->length(row) < dc_->max_ctx()) {
        feed_tokens.push_back(a == 0 ? r.ctx.back() : r.draft[a - 1]);
        feed_rows.push_back(row);
        ++st.draft_passes;
      }
    }
    std::vector<int32_t> burst(r.draft.begin(), r.draft.begin() + static_cast<int64_t>(a));
    burst.push_back(next);
    emit(r, burst);
  }
  if (!feed_rows.empty()) {
    AddSeconds timed(seconds_.draft_feed);
    dfast_->step(feed_tokens.data(), feed_rows.data(), static_cast<int64_t>(feed_rows.size()), *dc_);
  }
}

std::vector<int32_t> SpeculativeDecoder::generate(const std::vector<int64_t>& prompt, int64_t max_new, SpecStats& st,
                                                  const TokenSink& sink) {
  start(0, prompt, max_new, sink);
  while (active(0)) round();
  st += rows_[0].stats;  // added, as before rows existed: callers sum over many prompts
  return rows_[0].out;
}

}  // namespace edubench::model
