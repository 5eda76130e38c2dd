// Run rules: the settings a run recorded (events.jsonl run_start) against the registry's.
// A submission may be stricter than the registry (longer, more queries, tighter bounds, more
// logged responses), never looser, and it may never pick its own seeds.
#include <edubench/compliance/check.hpp>

#include <cmath>
#include <functional>
#include <optional>
#include <string>

namespace edubench::compliance {
namespace {

using registry::Settings;

enum class Need { equal, at_least, bound, cap, free };

struct Rule {
  const char* name;
  std::function<double(const Settings&)> get;
  Need need;
};

// One row per Settings field; a field added later and missing here must equal the registry's
// (check_run_settings compares the registry's own table, settings_fields, for the rest).
const std::vector<Rule>& rules(registry::Scenario sc) {
  using S = Settings;
  static const std::vector<Rule> common = {
      {"min_duration_s", [](const S& s) { return s.min_duration_s; }, Need::at_least},
      {"min_query_count", [](const S& s) { return double(s.min_query_count); }, Need::at_least},
      {"max_query_count", [](const S& s) { return double(s.max_query_count); }, Need::cap},
      // Watchdogs only end a broken run early; they cannot make a run look better.
      {"query_timeout_s", [](const S& s) { return s.query_timeout_s; }, Need::free},
      {"run_timeout_s", [](const S& s) { return s.run_timeout_s; }, Need::free},
      {"latency_percentile", [](const S& s) { return s.latency_percentile; }, Need::equal},
      {"latency_bound_ms", [](const S& s) { return s.latency_bound_ms; }, Need::bound},
      {"ttft_bound_ms", [](const S& s) { return s.ttft_bound_ms; }, Need::bound},
      {"tpot_bound_ms", [](const S& s) { return s.tpot_bound_ms; }, Need::bound},
      {"schedule_seed", [](const S& s) { return double(s.schedule_seed); }, Need::equal},
      {"sample_seed", [](const S& s) { return double(s.sample_seed); }, Need::equal},
      {"accuracy_log_seed", [](const S& s) { return double(s.accuracy_log_seed); }, Need::equal},
      {"accuracy_log_probability", [](const S& s) { return s.accuracy_log_probability; }, Need::at_least},
      {"performance_sample_count", [](const S& s) { return double(s.performance_sample_count); }, Need::equal},
      // The audit's is drawn at submission time (check_run_settings); every other run's is the registry's.
      {"performance_sample_offset", [](const S& s) { return double(s.performance_sample_offset); }, Need::equal},
      // The audit's is the checker's own figure (check_run_settings); every other run's is the registry's.
      {"audit_mix", [](const S& s) { return s.audit_mix; }, Need::equal},
      // Another prompt length is another set of samples, so another benchmark.
      {"prompt_tokens", [](const S& s) { return double(s.prompt_tokens); }, Need::equal},
      // The checker's own TEST04 figures: it applies the registry's, whatever a run recorded.
      {"test04_tolerance", [](const S& s) { return s.test04_tolerance; }, Need::free},
      {"test04_slack_ms", [](const S& s) { return s.test04_slack_ms; }, Need::free},
      // The SLOs define the goodput score: another SLO is another benchmark, so equal.
      {"slo_ttft_ms", [](const S& s) { return s.slo_ttft_ms; }, Need::equal},
      {"slo_tpot_ms", [](const S& s) { return s.slo_tpot_ms; }, Need::equal},
      {"slo_e2e_ms", [](const S& s) { return s.slo_e2e_ms; }, Need::equal},
      {"slo_percentile", [](const S& s) { return s.slo_percentile; }, Need::equal},
      // The load shape is the load (arrival itself, a word, is held equal by the fallback below).
      {"burstiness", [](const S& s) { return s.burstiness; }, Need::equal},
      {"ramp_start_qps", [](const S& s) { return s.ramp_start_qps; }, Need::equal},
      {"ramp_duration_s", [](const S& s) { return s.ramp_duration_s; }, Need::equal},
      // Warm-up queries take seeded sample picks and schedule slots: another count, another run.
      {"warmup_query_count", [](const S& s) { return double(s.warmup_query_count); }, Need::equal},
      // The lag guard may only tighten: a looser one would accept a load that was never applied.
      {"issue_lag_bound_ms", [](const S& s) { return s.issue_lag_bound_ms; }, Need::bound},
  };
  // target_qps is the arrival rate of a Server run (the figure itself), sizes an Offline run
  // (more is stricter) and means nothing to SingleStream.
  static const auto with = [](Need n) {
    auto v = common;
    v.push_back({"target_qps", [](const S& s) { return s.target_qps; }, n});
    return v;
  };
  static const std::vector<Rule> server = with(Need::equal), offline = with(Need::at_least),
                                 single = with(Need::free);
  return sc == registry::Scenario::server ? server : sc == registry::Scenario::offline ? offline : single;
}

// An empty string when `run` is acceptable against `reg` under `need`, else why not.
std::string violation(Need need, double run, double reg) {
  auto num = [](double v) { return registry::format_number(v); };
  switch (need) {
    case Need::free: return "";
    case Need::equal: return run == reg ? "" : num(run) + " != registry " + num(reg);
    case Need::at_least: return run >= reg ? "" : num(run) + " < registry " + num(reg);
    case Need::bound:  // 0 means no bound: a bound the registry sets may only tighten
      if (reg == 0) return "";
      return run > 0 && run <= reg ? "" : num(run) + " looser than registry " + num(reg);
    case Need::cap:  // 0 means no cap; a cap may only be added at or above the registry's
      if (run == 0) return "";
      return reg != 0 && run >= reg ? "" : num(run) + " caps the run (registry " + num(reg) + ")";
  }
  return "";
}

// The audit differs from the registry in three settings only: it issues one sample, that
// sample's offset is the one the submission drew at random and recorded in submission.json (so
// neither a fixed sample nor one the team chose), and an Offline audit mixes it among distinct
// samples (registry::kOfflineAuditMix). For those three: "" or why not; for any other rule:
// nullopt (the registry's rule applies).
std::optional<std::string> audit_violation(const std::string& rule, const Settings& run, registry::Scenario sc,
                                           const std::optional<uint64_t>& recorded_offset) {
  if (rule == "performance_sample_count")
    return run.performance_sample_count == 1
               ? ""
               : std::to_string(run.performance_sample_count) + " != 1 (the audit issues one sample)";
  if (rule == "audit_mix") {
    const double need = sc == registry::Scenario::offline ? registry::kOfflineAuditMix : 0.0;
    return run.audit_mix == need ? ""
                                 : registry::format_number(run.audit_mix) + " != " + registry::format_number(need) +
                                       " (the " + registry::to_string(sc) + " audit's mix)";
  }
  if (rule != "performance_sample_offset") return std::nullopt;
  const std::string got = std::to_string(run.performance_sample_offset);
  if (!recorded_offset)
    return got + ", but submission.json records no audit.performance_sample_offset (the audit's sample must be drawn "
                 "at submission time)";
  return run.performance_sample_offset == *recorded_offset
             ? ""
             : got + " != submission.json audit.performance_sample_offset " + std::to_string(*recorded_offset);
}

}  // namespace

RuleResult check_run_settings(const runlog::RunLog& run, const registry::Settings& registered, bool audit,
                              const std::string& file, const std::optional<uint64_t>& audit_offset) {
  RuleResult r{"run_rules", false, file, ""};
  std::vector<std::string> bad;
  size_t checked = 0;
  for (const Rule& rule : rules(run.scenario)) {
    ++checked;
    const double got = rule.get(run.settings);
    std::optional<std::string> audit_why;
    if (audit) audit_why = audit_violation(rule.name, run.settings, run.scenario, audit_offset);
    const std::string why = audit_why ? *audit_why : violation(rule.need, got, rule.get(registered));
    if (!why.empty()) bad.push_back(std::string(rule.name) + " " + why);
  }
  const auto reg_fields = registry::settings_fields(registered);
  const auto run_fields = registry::settings_fields(run.settings);
  for (size_t i = 0; i < run_fields.size() && i < reg_fields.size(); ++i) {
    const auto& [name, value] = run_fields[i];
    bool known = false;
    for (const Rule& rule : rules(run.scenario)) known = known || name == rule.name;
    if (known) continue;
    ++checked;
    if (value != reg_fields[i].second) bad.push_back(name + " " + value + " != registry " + reg_fields[i].second);
  }
  if (bad.empty()) {
    r.pass = true;
    r.figures = std::to_string(checked) + " settings equal the registry's or stricter" +
                (audit ? " (the audit: performance_sample_count=1, performance_sample_offset=" +
                             std::to_string(run.settings.performance_sample_offset) +
                             " as submission.json records, audit_mix=" +
                             registry::format_number(run.settings.audit_mix) + ")"
                       : "");
    return r;
  }
  r.figures = bad.front();
  for (size_t i = 1; i < bad.size() && i < 4; ++i) r.figures += "; " + bad[i];
  if (bad.size() > 4) r.figures += "; and " + std::to_string(bad.size() - 4) + " more";
  return r;
}

}  // namespace edubench::compliance
