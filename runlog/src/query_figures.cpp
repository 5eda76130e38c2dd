#include <edubench/runlog/query_figures.hpp>

#include <algorithm>
#include <climits>

namespace edubench::runlog {

RunFigures query_figures(const RunLog& log) {
  RunFigures f;
  const bool server = log.scenario == registry::Scenario::server;
  int64_t first = INT64_MAX;
  for (const QueryLog& q : log.queries) first = std::min(first, server ? q.scheduled_ns : q.issued_ns);
  if (first == INT64_MAX) return f;
  f.origin_s = first / 1e9;
  for (const QueryLog& q : log.queries) {
    if (q.completed_ns < 0) continue;
    const int64_t origin = server ? q.scheduled_ns : q.issued_ns;
    QueryFigure r;
    r.id = q.id;
    r.completed_s = (q.completed_ns - first) / 1e9;
    r.latency_ms = (q.completed_ns - origin) / 1e6;
    if (!q.streams.empty()) {
      const int64_t t0 = q.streams.front().t_ns;
      r.ttft_ms = (t0 - origin) / 1e6;
      if (q.n_tokens > 1) r.tpot_ms = (q.completed_ns - t0) / 1e6 / static_cast<double>(q.n_tokens - 1);
      for (size_t i = 1; i < q.streams.size(); ++i) f.itl_ms.push_back((q.streams[i].t_ns - q.streams[i - 1].t_ns) / 1e6);
    }
    f.queries.push_back(r);
  }
  return f;
}

}  // namespace edubench::runlog
