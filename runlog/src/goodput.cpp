// Goodput under SLOs, and the formula of every figure: what result.json's metric_definitions
// block and docs/metrics.md say, next to the code that computes it.
#include <edubench/runlog/metrics.hpp>

namespace edubench::runlog {

void slo_checks(const QueryFigures& f, const registry::Settings& s, bool met[3]) {
  met[0] = s.slo_ttft_ms <= 0 || (f.ttft_ms && *f.ttft_ms <= s.slo_ttft_ms);  // no first token: missed
  met[1] = s.slo_tpot_ms <= 0 || !f.tpot_ms || *f.tpot_ms <= s.slo_tpot_ms;   // < 2 tokens: no TPOT to miss
  met[2] = s.slo_e2e_ms <= 0 || f.e2e_ms <= s.slo_e2e_ms;
}

std::optional<Goodput> goodput_from_counts(const registry::Settings& s, uint64_t completed, const uint64_t met[3],
                                           uint64_t good_queries, uint64_t good_tokens, double duration_s) {
  struct Slo {
    const char* figure;
    const char* setting;
    double ms;
    uint64_t met;
  };
  Goodput g;
  for (const Slo& slo : {Slo{"TTFT", "slo_ttft_ms", s.slo_ttft_ms, met[0]}, Slo{"TPOT", "slo_tpot_ms", s.slo_tpot_ms, met[1]},
                         Slo{"end-to-end", "slo_e2e_ms", s.slo_e2e_ms, met[2]}})
    if (slo.ms > 0) g.slos.push_back({slo.figure, slo.setting, slo.ms, slo.met, 0, false});
  if (g.slos.empty()) return std::nullopt;
  g.good_queries = good_queries;
  g.good_tokens = good_tokens;
  g.slos_met = completed > 0;
  for (SloCheck& c : g.slos) {
    c.share = completed ? static_cast<double>(c.met) / static_cast<double>(completed) : 0;
    c.met_at_percentile = completed > 0 && c.share >= s.slo_percentile;
    g.slos_met = g.slos_met && c.met_at_percentile;
  }
  if (completed) g.good_share = static_cast<double>(g.good_queries) / static_cast<double>(completed);
  if (duration_s > 0) {
    g.request_goodput_per_s = static_cast<double>(g.good_queries) / duration_s;
    g.token_goodput_per_s = static_cast<double>(g.good_tokens) / duration_s;
  }
  return g;
}

std::optional<Goodput> compute_goodput(const RunLog& log, double duration_s) {
  uint64_t completed = 0, met[3] = {0, 0, 0}, good_queries = 0, good_tokens = 0;
  for (const QueryLog& q : log.queries) {
    if (q.warmup || q.completed_ns < 0) continue;
    ++completed;
    bool ok[3];
    slo_checks(query_figures(q, log.scenario), log.settings, ok);
    for (int i = 0; i < 3; ++i) met[i] += ok[i] ? 1 : 0;
    if (ok[0] && ok[1] && ok[2]) {
      ++good_queries;
      good_tokens += q.n_tokens;
    }
  }
  return goodput_from_counts(log.settings, completed, met, good_queries, good_tokens, duration_s);
}

// Each line is the formula as the code above and metrics.cpp compute it; docs/metrics.md repeats
// them word for word (a unit test holds the two together).
const std::vector<std::pair<std::string, std::string>>& metric_definitions() {
  static const std::vector<std::pair<std::string, std::string>> defs = {
      {"clock", "steady_clock nanoseconds taken by the harness: issue just before issue() is called, stream and "
                "completion first thing in stream() and complete(); origin = the scheduled time in Server, the issue "
                "time otherwise"},
      {"measured queries", "every query except the first warmup_query_count of a performance run (marked warmup in "
                           "events.jsonl), which are in no figure, minimum or early-stopping test"},
      {"percentiles", "p50, p90, p95, p99, p999: element floor(n x q) of the n sorted values, clamped to n - 1 "
                      "(LoadGen's rule); a figure with more than 65,536 values (a null-SUT-scale run) takes the upper "
                      "edge of that element's log-linear bucket instead, at most 2^-10 (0.098%) above it and never "
                      "below; mean = sum / n"},
      {"latency_ms", "completion - origin, per completed measured query"},
      {"ttft_ms", "first stream() call - origin, per completed measured query with a stream() call"},
      {"tpot_ms", "(completion - first stream() call) / (tokens - 1), per completed measured query with a stream() "
                  "call and at least 2 response tokens"},
      {"itl_ms", "inter-token latency: the gaps between consecutive stream() calls of a completed measured query (a "
                 "call may carry several tokens)"},
      {"duration_s", "last completion - first origin, over the measured queries"},
      {"samples_per_s", "completed measured queries / duration_s"},
      {"tokens_per_s", "response tokens of the completed measured queries / duration_s"},
      {"achieved_qps", "Server: (measured queries - 1) / (last scheduled time - first scheduled time)"},
      {"issue_lag_ms", "actual issue time - scheduled issue time, per measured query (0 outside Server)"},
      {"issue_call_max_ms", "the longest time from a measured query's issue to the return of the issue() call that "
                            "carried it"},
      {"harness lag guard", "a performance run is INVALID when issue_lag_ms p99 > issue_lag_bound_ms (0: no guard)"},
      {"slo share", "completed measured queries whose TTFT, TPOT or latency is <= slo_ttft_ms, slo_tpot_ms or "
                    "slo_e2e_ms, over the completed measured queries; a query without a stream() call misses the "
                    "TTFT SLO, one with fewer than 2 tokens meets the TPOT SLO"},
      {"good query", "a completed measured query that meets every SLO that is set (> 0)"},
      {"request_goodput_per_s", "good queries / duration_s"},
      {"token_goodput_per_s", "response tokens of the good queries / duration_s"},
      {"good_share", "good queries / completed measured queries"},
      {"slos_met", "every SLO that is set has a share >= slo_percentile; it scores the run and never makes it INVALID"},
      {"latency_early_stopping_ms", "SingleStream: LoadGen's early-stopping estimate of the latency_percentile "
                                    "latency (the t - 1 slowest discarded, docs/compliance.md)"},
      {"sut_step_ms", "agent runs: the gaps between a query's harness-timed tool calls and code runs, from issue to "
                      "completion"},
  };
  return defs;
}

}  // namespace edubench::runlog
