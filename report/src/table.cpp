#include "table.hpp"

#include <cmath>

namespace edubench::report {

std::vector<Row> comparison_rows(const std::vector<const RunData*>& runs) {
  struct Spec {
    const char* name;
    const char* path;
    bool lower_is_better;
  };
  static const Spec kSpecs[] = {
      {"samples/s", "samples_per_s", false},         {"tokens/s", "tokens_per_s", false},
      {"achieved qps (server)", "achieved_qps", false},
      {"request goodput/s (every SLO met)", "goodput.request_goodput_per_s", false},
      {"token goodput/s", "goodput.token_goodput_per_s", false},
      {"share of queries meeting every SLO", "goodput.good_share", false},
      {"latency p50, ms", "latency_ms.p50", true},
      {"latency p90, ms", "latency_ms.p90", true},   {"latency p99, ms", "latency_ms.p99", true},
      {"TTFT p50, ms", "ttft_ms.p50", true},         {"TTFT p99, ms", "ttft_ms.p99", true},
      {"TPOT p50, ms", "tpot_ms.p50", true},         {"TPOT p99, ms", "tpot_ms.p99", true},
      {"inter-token p50, ms", "itl_ms.p50", true},   {"inter-token p99, ms", "itl_ms.p99", true},
      {"SUT step p50, ms", "sut_step_ms.p50", true}, {"tool call p50, ms", "tool_ms.p50", true},
      {"sandbox run p50, ms", "code_run_ms.p50", true}, {"acceptance rate", "derived.acceptance_rate", false},
      {"accepted drafts per target pass", "derived.mean_accepted_length", false},
      {"issue lag p99, ms (server)", "issue_lag_ms.p99", true},
      {"queries completed", "queries_completed", false}, {"warm-up queries (in no figure)", "warmup_queries", false},
      {"duration, s", "duration_s", false},
      // Accuracy and the figures beside it (docs/metrics.md: first attempts, trajectories).
      {"accuracy", "accuracy.value", false},
      {"first-attempt pass rate", "accuracy.figures.first_attempt_pass_rate", false},
      {"trajectory exact match", "accuracy.figures.trajectory_exact_match", false},
      {"tool-call efficiency (reference / made)", "accuracy.figures.tool_call_efficiency", false},
      {"invalid tool calls", "accuracy.figures.invalid_tool_calls", true},
      {"tool calls per answer (mean)", "accuracy.figures.steps_to_answer_mean", true},
  };
  std::vector<Row> rows;
  for (const Spec& s : kSpecs) {
    Row r{s.name, {}, s.lower_is_better};
    bool any = false;
    const bool server_only = std::string(s.path).rfind("issue_lag_ms", 0) == 0 || std::string(s.path) == "achieved_qps";
    const bool hide_zero = std::string(s.path) == "warmup_queries";
    for (const RunData* run : runs) {
      double v = figure(*run, s.path);
      if (server_only && run->result.value("scenario", "") != "server") v = NAN;  // not measured there
      if (hide_zero && v == 0) v = NAN;
      if (std::string(s.path).find("_ms.") != std::string::npos &&
          metric(*run, std::string(s.path).substr(0, std::string(s.path).find('.')) + ".count") == 0)
        v = NAN;  // a percentile of nothing (no stream() calls, no tool calls)
      any |= !std::isnan(v);
      r.values.push_back(v);
    }
    if (any) rows.push_back(std::move(r));
  }
  return rows;
}

}  // namespace edubench::report
