// Validity and accuracy of one run, recomputed from its raw logs with the library the harness
// used when it wrote result.json, so the checker and the harness cannot disagree silently.
#include "check_format.hpp"

#include <edubench/compliance/check.hpp>
#include <edubench/runlog/metrics.hpp>

#include <cstdio>

namespace edubench::compliance {
using detail::fmt;
namespace {

// The figure the scenario is judged by, for the PASS line.
std::string headline(const runlog::RunLog& run, const runlog::Metrics& m) {
  std::string s = std::to_string(m.queries_completed) + " of " + std::to_string(m.queries_issued) + " queries completed";
  if (run.mode != "performance") return s;
  if (m.goodput) s += ", goodput " + fmt("%.6g", m.goodput->request_goodput_per_s) + " queries/s";
  switch (run.scenario) {
    case registry::Scenario::offline: return s + ", " + fmt("%.6g", m.samples_per_s) + " samples/s";
    case registry::Scenario::single_stream:
      return s + ", p90 latency " + fmt("%.6g", m.latency_ms.p90) + " ms" +
             (m.latency_early_stopping_ms ? ", early-stopping estimate " + fmt("%.6g", *m.latency_early_stopping_ms) + " ms"
                                          : "");
    case registry::Scenario::server:
      return s + ", p99 latency " + fmt("%.6g", m.latency_ms.p99) + " ms at " + fmt("%.6g", m.achieved_qps) + " QPS";
  }
  return s;
}

}  // namespace

RuleResult check_validity(const runlog::RunLog& run, const std::string& file) {
  const runlog::Metrics m = runlog::compute_metrics(run);
  RuleResult r{"validity", m.valid, file, ""};
  if (m.valid) {
    r.figures = "VALID by recomputation: " + headline(run, m);
  } else {
    r.figures = "INVALID by recomputation: " + m.invalid_reasons.front();
    if (m.invalid_reasons.size() > 1) r.figures += "; " + m.invalid_reasons[1];
    if (m.invalid_reasons.size() > 2) r.figures += "; " + std::to_string(m.invalid_reasons.size()) + " reasons in all";
  }
  return r;
}

RuleResult check_accuracy(const runlog::RunLog& run, const registry::Workload& w,
                          const std::vector<registry::Sample>& samples, const std::string& division,
                          const std::string& file) {
  const runlog::AccuracyResult a = runlog::compute_accuracy(run, w, samples);
  const bool closed = division != "open";
  const double target = closed ? a.target : w.accuracy.open_floor;
  RuleResult r{"accuracy", false, file, ""};
  const std::string how = closed ? "closed: reference " + registry::format_number(w.accuracy.reference) + " x " +
                                       registry::format_number(w.accuracy.closed_fraction)
                                 : "open floor";
  r.pass = run.mode == "accuracy" && a.scored > 0 && a.value >= target - 1e-12;
  r.figures = a.metric + " " + fmt("%.4f", a.value) + (r.pass ? " >= " : " < ") + "target " + fmt("%.4f", target) +
              " (" + how + "), " + std::to_string(a.scored) + " responses scored";
  if (run.mode != "accuracy") r.figures = "the run's mode is '" + run.mode + "', expected accuracy";
  return r;
}

RuleResult check_accuracy_coverage(const runlog::RunLog& run, const registry::Workload& w,
                                   const std::vector<registry::Sample>& samples, const std::string& file) {
  const runlog::AccuracyResult a = runlog::compute_accuracy(run, w, samples);
  RuleResult r{"accuracy_coverage", false, file, ""};
  // Accuracy mode issues sample i as the i-th query, once; anything else is not an accuracy run.
  uint64_t out_of_place = 0;
  for (size_t i = 0; i < run.queries.size(); ++i) out_of_place += run.queries[i].sample_index != i ? 1 : 0;
  r.pass = run.mode == "accuracy" && a.problems.empty() && a.scored == samples.size() &&
           run.queries.size() == samples.size() && out_of_place == 0;
  r.figures = std::to_string(a.scored) + " of " + std::to_string(samples.size()) + " samples of the split answered";
  if (run.queries.size() != samples.size())
    r.figures += ", " + std::to_string(run.queries.size()) + " queries issued";
  if (out_of_place) r.figures += ", " + std::to_string(out_of_place) + " queries not in sample order";
  if (!a.problems.empty()) r.figures += "; " + a.problems.front();
  if (run.mode != "accuracy") r.figures = "the run's mode is '" + run.mode + "', expected accuracy";
  return r;
}

}  // namespace edubench::compliance
