// The table of scenario settings: one row per field with its type, range and unit-bearing
// name. It serves the YAML parser, `--set key=value` and the recorded settings alike.
#include "settings_table.hpp"

#include <charconv>
#include <cmath>
#include <limits>

namespace edubench::registry {
namespace {

struct Field {
  const char* name;
  double Settings::*d = nullptr;    // exactly one of d / u / a is set
  uint64_t Settings::*u = nullptr;
  double min, max;
  bool min_exclusive, max_exclusive;
  const char* meaning;
  Arrival Settings::*a = nullptr;   // a word: one of the Arrival names
};

constexpr double kU64Max = static_cast<double>(std::numeric_limits<uint64_t>::max());

const Field kFields[] = {
    {"min_duration_s", &Settings::min_duration_s, nullptr, 0, 86400, false, false, "seconds"},
    {"min_query_count", nullptr, &Settings::min_query_count, 1, 1e12, false, false, "queries"},
    {"max_query_count", nullptr, &Settings::max_query_count, 0, 1e12, false, false, "queries (0: no cap)"},
    {"query_timeout_s", &Settings::query_timeout_s, nullptr, 0, 86400, true, false, "seconds"},
    {"run_timeout_s", &Settings::run_timeout_s, nullptr, 0, 7 * 86400, true, false, "seconds"},
    {"target_qps", &Settings::target_qps, nullptr, 0, 1e9, false, false, "queries per second"},
    {"latency_percentile", &Settings::latency_percentile, nullptr, 0, 1, true, true, "a fraction"},
    {"latency_bound_ms", &Settings::latency_bound_ms, nullptr, 0, 1e9, false, false, "milliseconds (0: none)"},
    {"ttft_bound_ms", &Settings::ttft_bound_ms, nullptr, 0, 1e9, false, false, "milliseconds (0: none)"},
    {"tpot_bound_ms", &Settings::tpot_bound_ms, nullptr, 0, 1e9, false, false, "milliseconds (0: none)"},
    {"slo_ttft_ms", &Settings::slo_ttft_ms, nullptr, 0, 1e9, false, false, "milliseconds (0: no TTFT SLO)"},
    {"slo_tpot_ms", &Settings::slo_tpot_ms, nullptr, 0, 1e9, false, false, "milliseconds (0: no TPOT SLO)"},
    {"slo_e2e_ms", &Settings::slo_e2e_ms, nullptr, 0, 1e9, false, false, "milliseconds (0: no end-to-end SLO)"},
    {"slo_percentile", &Settings::slo_percentile, nullptr, 0, 1, true, true,
     "a fraction: the share of queries that must meet each SLO"},
    {"arrival", nullptr, nullptr, 0, 0, false, false, "poisson, gamma or ramp", &Settings::arrival},
    // Bounded so that a gamma draw never underflows to a zero gap at either end.
    {"burstiness", &Settings::burstiness, nullptr, 0.01, 100, false, false,
     "the gamma shape of the gaps: 1 is Poisson, below 1 burstier"},
    {"ramp_start_qps", &Settings::ramp_start_qps, nullptr, 0, 1e9, false, false, "queries per second (arrival=ramp)"},
    {"ramp_duration_s", &Settings::ramp_duration_s, nullptr, 0, 86400, false, false, "seconds (arrival=ramp)"},
    {"warmup_query_count", nullptr, &Settings::warmup_query_count, 0, 1e9, false, false,
     "queries issued first and excluded from every figure"},
    {"issue_lag_bound_ms", &Settings::issue_lag_bound_ms, nullptr, 0, 1e9, false, false,
     "milliseconds: the p99 issue lag a performance run may have (0: no guard)"},
    {"code_wall_s", &Settings::code_wall_s, nullptr, 0, 600, true, false,
     "seconds: a code run's wall-clock limit in the sandbox (code workloads)"},
    {"code_cpu_s", &Settings::code_cpu_s, nullptr, 0, 600, true, false, "seconds: a code run's CPU limit"},
    {"code_memory_mb", nullptr, &Settings::code_memory_mb, 16, 65536, false, false,
     "MiB: a code run's address-space limit"},
    {"schedule_seed", nullptr, &Settings::schedule_seed, 0, kU64Max, false, false, "a seed"},
    {"sample_seed", nullptr, &Settings::sample_seed, 0, kU64Max, false, false, "a seed"},
    {"accuracy_log_seed", nullptr, &Settings::accuracy_log_seed, 0, kU64Max, false, false, "a seed"},
    {"accuracy_log_probability", &Settings::accuracy_log_probability, nullptr, 0, 1, false, false, "a fraction"},
    {"performance_sample_count", nullptr, &Settings::performance_sample_count, 0, 1e12, false, false, "samples (0: all)"},
    {"performance_sample_offset", nullptr, &Settings::performance_sample_offset, 0, 1e12, false, false,
     "a sample index: where the performance_sample_count pool starts, modulo the data set's size"},
    {"audit_mix", &Settings::audit_mix, nullptr, 0, 0.9, false, false,
     "a fraction: the share of queries carrying samples from outside the performance_sample_count pool, "
     "in turn from a set of min(queries, samples) / 16 of them (the Offline audit's mix)"},
    {"prompt_tokens", nullptr, &Settings::prompt_tokens, 0, 1e6, false, false,
     "tokens: run only the samples whose prompt is this long (generation workloads; 0: all)"},
    // Capped so that a registry cannot switch TEST04 off by a huge tolerance or slack.
    {"test04_tolerance", &Settings::test04_tolerance, nullptr, 0, 10, false, false,
     "a fraction: the audit may be up to 1 + this times faster than expected"},
    {"test04_slack_ms", &Settings::test04_slack_ms, nullptr, 0, 60000, false, false, "milliseconds per query"},
};

std::string known_keys() {
  std::string s;
  for (const auto& f : kFields) s += (s.empty() ? "" : ", ") + std::string(f.name);
  return s;
}

std::string range_text(const Field& f) {
  if (f.a) return std::string("one of ") + f.meaning;
  std::string lo = f.u ? std::to_string(static_cast<uint64_t>(f.min)) : format_number(f.min);
  std::string bound = f.u ? (f.max >= kU64Max ? std::to_string(std::numeric_limits<uint64_t>::max())
                                              : std::to_string(static_cast<uint64_t>(f.max)))
                          : format_number(f.max);
  return std::string(f.u ? "an integer " : "a number ") + (f.min_exclusive ? "> " : ">= ") + lo +
         (f.max_exclusive ? " and < " : " and <= ") + bound + " (" + f.meaning + ")";
}

// Whole-string parses, locale independent: no sign for integers, no spaces, nothing trailing.
bool parse_u64(const std::string& v, uint64_t& out) {
  if (v.empty() || v[0] < '0' || v[0] > '9') return false;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  return ec == std::errc() && end == v.data() + v.size();
}

bool parse_double(const std::string& v, double& out) {
  if (v.empty()) return false;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  return ec == std::errc() && end == v.data() + v.size() && std::isfinite(out);
}

}  // namespace

// In the order of the enum: its names, for settings_fields, --set and the YAML.
constexpr const char* kArrivalNames[] = {"poisson", "gamma", "ramp"};

const char* to_string(Arrival a) { return kArrivalNames[static_cast<int>(a)]; }

std::optional<Arrival> parse_arrival(const std::string& s) {
  for (int i = 0; i < 3; ++i)
    if (s == kArrivalNames[i]) return static_cast<Arrival>(i);
  return std::nullopt;
}

std::string format_number(double v) {
  // Whole numbers as plain digits (1000000000, not 1e+09): they are what people type.
  if (std::isfinite(v) && v == std::trunc(v) && std::fabs(v) < 1e15) return std::to_string(static_cast<int64_t>(v));
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);  // shortest text that reads back exactly
  return ec == std::errc() ? std::string(buf, end) : std::string("?");
}

std::vector<std::pair<std::string, std::string>> settings_fields(const Settings& s) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& f : kFields)
    out.emplace_back(f.name, f.a ? to_string(s.*(f.a)) : f.u ? std::to_string(s.*(f.u)) : format_number(s.*(f.d)));
  return out;
}

bool is_setting(const std::string& key) {
  for (const auto& f : kFields)
    if (key == f.name) return true;
  return false;
}

// Shared by --set and the YAML parser, which passes its own file, line and field path.
void apply_setting_at(Settings& s, const std::string& key, const std::string& value,
                      const std::string& file, int line, const std::string& field) {
  for (const auto& f : kFields) {
    if (key != f.name) continue;
    auto bad = [&] { return Error(file, line, field, "expected " + range_text(f) + ", got '" + value + "'"); };
    if (f.a) {
      const auto a = parse_arrival(value);
      if (!a) throw bad();
      s.*(f.a) = *a;
    } else if (f.u) {
      uint64_t v = 0;
      if (!parse_u64(value, v) || static_cast<double>(v) < f.min || static_cast<double>(v) > f.max) throw bad();
      s.*(f.u) = v;
    } else {
      double v = 0;
      if (!parse_double(value, v)) throw bad();
      bool below = f.min_exclusive ? v <= f.min : v < f.min;
      bool above = f.max_exclusive ? v >= f.max : v > f.max;
      if (below || above) throw bad();
      s.*(f.d) = v;
    }
    return;
  }
  throw Error(file, line, field, "unknown setting (known: " + known_keys() + ")");
}

void apply_setting(Settings& s, const std::string& key, const std::string& value) {
  apply_setting_at(s, key, value, "--set", 0, key);
}

namespace {
// The load shape's knobs belong to their shape: a knob set for another shape would be recorded
// as if it had shaped the run.
std::string arrival_problem(const Settings& s, Scenario sc) {
  const std::string name = to_string(s.arrival);
  if (s.arrival != Arrival::poisson && sc != Scenario::server)
    return "arrival=" + name + " applies to the server scenario only (other scenarios have no arrivals)";
  if (s.arrival == Arrival::poisson && s.burstiness != 1)
    return "burstiness " + format_number(s.burstiness) + " needs arrival=gamma or arrival=ramp (Poisson gaps have burstiness 1)";
  const bool ramp_knobs = s.ramp_start_qps != 0 || s.ramp_duration_s != 0;
  if (s.arrival != Arrival::ramp && ramp_knobs)
    return "ramp_start_qps and ramp_duration_s need arrival=ramp (got arrival=" + name + ")";
  if (s.arrival == Arrival::ramp && (s.ramp_start_qps <= 0 || s.ramp_duration_s <= 0))
    return "arrival=ramp needs ramp_start_qps > 0 and ramp_duration_s > 0 (the rate rises from ramp_start_qps to "
           "target_qps over ramp_duration_s)";
  return "";
}
}  // namespace

std::string settings_problem(const Settings& s, Scenario sc) {
  if (sc == Scenario::server && s.target_qps <= 0)
    return "a server scenario needs target_qps > 0 (the Poisson arrival rate)";
  if (s.max_query_count != 0 && s.max_query_count < s.min_query_count)
    return "max_query_count " + std::to_string(s.max_query_count) + " is below min_query_count " +
           std::to_string(s.min_query_count) + " (0 means no cap)";
  return arrival_problem(s, sc);
}

}  // namespace edubench::registry
