// A bounded-memory digest of one figure's values: exact while small, then log-linear buckets.
#include <edubench/runlog/latency_digest.hpp>

#include <algorithm>
#include <cstring>

namespace edubench::runlog {
namespace {

constexpr unsigned kShift = 52 - LatencyDigest::kSubBits;  // mantissa bits dropped per bucket
constexpr uint64_t kBlock = uint64_t{1} << LatencyDigest::kSubBits;

// Doubles ordered as unsigned integers: flip every bit of a negative, set the sign bit of a
// positive. Neighbouring keys are neighbouring values, so buckets by key prefix are ordered.
uint64_t order_key(double v) {
  if (v == 0) v = 0;  // -0.0 and 0.0 share a bucket
  uint64_t b;
  std::memcpy(&b, &v, sizeof b);
  return (b >> 63) ? ~b : (b | (uint64_t{1} << 63));
}

double from_key(uint64_t k) {
  const uint64_t b = (k >> 63) ? (k & ~(uint64_t{1} << 63)) : ~k;
  double v;
  std::memcpy(&v, &b, sizeof v);
  return v;
}

}  // namespace

LatencyDigest::LatencyDigest() = default;
LatencyDigest::~LatencyDigest() = default;
LatencyDigest::LatencyDigest(LatencyDigest&&) noexcept = default;
LatencyDigest& LatencyDigest::operator=(LatencyDigest&&) noexcept = default;

void LatencyDigest::add(double v) {
  min_ = n_ ? std::min(min_, v) : v;
  max_ = n_ ? std::max(max_, v) : v;
  sum_ += v;
  ++n_;
  if (hist_) return hist_add(v);
  if (sorted_ && !exact_.empty() && v < exact_.back()) sorted_ = false;
  exact_.push_back(v);
  if (exact_.size() > kExactLimit) to_histogram();
}

void LatencyDigest::hist_add(double v) {
  const uint64_t bucket = order_key(v) >> kShift;
  auto& block = hist_->blocks[bucket >> kSubBits];
  if (!block) block.reset(new uint64_t[kBlock]());
  ++block[bucket & (kBlock - 1)];
}

void LatencyDigest::to_histogram() {
  hist_ = std::make_unique<Histogram>();
  for (double v : exact_) hist_add(v);
  std::vector<double>().swap(exact_);  // give the memory back: the point of the histogram
}

void LatencyDigest::sort_exact() {
  if (!sorted_) std::sort(exact_.begin(), exact_.end());
  sorted_ = true;
}

double LatencyDigest::at_rank(uint64_t i) {
  if (n_ == 0) return 0;
  i = std::min(i, n_ - 1);
  if (!hist_) {
    sort_exact();
    return exact_[i];
  }
  uint64_t seen = 0;
  for (size_t hi = 0; hi < hist_->blocks.size(); ++hi) {
    const auto& block = hist_->blocks[hi];
    if (!block) continue;
    for (uint64_t lo = 0; lo < kBlock; ++lo) {
      seen += block[lo];
      if (seen > i) {
        // The bucket's largest value: the next bucket's first key, minus one.
        const uint64_t bucket = (static_cast<uint64_t>(hi) << kSubBits) | lo;
        const double edge = from_key(((bucket + 1) << kShift) - 1);
        return std::min(std::max(edge, min_), max_);
      }
    }
  }
  return max_;
}

double LatencyDigest::quantile(double q) {
  if (n_ == 0) return 0;
  return at_rank(static_cast<uint64_t>(static_cast<double>(n_) * q));
}

Percentiles LatencyDigest::summary() {
  if (!hist_) {
    sort_exact();
    return percentiles(exact_);  // the exact rule, as for any vector of values
  }
  Percentiles p;
  p.count = n_;
  p.mean = sum_ / static_cast<double>(n_);
  p.min = min_;
  p.max = max_;
  p.p50 = quantile(0.50);
  p.p90 = quantile(0.90);
  p.p95 = quantile(0.95);
  p.p99 = quantile(0.99);
  p.p999 = quantile(0.999);
  return p;
}

}  // namespace edubench::runlog
