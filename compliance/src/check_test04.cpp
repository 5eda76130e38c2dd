// TEST04: no caching across queries. The audit run issues one sample repeatedly; a SUT that
// caches answers then does almost no work after the first query. Queries differ in cost, so
// the audit is not compared with the performance run's time per query but with what its one
// sample should take: the performance run's time per unit of work (work_units.cpp) times the
// units that sample needs. Every sample's units come from the accuracy run, which issues each
// sample once: no cache can lower them there, and the audit's own (possibly cached) trace is
// never what it is measured against.
#include "check_format.hpp"

#include <edubench/compliance/check.hpp>
#include <edubench/results/metrics.hpp>

#include <algorithm>
#include <unordered_map>

namespace edubench::compliance {
using detail::fmt;
namespace {

// sample -> units of work, from the first completed query of each sample in the accuracy run.
std::unordered_map<uint64_t, double> units_per_sample(const results::RunLog& acc, registry::Kind kind) {
  const auto by_query = work_units(acc, kind);
  std::unordered_map<uint64_t, double> by_sample;
  for (const results::QueryLog& q : acc.queries)
    if (q.completed_ns >= 0) by_sample.emplace(q.sample_index, by_query.at(q.id));
  return by_sample;
}

}  // namespace

RuleResult check_test04(const results::RunLog& perf, const results::RunLog& audit, const results::RunLog& acc,
                        registry::Kind kind, double tolerance, double slack_ms, const std::string& file) {
  RuleResult r{"TEST04", false, file, ""};
  if (perf.scenario != audit.scenario) {
    r.figures = std::string("the audit ran ") + registry::to_string(audit.scenario) + ", the performance run " +
                registry::to_string(perf.scenario);
    return r;
  }
  std::unordered_map<uint64_t, int> seen;
  for (const auto& q : audit.queries) seen.emplace(q.sample_index, 0);
  if (seen.size() != 1) {
    r.figures = "the audit run issued " + std::to_string(seen.size()) + " distinct samples, expected 1";
    return r;
  }
  const uint64_t audit_sample = seen.begin()->first;
  const auto units = units_per_sample(acc, kind);
  // Each completed performance query with its sample's units; a sample the accuracy run never
  // answered leaves the expectation unknown (accuracy_coverage names the gap).
  std::vector<std::pair<const results::QueryLog*, double>> perf_work;
  for (const results::QueryLog& q : perf.queries) {
    if (q.completed_ns < 0) continue;
    auto it = units.find(q.sample_index);
    if (it == units.end()) {
      r.figures = "cannot be checked: the accuracy run has no completed query for sample " +
                  std::to_string(q.sample_index) + " (each sample's work is counted there)";
      return r;
    }
    perf_work.emplace_back(&q, it->second);
  }
  auto audit_units = units.find(audit_sample);
  if (audit_units == units.end()) {
    r.figures = "cannot be checked: the accuracy run has no completed query for the audit's sample " +
                std::to_string(audit_sample);
    return r;
  }
  const double w = audit_units->second;
  double perf_units = 0;
  for (const auto& [q, u] : perf_work) perf_units += u;
  const std::string unit = work_unit_name(kind);

  double actual = 0, per_unit = 0;  // ms: the audit's figure; the performance run's per unit of work
  std::string what;                 // how both are measured
  if (perf.scenario == registry::Scenario::offline) {
    // Throughput: time per query over the whole run (queries overlap; no single query's time
    // means anything in Offline).
    const results::Metrics p = results::compute_metrics(perf), a = results::compute_metrics(audit);
    if (p.samples_per_s <= 0 || a.samples_per_s <= 0 || perf_units <= 0) {
      r.figures = "no throughput to compare (performance " + fmt("%.6g", p.samples_per_s) + ", audit " +
                  fmt("%.6g", a.samples_per_s) + " samples/s)";
      return r;
    }
    actual = 1e3 / a.samples_per_s;
    per_unit = p.duration_s * 1e3 / perf_units;
    what = "time per query (" + fmt("%.6g", a.samples_per_s) + " samples/s)";
  } else {
    // Service time (issue to completion), not from the Server schedule: how late the harness
    // issued is not the SUT's doing. At the scenario's percentile, at most p90: a cache moves the
    // bulk of the distribution, while the p99 of a short run is decided by a few scheduler stalls.
    const double pct = std::min(perf.settings.latency_percentile, 0.9);
    std::vector<double> normalised, audit_ms;
    for (const auto& [q, u] : perf_work) normalised.push_back((q->completed_ns - q->issued_ns) / 1e6 / u);
    for (const results::QueryLog& q : audit.queries)
      if (q.completed_ns >= 0) audit_ms.push_back((q.completed_ns - q.issued_ns) / 1e6);
    if (normalised.empty() || audit_ms.empty()) {
      r.figures = "no completed queries to compare";
      return r;
    }
    actual = results::quantile(audit_ms, pct);
    per_unit = results::quantile(normalised, pct);
    std::string pname = registry::format_number(pct * 100);
    pname.insert(0, 1, 'p');  // not "p" + string: GCC 12 warns falsely (-Wrestrict) at -O3
    what = pname + " service time";
  }
  const double expected = per_unit * w;
  // Faster than expected by more than the tolerance, and by more than the slack: differences
  // below the slack are the timer's and the scheduler's (an echo query costs microseconds).
  r.pass = actual + slack_ms >= expected / (1 + tolerance);
  r.figures = "audit " + what + " " + fmt("%.4g", actual) + " ms vs expected " + fmt("%.4g", expected) +
              " ms = performance " + fmt("%.4g", per_unit) + " ms per " + unit + " x " + fmt("%g", w) +
              " for sample " + std::to_string(audit_sample) + " (performance mean " +
              fmt("%.3g", perf_work.empty() ? 0 : perf_units / static_cast<double>(perf_work.size())) +
              "; units counted in the accuracy run); audit/expected " + fmt("%.3f", expected > 0 ? actual / expected : 0) +
              ", at least " + fmt("%.3f", 1 / (1 + tolerance)) + " or within " + fmt("%g", slack_ms) +
              " ms (test04_tolerance " + fmt("%g", tolerance) + ", test04_slack_ms " + fmt("%g", slack_ms) + ")";
  return r;
}

}  // namespace edubench::compliance
