// A futex-backed event counter: completions bump it from any thread at millions per second
// (a syscall only when someone sleeps), and the load generator waits on it with a timeout,
// which std::atomic::wait cannot do.
#pragma once

#include <atomic>
#include <cstdint>

namespace edubench::harness {

class Waiter {
 public:
  // Wakes sleepers; called after the state change they wait for is visible.
  void notify();
  // Sleeps until the counter differs from `seen` or `timeout_ns` passes (spurious wake-ups
  // allowed: callers re-check their condition).
  void wait(uint32_t seen, int64_t timeout_ns);
  uint32_t value() const { return seq_.load(std::memory_order_acquire); }

 private:
  std::atomic<uint32_t> seq_{0};
  std::atomic<int32_t> sleepers_{0};
};

}  // namespace edubench::harness
