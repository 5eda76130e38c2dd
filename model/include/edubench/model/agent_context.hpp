// The growing context of one agent query on one KV cache row: tokens the model wrote, text the
// agent appended (observations, verdicts), and how much of it the cache already holds. Only
// the tail the cache lacks is fed to the model, unless the caller drops the cache first (the
// re-prefill baseline).
#pragma once

#include <edubench/model/gpt.hpp>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace edubench::model {

class AgentContext {
 public:
  AgentContext(Gpt& gpt, KvCache& cache, std::string_view start);

  void append(std::string_view text);  // not fed to the model until the next generate
  void drop_cache();                   // the next generate re-prefills the whole context

  struct Step {
    std::string text;        // what the model generated
    int64_t prefilled = 0;   // tokens fed before the first new one: the part the cache lacked
    int64_t generated = 0;
    double model_ms = 0;
    bool stopped = false;    // `stop` said so (else the budget or the context ran out)
  };
  // Greedy tokens until `stop(text so far)` is true, `budget` tokens or the model's context.
  Step generate(int64_t budget, const std::function<bool(const std::string&)>& stop);

  int64_t size() const { return static_cast<int64_t>(tokens_.size()); }
  int64_t room() const { return gpt_->config().block_size - size(); }
  int64_t kv_bytes() const { return cache_.bytes_used(0); }

 private:
  Gpt& gpt_;
  KvCache& cache_;
  std::vector<int64_t> tokens_;
  int64_t cached_ = 0;
};

}  // namespace edubench::model
