// The figures a report and `edubench compare` put side by side, from each run's result.json.
#pragma once

#include "run_data.hpp"

#include <string>
#include <vector>

namespace edubench::report {

struct Row {
  std::string name;            // "latency p99, ms"
  std::vector<double> values;  // one per run; NaN when the run has no such figure
  bool lower_is_better = true;
};

// Rows that at least one run has: throughput, latency, TTFT, TPOT, inter-token percentiles,
// accuracy, agent splits, speculative acceptance.
std::vector<Row> comparison_rows(const std::vector<const RunData*>& runs);

}  // namespace edubench::report
