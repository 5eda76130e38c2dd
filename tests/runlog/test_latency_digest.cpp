// The bounded digest behind every percentile: exact (LoadGen's rule) up to its limit, then
// within its documented error, never below the true value; the count, mean, min and max exact.
#include <edubench/runlog/latency_digest.hpp>
#include <edubench/runlog/metrics.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

using edubench::runlog::LatencyDigest;
using edubench::runlog::Percentiles;

namespace {

std::vector<double> skewed(size_t n) {  // a long-tailed spread of latencies, in ms
  std::vector<double> v;
  uint64_t x = 12345;
  for (size_t i = 0; i < n; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    const double u = static_cast<double>(x >> 11) / 9007199254740992.0;
    v.push_back(0.001 + std::pow(u, 8) * 500);
  }
  return v;
}

}  // namespace

TEST_CASE("below the exact limit the digest's figures are those of the sorted values") {
  const auto v = skewed(LatencyDigest::kExactLimit);
  LatencyDigest d;
  for (double x : v) d.add(x);
  CHECK(d.exact());
  const Percentiles a = d.summary(), b = edubench::runlog::percentiles(v);
  CHECK(a.p50 == b.p50);
  CHECK(a.p99 == b.p99);
  CHECK(a.p999 == b.p999);
  CHECK(a.mean == b.mean);
  CHECK(d.quantile(0.9) == edubench::runlog::quantile(v, 0.9));
}

TEST_CASE("past the limit: each percentile within 2^-10 above the exact one, never below") {
  auto v = skewed(5 * LatencyDigest::kExactLimit);
  v.push_back(0);     // a zero and a negative (a clock that misbehaved) have buckets too
  v.push_back(-0.5);
  LatencyDigest d;
  for (double x : v) d.add(x);
  CHECK_FALSE(d.exact());
  std::vector<double> sorted = v;
  std::sort(sorted.begin(), sorted.end());
  for (double q : {0.0, 0.5, 0.9, 0.95, 0.99, 0.999, 1.0}) {
    const double exact = sorted[std::min(sorted.size() - 1, static_cast<size_t>(static_cast<double>(sorted.size()) * q))];
    const double got = d.quantile(q);
    INFO("q ", q, " exact ", exact, " digest ", got);
    CHECK(got >= exact);
    CHECK(got <= exact + std::fabs(exact) * std::ldexp(1.0, -static_cast<int>(LatencyDigest::kSubBits)));
  }
  const Percentiles p = d.summary();
  CHECK(p.count == v.size());
  CHECK(p.min == -0.5);
  CHECK(p.max == sorted.back());
  double sum = 0;
  for (double x : v) sum += x;
  CHECK(p.mean == doctest::Approx(sum / static_cast<double>(v.size())).epsilon(1e-12));
}

TEST_CASE("an empty digest reports zeros") {
  LatencyDigest d;
  CHECK(d.summary().count == 0);
  CHECK(d.quantile(0.99) == 0);
}
