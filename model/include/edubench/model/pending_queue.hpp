// The queue between a SUT's issue() (harness thread, must not block) and its worker thread:
// queries are copied out of the harness's memory, checked against the model's context, and
// handed over under a lock.
#pragma once

#include <edubench/sut_api.h>

#include "handoff_queue.hpp"

#include <cstdint>
#include <stdexcept>
#include <vector>

namespace edubench::model {

struct Pending {
  uint64_t id = 0;
  std::vector<int64_t> prompt;
  uint32_t max_new = 0;
};

class PendingQueue : public HandoffQueue<Pending> {
 public:
  // Copies n queries; throws std::invalid_argument (-> EDU_ERR_INVALID_ARGUMENT) for a query
  // without prompt tokens or one whose prompt + max_new_tokens + `extra` exceeds `context`.
  void push(const edu_query* q, size_t n, int64_t context, int64_t extra = 0) {
    std::vector<Pending> batch;
    batch.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      const edu_sample* s = q[i].sample;
      if (!s->tokens || s->n_tokens == 0) throw std::invalid_argument("query without prompt tokens");
      if (static_cast<int64_t>(s->n_tokens + s->max_new_tokens) + extra > context)
        throw std::invalid_argument("prompt + max_new_tokens exceeds the model's context");
      batch.push_back({q[i].id, std::vector<int64_t>(s->tokens, s->tokens + s->n_tokens), s->max_new_tokens});
    }
    push_all(std::move(batch));
  }
};

}  // namespace edubench::model
