// The load generator's random numbers: splitmix64, a tiny, well-known, seedable generator whose
// sequence is the same everywhere, so a schedule or a sample pick is reproducible from the
// registry's seed on any machine and standard library (std::*_distribution are not).
#pragma once

#include <cstdint>

namespace edubench::harness {

inline uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

inline double uniform01(uint64_t& state) {  // in (0, 1]
  return (static_cast<double>(splitmix64(state) >> 11) + 1.0) * (1.0 / 9007199254740992.0);
}

}  // namespace edubench::harness
