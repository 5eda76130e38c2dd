// The lock-and-notify hand-over between a SUT's issue() (harness thread, must not block) and
// its worker threads, shared by the generation SUTs (PendingQueue) and the agents (AgentTaskQueue),
// which differ only in what they copy out of a query. No torch here.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <vector>

namespace edubench::model {

template <class T>
class HandoffQueue {
 public:
  void push_all(std::vector<T>&& batch) {
    {
      std::lock_guard<std::mutex> g(mu_);
      for (auto& t : batch) q_.push_back(std::move(t));
    }
    cv_.notify_all();
  }
  // Blocks for the next item; false once stop() was called.
  bool pop(T& out) {
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait(lk, [&] { return stop_ || !q_.empty(); });
    if (stop_) return false;
    out = std::move(q_.front());
    q_.pop_front();
    return true;
  }
  // Blocks until an item is queued, `busy` is true (the worker has work of its own) or stop()
  // was called; returns false on stop.
  bool wait(bool busy) {
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait(lk, [&] { return stop_ || busy || !q_.empty(); });
    return !stop_;
  }
  bool try_pop(T& out) {
    std::lock_guard<std::mutex> g(mu_);
    if (q_.empty()) return false;
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
  std::deque<T> q_;
  bool stop_ = false;
};

}  // namespace edubench::model
