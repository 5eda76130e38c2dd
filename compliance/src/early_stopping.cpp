// LoadGen's early-stopping statistics (mlcommons/inference loadgen/early_stopping.cc and
// results.cc, PerformanceSummary::EarlyStopping), re-derived here: with confidence c, how many
// "overlatency" queries (above the estimate) a run of n queries may hold while the true
// p-th percentile still lies at or below the estimate. tolerance d is 0, as in LoadGen.
#include <edubench/results/metrics.hpp>

#include <algorithm>
#include <cmath>

namespace edubench::results {
namespace {

// Probability of at most t overlatency queries among h + t when each is under latency with
// probability p: the binomial CDF P[X <= t], X ~ Binomial(h + t, 1 - p). LoadGen evaluates the
// same quantity as BetaRegularized[p, h, 1 + t] through a hypergeometric series, which loses
// all precision far from the answer (|x/(x-1)| = 99 at p = 0.99); summed here in log space from
// k = t downwards, stopping once the terms no longer matter.
double odds(int64_t h, int64_t t, double p) {
  const double n = static_cast<double>(h + t), q = 1 - p;
  auto log_term = [&](double k) {
    return std::lgamma(n + 1) - std::lgamma(k + 1) - std::lgamma(n - k + 1) + k * std::log(q) + (n - k) * std::log(p);
  };
  double lt = log_term(static_cast<double>(t));
  const double top = lt;
  double sum = 0;  // of exp(log_term(k) - top)
  const double ratio_log = std::log(p / q);
  for (int64_t k = t; k >= 0; --k) {
    double rel = std::exp(lt - top);
    sum += rel;
    if (rel < 1e-17 * sum && lt < top) break;
    // term(k-1) / term(k) = k / (n - k + 1) * p / q
    lt += std::log(static_cast<double>(k)) - std::log(n - static_cast<double>(k) + 1) + ratio_log;
  }
  return std::exp(top + std::log(sum));
}

}  // namespace

// The smallest h with odds(h, t, p) < 1 - c (odds falls as h grows).
int64_t early_stopping_min_passing(int64_t t, double p, double c) {
  int64_t hi = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(std::log(1 - c) / std::log(p))));
  while (odds(hi, t, p) >= 1 - c) hi *= 2;
  int64_t lo = 1;
  while (lo < hi) {
    int64_t mid = lo + (hi - lo) / 2;
    if (odds(mid, t, p) < 1 - c)
      hi = mid;
    else
      lo = mid + 1;
  }
  return lo;
}

uint64_t early_stopping_min_queries(double percentile, double confidence) {
  return static_cast<uint64_t>(early_stopping_min_passing(1, percentile, confidence) + 1);
}

std::optional<double> early_stopping_estimate(std::vector<double> values, double percentile,
                                              double confidence) {
  const int64_t n = static_cast<int64_t>(values.size());
  const int64_t h_min = early_stopping_min_passing(1, percentile, confidence);
  if (n < h_min + 1) return std::nullopt;
  std::sort(values.begin(), values.end());
  // LoadGen scans t = 2, 3, ... for the first t with n < h(t) + t and keeps t - 1: the largest
  // t with h(t) + t <= n. h(t) + t grows with t, so a binary search finds the same t.
  int64_t lo = 1, hi = n;  // h(1) + 1 <= n holds; find the largest passing t in [lo, hi]
  while (lo < hi) {
    int64_t mid = lo + (hi - lo + 1) / 2;
    if (early_stopping_min_passing(mid, percentile, confidence) + mid <= n)
      lo = mid;
    else
      hi = mid - 1;
  }
  const int64_t t = lo;
  return values[static_cast<size_t>(n - t)];
}

bool early_stopping_server_ok(uint64_t n, uint64_t overlatency, double percentile, double confidence,
                              uint64_t* needed) {
  int64_t h = early_stopping_min_passing(static_cast<int64_t>(overlatency), percentile, confidence);
  uint64_t need = static_cast<uint64_t>(h) + overlatency;
  if (needed) *needed = need;
  return n >= need;
}

}  // namespace edubench::results
