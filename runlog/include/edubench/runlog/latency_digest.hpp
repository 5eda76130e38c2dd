// The values behind one percentile figure (latency, TTFT, TPOT, ITL, issue lag), held in
// bounded memory so a run of any length has the same footprint: exact up to kExactLimit values,
// then a log-linear histogram (HDR-style) whose reported percentiles are at most 2^-10 (0.098%)
// above the true value and never below it. Count, sum, mean, min and max stay exact.
#pragma once

#include <edubench/runlog/metrics.hpp>

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

namespace edubench::runlog {

class LatencyDigest {
 public:
  // 65,536 values (512 KiB) kept exactly: every run of a real workload, and every test, gets
  // LoadGen's exact figures; only null-SUT-scale runs reach the histogram.
  static constexpr uint64_t kExactLimit = uint64_t{1} << 16;
  // Mantissa bits kept per bucket: the relative width of a bucket is 2^-kSubBits.
  static constexpr unsigned kSubBits = 10;

  LatencyDigest();
  ~LatencyDigest();
  LatencyDigest(LatencyDigest&&) noexcept;
  LatencyDigest& operator=(LatencyDigest&&) noexcept;

  void add(double v);
  uint64_t count() const { return n_; }
  bool exact() const { return !hist_; }
  // The value of 0-based rank i in sorted order (i < count()): exact, or the upper edge of its
  // histogram bucket, clamped to [min, max].
  double at_rank(uint64_t i);
  // LoadGen's rule (metrics.hpp, percentiles()): rank floor(n * q), clamped to n - 1.
  double quantile(double q);
  Percentiles summary();

 private:
  void to_histogram();
  void hist_add(double v);
  void sort_exact();

  uint64_t n_ = 0;
  double sum_ = 0, min_ = 0, max_ = 0;
  std::vector<double> exact_;
  bool sorted_ = true;
  // Buckets by the top 12 bits of the order-preserving key (sign and exponent), each a block of
  // 2^kSubBits counts allocated when first used.
  struct Histogram {
    std::array<std::unique_ptr<uint64_t[]>, 4096> blocks;
  };
  std::unique_ptr<Histogram> hist_;
};

}  // namespace edubench::runlog
