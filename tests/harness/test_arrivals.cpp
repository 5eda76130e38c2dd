// Server arrival schedules: Poisson as before, gamma gaps with a burstiness knob, a linear ramp,
// and warm-up arrivals first, all from the seed alone.
#include "arrivals.hpp"
#include "rng.hpp"

#include <doctest/doctest.h>

#include <cmath>

using namespace edubench::harness;
namespace reg = edubench::registry;

namespace {

reg::Settings server(double qps, uint64_t n) {
  reg::Settings s;
  s.target_qps = qps;
  s.min_query_count = n;
  s.min_duration_s = 0;
  s.schedule_seed = 7;
  return s;
}

struct GapStats {
  double mean = 0, cv = 0;  // of the gaps, in seconds
};
GapStats gap_stats(const std::vector<int64_t>& t) {
  GapStats g;
  const double n = static_cast<double>(t.size() - 1);
  for (size_t i = 1; i < t.size(); ++i) g.mean += (t[i] - t[i - 1]) / 1e9 / n;
  double var = 0;
  for (size_t i = 1; i < t.size(); ++i) var += std::pow((t[i] - t[i - 1]) / 1e9 - g.mean, 2) / n;
  g.cv = std::sqrt(var) / g.mean;
  return g;
}

}  // namespace

TEST_CASE("poisson: the schedule earlier versions drew from the same seed, gap for gap") {
  const reg::Settings s = server(1000, 500);
  // The load generator's loop before load shapes existed, verbatim.
  std::vector<int64_t> old;
  uint64_t rng = s.schedule_seed;
  double t = 0;
  for (uint64_t i = 0; i < 500; ++i) {
    old.push_back(static_cast<int64_t>(t * 1e9));
    t += -std::log(uniform01(rng)) / s.target_qps;
  }
  const ArrivalSchedule a = server_schedule(s, false, 0);
  CHECK(a.warmup == 0);
  CHECK(a.offsets_ns == old);
}

TEST_CASE("gamma with burstiness 1 is exactly the Poisson schedule") {
  reg::Settings g = server(1000, 300);
  g.arrival = reg::Arrival::gamma;
  CHECK(server_schedule(g, false, 0).offsets_ns == server_schedule(server(1000, 300), false, 0).offsets_ns);
}

TEST_CASE("gamma gaps: mean 1 / target_qps, coefficient of variation 1 / sqrt(burstiness)") {
  for (double k : {0.25, 0.5, 2.0, 4.0}) {
    INFO("burstiness ", k);
    reg::Settings s = server(100, 20000);
    s.arrival = reg::Arrival::gamma;
    s.burstiness = k;
    const GapStats g = gap_stats(server_schedule(s, false, 0).offsets_ns);
    CHECK(g.mean == doctest::Approx(0.01).epsilon(0.05));
    CHECK(g.cv == doctest::Approx(1 / std::sqrt(k)).epsilon(0.08));
  }
}

TEST_CASE("gamma draws: mean k for shapes below and above 1") {
  for (double k : {0.3, 1.0, 3.5}) {
    uint64_t rng = 99;
    double sum = 0;
    for (int i = 0; i < 40000; ++i) sum += gamma_unit(rng, k);
    CHECK(sum / 40000 == doctest::Approx(k).epsilon(0.04));
  }
}

TEST_CASE("ramp: the rate rises from ramp_start_qps to target_qps over ramp_duration_s, then holds") {
  reg::Settings s = server(1000, 3000);
  s.arrival = reg::Arrival::ramp;
  s.ramp_start_qps = 100;
  s.ramp_duration_s = 2;
  const auto t = server_schedule(s, false, 0).offsets_ns;
  auto count_in = [&](double from_s, double to_s) {
    size_t n = 0;
    for (int64_t x : t) n += x >= from_s * 1e9 && x < to_s * 1e9;
    return static_cast<double>(n);
  };
  // Expected arrivals = the integral of the rate: 100 to 325 qps over [0, 0.5) s, 775 to 1000
  // over [1.5, 2) s, 1000 after the ramp (loose early on: the rate is taken at the last arrival).
  CHECK(count_in(0, 0.5) == doctest::Approx(0.5 * (100 + 325) / 2).epsilon(0.3));
  CHECK(count_in(1.5, 2.0) == doctest::Approx(0.5 * (775 + 1000) / 2).epsilon(0.15));
  CHECK(count_in(2.0, 2.5) == doctest::Approx(500).epsilon(0.15));
}

TEST_CASE("warm-up arrivals come first and count toward neither minimum nor cap") {
  reg::Settings s = server(1000, 100);
  s.warmup_query_count = 20;
  ArrivalSchedule a = server_schedule(s, false, 0);
  CHECK(a.warmup == 20);
  CHECK(a.offsets_ns.size() == 120);
  // The same seeded stream: the warm-up arrivals are the first 20 of the schedule without it.
  s.warmup_query_count = 0;
  s.min_query_count = 120;
  CHECK(server_schedule(s, false, 0).offsets_ns == a.offsets_ns);
  // min_duration_s counts from the first measured arrival.
  s.warmup_query_count = 20;
  s.min_query_count = 1;
  s.min_duration_s = 0.05;
  a = server_schedule(s, false, 0);
  CHECK(a.offsets_ns.back() - a.offsets_ns[20] >= 50'000'000);
  s.max_query_count = 5;
  s.min_duration_s = 100;
  CHECK(server_schedule(s, false, 0).offsets_ns.size() == 25);
}

TEST_CASE("accuracy mode: one arrival per sample and no warm-up") {
  reg::Settings s = server(1000, 100);
  s.warmup_query_count = 20;
  const ArrivalSchedule a = server_schedule(s, true, 37);
  CHECK(a.warmup == 0);
  CHECK(a.offsets_ns.size() == 37);
}
