// The peak search's decisions (harness/src/peak_search.cpp), without running anything.
#include <edubench/harness/peak.hpp>

#include <doctest/doctest.h>

#include <cmath>

using namespace edubench::harness;

namespace {

Probe probe(double q, bool valid) {
  Probe p;
  p.target_qps = q;
  p.valid = valid;
  return p;
}

PeakOptions opts(double tolerance = 0.05, int max_probes = 12) {
  PeakOptions o;
  o.tolerance = tolerance;
  o.max_probes = max_probes;
  return o;
}

}  // namespace

TEST_CASE("the first probe is the start rate") { CHECK(next_probe_qps({}, 40, opts()) == 40); }

TEST_CASE("VALID probes double the rate until one is INVALID") {
  CHECK(next_probe_qps({probe(40, true)}, 40, opts()) == 80);
  CHECK(next_probe_qps({probe(40, true), probe(80, true)}, 40, opts()) == 160);
}

TEST_CASE("INVALID probes halve the rate until one is VALID") {
  CHECK(next_probe_qps({probe(40, false)}, 40, opts()) == 20);
  CHECK(next_probe_qps({probe(40, false), probe(20, false)}, 40, opts()) == 10);
}

TEST_CASE("a bracket is bisected geometrically until it is within the tolerance") {
  const std::vector<Probe> bracket = {probe(40, true), probe(160, false)};
  CHECK(next_probe_qps(bracket, 40, opts()) == doctest::Approx(80));
  const std::vector<Probe> narrow = {probe(100, true), probe(104, false)};
  CHECK(next_probe_qps(narrow, 100, opts(0.05)) == 0);
  CHECK(next_probe_qps(narrow, 100, opts(0.01)) == doctest::Approx(101.98).epsilon(1e-3));
}

TEST_CASE("an INVALID probe below the highest VALID one does not bound the peak") {
  // Noise: 60 INVALID, then 80 VALID. The bracket is 80 .. 160, not 60 .. 80.
  const std::vector<Probe> noisy = {probe(40, true), probe(160, false), probe(60, false), probe(80, true)};
  CHECK(next_probe_qps(noisy, 40, opts()) == doctest::Approx(std::sqrt(80.0 * 160.0)));
  const PeakResult r = summarize_probes(noisy, opts());
  CHECK(r.peak_qps == 80);
  CHECK(r.lowest_invalid_qps == 160);
  CHECK_FALSE(r.converged);
}

TEST_CASE("the search stops at max_probes, max_qps and min_qps") {
  CHECK(next_probe_qps({probe(40, true), probe(80, true)}, 40, opts(0.05, 2)) == 0);
  PeakOptions capped = opts();
  capped.max_qps = 100;
  CHECK(next_probe_qps({probe(80, true)}, 80, capped) == 100);
  CHECK(next_probe_qps({probe(80, true), probe(100, true)}, 80, capped) == 0);
  PeakOptions floor = opts();
  floor.min_qps = 15;
  CHECK(next_probe_qps({probe(40, false), probe(20, false)}, 40, floor) == 0);
}

TEST_CASE("the summary names the peak, the rate above it and whether it converged") {
  const PeakResult r = summarize_probes({probe(40, true), probe(80, false), probe(56.6, true), probe(67.3, false),
                                         probe(61.7, true), probe(64.4, true)},
                                        opts(0.05));
  CHECK(r.peak_qps == 64.4);
  CHECK(r.lowest_invalid_qps == 67.3);
  CHECK(r.converged);
  CHECK(summarize_probes({probe(10, false)}, opts()).peak_qps == 0);
}
