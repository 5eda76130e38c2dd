// compute_metrics() one query at a time: the harness feeds each query as it leaves the query
// table during the run (so the run's memory does not grow with its length), the checker feeds
// the queries it reads back from events.jsonl, and both finish with the same side tables, so
// both get the same figures. Queries must come in id order (the order of events.jsonl).
#pragma once

#include <edubench/runlog/latency_digest.hpp>
#include <edubench/runlog/metrics.hpp>

#include <cstdint>
#include <vector>

namespace edubench::runlog {

class MetricsAccumulator {
 public:
  MetricsAccumulator(registry::Scenario scenario, std::string mode, registry::Settings settings);
  // One query. `has_calls`: the run logged a tool call or code run for it (its span is then
  // kept for the agent time split). A call recorded only after its query left the table (a SUT
  // calling a tool for a query it already completed) is missed by the harness's split; the
  // checker's recomputation, which sees the whole file, then differs in the split only.
  void add(const QueryLog& q, bool has_calls);
  uint64_t added() const { return added_; }
  // The figures and the verdict; takes the side tables (errors, reports, tool calls, code
  // runs, abort) from `side`, never its queries. Call once.
  Metrics finish(const RunLog& side);

 private:
  registry::Scenario scenario_;
  std::string mode_;
  registry::Settings s_;
  Metrics m_;
  uint64_t added_ = 0;
  LatencyDigest lat_, ttft_, tpot_, itl_, lag_;
  uint64_t lat_over_ = 0, ttft_over_ = 0, tpot_over_ = 0;  // over the Server bounds, exactly
  int64_t first_ = INT64_MAX, last_done_ = INT64_MIN, last_sched_ = INT64_MIN, last_issue_ = INT64_MIN;
  std::vector<uint64_t> never_;
  uint64_t n_never_ = 0;
  // Goodput: per SLO the completed measured queries meeting it, the good queries and tokens.
  uint64_t slo_met_[3] = {0, 0, 0};
  uint64_t good_queries_ = 0, good_tokens_ = 0;
  // The agent time split: completed queries with calls keep their span until finish() (agent
  // runs are a few hundred queries); one without calls is a single SUT segment, its whole
  // issue -> completion time, counted here as it comes.
  std::vector<QuerySpan> spans_;
  TimeSplit no_call_split_;
  LatencyDigest no_call_step_ms_;
};

}  // namespace edubench::runlog
