// A Server run's arrival schedule: when each query is due, from the registry's schedule_seed and
// load shape (arrival = poisson | gamma | ramp, docs/metrics.md). Pure, so a test can hold the
// schedule to its distribution without a SUT.
#pragma once

#include <edubench/registry/registry.hpp>

#include <cstdint>
#include <vector>

namespace edubench::harness {

struct ArrivalSchedule {
  std::vector<int64_t> offsets_ns;  // due times from the run's start, warm-up queries first
  uint64_t warmup = 0;              // how many of them are warm-up queries
};

// Performance mode: warmup_query_count warm-up arrivals, then arrivals until both
// min_query_count and min_duration_s (from the first measured arrival) are covered, capped by
// max_query_count, as LoadGen sizes a Server run. Accuracy mode: `accuracy_queries` arrivals, no
// warm-up. Poisson gaps are exactly those of every earlier edubench version.
ArrivalSchedule server_schedule(const registry::Settings& s, bool accuracy_mode, uint64_t accuracy_queries);

// The same arrivals one at a time, so a run of any length holds none of its schedule in memory:
// next() gives the due times of server_schedule() in order, then false.
class ArrivalStream {
 public:
  ArrivalStream(const registry::Settings& s, bool accuracy_mode, uint64_t accuracy_queries);
  bool next(int64_t& offset_ns);
  uint64_t warmup() const { return warmup_; }

 private:
  registry::Settings s_;
  bool accuracy_mode_;
  uint64_t accuracy_queries_, warmup_;
  uint64_t rng_, i_ = 0;
  double t_ = 0, first_measured_ = 0, last_ = 0;
};

// One draw from Gamma(shape k, scale 1) (Marsaglia and Tsang, 2000; k < 1 by boosting to k + 1).
double gamma_unit(uint64_t& rng, double k);

}  // namespace edubench::harness
