// One directory of a report, read: a run (result.json, events.jsonl, accuracy.jsonl) or a peak
// search (peak.json and each probe's result.json).
#pragma once

#include <edubench/runlog/run_figures.hpp>
#include <edubench/runlog/run_log.hpp>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace edubench::report {

using ojson = nlohmann::ordered_json;

struct RunData {
  std::string dir;
  std::string label;       // what tells this run from the others: the SUT and its non-path options
  bool is_peak = false;
  ojson result;            // result.json (a run)
  runlog::RunLog log;      // events.jsonl + accuracy.jsonl (a run)
  runlog::RunFigures figures;
  ojson peak;              // peak.json (a peak search)
  std::vector<ojson> probe_results;  // each probe's result.json, in peak.json's order
};

// Throws InputError naming the directory or file.
RunData load_run(const std::string& dir);

// A number from result.json's metrics by path ("latency_ms.p99"); NaN when absent.
double metric(const RunData& r, const std::string& path);
// A figure by path: as metric(), or from result.json's accuracy block when the path starts with
// "accuracy." ("accuracy.value", "accuracy.figures.first_attempt_pass_rate"). Gates and the
// comparison table name figures this way.
double figure(const RunData& r, const std::string& path);

}  // namespace edubench::report
