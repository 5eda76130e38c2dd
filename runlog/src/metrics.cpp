// Metrics and validity from a RunLog, as LoadGen derives them from its own log.
#include <edubench/runlog/metrics.hpp>
#include <edubench/runlog/metrics_accumulator.hpp>

#include "metrics_detail.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <unordered_map>
#include <unordered_set>

namespace edubench::runlog {

std::string metric_fmt(double v, int prec) {
  char b[64];
  std::snprintf(b, sizeof b, "%.*f", prec, v);
  return b;
}

namespace {

struct Call {  // a harness-timed call of one query
  int64_t start, end;
  bool code;  // run_code, else call_tool
};

std::unordered_map<uint64_t, std::vector<Call>> calls_by_query(const RunLog& log) {
  std::unordered_map<uint64_t, std::vector<Call>> by;
  for (const ToolCall& t : log.tool_calls) by[t.query].push_back({t.start_ns, t.end_ns, false});
  for (const CodeRun& c : log.code_runs) by[c.query].push_back({c.start_ns, c.end_ns, true});
  return by;
}

// One completed query: the gaps between its calls (merged where they overlap) go to `out`,
// its time to `split`. Clipping to [issue, completion] keeps a call that outlived its query
// (completed from another thread) from counting time the query did not have.
void split_query(const QuerySpan& q, std::vector<Call> calls, std::vector<SutSegment>& out, TimeSplit& split) {
  const int64_t from = q.issued_ns, to = std::max(q.completed_ns, q.issued_ns);
  for (Call& c : calls) {
    c.start = std::min(std::max(c.start, from), to);
    c.end = std::min(std::max(c.end, c.start), to);
  }
  std::sort(calls.begin(), calls.end(), [](const Call& a, const Call& b) { return a.start < b.start; });
  int64_t cursor = from, busy = 0, tool = 0, code = 0;
  uint32_t step = 0;
  for (const Call& c : calls) {
    (c.code ? code : tool) += c.end - c.start;
    if (c.start >= cursor) {  // after the busy interval so far: a SUT segment in between
      out.push_back({q.id, step++, cursor, c.start});
      busy += c.end - c.start;
      cursor = c.end;
    } else if (c.end > cursor) {  // overlaps it: extends it, no segment
      busy += c.end - cursor;
      cursor = c.end;
    }
  }
  out.push_back({q.id, step, cursor, to});
  ++split.queries;
  split.sut_steps += step + 1;
  split.query_ms += (to - from) / 1e6;
  split.sut_ms += (to - from - busy) / 1e6;
  split.tool_ms += tool / 1e6;
  split.code_run_ms += code / 1e6;
  split.overlap_ms += (tool + code - busy) / 1e6;
}

}  // namespace

// The segments of every completed query given and the split over them.
TimeSplit split_spans(const std::vector<QuerySpan>& spans, const RunLog& side, std::vector<SutSegment>& segments) {
  TimeSplit split;
  auto calls = calls_by_query(side);
  for (const QuerySpan& q : spans) {
    auto it = calls.find(q.id);
    split_query(q, it == calls.end() ? std::vector<Call>{} : std::move(it->second), segments, split);
  }
  if (split.query_ms > 0) {
    split.sut_share = split.sut_ms / split.query_ms;
    split.tool_share = split.tool_ms / split.query_ms;
    split.code_run_share = split.code_run_ms / split.query_ms;
  }
  return split;
}

// The lag guard's reason says whose the lag is: a SUT whose issue() held the load generator for
// longer than the bound, or the harness itself (an overloaded machine), so neither is blamed
// for the other.
std::string lag_reason(const Metrics& m, double bound_ms) {
  auto fmt = [](double v) { return metric_fmt(v, 3); };
  std::string s = "harness lag: p99 issue lag " + fmt(m.issue_lag_ms.p99) + " ms > issue_lag_bound_ms " +
                  fmt(bound_ms) + ": queries went to the SUT later than scheduled, so the run did not apply its load; ";
  if (m.issue_call_max_ms > bound_ms)
    return s + "the SUT's issue() blocked the load generator for up to " + fmt(m.issue_call_max_ms) +
           " ms (issue() must queue the work and return)";
  return s + "issue() returned within " + fmt(m.issue_call_max_ms) +
         " ms, so the load generator itself fell behind (an overloaded machine)";
}


QueryFigures query_figures(const QueryLog& q, registry::Scenario sc) {
  QueryFigures f;
  const int64_t origin = sc == registry::Scenario::server ? q.scheduled_ns : q.issued_ns;
  f.e2e_ms = (q.completed_ns - origin) / 1e6;
  if (!q.streams.empty()) {
    const int64_t t0 = q.streams.front().t_ns;
    f.ttft_ms = (t0 - origin) / 1e6;
    if (q.n_tokens > 1) f.tpot_ms = (q.completed_ns - t0) / 1e6 / static_cast<double>(q.n_tokens - 1);
  }
  return f;
}

bool has_agent_calls(const RunLog& log) { return !log.tool_calls.empty() || !log.code_runs.empty(); }

std::vector<SutSegment> sut_segments(const RunLog& log) {
  std::vector<QuerySpan> spans;
  for (const QueryLog& q : log.queries)
    if (q.completed_ns >= 0) spans.push_back({q.id, q.issued_ns, q.completed_ns});
  std::vector<SutSegment> segments;
  split_spans(spans, log, segments);
  return segments;
}

// LoadGen's percentile rule: the element at index floor(n * q) of the sorted values.
double quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  size_t i = std::min(v.size() - 1, static_cast<size_t>(static_cast<double>(v.size()) * q));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(i), v.end());
  return v[i];
}

Percentiles percentiles(std::vector<double> v) {
  Percentiles p;
  p.count = v.size();
  if (v.empty()) return p;
  if (!std::is_sorted(v.begin(), v.end())) std::sort(v.begin(), v.end());
  double sum = 0;
  for (double x : v) sum += x;
  auto at = [&](double q) { return v[std::min(v.size() - 1, static_cast<size_t>(static_cast<double>(v.size()) * q))]; };
  p.mean = sum / static_cast<double>(v.size());
  p.min = v.front();
  p.max = v.back();
  p.p50 = at(0.50);
  p.p90 = at(0.90);
  p.p95 = at(0.95);
  p.p99 = at(0.99);
  p.p999 = at(0.999);
  return p;
}

Metrics compute_metrics(const RunLog& log) {
  MetricsAccumulator acc(log.scenario, log.mode, log.settings);
  std::unordered_set<uint64_t> called;
  for (const ToolCall& t : log.tool_calls) called.insert(t.query);
  for (const CodeRun& c : log.code_runs) called.insert(c.query);
  for (const QueryLog& q : log.queries) acc.add(q, called.count(q.id) > 0);
  return acc.finish(log);
}

}  // namespace edubench::runlog
