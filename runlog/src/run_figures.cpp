#include <edubench/runlog/run_figures.hpp>

#include <algorithm>
#include <climits>

namespace edubench::runlog {

RunFigures run_figures(const RunLog& log) {
  RunFigures f;
  const bool server = log.scenario == registry::Scenario::server;
  int64_t first = INT64_MAX;
  for (const QueryLog& q : log.queries) first = std::min(first, server ? q.scheduled_ns : q.issued_ns);
  if (first == INT64_MAX) return f;
  for (const QueryLog& q : log.queries) {
    if (q.completed_ns < 0) continue;
    const double completed_s = (q.completed_ns - first) / 1e9;
    if (q.warmup) {
      f.warmup_end_s = std::max(f.warmup_end_s, completed_s);
      continue;
    }
    f.queries.push_back({q.id, completed_s, query_figures(q, log.scenario)});
    for (size_t i = 1; i < q.streams.size(); ++i) f.itl_ms.push_back((q.streams[i].t_ns - q.streams[i - 1].t_ns) / 1e6);
  }
  return f;
}

}  // namespace edubench::runlog
