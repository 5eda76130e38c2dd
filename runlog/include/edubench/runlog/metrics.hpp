// Metrics and validity derived from a RunLog: the one code path both the harness (when it
// writes result.json) and the checker (when it re-derives a verdict) use.
#pragma once

#include <edubench/runlog/run_log.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace edubench::runlog {

struct Percentiles {  // milliseconds
  uint64_t count = 0;
  double mean = 0, min = 0, max = 0;
  double p50 = 0, p90 = 0, p95 = 0, p99 = 0, p999 = 0;
};
// Percentiles of `values_ms` by LoadGen's rule (results.cc, ProcessLatencies): the element at
// 0-based index floor(n * q) of the sorted values, clamped to n - 1. A nearest-rank rule without
// interpolation; where n * q is a whole number it takes the next rank up (n = 100: p90 is the
// 91st smallest), so a figure always has a share >= q of the values at or below it.
// count 0 (and all zeros) when empty.
Percentiles percentiles(std::vector<double> values_ms);
// The value at quantile q (0..1) by the same rule.
double quantile(std::vector<double> values, double q);

// LoadGen's early stopping (loadgen/early_stopping.cc, results.cc), tolerance 0. With
// h(t) = the smallest h for which P[at most t of h + t queries exceed the true p-quantile]
// < 1 - confidence (a binomial tail), the SingleStream estimate is sorted[n - t] for the largest
// t with h(t) + t <= n, i.e. it discards the t - 1 slowest queries. Returns nullopt when
// n < h(1) + 1 (LoadGen then asks for more queries).
std::optional<double> early_stopping_estimate(std::vector<double> values_ms, double percentile,
                                              double confidence = 0.99);
// The 0-based rank in sorted order of that estimate among n values; nullopt as above.
std::optional<uint64_t> early_stopping_rank(uint64_t n, double percentile, double confidence = 0.99);
// The smallest query count for which an estimate exists: h(1) + 1 (64 at p90, 662 at p99).
uint64_t early_stopping_min_queries(double percentile, double confidence = 0.99);
// LoadGen's Server test: a run with `overlatency` queries over the bound passes when it issued
// at least h(overlatency) + overlatency queries; returns that count.
uint64_t early_stopping_queries_needed(uint64_t overlatency, double percentile, double confidence = 0.99);

struct Aggregate {  // of report() values, per metric
  uint64_t count = 0;
  double sum = 0, mean = 0, min = 0, max = 0;
};

// One Server bound (latency_bound_ms, ttft_bound_ms or tpot_bound_ms) as checked for validity.
struct BoundCheck {
  std::string figure;      // "latency" | "TTFT" | "TPOT"
  std::string bound_name;  // the setting
  double bound_ms = 0;
  double at_percentile_ms = 0;  // the figure at settings.latency_percentile
  uint64_t over = 0;            // queries over the bound (LoadGen's overlatency count)
  uint64_t needed = 0;          // queries early stopping needs with that many over
  bool ok = false;              // percentile within the bound and early stopping met
};

// Agent queries, as timed by the harness (never from SUT reports): a query's wall time from
// issue to completion is spent either inside a harness-timed call (call_tool, run_code) or in
// the SUT between them (its model, its queue, its own overhead). The SUT segments are the
// gaps: issue -> first call start, each call end -> next call start, last call end ->
// completion. Calls are clipped to [issue, completion]; calls of one query that overlap
// (a SUT calling from several threads) merge into one busy interval, so a segment is never
// negative and a zero-call query has one segment, its whole issue -> completion time.
// Touching calls (end == next start) still leave a 0 ms segment between them.
struct SutSegment {
  uint64_t query = 0;
  uint32_t step = 0;  // 0-based index within its query
  int64_t start_ns = 0, end_ns = 0;
};

// True when the run logged a tool call or code run: the runs the agent figures are for.
bool has_agent_calls(const RunLog& log);
// A completed query's issue and completion: all the time split needs of it.
struct QuerySpan {
  uint64_t id = 0;
  int64_t issued_ns = 0, completed_ns = 0;
};
// Every completed query's SUT segments, in query order then time order. Queries that never
// completed have none (no end to measure to).
std::vector<SutSegment> sut_segments(const RunLog& log);

// Where the completed queries' time went, summed over them. query_ms = sut_ms + tool_ms +
// code_run_ms - overlap_ms exactly; overlap_ms (calls of one query running at the same
// time) is 0 for a SUT that calls one at a time. Time runs from issue, not from the Server
// arrival: the wait before issue is the harness's, not the SUT's.
struct TimeSplit {
  uint64_t queries = 0;   // completed queries counted
  uint64_t sut_steps = 0;  // SUT segments counted
  double query_ms = 0, sut_ms = 0, tool_ms = 0, code_run_ms = 0, overlap_ms = 0;
  double sut_share = 0, tool_share = 0, code_run_share = 0;  // of query_ms
};

// One completed query's timing figures in milliseconds, as every figure and SLO uses them (the
// formulas of docs/metrics.md). Origin: the scheduled time in Server, else the issue time.
struct QueryFigures {
  double e2e_ms = 0;                  // completion - origin
  std::optional<double> ttft_ms;      // first stream() call - origin; none without a stream() call
  std::optional<double> tpot_ms;      // (completion - first stream() call) / (tokens - 1); tokens >= 2
};
QueryFigures query_figures(const QueryLog& q, registry::Scenario sc);

// One goodput SLO (slo_ttft_ms, slo_tpot_ms, slo_e2e_ms) over the measured completed queries.
struct SloCheck {
  std::string figure;    // "TTFT" | "TPOT" | "end-to-end"
  std::string setting;   // the SLO's setting
  double slo_ms = 0;
  uint64_t met = 0;      // completed queries meeting it
  double share = 0;      // met / completed
  bool met_at_percentile = false;  // share >= slo_percentile
};

// Goodput (settings with at least one SLO): the completed measured queries that met every SLO
// that is set, per second of the run's duration (the same duration as samples_per_s).
struct Goodput {
  std::vector<SloCheck> slos;
  uint64_t good_queries = 0, good_tokens = 0;
  double good_share = 0;               // good_queries / completed queries
  double request_goodput_per_s = 0;    // good_queries / duration_s
  double token_goodput_per_s = 0;      // tokens of the good queries / duration_s
  bool slos_met = false;               // every SLO's share >= slo_percentile
};
// nullopt when no SLO is set. `duration_s` is Metrics::duration_s.
std::optional<Goodput> compute_goodput(const RunLog& log, double duration_s);
// The same one query at a time: which of the SLOs (TTFT, TPOT, end-to-end, in that order) a
// completed query meets (an SLO that is not set counts as met), and the goodput from the counts.
void slo_checks(const QueryFigures& f, const registry::Settings& s, bool met[3]);
std::optional<Goodput> goodput_from_counts(const registry::Settings& s, uint64_t completed, const uint64_t met[3],
                                           uint64_t good_queries, uint64_t good_tokens, double duration_s);

// Every formula behind result.json's figures, as {figure, formula}: result.json's
// metric_definitions block and docs/metrics.md state these exactly.
const std::vector<std::pair<std::string, std::string>>& metric_definitions();

struct Metrics {
  uint64_t queries_issued = 0, queries_completed = 0;  // measured queries (warm-up excluded)
  uint64_t warmup_queries = 0;  // issued as warm-up: in events.jsonl, in no figure
  // Issue lag: actual minus scheduled issue time of each measured query (0 outside Server).
  Percentiles issue_lag_ms;
  double issue_call_max_ms = 0;  // the longest issue() call that carried a measured query
  std::optional<Goodput> goodput;
  double duration_s = 0;       // first issue (or scheduled) to last completion
  double samples_per_s = 0;
  double tokens_per_s = 0;
  uint64_t tokens_total = 0;
  Percentiles latency_ms;      // end to end, from scheduled (server) or issue time
  Percentiles ttft_ms;         // to the first stream() call
  Percentiles tpot_ms;         // (completion - first token) / (tokens - 1), per query
  Percentiles itl_ms;          // gaps between stream() calls
  std::optional<double> latency_early_stopping_ms;  // at settings.latency_percentile
  double achieved_qps = 0;     // server: issued queries / schedule span
  std::vector<BoundCheck> bounds;  // server: one per bound that is set
  std::map<std::string, Aggregate> reported;  // SUT-side report() figures
  // Ratios of reported sums, for speculative decoding: acceptance_rate (accepted / drafted
  // tokens) and mean_accepted_length (accepted drafts per verification pass, target_passes).
  std::map<std::string, double> derived;
  // Agent telemetry.
  Percentiles tool_ms;
  Percentiles code_run_ms;
  // Harness-measured, only when has_agent_calls: SUT segment durations and the time split.
  Percentiles sut_step_ms;
  std::optional<TimeSplit> time_split;
  bool valid = true;
  std::vector<std::string> invalid_reasons;  // one line each, naming the figure and bound
};

Metrics compute_metrics(const RunLog& log);

struct AccuracyResult {
  std::string metric;
  double value = 0;     // 0..1
  double target = 0;    // the closed-division bound: reference * closed_fraction
  bool passed = false;
  uint64_t scored = 0;  // responses scored
  uint64_t expected = 0;  // samples that should have been scored
  std::vector<std::string> problems;  // e.g. "sample 12: no response logged"
  // Further scores beside the metric, over the same samples (pass_rate: first_attempt_pass_rate;
  // samples with reference routes: the trajectory figures of trajectory.cpp).
  std::map<std::string, double> figures;
};

// Scores the logged responses against the data set's references.
AccuracyResult compute_accuracy(const RunLog& log, const registry::Workload& w,
                                const std::vector<registry::Sample>& samples);

}  // namespace edubench::runlog
