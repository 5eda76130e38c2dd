// The queue between an agent SUT's issue() (harness thread, must not block) and its worker
// threads: each query's text copied out of the harness's memory. No torch here.
#pragma once

#include <edubench/sut_api.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

namespace edubench::model {

struct AgentTask {
  uint64_t id = 0;
  std::string text;  // the question or the task
};

class AgentTaskQueue {
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
    {
      std::lock_guard<std::mutex> g(mu_);
      for (auto& t : batch) q_.push_back(std::move(t));
    }
    cv_.notify_all();
  }
  // Blocks for the next task; false once stop() was called.
  bool pop(AgentTask& out) {
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait(lk, [&] { return stop_ || !q_.empty(); });
    if (stop_) return false;
    out = std::move(q_.front());
    q_.pop_front();
    return true;
  }
  void stop() {
    {
      std::lock_guard<std::mutex> g(mu_);
      stop_ = true;
    }
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<AgentTask> q_;
  bool stop_ = false;
};

}  // namespace edubench::model
