// Greedy and speculative decoding loops.
#include <edubench/model/generate.hpp>

#include <algorithm>
#include <functional>
#include <optional>
#include <stdexcept>

namespace edubench::model {
namespace {

torch::Tensor as_tensor(const std::vector<int64_t>& t) { return torch::tensor(t, torch::kLong); }
torch::Tensor one(int64_t t) { return torch::tensor({t}, torch::kLong); }

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

SpeculativeDecoder::SpeculativeDecoder(Gpt target, Gpt draft, int64_t gamma)
    : target_(std::move(target)), draft_(std::move(draft)), gamma_(gamma),
      tc_(target_->config(), 1, target_->config().block_size), tfast_(target_, std::max<int64_t>(1, gamma + 1)) {
  if (gamma_ < 1) throw std::invalid_argument("gamma must be at least 1");
  if (draft_) {
    if (draft_->config().vocab_size != target_->config().vocab_size)
      throw std::invalid_argument("the draft and target models have different vocabularies");
    // A draft with a shorter context than the target's drafts from a window of the latest
    // tokens (generate() slides it); its cache never holds more than its own context.
    dc_.emplace(draft_->config(), 1, std::min(draft_->config().block_size, target_->config().block_size));
    dfast_.emplace(draft_);
  }
}

std::vector<int32_t> SpeculativeDecoder::generate(const std::vector<int64_t>& prompt, int64_t max_new, SpecStats& st,
                                                  const TokenSink& sink) {
  check_fits(target_, prompt.size(), max_new);
  std::vector<int32_t> out;
  if (max_new == 0) return out;
  auto emit = [&](const std::vector<int32_t>& burst) {
    out.insert(out.end(), burst.begin(), burst.end());
    if (sink) sink(burst.data(), burst.size());
  };
  tc_.truncate(0, 0);
  auto logits = target_->forward_cached(as_tensor(prompt), tc_, 0);
  ++st.target_passes;
  std::vector<int64_t> ctx = prompt;  // every emitted token; the last one is in neither cache yet
  // The draft cache holds ctx[dropped ..]: a draft whose context is shorter than the target's
  // is re-prefilled with the latest half of its context when a round would overflow it.
  int64_t dropped = 0;
  auto draft_prefill = [&](int64_t from, int64_t to) {
    dropped = from;
    dc_->truncate(0, 0);
    draft_->forward_cached(as_tensor(std::vector<int64_t>(ctx.begin() + from, ctx.begin() + to)), *dc_, 0);
    ++st.draft_passes;
  };
  if (dc_) {
    const int64_t window = dc_->max_ctx();
    const int64_t n = static_cast<int64_t>(prompt.size());
    draft_prefill(n > window / 2 ? n - window / 2 : 0, n);
  }
  int32_t x = argmax_token(logits[-1]);
  emit({x});
  ctx.push_back(x);
  while (static_cast<int64_t>(out.size()) < max_new) {
    const int64_t L = tc_.length(0);  // == ctx.size() - 1
    const int64_t room = max_new - static_cast<int64_t>(out.size());
    // room - 1 drafts, all accepted, plus the target's own token fill the request exactly.
    int64_t g = std::min({gamma_, room - 1, context() - L - 1});
    if (dc_) g = std::min(g, dc_->max_ctx() - dc_->max_ctx() / 2 - 1);  // a round fits a fresh window
    std::vector<int64_t> draft;
    if (g > 0 && dc_) {
      // This round needs room for x, g - 1 drafts and the target's token after them.
      // A cache that missed a token (it was full when the last round ended) is refilled too.
      if (L + 1 + g - dropped > dc_->max_ctx() || dc_->length(0) != L - dropped)
        draft_prefill(std::max<int64_t>(0, L - dc_->max_ctx() / 2), L);
      int64_t t = x;
      for (int64_t i = 0; i < g; ++i) {
        t = argmax_token(dfast_->step(t, *dc_, 0), dfast_->vocab());
        ++st.draft_passes;
        draft.push_back(t);
      }
    } else if (g > 0) {
      draft = ngram_draft(ctx, g);
    }
    // verify[i] sits at position L + i; the target's logits at i predict position L + i + 1.
    std::vector<int64_t> verify = {x};
    verify.insert(verify.end(), draft.begin(), draft.end());
    // Logits row i of the verification pass, as a greedy token.
    // One fast pass over all of verify (every weight read once: the reason speculation pays
    // when a step is bound by memory bandwidth).
    const std::vector<int64_t> same_row(verify.size(), 0);
    const float* vl = tfast_.step(verify.data(), same_row.data(), static_cast<int64_t>(verify.size()), tc_);
    auto choice = [&](size_t i) { return argmax_token(vl + static_cast<int64_t>(i) * tfast_.vocab(), tfast_.vocab()); };
    ++st.target_passes;
    size_t a = 0;
    while (a < draft.size() && choice(a) == draft[a]) ++a;
    const int32_t next = choice(a);  // the target's own token
    st.drafted += static_cast<int64_t>(draft.size());
    st.accepted += static_cast<int64_t>(a);
    if (st.drafted_at.size() < draft.size()) st.drafted_at.resize(draft.size()), st.accepted_at.resize(draft.size());
    for (size_t i = 0; i < draft.size(); ++i) ++st.drafted_at[i], st.accepted_at[i] += i < a;
    // Both caches keep verify[0..a]: a length change for the target; the draft cache holds
    // verify[0..len(draft)-1], so it is cut back, or fed the one token it has not seen.
    tc_.truncate(0, L + 1 + static_cast<int64_t>(a));
    if (dc_) {
      const int64_t keep = L + 1 + static_cast<int64_t>(a) - dropped;
      if (dc_->length(0) >= keep) {
        dc_->truncate(0, keep);
      } else if (dc_->length(0) < dc_->max_ctx()) {
        dfast_->step(verify[a], *dc_, 0);
        ++st.draft_passes;
      }
    }
    std::vector<int32_t> burst(draft.begin(), draft.begin() + static_cast<int64_t>(a));
    burst.push_back(next);
    emit(burst);
    ctx.insert(ctx.end(), burst.begin(), burst.end());
    x = next;
  }
  return out;
}

}  // namespace edubench::model
