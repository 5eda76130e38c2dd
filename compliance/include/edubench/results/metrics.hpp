// Metrics and validity derived from a RunLog: the one code path both the harness (when it
// writes result.json) and the checker (when it re-derives a verdict) use.
#pragma once

#include <edubench/results/run_log.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace edubench::results {

struct Percentiles {  // milliseconds
  uint64_t count = 0;
  double mean = 0, min = 0, max = 0;
  double p50 = 0, p90 = 0, p95 = 0, p99 = 0, p999 = 0;
};
// Percentiles by LoadGen's rule (sorted[floor(n * q)]) of `values_ms`; count 0 when empty.
Percentiles percentiles(std::vector<double> values_ms);
// The value at quantile q (0..1) by the same rule.
double quantile(std::vector<double> values, double q);

// LoadGen's early-stopping estimate: the smallest latency that, with the given confidence,
// bounds the `percentile` of the true distribution given only `n` observed queries.
// Returns nullopt when n is too small for any estimate (LoadGen then asks for more queries).
std::optional<double> early_stopping_estimate(std::vector<double> values_ms, double percentile,
                                              double confidence = 0.99);
// The smallest query count for which an estimate exists.
uint64_t early_stopping_min_queries(double percentile, double confidence = 0.99);

struct Aggregate {  // of report() values, per metric
  uint64_t count = 0;
  double sum = 0, mean = 0, min = 0, max = 0;
};

struct Metrics {
  uint64_t queries_issued = 0, queries_completed = 0;
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
  std::map<std::string, Aggregate> reported;  // SUT-side report() figures
  // Agent telemetry.
  Percentiles tool_ms;
  Percentiles code_run_ms;
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
};

// Scores the logged responses against the data set's references.
AccuracyResult compute_accuracy(const RunLog& log, const registry::Workload& w,
                                const std::vector<registry::Sample>& samples);

}  // namespace edubench::results
