// What metrics.cpp shares with the accumulator: the number format of verdict lines, the lag
// guard's reason and the agent time split over completed queries' spans.
#pragma once

#include <edubench/runlog/metrics.hpp>

#include <string>
#include <vector>

namespace edubench::runlog {

std::string metric_fmt(double v, int prec = 3);
std::string lag_reason(const Metrics& m, double bound_ms);
TimeSplit split_spans(const std::vector<QuerySpan>& spans, const RunLog& side, std::vector<SutSegment>& segments);

}  // namespace edubench::runlog
