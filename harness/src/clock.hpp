// The harness's one clock: steady_clock in nanoseconds since its epoch (monotonic).
#pragma once

#include <chrono>
#include <cstdint>

namespace edubench::harness {

inline int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace edubench::harness
