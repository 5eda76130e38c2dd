// LoadGen's early-stopping statistics (mlcommons/inference loadgen/early_stopping.cc and
// results.cc, PerformanceSummary::EarlyStopping), re-derived here: with confidence c, how many
// "overlatency" queries (above the estimate) a run of n queries may hold while the true
// p-th percentile still lies at or below the estimate. tolerance d is 0, as in LoadGen.
#include <edubench/results/metrics.hpp>

#include <algorithm>
#include <cmath>

namespace edubench::results {
namespace {

double lbeta(double x, double y) { return std::lgamma(x) + std::lgamma(y) - std::lgamma(x + y); }

// Gauss hypergeometric 2F1(1, b; c; x) by its series (DLMF 15.2.1); converges for c > 0 and b <= 0.
double hypergeometric_2f1_a1(double b, double c, double x) {
  constexpr double kTolerance = 1.0 / (1LL << 33);
  double term = 1.0, result = 1.0;
  for (int64_t i = 0; std::abs(term) > kTolerance && i < 10'000'000; ++i) {
    term *= (b + i) * x / (c + i);
    result += term;
  }
  return result;
}

// Regularized incomplete beta I_x(a, b) via DLMF 15.8.1, as LoadGen computes it.
double beta_regularized(double x, int64_t a, int64_t b) {
  return std::exp(a * std::log(x) + (b - 1) * std::log(1 - x) - lbeta(a, b)) / a *
         hypergeometric_2f1_a1(1 - b, 1 + a, x / (x - 1));
}

// Probability of at most t overlatency queries among h + t when each is under latency with
// probability p: the binomial CDF, I_p(h, t + 1).
double odds(int64_t h, int64_t t, double p) { return beta_regularized(p, h, 1 + t); }

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
