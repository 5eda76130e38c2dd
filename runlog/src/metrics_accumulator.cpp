// compute_metrics() one query at a time (metrics_accumulator.hpp): the per-query part in add(),
// the figures and the verdict in finish(). Every formula is that of docs/metrics.md.
#include "metrics_detail.hpp"

#include <edubench/runlog/metrics_accumulator.hpp>

#include <algorithm>

namespace edubench::runlog {

MetricsAccumulator::MetricsAccumulator(registry::Scenario scenario, std::string mode, registry::Settings settings)
    : scenario_(scenario), mode_(std::move(mode)), s_(std::move(settings)) {}

void MetricsAccumulator::add(const QueryLog& q, bool has_calls) {
  ++added_;
  const bool server = scenario_ == registry::Scenario::server;
  if (q.completed_ns < 0) {  // a warm-up query that never completed breaks the run as well
    if (never_.size() < 10) never_.push_back(q.id);
    ++n_never_;
  }
  if (q.warmup) {
    ++m_.warmup_queries;
    return;
  }
  ++m_.queries_issued;
  const int64_t origin = server ? q.scheduled_ns : q.issued_ns;
  first_ = std::min(first_, origin);
  last_sched_ = std::max(last_sched_, q.scheduled_ns);
  last_issue_ = std::max(last_issue_, q.issued_ns);
  lag_.add((q.issued_ns - q.scheduled_ns) / 1e6);
  if (q.issue_returned_ns > 0)
    m_.issue_call_max_ms = std::max(m_.issue_call_max_ms, (q.issue_returned_ns - q.issued_ns) / 1e6);
  if (q.completed_ns < 0) return;
  ++m_.queries_completed;
  last_done_ = std::max(last_done_, q.completed_ns);
  m_.tokens_total += q.n_tokens;
  const QueryFigures f = query_figures(q, scenario_);
  lat_.add(f.e2e_ms);
  lat_over_ += f.e2e_ms > s_.latency_bound_ms ? 1 : 0;
  if (f.ttft_ms) {
    ttft_.add(*f.ttft_ms);
    ttft_over_ += *f.ttft_ms > s_.ttft_bound_ms ? 1 : 0;
  }
  if (f.tpot_ms) {
    tpot_.add(*f.tpot_ms);
    tpot_over_ += *f.tpot_ms > s_.tpot_bound_ms ? 1 : 0;
  }
  for (size_t i = 1; i < q.streams.size(); ++i) itl_.add((q.streams[i].t_ns - q.streams[i - 1].t_ns) / 1e6);
  bool met[3];
  slo_checks(f, s_, met);
  for (int i = 0; i < 3; ++i) slo_met_[i] += met[i] ? 1 : 0;
  if (met[0] && met[1] && met[2]) {
    ++good_queries_;
    good_tokens_ += q.n_tokens;
  }
  if (has_calls) {
    spans_.push_back({q.id, q.issued_ns, q.completed_ns});
  } else {  // split_query() of a query without calls, done here so nothing is kept of it
    const int64_t d = std::max(q.completed_ns, q.issued_ns) - q.issued_ns;
    ++no_call_split_.queries;
    ++no_call_split_.sut_steps;
    no_call_split_.query_ms += d / 1e6;
    no_call_split_.sut_ms += d / 1e6;
    no_call_step_ms_.add(d / 1e6);
  }
}

Metrics MetricsAccumulator::finish(const RunLog& log) {
  Metrics m = std::move(m_);
  const auto& s = s_;
  const bool server = scenario_ == registry::Scenario::server;
  const bool performance = mode_ == "performance";
  auto fmt = [](double v, int prec = 3) { return metric_fmt(v, prec); };
  if (m.queries_completed > 0 && last_done_ > first_) {
    m.duration_s = (last_done_ - first_) / 1e9;
    m.samples_per_s = m.queries_completed / m.duration_s;
    m.tokens_per_s = m.tokens_total / m.duration_s;
  }
  if (server && m.queries_issued > 1 && last_sched_ > first_)
    m.achieved_qps = (m.queries_issued - 1) / ((last_sched_ - first_) / 1e9);
  m.latency_ms = lat_.summary();
  m.ttft_ms = ttft_.summary();
  m.tpot_ms = tpot_.summary();
  m.itl_ms = itl_.summary();
  m.issue_lag_ms = lag_.summary();
  m.goodput = goodput_from_counts(s, m.queries_completed, slo_met_, good_queries_, good_tokens_, m.duration_s);
  if (scenario_ == registry::Scenario::single_stream) {
    if (auto rank = early_stopping_rank(lat_.count(), s.latency_percentile)) m.latency_early_stopping_ms = lat_.at_rank(*rank);
  }

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
    TimeSplit t = split_spans(spans_, log, segments);
    t.queries += no_call_split_.queries;
    t.sut_steps += no_call_split_.sut_steps;
    t.query_ms += no_call_split_.query_ms;
    t.sut_ms += no_call_split_.sut_ms;
    if (t.query_ms > 0) {
      t.sut_share = t.sut_ms / t.query_ms;
      t.tool_share = t.tool_ms / t.query_ms;
      t.code_run_share = t.code_run_ms / t.query_ms;
    }
    m.time_split = t;
    for (const SutSegment& g : segments) no_call_step_ms_.add((g.end_ns - g.start_ns) / 1e6);
    m.sut_step_ms = no_call_step_ms_.summary();
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
  if (n_never_ > 0) {
    std::string ids;
    for (size_t i = 0; i < never_.size(); ++i) ids += (i ? ", " : "") + std::to_string(never_[i]);
    if (n_never_ > never_.size()) ids += " and " + std::to_string(n_never_ - never_.size()) + " more";
    invalid(std::to_string(n_never_) + " issued queries never completed: " + ids);
  }
  // Accuracy mode: coverage is judged by compute_accuracy. An aborted run already says why.
  if (!performance || log.aborted) return m;

  // LoadGen's minimum-duration rule: Offline by its last completion, Server by its last
  // scheduled query, SingleStream by its last issue.
  int64_t end_for_duration = scenario_ == registry::Scenario::offline ? last_done_
                           : server ? last_sched_ : last_issue_;
  double covered_s = m.queries_issued && end_for_duration > first_ ? (end_for_duration - first_) / 1e9 : 0;
  if (covered_s < s.min_duration_s)
    invalid("duration " + fmt(covered_s) + " s < min_duration_s " + fmt(s.min_duration_s) +
            (scenario_ == registry::Scenario::offline ? " (raise target_qps so more queries are planned)" : ""));
  if (m.queries_completed < s.min_query_count)
    invalid("completed queries " + std::to_string(m.queries_completed) + " < min_query_count " +
            std::to_string(s.min_query_count));
  if (s.issue_lag_bound_ms > 0 && m.issue_lag_ms.count && m.issue_lag_ms.p99 > s.issue_lag_bound_ms)
    invalid(lag_reason(m, s.issue_lag_bound_ms));
  if (scenario_ == registry::Scenario::single_stream && !m.latency_early_stopping_ms && lat_.count() > 0)
    invalid("early stopping needs at least " + std::to_string(early_stopping_min_queries(s.latency_percentile)) +
            " queries for the p" + fmt(s.latency_percentile * 100, 1) + " estimate, got " + std::to_string(lat_.count()));
  if (server) {
    // LoadGen's Server checks per bounded figure (results.cc, PerfConstraintsMet and
    // EarlyStopping): the percentile must be within the bound, and the count of queries over
    // the bound must pass the early-stopping test for the queries issued. With token latencies
    // LoadGen applies that test to TTFT and TPOT; here it applies to each bound that is set.
    // The counts over each bound were taken exactly as the queries came (add()).
    const std::string pname = "p" + fmt(s.latency_percentile * 100, 1);
    auto check_bound = [&](const char* figure, const char* bound_name, LatencyDigest& v, uint64_t over, double bound) {
      if (bound <= 0) return;
      if (v.count() == 0) {
        invalid(std::string(bound_name) + " is set but no query has a " + figure);
        return;
      }
      BoundCheck b;
      b.figure = figure;
      b.bound_name = bound_name;
      b.bound_ms = bound;
      b.at_percentile_ms = v.quantile(s.latency_percentile);
      b.over = over;
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
    check_bound("latency", "latency_bound_ms", lat_, lat_over_, s.latency_bound_ms);
    check_bound("TTFT", "ttft_bound_ms", ttft_, ttft_over_, s.ttft_bound_ms);
    check_bound("TPOT", "tpot_bound_ms", tpot_, tpot_over_, s.tpot_bound_ms);
  }
  return m;
}

}  // namespace edubench::runlog
