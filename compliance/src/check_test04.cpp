// TEST04: no caching across queries. The audit run issues one sample repeatedly, drawn at random
// by the submission (performance_sample_offset); a SUT that caches answers then does almost no
// work after the first query. An Offline audit mixes a share of distinct other samples into its
// one batch (audit_mix), so that the batch is not one prompt over and over: a SUT that serves
// such a batch honestly and caches otherwise is caught as well; the expectation then counts
// every query's own sample. Queries differ in cost, so the audit is not compared with another
// run's time per query but with what its one sample should take: a run's time per unit of work
// (work_units.cpp) times the units that sample needs. Every sample's units come from the
// accuracy run, which issues each sample once: no cache can lower them there, and the audit's
// own (possibly cached) trace is never what it is measured against.
#include "check_format.hpp"

#include <edubench/compliance/check.hpp>
#include <edubench/runlog/metrics.hpp>

#include <algorithm>
#include <stdexcept>
#include <unordered_map>

namespace edubench::compliance {
using detail::fmt;
namespace {

// sample -> units of work, from the first completed query of each sample in the accuracy run.
std::unordered_map<uint64_t, double> units_per_sample(const runlog::RunLog& acc, registry::Kind kind) {
  const auto by_query = work_units(acc, kind);
  std::unordered_map<uint64_t, double> by_sample;
  for (const runlog::QueryLog& q : acc.queries)
    if (q.completed_ns >= 0) by_sample.emplace(q.sample_index, by_query.at(q.id));
  return by_sample;
}

double service_ms(const runlog::QueryLog& q) { return (q.completed_ns - q.issued_ns) / 1e6; }

// A run's time per unit of work: Offline, its duration over the units of its completed queries
// (queries overlap, so no single query's time means anything); otherwise each query's service
// time (issue to completion, not from the Server schedule: how late the harness issued is not
// the SUT's doing) over its units, at quantile `pct`. Throws when a sample's units are unknown.
struct PerUnit {
  double ms = 0, mean_units = 0;
};
PerUnit per_unit(const runlog::RunLog& run, const std::unordered_map<uint64_t, double>& units, double pct) {
  PerUnit p;
  double total = 0;
  std::vector<double> normalised;
  for (const runlog::QueryLog& q : run.queries) {
    if (q.completed_ns < 0 || q.warmup) continue;  // warm-up queries are in no figure
    auto it = units.find(q.sample_index);
    if (it == units.end())
      throw std::runtime_error("the accuracy run has no completed query for sample " + std::to_string(q.sample_index) +
                               " (each sample's work is counted there)");
    total += it->second;
    normalised.push_back(service_ms(q) / it->second);
  }
  if (normalised.empty()) throw std::runtime_error("no completed queries in the " + run.mode + " run");
  p.mean_units = total / static_cast<double>(normalised.size());
  p.ms = run.scenario == registry::Scenario::offline ? runlog::compute_metrics(run).duration_s * 1e3 / total
                                                     : runlog::quantile(normalised, pct);
  return p;
}

}  // namespace

RuleResult check_test04(const runlog::RunLog& perf, const runlog::RunLog& audit, const runlog::RunLog& acc,
                        registry::Kind kind, double tolerance, double slack_ms, const std::string& file,
                        uint64_t dataset_size) {
  RuleResult r{"TEST04", false, file, ""};
  if (perf.scenario != audit.scenario || acc.scenario != audit.scenario) {
    r.figures = std::string("the audit ran ") + registry::to_string(audit.scenario) + ", the performance run " +
                registry::to_string(perf.scenario) + ", the accuracy run " + registry::to_string(acc.scenario);
    return r;
  }
  std::unordered_map<uint64_t, uint64_t> seen;
  for (const auto& q : audit.queries) ++seen[q.sample_index];
  if (seen.empty() || (audit.settings.audit_mix == 0 && seen.size() != 1)) {
    r.figures = "the audit run issued " + std::to_string(seen.size()) + " distinct samples, expected 1";
    return r;
  }
  // The sample the audit's issue events carry most often, not an assumed one: since the
  // submission draws the audit's offset at random, any sample of the data set can be the audit's.
  uint64_t audit_sample = seen.begin()->first;
  for (const auto& [sample, count] : seen)
    if (count > seen.at(audit_sample)) audit_sample = sample;
  if (dataset_size > 0 && audit_sample != audit.settings.performance_sample_offset % dataset_size) {
    r.figures = "the audit run issued sample " + std::to_string(audit_sample) + ", but its performance_sample_offset " +
                std::to_string(audit.settings.performance_sample_offset) + " selects sample " +
                std::to_string(audit.settings.performance_sample_offset % dataset_size) + " of " +
                std::to_string(dataset_size);
    return r;
  }
  const auto units = units_per_sample(acc, kind);
  auto audit_units = units.find(audit_sample);
  if (audit_units == units.end()) {
    r.figures = "cannot be checked: the accuracy run has no completed query for the audit's sample " +
                std::to_string(audit_sample);
    return r;
  }
  double w = audit_units->second;
  const bool mixed = seen.size() > 1;
  // At the scenario's percentile, at most p90: a cache moves the bulk of the distribution, while
  // the p99 of a short run is decided by a few scheduler stalls.
  const double pct = std::min(perf.settings.latency_percentile, 0.9);
  PerUnit p, a;
  try {
    p = per_unit(perf, units, pct);
    a = per_unit(acc, units, pct);
  } catch (const std::exception& e) {
    r.figures = std::string("cannot be checked: ") + e.what();
    return r;
  }
  // What the audit's queries took. Offline: the batch's time per query, against the mean work of
  // its queries (the audit's sample and any mixed in); otherwise the audit sample's queries alone.
  double actual = 0;
  std::string what;
  if (audit.scenario == registry::Scenario::offline) {
    const double sps = runlog::compute_metrics(audit).samples_per_s;
    if (sps <= 0) {
      r.figures = "the audit run completed no queries";
      return r;
    }
    if (mixed) try {
      w = per_unit(audit, units, pct).mean_units;
    } catch (const std::exception& e) {
      r.figures = std::string("cannot be checked: ") + e.what();
      return r;
    }
    actual = 1e3 / sps;
    what = "time per query (" + fmt("%.6g", sps) + " samples/s, " +
           std::to_string(seen.at(audit_sample)) + " of " + std::to_string(audit.queries.size()) +
           " queries sample " + std::to_string(audit_sample) + ")";
  } else {
    std::vector<double> ms;
    for (const runlog::QueryLog& q : audit.queries)
      if (q.completed_ns >= 0 && !q.warmup && q.sample_index == audit_sample) ms.push_back(service_ms(q));
    if (ms.empty()) {
      r.figures = "the audit run completed no queries";
      return r;
    }
    actual = runlog::quantile(ms, pct);
    std::string pname = registry::format_number(pct * 100);
    pname.insert(0, 1, 'p');  // not "p" + string: GCC 12 warns falsely (-Wrestrict) at -O3
    what = pname + " service time";
  }
  // Two runs measured the SUT on distinct samples; the faster one sets the expectation, so a
  // slower machine during one of them cannot make an honest audit look too fast.
  const double expected = std::min(p.ms, a.ms) * w;
  // Faster than expected by more than the tolerance, and by more than the slack: differences
  // below the slack are the timer's and the scheduler's (an echo query costs microseconds).
  r.pass = actual + slack_ms >= expected / (1 + tolerance);
  r.figures = "audit " + what + " " + fmt("%.4g", actual) + " ms vs expected " + fmt("%.4g", expected) + " ms = " +
              fmt("%.4g", std::min(p.ms, a.ms)) + " ms per " + work_unit_name(kind) + " (performance run " +
              fmt("%.4g", p.ms) + ", accuracy run " + fmt("%.4g", a.ms) + ": the faster) x " + fmt("%g", w) +
              " for " + (mixed ? std::string("the audit's mean") : "sample " + std::to_string(audit_sample)) +
              " (performance mean " + fmt("%.3g", p.mean_units) +
              "); audit/expected " + fmt("%.3f", expected > 0 ? actual / expected : 0) + ", at least " +
              fmt("%.3f", 1 / (1 + tolerance)) + " or within " + fmt("%g", slack_ms) + " ms (test04_tolerance " +
              fmt("%g", tolerance) + ", test04_slack_ms " + fmt("%g", slack_ms) + ")";
  return r;
}

}  // namespace edubench::compliance
