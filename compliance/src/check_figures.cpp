// The run's own figures against the checker's: goodput, the SLO shares, the issue lag and the
// throughput in result.json, each recomputed from events.jsonl with the library the harness
// used. It proves the two computations agree (and catches a result.json re-sealed with other
// numbers); the verdicts themselves never come from result.json. The same for the accuracy
// run's further figures (first-attempt pass rate, trajectories).
#include "check_format.hpp"

#include <edubench/compliance/check.hpp>
#include <edubench/runlog/metrics.hpp>

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>

namespace edubench::compliance {
using detail::fmt;
namespace {

using json = nlohmann::json;

// The figures compared, by their JSON pointer in result.json, with the recomputed value.
std::vector<std::pair<std::string, double>> recomputed(const runlog::Metrics& m) {
  std::vector<std::pair<std::string, double>> v = {
      {"/metrics/samples_per_s", m.samples_per_s},
      {"/metrics/tokens_per_s", m.tokens_per_s},
      {"/metrics/warmup_queries", static_cast<double>(m.warmup_queries)},
      {"/metrics/issue_lag_ms/p99", m.issue_lag_ms.p99},
  };
  if (!m.goodput) return v;
  const runlog::Goodput& g = *m.goodput;
  v.push_back({"/metrics/goodput/request_goodput_per_s", g.request_goodput_per_s});
  v.push_back({"/metrics/goodput/token_goodput_per_s", g.token_goodput_per_s});
  v.push_back({"/metrics/goodput/good_queries", static_cast<double>(g.good_queries)});
  v.push_back({"/metrics/goodput/slos_met", g.slos_met ? 1 : 0});
  for (size_t i = 0; i < g.slos.size(); ++i)
    v.push_back({"/metrics/goodput/slos/" + std::to_string(i) + "/share", g.slos[i].share});
  return v;
}

// Both sides come from the same integers by the same code: only the JSON round trip of a double
// may differ, in its last bit.
bool same_figure(double got, double want) { return std::fabs(got - want) <= 1e-12 * std::max(1.0, std::fabs(want)); }

}  // namespace

RuleResult check_result_figures(const runlog::RunLog& run, const std::string& result_path, const std::string& file) {
  RuleResult r{"figures", false, file, ""};
  std::ifstream in(result_path, std::ios::binary);
  const json result = json::parse(in, nullptr, false);
  if (!in || result.is_discarded() || !result.is_object()) return r.figures = "missing or not a JSON object", r;
  const runlog::Metrics m = runlog::compute_metrics(run);
  const auto figures = recomputed(m);
  if (!m.goodput && result.contains(json::json_pointer("/metrics/goodput")))
    return r.figures = "metrics.goodput is present, but the recorded settings set no SLO", r;
  for (const auto& [pointer, want] : figures) {
    const json::json_pointer p(pointer);
    if (!result.contains(p)) return r.figures = pointer.substr(1) + " is missing", r;
    const json& got = result.at(p);
    const double v = got.is_boolean() ? (got.get<bool>() ? 1 : 0) : got.is_number() ? got.get<double>() : NAN;
    if (!same_figure(v, want))
      return r.figures = pointer.substr(1) + " " + fmt("%.17g", v) + " != " + fmt("%.17g", want) +
                         " recomputed from events.jsonl", r;
  }
  r.pass = true;
  r.figures = std::to_string(figures.size()) + " figures equal their recomputation from events.jsonl";
  if (m.goodput)
    r.figures += " (request goodput " + fmt("%.6g", m.goodput->request_goodput_per_s) + " queries/s, token goodput " +
                 fmt("%.6g", m.goodput->token_goodput_per_s) + " tokens/s)";
  return r;
}

RuleResult check_accuracy_figures(const runlog::RunLog& run, const registry::Workload& w,
                                  const std::vector<registry::Sample>& samples, const std::string& result_path,
                                  const std::string& file) {
  RuleResult r{"accuracy_figures", false, file, ""};
  std::ifstream in(result_path, std::ios::binary);
  const json result = json::parse(in, nullptr, false);
  if (!in || result.is_discarded() || !result.is_object()) return r.figures = "missing or not a JSON object", r;
  const json::json_pointer at("/accuracy/figures");
  if (!result.contains(at) || !result.at(at).is_object()) return r.figures = "accuracy.figures is missing", r;
  const json& got = result.at(at);
  const auto want = runlog::compute_accuracy(run, w, samples).figures;
  for (const auto& [key, value] : got.items())
    if (!want.count(key)) return r.figures = "accuracy.figures." + key + " is not a figure of this workload's scoring", r;
  for (const auto& [key, value] : want) {
    if (!got.contains(key)) return r.figures = "accuracy.figures." + key + " is missing", r;
    const double v = got[key].is_number() ? got[key].get<double>() : NAN;
    if (!same_figure(v, value))
      return r.figures = "accuracy.figures." + key + " " + fmt("%.17g", v) + " != " + fmt("%.17g", value) +
                         " recomputed from the log", r;
  }
  r.pass = true;
  r.figures = std::to_string(want.size()) + " accuracy figures equal their recomputation";
  if (want.count("trajectory_exact_match"))
    r.figures += " (trajectory exact match " + fmt("%.4f", want.at("trajectory_exact_match")) + ", tool-call efficiency " +
                 fmt("%.4f", want.at("tool_call_efficiency")) + ")";
  return r;
}

}  // namespace edubench::compliance
