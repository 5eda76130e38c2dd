// The per-query figures behind the run's percentiles, one row per completed query, for
// pictures (edubench report) and for anyone who wants the distribution rather than its summary.
// Same definitions as compute_metrics (metric_definitions in result.json).
#pragma once

#include <edubench/runlog/run_log.hpp>

#include <cstdint>
#include <vector>

namespace edubench::runlog {

struct QueryFigure {
  uint64_t id = 0;
  double completed_s = 0;  // completion, seconds since the run's first issue (or schedule)
  double latency_ms = 0;   // completion - scheduled (server) or issued
  double ttft_ms = -1;     // first stream() - the same origin; -1 without stream() calls
  double tpot_ms = -1;     // (completion - first stream()) / (tokens - 1); -1 below 2 tokens
};

struct RunFigures {
  std::vector<QueryFigure> queries;  // completed queries, in id order
  std::vector<double> itl_ms;        // gaps between consecutive stream() calls of a query
  double origin_s = 0;               // the run's time zero, steady_clock seconds
};

RunFigures query_figures(const RunLog& log);

}  // namespace edubench::runlog
