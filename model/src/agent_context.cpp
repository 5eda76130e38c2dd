#include <edubench/model/agent_context.hpp>
#include <edubench/model/tokenizer.hpp>

#include <chrono>

namespace edubench::model {

AgentContext::AgentContext(Gpt& gpt, KvCache& cache, std::string_view start)
    : gpt_(gpt), cache_(cache), tokens_(encode_bytes(start)) {
  cache_.truncate(0, 0);
}

void AgentContext::append(std::string_view text) {
  auto t = encode_bytes(text);
  tokens_.insert(tokens_.end(), t.begin(), t.end());
}

void AgentContext::drop_cache() {
  cache_.truncate(0, 0);
  cached_ = 0;
}

AgentContext::Step AgentContext::generate(int64_t budget, const std::function<bool(const std::string&)>& stop) {
  Step s;
  const auto t0 = std::chrono::steady_clock::now();
  s.prefilled = size() - cached_;
  while (s.generated < budget && room() > 0 && size() > cached_) {
    auto in = torch::from_blob(tokens_.data() + cached_, {size() - cached_}, torch::kLong);
    torch::Tensor logits = gpt_->forward_cached(in, cache_, 0);
    cached_ = size();
    const int32_t next = argmax_token(logits[-1]);
    tokens_.push_back(next);
    s.text += static_cast<char>(next);
    ++s.generated;
    if (stop(s.text)) {
      s.stopped = true;
      break;
    }
  }
  s.model_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return s;
}

}  // namespace edubench::model
