// What metrics.cpp shares with the accumulator: the number format of verdict lines, the lag
// guard's reason and the agent time split over completed queries' spans; and accuracy.cpp's
// trajectory figures.
#pragma once

#include <edubench/runlog/metrics.hpp>

#include <map>
#include <string>
#include <unordered_map>
#include <vector>

namespace edubench::runlog {

std::string metric_fmt(double v, int prec = 3);
std::string lag_reason(const Metrics& m, double bound_ms);
// trajectory.cpp: trajectory_exact_match, tool_call_efficiency, invalid_tool_calls and the
// steps_to_answer distribution, when the samples carry reference routes (`tools`).
void add_trajectory_figures(const RunLog& log, const std::vector<registry::Sample>& samples,
                            const std::unordered_map<uint64_t, const QueryLog*>& by_sample, bool accuracy_mode,
                            std::map<std::string, double>& figures);
TimeSplit split_spans(const std::vector<QuerySpan>& spans, const RunLog& side, std::vector<SutSegment>& segments);

}  // namespace edubench::runlog
