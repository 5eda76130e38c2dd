// The per-query figures behind a run's percentiles, one row per measured completed query, for
// pictures (edubench report): the distribution rather than its summary. Each row is
// query_figures() of metrics.hpp, the function every figure and SLO uses.
#pragma once

#include <edubench/runlog/metrics.hpp>
#include <edubench/runlog/run_log.hpp>

#include <cstdint>
#include <vector>

namespace edubench::runlog {

struct QueryPoint {
  uint64_t id = 0;
  double completed_s = 0;  // completion, seconds since the run's first query (warm-up included)
  QueryFigures figures;
};

struct RunFigures {
  std::vector<QueryPoint> queries;  // measured (not warm-up) completed queries, in id order
  std::vector<double> itl_ms;       // gaps between consecutive stream() calls of those queries
  double warmup_end_s = -1;         // the last warm-up query's completion; -1 without warm-up
};

RunFigures run_figures(const RunLog& log);

}  // namespace edubench::runlog
