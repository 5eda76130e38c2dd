// The queue between an agent SUT's issue() (harness thread, must not block) and its worker
// threads: each query's text copied out of the harness's memory. No torch here.
#pragma once

#include <edubench/sut_api.h>

#include "handoff_queue.hpp"

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace edubench::model {

struct AgentTask {
  uint64_t id = 0;
  std::string text;  // the question or the task
};

class AgentTaskQueue : public HandoffQueue<AgentTask> {
 public:
  // Throws std::invalid_argument (-> EDU_ERR_INVALID_ARGUMENT) for a query without text.
  void push(const edu_query* q, size_t n) {
    std::vector<AgentTask> batch;
    batch.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      const edu_sample* s = q[i].sample;
      if (!s->text || s->text_len == 0) throw std::invalid_argument("query " + std::to_string(q[i].id) + " has no text");
      batch.push_back({q[i].id, std::string(s->text, s->text_len)});
    }
    push_all(std::move(batch));
  }
};

}  // namespace edubench::model
