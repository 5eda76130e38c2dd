// LoadGen's early-stopping statistics (mlcommons/inference loadgen/early_stopping.cc and
// results.cc, PerformanceSummary::EarlyStopping), re-derived here: with confidence c, how many
// "overlatency" queries (above the estimate) a run of n queries may hold while the true
// p-th percentile still lies at or below the estimate. tolerance d is 0, as in LoadGen.
#include <edubench/runlog/metrics.hpp>

#include <algorithm>
#include <cmath>

namespace edubench::runlog {
namespace {

// Probability of at most t overlatency queries among h + t when each is under latency with
// probability p: the binomial CDF P[X <= t], X ~ Binomial(h + t, 1 - p). LoadGen evaluates the
// same quantity as BetaRegularized[p, h, 1 + t] through a hypergeometric series, which loses
// all precision far from the answer (|x/(x-1)| = 99 at p = 0.99); summed here in log space from
// k = t downwards (rebased whenever a term exceeds the largest so far), stopping once past the
// mode the terms no longer matter.
double odds(int64_t h, int64_t t, double p) {
  const double n = static_cast<double>(h + t), q = 1 - p;
  const double mode = std::floor((n + 1) * q);
  double lt = std::lgamma(n + 1) - std::lgamma(static_cast<double>(t) + 1) -
              std::lgamma(n - static_cast<double>(t) + 1) + static_cast<double>(t) * std::log(q) +
              static_cast<double>(h) * std::log(p);
  double top = lt, sum = 0;  // sum of exp(log_term(k) - top)
  const double ratio_log = std::log(p / q);
  for (int64_t k = t; k >= 0; --k) {
    if (lt > top) {
      sum *= std::exp(top - lt);
      top = lt;
    }
    const double rel = std::exp(lt - top);
    sum += rel;
    if (static_cast<double>(k) <= mode && rel < 1e-17 * sum) break;
    // term(k-1) / term(k) = k / (n - k + 1) * p / q
    lt += std::log(static_cast<double>(k)) - std::log(n - static_cast<double>(k) + 1) + ratio_log;
  }
  return std::min(1.0, std::exp(top + std::log(sum)));
}

// LoadGen's find_min_passing: the smallest h with odds(h, t, p) < 1 - c (odds falls as h
// grows). LoadGen brackets its binary search with earlier answers (min slope p / (1 - p));
// here: no h <= t p / (1 - p) can pass (the expected overlatency count would be >= t, so
// P[X <= t] is about one half), and the upper end doubles until it passes.
int64_t early_stopping_min_passing(int64_t t, double p, double c) {
  int64_t lo = 1;
  if (c >= 0.5) lo = std::max<int64_t>(1, static_cast<int64_t>(std::floor(static_cast<double>(t) * p / (1 - p))));
  int64_t step = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(std::log(1 - c) / std::log(p))));
  int64_t hi = lo + step;
  while (odds(hi, t, p) >= 1 - c) {
    lo = hi;
    step *= 2;
    hi = lo + step;
  }
  while (lo < hi) {
    const int64_t mid = lo + (hi - lo) / 2;
    if (odds(mid, t, p) < 1 - c)
      hi = mid;
    else
      lo = mid + 1;
  }
  return lo;
}

}  // namespace

uint64_t early_stopping_min_queries(double percentile, double confidence) {
  return static_cast<uint64_t>(early_stopping_min_passing(1, percentile, confidence) + 1);
}

std::optional<uint64_t> early_stopping_rank(uint64_t n_values, double percentile, double confidence) {
  const int64_t n = static_cast<int64_t>(n_values);
  const int64_t h_min = early_stopping_min_passing(1, percentile, confidence);
  if (n < h_min + 1) return std::nullopt;
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
  return static_cast<uint64_t>(n - lo);
}

std::optional<double> early_stopping_estimate(std::vector<double> values, double percentile,
                                              double confidence) {
  const auto rank = early_stopping_rank(values.size(), percentile, confidence);
  if (!rank) return std::nullopt;
  if (!std::is_sorted(values.begin(), values.end())) std::sort(values.begin(), values.end());
  return values[static_cast<size_t>(*rank)];
}

uint64_t early_stopping_queries_needed(uint64_t overlatency, double percentile, double confidence) {
  const auto t = static_cast<int64_t>(overlatency);
  return static_cast<uint64_t>(early_stopping_min_passing(t, percentile, confidence) + t);
}

}  // namespace edubench::runlog
