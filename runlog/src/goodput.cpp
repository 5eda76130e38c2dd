// Goodput under SLOs, and the formula of every figure: what result.json's metric_definitions
// block and docs/metrics.md say, next to the code that computes it.
#include <edubench/runlog/metrics.hpp>

namespace edubench::runlog {

std::optional<Goodput> compute_goodput(const RunLog& log, double duration_s) {
  const registry::Settings& s = log.settings;
  struct Slo {
    const char* figure;
    const char* setting;
    double ms;
  };
  std::vector<Slo> set;
  for (const Slo& slo : {Slo{"TTFT", "slo_ttft_ms", s.slo_ttft_ms}, Slo{"TPOT", "slo_tpot_ms", s.slo_tpot_ms},
                         Slo{"end-to-end", "slo_e2e_ms", s.slo_e2e_ms}})
    if (slo.ms > 0) set.push_back(slo);
  if (set.empty()) return std::nullopt;
  Goodput g;
  for (const Slo& slo : set) g.slos.push_back({slo.figure, slo.setting, slo.ms, 0, 0, false});
  uint64_t completed = 0;
  for (const QueryLog& q : log.queries) {
    if (q.warmup || q.completed_ns < 0) continue;
    ++completed;
    const QueryFigures f = query_figures(q, log.scenario);
    bool good = true;
    for (SloCheck& c : g.slos) {
      bool met = false;
      if (c.setting == "slo_ttft_ms") met = f.ttft_ms && *f.ttft_ms <= c.slo_ms;  // no first token: missed
      if (c.setting == "slo_tpot_ms") met = !f.tpot_ms || *f.tpot_ms <= c.slo_ms;  // < 2 tokens: no TPOT to miss
      if (c.setting == "slo_e2e_ms") met = f.e2e_ms <= c.slo_ms;
      c.met += met ? 1 : 0;
      good = good && met;
    }
    if (good) {
      ++g.good_queries;
      g.good_tokens += q.n_tokens;
    }
  }
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
                      "(LoadGen's rule); mean = sum / n"},
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
