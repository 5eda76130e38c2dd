// Arrival processes for the Server scenario. Every gap is drawn from the seeded splitmix64, so a
// schedule is the same on every machine; the shapes follow vLLM's benchmark (gamma gaps with
// shape = burstiness and mean 1 / rate; a ramp evaluates the rate at the previous arrival).
#include "arrivals.hpp"

#include "rng.hpp"

#include <cmath>

namespace edubench::harness {
namespace {

double standard_normal(uint64_t& rng) {  // Box-Muller; one of the pair is enough here
  const double u1 = uniform01(rng), u2 = uniform01(rng);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

// The rate at schedule time t (seconds): target_qps, or on a ramp the straight line from
// ramp_start_qps at 0 to target_qps at ramp_duration_s, then target_qps.
double rate_at(const registry::Settings& s, double t) {
  if (s.arrival != registry::Arrival::ramp || t >= s.ramp_duration_s) return s.target_qps;
  return s.ramp_start_qps + (s.target_qps - s.ramp_start_qps) * t / s.ramp_duration_s;
}

// The gap after an arrival at time t. Burstiness 1 takes the exponential draw of the Poisson
// process itself, so gamma with burstiness 1 is exactly the Poisson schedule.
double next_gap(const registry::Settings& s, uint64_t& rng, double t) {
  const double rate = rate_at(s, t);
  if (s.burstiness == 1.0) return -std::log(uniform01(rng)) / rate;
  return gamma_unit(rng, s.burstiness) / (s.burstiness * rate);
}

}  // namespace

double gamma_unit(uint64_t& rng, double k) {
  if (k < 1) return gamma_unit(rng, k + 1) * std::pow(uniform01(rng), 1.0 / k);
  const double d = k - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    double x, v;
    do {
      x = standard_normal(rng);
      v = 1.0 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const double u = uniform01(rng);
    if (u < 1.0 - 0.0331 * x * x * x * x) return d * v;
    if (std::log(u) < 0.5 * x * x + d * (1.0 - v + std::log(v))) return d * v;
  }
}

ArrivalStream::ArrivalStream(const registry::Settings& s, bool accuracy_mode, uint64_t accuracy_queries)
    : s_(s),
      accuracy_mode_(accuracy_mode),
      accuracy_queries_(accuracy_queries),
      warmup_(accuracy_mode ? 0 : s.warmup_query_count),
      rng_(s.schedule_seed) {}

bool ArrivalStream::next(int64_t& offset_ns) {
  const uint64_t measured = i_ >= warmup_ ? i_ - warmup_ : 0;
  if (accuracy_mode_ ? i_ >= accuracy_queries_
                     : i_ >= warmup_ && ((measured >= s_.min_query_count && last_ - first_measured_ >= s_.min_duration_s) ||
                                         (s_.max_query_count && measured >= s_.max_query_count)))
    return false;
  if (i_ == warmup_) first_measured_ = t_;
  offset_ns = static_cast<int64_t>(t_ * 1e9);
  last_ = t_;
  t_ += next_gap(s_, rng_, t_);
  ++i_;
  return true;
}

ArrivalSchedule server_schedule(const registry::Settings& s, bool accuracy_mode, uint64_t accuracy_queries) {
  ArrivalStream stream(s, accuracy_mode, accuracy_queries);
  ArrivalSchedule out;
  out.warmup = stream.warmup();
  for (int64_t t; stream.next(t);) out.offsets_ns.push_back(t);
  return out;
}

}  // namespace edubench::harness
