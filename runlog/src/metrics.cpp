// Metrics and validity from a RunLog, as LoadGen derives them from its own log.
#include <edubench/runlog/metrics.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <unordered_map>

namespace edubench::runlog {

namespace {

std::string fmt(double v, int prec = 3) {
  char b[64];
  std::snprintf(b, sizeof b, "%.*f", prec, v);
  return b;
}

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
void split_query(const QueryLog& q, std::vector<Call> calls, std::vector<SutSegment>& out, TimeSplit& split) {
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

// The segments of every completed query and the split over them.
TimeSplit split_run(const RunLog& log, std::vector<SutSegment>& segments) {
  TimeSplit split;
  auto calls = calls_by_query(log);
  for (const QueryLog& q : log.queries) {
    if (q.completed_ns < 0) continue;
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
  std::string s = "harness lag: p99 issue lag " + fmt(m.issue_lag_ms.p99) + " ms > issue_lag_bound_ms " +
                  fmt(bound_ms) + ": queries went to the SUT later than scheduled, so the run did not apply its load; ";
  if (m.issue_call_max_ms > bound_ms)
    return s + "the SUT's issue() blocked the load generator for up to " + fmt(m.issue_call_max_ms) +
           " ms (issue() must queue the work and return)";
  return s + "issue() returned within " + fmt(m.issue_call_max_ms) +
         " ms, so the load generator itself fell behind (an overloaded machine)";
}

}  // namespace

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
  std::vector<SutSegment> segments;
  split_run(log, segments);
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
  Metrics m;
  const auto& s = log.settings;
  const bool server = log.scenario == registry::Scenario::server;
  const bool performance = log.mode == "performance";
  std::vector<double> lat, ttft, tpot, itl;
  lat.reserve(log.queries.size());
  int64_t first = INT64_MAX, last_done = INT64_MIN, last_sched = INT64_MIN, last_issue = INT64_MIN;
  std::vector<uint64_t> never;
  uint64_t n_never = 0;
  std::vector<double> lag;
  for (const QueryLog& q : log.queries) {
    if (q.completed_ns < 0) {  // a warm-up query that never completed breaks the run as well
      if (never.size() < 10) never.push_back(q.id);
      ++n_never;
    }
    if (q.warmup) {
      ++m.warmup_queries;
      continue;
    }
    ++m.queries_issued;
    const int64_t origin = server ? q.scheduled_ns : q.issued_ns;
    first = std::min(first, origin);
    last_sched = std::max(last_sched, q.scheduled_ns);
    last_issue = std::max(last_issue, q.issued_ns);
    lag.push_back((q.issued_ns - q.scheduled_ns) / 1e6);
    if (q.issue_returned_ns > 0) m.issue_call_max_ms = std::max(m.issue_call_max_ms, (q.issue_returned_ns - q.issued_ns) / 1e6);
    if (q.completed_ns < 0) continue;
    ++m.queries_completed;
    last_done = std::max(last_done, q.completed_ns);
    m.tokens_total += q.n_tokens;
    const QueryFigures f = query_figures(q, log.scenario);
    lat.push_back(f.e2e_ms);
    if (f.ttft_ms) ttft.push_back(*f.ttft_ms);
    if (f.tpot_ms) tpot.push_back(*f.tpot_ms);
    for (size_t i = 1; i < q.streams.size(); ++i) itl.push_back((q.streams[i].t_ns - q.streams[i - 1].t_ns) / 1e6);
  }
  if (m.queries_completed > 0 && last_done > first) {
    m.duration_s = (last_done - first) / 1e9;
    m.samples_per_s = m.queries_completed / m.duration_s;
    m.tokens_per_s = m.tokens_total / m.duration_s;
  }
  if (server && m.queries_issued > 1 && last_sched > first)
    m.achieved_qps = (m.queries_issued - 1) / ((last_sched - first) / 1e9);
  // Sorted once here: percentiles, the early-stopping estimate and the bound checks below then
  // skip their own sort (millions of queries in a null-SUT run).
  for (auto* v : {&lat, &ttft, &tpot, &itl}) std::sort(v->begin(), v->end());
  m.latency_ms = percentiles(lat);
  m.ttft_ms = percentiles(ttft);
  m.tpot_ms = percentiles(tpot);
  m.itl_ms = percentiles(itl);
  m.issue_lag_ms = percentiles(std::move(lag));
  m.goodput = compute_goodput(log, m.duration_s);
  if (log.scenario == registry::Scenario::single_stream)
    m.latency_early_stopping_ms = early_stopping_estimate(lat, s.latency_percentile);

  for (const Report& r : log.reports) {
    Aggregate& a = m.reported[r.metric];
    a.min = a.count ? std::min(a.min, r.value) : r.value;
    a.max = a.count ? std::max(a.max, r.value) : r.value;
    ++a.count;
    a.sum += r.value;
  }
  for (auto& [_, a] : m.reported) a.mean = a.count ? a.sum / static_cast<double>(a.count) : 0;
  auto ratio = [&](const char* name, const char* num, const char* den) {
    auto n = m.reported.find(num), d = m.reported.find(den);
    if (n != m.reported.end() && d != m.reported.end() && d->second.sum > 0) m.derived[name] = n->second.sum / d->second.sum;
  };
  ratio("acceptance_rate", "accepted_tokens", "drafted_tokens");
  ratio("mean_accepted_length", "accepted_tokens", "target_passes");
  std::vector<double> tool_ms, code_ms;
  for (const ToolCall& t : log.tool_calls) tool_ms.push_back((t.end_ns - t.start_ns) / 1e6);
  for (const CodeRun& c : log.code_runs) code_ms.push_back((c.end_ns - c.start_ns) / 1e6);
  m.tool_ms = percentiles(tool_ms);
  m.code_run_ms = percentiles(code_ms);
  if (has_agent_calls(log)) {
    std::vector<SutSegment> segments;
    m.time_split = split_run(log, segments);
    std::vector<double> step_ms;
    step_ms.reserve(segments.size());
    for (const SutSegment& g : segments) step_ms.push_back((g.end_ns - g.start_ns) / 1e6);
    m.sut_step_ms = percentiles(std::move(step_ms));
  }

  // Validity: every reason is one line naming the figure and the bound.
  auto invalid = [&](const std::string& why) {
    m.valid = false;
    m.invalid_reasons.push_back(why);
  };
  if (log.aborted) invalid("run aborted: " + log.abort_reason);
  if (!log.errors.empty()) {
    size_t shown = 0;
    for (const RunError& e : log.errors) {
      if (log.aborted && e.message == log.abort_reason) continue;  // already the first reason
      if (shown++ == 3) break;
      invalid("run error " + e.kind + (e.query != kNoQuery ? " (query " + std::to_string(e.query) + ")" : "") +
              ": " + e.message);
    }
    if (log.errors.size() > 4) invalid(std::to_string(log.errors.size()) + " run errors in all (events.jsonl)");
  }
  if (n_never > 0) {
    std::string ids;
    for (size_t i = 0; i < never.size(); ++i) ids += (i ? ", " : "") + std::to_string(never[i]);
    if (n_never > never.size()) ids += " and " + std::to_string(n_never - never.size()) + " more";
    invalid(std::to_string(n_never) + " issued queries never completed: " + ids);
  }
  // Accuracy mode: coverage is judged by compute_accuracy. An aborted run already says why.
  if (!performance || log.aborted) return m;

  // LoadGen's minimum-duration rule: Offline by its last completion, Server by its last
  // scheduled query, SingleStream by its last issue.
  int64_t end_for_duration = log.scenario == registry::Scenario::offline ? last_done
                           : server ? last_sched : last_issue;
  double covered_s = m.queries_issued && end_for_duration > first ? (end_for_duration - first) / 1e9 : 0;
  if (covered_s < s.min_duration_s)
    invalid("duration " + fmt(covered_s) + " s < min_duration_s " + fmt(s.min_duration_s) +
            (log.scenario == registry::Scenario::offline ? " (raise target_qps so more queries are planned)" : ""));
  if (m.queries_completed < s.min_query_count)
    invalid("completed queries " + std::to_string(m.queries_completed) + " < min_query_count " +
            std::to_string(s.min_query_count));
  if (s.issue_lag_bound_ms > 0 && m.issue_lag_ms.count && m.issue_lag_ms.p99 > s.issue_lag_bound_ms)
    invalid(lag_reason(m, s.issue_lag_bound_ms));
  if (log.scenario == registry::Scenario::single_stream && !m.latency_early_stopping_ms && !lat.empty())
    invalid("early stopping needs at least " + std::to_string(early_stopping_min_queries(s.latency_percentile)) +
            " queries for the p" + fmt(s.latency_percentile * 100, 1) + " estimate, got " + std::to_string(lat.size()));
  if (server) {
    // LoadGen's Server checks per bounded figure (results.cc, PerfConstraintsMet and
    // EarlyStopping): the percentile must be within the bound, and the count of queries over
    // the bound must pass the early-stopping test for the queries issued. With token latencies
    // LoadGen applies that test to TTFT and TPOT; here it applies to each bound that is set.
    const std::string pname = "p" + fmt(s.latency_percentile * 100, 1);
    auto check_bound = [&](const char* figure, const char* bound_name, const std::vector<double>& v,
                           double bound) {
      if (bound <= 0) return;
      if (v.empty()) {
        invalid(std::string(bound_name) + " is set but no query has a " + figure);
        return;
      }
      BoundCheck b;
      b.figure = figure;
      b.bound_name = bound_name;
      b.bound_ms = bound;
      b.at_percentile_ms = quantile(v, s.latency_percentile);
      b.over = static_cast<uint64_t>(std::count_if(v.begin(), v.end(), [&](double x) { return x > bound; }));
      b.needed = early_stopping_queries_needed(b.over, s.latency_percentile);
      b.ok = b.at_percentile_ms <= bound && m.queries_issued >= b.needed;
      if (b.at_percentile_ms > bound)
        invalid(pname + " " + figure + " " + fmt(b.at_percentile_ms) + " ms > " + bound_name + " " + fmt(bound));
      if (m.queries_issued < b.needed)
        invalid("early stopping: " + std::to_string(b.over) + " of " + std::to_string(m.queries_issued) +
                " queries over " + bound_name + " (" + figure + "); " + std::to_string(b.needed) +
                " queries would be needed");
      m.bounds.push_back(std::move(b));
    };
    check_bound("latency", "latency_bound_ms", lat, s.latency_bound_ms);
    check_bound("TTFT", "ttft_bound_ms", ttft, s.ttft_bound_ms);
    check_bound("TPOT", "tpot_bound_ms", tpot, s.tpot_bound_ms);
  }
  return m;
}

}  // namespace edubench::runlog
