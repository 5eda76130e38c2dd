// The table of scenario settings: one row per field with its type, range and unit-bearing
// name. It serves the YAML parser, `--set key=value` and the recorded settings alike.
#include <edubench/registry/registry.hpp>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>

namespace edubench::registry {
namespace {

struct Field {
  const char* name;
  double Settings::*d = nullptr;    // exactly one of d / u is set
  uint64_t Settings::*u = nullptr;
  double min, max;
  bool min_exclusive;
  const char* meaning;
};

const Field kFields[] = {
    {"min_duration_s", &Settings::min_duration_s, nullptr, 0, 86400, false, "seconds"},
    {"min_query_count", nullptr, &Settings::min_query_count, 1, 1e12, false, "queries"},
    {"max_query_count", nullptr, &Settings::max_query_count, 0, 1e12, false, "queries (0: no cap)"},
    {"query_timeout_s", &Settings::query_timeout_s, nullptr, 0, 86400, true, "seconds"},
    {"run_timeout_s", &Settings::run_timeout_s, nullptr, 0, 7 * 86400, true, "seconds"},
    {"target_qps", &Settings::target_qps, nullptr, 0, 1e9, false, "queries per second"},
    {"latency_percentile", &Settings::latency_percentile, nullptr, 0, 0.9999, true, "a fraction in (0, 1)"},
    {"latency_bound_ms", &Settings::latency_bound_ms, nullptr, 0, 1e9, false, "milliseconds (0: none)"},
    {"ttft_bound_ms", &Settings::ttft_bound_ms, nullptr, 0, 1e9, false, "milliseconds (0: none)"},
    {"tpot_bound_ms", &Settings::tpot_bound_ms, nullptr, 0, 1e9, false, "milliseconds (0: none)"},
    {"schedule_seed", nullptr, &Settings::schedule_seed, 0, 18446744073709551615.0, false, "a seed"},
    {"sample_seed", nullptr, &Settings::sample_seed, 0, 18446744073709551615.0, false, "a seed"},
    {"accuracy_log_seed", nullptr, &Settings::accuracy_log_seed, 0, 18446744073709551615.0, false, "a seed"},
    {"accuracy_log_probability", &Settings::accuracy_log_probability, nullptr, 0, 1, false, "a fraction in [0, 1]"},
    {"performance_sample_count", nullptr, &Settings::performance_sample_count, 0, 1e12, false, "samples (0: all)"},
};

std::string fmt_double(double v) {
  std::ostringstream os;
  os.precision(15);
  os << v;
  return os.str();
}

std::string known_keys() {
  std::string s;
  for (const auto& f : kFields) s += (s.empty() ? "" : ", ") + std::string(f.name);
  return s;
}

std::string range_text(const Field& f) {
  std::string lo = f.min_exclusive ? "> " : ">= ";
  return (f.u ? "an integer " : "a number ") + lo + fmt_double(f.min) + " and <= " + fmt_double(f.max) +
         " (" + f.meaning + ")";
}

}  // namespace

std::vector<std::pair<std::string, std::string>> settings_fields(const Settings& s) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& f : kFields)
    out.emplace_back(f.name, f.u ? std::to_string(s.*(f.u)) : fmt_double(s.*(f.d)));
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
    const char* b = value.c_str();
    char* end = nullptr;
    errno = 0;
    if (f.u) {
      if (value.empty() || value[0] == '-') throw Error(file, line, field, "expected " + range_text(f) + ", got '" + value + "'");
      unsigned long long v = std::strtoull(b, &end, 10);
      if (*end != '\0' || errno != 0 || v < f.min || static_cast<double>(v) > f.max)
        throw Error(file, line, field, "expected " + range_text(f) + ", got '" + value + "'");
      s.*(f.u) = v;
    } else {
      double v = std::strtod(b, &end);
      bool below = f.min_exclusive ? v <= f.min : v < f.min;
      if (value.empty() || *end != '\0' || errno != 0 || !std::isfinite(v) || below || v > f.max)
        throw Error(file, line, field, "expected " + range_text(f) + ", got '" + value + "'");
      s.*(f.d) = v;
    }
    return;
  }
  throw Error(file, line, field, "unknown setting (known: " + known_keys() + ")");
}

void apply_setting(Settings& s, const std::string& key, const std::string& value) {
  apply_setting_at(s, key, value, "--set", 0, key);
}

}  // namespace edubench::registry
