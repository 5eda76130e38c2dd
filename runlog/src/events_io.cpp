// events.jsonl and accuracy.jsonl: writing a RunLog, and reading it back for the checker.
#include "json_out.hpp"

#include <edubench/runlog/run_dir.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <stdexcept>
#include <unordered_map>

namespace edubench::runlog {
using namespace detail;

namespace {

void field(std::string& b, const char* name) {
  b.push_back(',');
  b.push_back('"');
  b += name;
  b += "\":";
}

}  // namespace

namespace {

void write_issue(std::string& b, const QueryLog& q) {
  b += "{\"ev\":\"issue\",\"q\":";
  append_uint(b, q.id);
  field(b, "sample");
  append_uint(b, q.sample_index);
  field(b, "sched_ns");
  append_int(b, q.scheduled_ns);
  field(b, "t_ns");
  append_int(b, q.issued_ns);
  if (q.issue_returned_ns > 0) {  // when the issue() call returned: whose the issue lag is
    field(b, "ret_ns");
    append_int(b, q.issue_returned_ns);
  }
  if (q.logged) b += ",\"logged\":true";
  if (q.warmup) b += ",\"warmup\":true";
  b += "}\n";
}

void write_stream(std::string& b, const QueryLog& q, const StreamEvent& s) {
  b += "{\"ev\":\"stream\",\"q\":";
  append_uint(b, q.id);
  field(b, "t_ns");
  append_int(b, s.t_ns);
  field(b, "n");
  append_uint(b, s.n_tokens);
  b += "}\n";
}

void write_complete(std::string& b, const QueryLog& q) {
  b += "{\"ev\":\"complete\",\"q\":";
  append_uint(b, q.id);
  field(b, "t_ns");
  append_int(b, q.completed_ns);
  field(b, "n_tokens");
  append_uint(b, q.n_tokens);
  field(b, "text_bytes");
  append_uint(b, q.n_text_bytes);
  b += "}\n";
}

void write_tool(std::string& b, const ToolCall& t) {
  b += "{\"ev\":\"tool\",\"q\":";
  append_uint(b, t.query);
  field(b, "step");
  append_uint(b, t.step);
  field(b, "tool");
  append_json_string(b, t.tool);
  field(b, "arg");
  append_json_string(b, t.arg);
  field(b, "observation");
  append_json_string(b, t.observation);
  field(b, "t_ns");
  append_int(b, t.start_ns);
  field(b, "end_ns");
  append_int(b, t.end_ns);
  b += "}\n";
}

void write_code(std::string& b, const CodeRun& c) {
  b += "{\"ev\":\"code\",\"q\":";
  append_uint(b, c.query);
  field(b, "attempt");
  append_uint(b, c.attempt);
  field(b, "verdict");
  append_json_string(b, c.verdict);
  b += c.passed ? ",\"passed\":true" : ",\"passed\":false";
  b += c.timed_out ? ",\"timed_out\":true" : ",\"timed_out\":false";
  field(b, "feedback");
  append_json_string(b, c.feedback);
  field(b, "code");
  append_json_string(b, c.code);
  field(b, "t_ns");
  append_int(b, c.start_ns);
  field(b, "end_ns");
  append_int(b, c.end_ns);
  b += "}\n";
}

void write_report(std::string& b, const Report& r) {
  b += "{\"ev\":\"report\",\"q\":";
  append_uint(b, r.query);
  field(b, "metric");
  append_json_string(b, r.metric);
  field(b, "value");
  append_double(b, r.value);
  field(b, "t_ns");
  append_int(b, r.t_ns);
  b += "}\n";
}

void write_error(std::string& b, const RunError& e) {
  b += "{\"ev\":\"error\",\"q\":";
  if (e.query == kNoQuery)
    b += "null";
  else
    append_uint(b, e.query);
  field(b, "kind");
  append_json_string(b, e.kind);
  field(b, "message");
  append_json_string(b, e.message);
  field(b, "t_ns");
  append_int(b, e.t_ns);
  b += "}\n";
}

void write_log_line(std::string& b, const LogLine& l) {
  b += "{\"ev\":\"log\",\"level\":";
  append_int(b, l.level);
  field(b, "message");
  append_json_string(b, l.message);
  field(b, "t_ns");
  append_int(b, l.t_ns);
  b += "}\n";
}

// Positions of `v` in the order of time(element); stable, so equal times keep their order.
template <class T, class TimeOf>
std::vector<size_t> time_order(const std::vector<T>& v, TimeOf time) {
  std::vector<size_t> idx(v.size());
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return time(v[a]) < time(v[b]); });
  return idx;
}

}  // namespace

// Layout: run_start, then every event in time order (a merge of the issues in issue order, the
// streams and completions sorted by time, the side tables sorted by start time), run_end. Ties keep the order issue, stream/complete, tool, code,
// report, error, log; a query's own events always follow its issue. Times are steady_clock ns.
void write_events_jsonl(const std::string& path, const RunLog& log) { write_events_file(path, log); }
void write_accuracy_jsonl(const std::string& path, const RunLog& log) { write_accuracy_file(path, log); }

std::string detail::write_events_file(const std::string& path, const RunLog& log) {
  AtomicFile f(path);
  std::string& b = f.buffer();
  b += "{\"ev\":\"run_start\",\"t_ns\":";
  append_int(b, log.start_ns);
  field(b, "workload");
  append_json_string(b, log.workload);
  field(b, "scenario");
  append_json_string(b, registry::to_string(log.scenario));
  field(b, "mode");
  append_json_string(b, log.mode);
  b += ",\"settings\":{";
  bool firstf = true;
  for (const auto& [k, v] : registry::settings_fields(log.settings)) {
    if (!firstf) b.push_back(',');
    firstf = false;
    append_json_string(b, k);
    b.push_back(':');
    append_json_string(b, v);
  }
  b += "}}\n";

  const auto& qs = log.queries;
  if (qs.size() > UINT32_MAX) throw std::runtime_error(path + ": more than 2^32 queries");
  // Issue order: the query table is in issue order already; sort only when it is not.
  std::vector<size_t> issue_order;
  const bool issue_sorted = std::is_sorted(qs.begin(), qs.end(),
                                           [](const QueryLog& a, const QueryLog& c) { return a.issued_ns < c.issued_ns; });
  if (!issue_sorted) issue_order = time_order(qs, [](const QueryLog& q) { return q.issued_ns; });
  // Every stream and completion, sorted by time: 16 bytes each, so an Offline run with millions
  // of queries in flight at once stays small and the sort stays cache-friendly. k indexes the
  // query's streams; k == streams.size() is its completion. The sort key never falls below the
  // issue time or an earlier event of the same query, so a query's events follow its issue
  // even if a clock misbehaved (the written t_ns is always the recorded one).
  struct Next {
    int64_t key;
    uint32_t q, k;
    bool operator<(const Next& o) const { return key != o.key ? key < o.key : q != o.q ? q < o.q : k < o.k; }
  };
  std::vector<Next> follow;
  {
    size_t total = 0;
    for (const QueryLog& q : qs) total += q.streams.size() + (q.completed_ns >= 0 ? 1 : 0);
    follow.reserve(total);
  }
  for (size_t qi = 0; qi < qs.size(); ++qi) {
    const QueryLog& q = qs[qi];
    int64_t key = q.issued_ns;
    for (size_t k = 0; k < q.streams.size(); ++k) {
      key = std::max(key, q.streams[k].t_ns);
      follow.push_back({key, static_cast<uint32_t>(qi), static_cast<uint32_t>(k)});
    }
    if (q.completed_ns >= 0)
      follow.push_back({std::max(key, q.completed_ns), static_cast<uint32_t>(qi), static_cast<uint32_t>(q.streams.size())});
  }
  if (!std::is_sorted(follow.begin(), follow.end())) std::sort(follow.begin(), follow.end());
  const auto tools = time_order(log.tool_calls, [](const ToolCall& t) { return t.start_ns; });
  const auto codes = time_order(log.code_runs, [](const CodeRun& c) { return c.start_ns; });
  const auto reports = time_order(log.reports, [](const Report& r) { return r.t_ns; });
  const auto errors = time_order(log.errors, [](const RunError& e) { return e.t_ns; });
  const auto lines = time_order(log.plugin_log, [](const LogLine& l) { return l.t_ns; });
  size_t ii = 0, fi = 0, ti = 0, ci = 0, ri = 0, ei = 0, li = 0;
  for (;;) {
    enum { kIssue, kQuery, kTool, kCode, kReport, kError, kLog, kNone } best = kNone;
    int64_t bt = INT64_MAX;
    auto consider = [&](auto src, bool has, int64_t t) {
      if (has && (best == kNone || t < bt)) {
        best = src;
        bt = t;
      }
    };
    const size_t qnext = ii < qs.size() ? (issue_sorted ? ii : issue_order[ii]) : 0;
    consider(kIssue, ii < qs.size(), ii < qs.size() ? qs[qnext].issued_ns : 0);
    consider(kQuery, fi < follow.size(), fi < follow.size() ? follow[fi].key : 0);
    consider(kTool, ti < tools.size(), ti < tools.size() ? log.tool_calls[tools[ti]].start_ns : 0);
    consider(kCode, ci < codes.size(), ci < codes.size() ? log.code_runs[codes[ci]].start_ns : 0);
    consider(kReport, ri < reports.size(), ri < reports.size() ? log.reports[reports[ri]].t_ns : 0);
    consider(kError, ei < errors.size(), ei < errors.size() ? log.errors[errors[ei]].t_ns : 0);
    consider(kLog, li < lines.size(), li < lines.size() ? log.plugin_log[lines[li]].t_ns : 0);
    if (best == kNone) break;
    switch (best) {
      case kIssue:
        write_issue(b, qs[qnext]);
        ++ii;
        break;
      case kQuery: {
        // In time order the queries are visited at random (Offline: millions in flight), so
        // fetch a few ahead: this load was most of the cost on a 5M-query Offline log.
        if (fi + 16 < follow.size()) {
          const QueryLog& ahead = qs[follow[fi + 16].q];
          __builtin_prefetch(&ahead.completed_ns);
          __builtin_prefetch(&ahead.n_text_bytes);
        }
        const Next& n = follow[fi++];
        const QueryLog& q = qs[n.q];
        if (n.k < q.streams.size())
          write_stream(b, q, q.streams[n.k]);
        else
          write_complete(b, q);
        break;
      }
      case kTool: write_tool(b, log.tool_calls[tools[ti++]]); break;
      case kCode: write_code(b, log.code_runs[codes[ci++]]); break;
      case kReport: write_report(b, log.reports[reports[ri++]]); break;
      case kError: write_error(b, log.errors[errors[ei++]]); break;
      case kLog: write_log_line(b, log.plugin_log[lines[li++]]); break;
      case kNone: break;
    }
    f.maybe_flush();
  }
  b += "{\"ev\":\"run_end\",\"t_ns\":";
  append_int(b, log.end_ns);
  b += log.aborted ? ",\"aborted\":true" : ",\"aborted\":false";
  field(b, "abort_reason");
  append_json_string(b, log.abort_reason);
  b += "}\n";
  return f.commit();
}

std::string detail::write_accuracy_file(const std::string& path, const RunLog& log) {
  AtomicFile f(path);
  std::string& b = f.buffer();
  for (const QueryLog& q : log.queries) {
    if (!q.logged || q.completed_ns < 0) continue;
    b += "{\"q\":";
    append_uint(b, q.id);
    field(b, "sample");
    append_uint(b, q.sample_index);
    field(b, "tokens");
    append_int_array(b, q.tokens);
    field(b, "text");
    append_json_string(b, q.text);
    field(b, "streamed_tokens");
    append_int_array(b, q.streamed_tokens);
    if (!q.hidden_verdict.empty()) {
      field(b, "hidden_tests");
      append_json_string(b, q.hidden_verdict);
      field(b, "first_attempt_hidden_tests");
      append_json_string(b, q.first_attempt_hidden_verdict);
    }
    b += "}\n";
    f.maybe_flush();
  }
  return f.commit();
}

namespace {

[[noreturn]] void bad(const std::string& file, size_t line, const std::string& what) {
  throw FormatError(file + ":" + std::to_string(line) + ": " + what);
}

template <class T>
T get(const nlohmann::json& j, const char* key, const std::string& file, size_t line) {
  auto it = j.find(key);
  if (it == j.end()) bad(file, line, std::string("missing field '") + key + "'");
  try {
    return it->get<T>();
  } catch (const nlohmann::json::exception&) {
    bad(file, line, std::string("field '") + key + "' has the wrong type");
  }
}

std::vector<int32_t> int_array(const nlohmann::json& j, const char* key, const std::string& file, size_t line) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_array()) bad(file, line, std::string("field '") + key + "' must be an array");
  std::vector<int32_t> v;
  v.reserve(it->size());
  for (const auto& x : *it) {
    if (!x.is_number_integer()) bad(file, line, std::string("field '") + key + "' must hold integers");
    v.push_back(x.get<int32_t>());
  }
  return v;
}

}  // namespace

RunLog read_run_log(const std::string& events_path, const std::string& accuracy_path) {
  RunLog log;
  std::ifstream in(events_path, std::ios::binary);
  if (!in) throw FormatError(events_path + ": cannot open");
  std::unordered_map<uint64_t, size_t> index;  // query id -> position in log.queries
  auto query = [&](uint64_t id, size_t line) -> QueryLog& {
    auto it = index.find(id);
    if (it == index.end()) bad(events_path, line, "event for query " + std::to_string(id) + " before its issue");
    return log.queries[it->second];
  };
  bool started = false, ended = false;
  std::string text;
  size_t line = 0;
  while (std::getline(in, text)) {
    ++line;
    if (text.empty()) continue;
    nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) bad(events_path, line, "not a JSON object (truncated or edited?)");
    const std::string ev = get<std::string>(j, "ev", events_path, line);
    if (ev != "run_start" && !started) bad(events_path, line, "first event must be run_start");
    if (ended) bad(events_path, line, "event after run_end");
    if (ev == "run_start") {
      if (started) bad(events_path, line, "second run_start");
      started = true;
      log.start_ns = get<int64_t>(j, "t_ns", events_path, line);
      log.workload = get<std::string>(j, "workload", events_path, line);
      auto sc = registry::parse_scenario(get<std::string>(j, "scenario", events_path, line));
      if (!sc) bad(events_path, line, "unknown scenario");
      log.scenario = *sc;
      log.mode = get<std::string>(j, "mode", events_path, line);
      auto settings = j.find("settings");
      if (settings == j.end() || !settings->is_object()) bad(events_path, line, "missing settings");
      for (auto it = settings->begin(); it != settings->end(); ++it) {
        if (!it->is_string()) bad(events_path, line, "setting " + it.key() + " must be a string");
        try {
          registry::apply_setting(log.settings, it.key(), it->get<std::string>());
        } catch (const registry::Error& e) {
          bad(events_path, line, e.what());
        }
      }
    } else if (ev == "issue") {
      QueryLog q;
      q.id = get<uint64_t>(j, "q", events_path, line);
      q.sample_index = get<uint64_t>(j, "sample", events_path, line);
      q.scheduled_ns = get<int64_t>(j, "sched_ns", events_path, line);
      q.issued_ns = get<int64_t>(j, "t_ns", events_path, line);
      q.logged = j.value("logged", false);
      if (j.contains("ret_ns")) q.issue_returned_ns = get<int64_t>(j, "ret_ns", events_path, line);
      if (j.contains("warmup")) q.warmup = get<bool>(j, "warmup", events_path, line);
      if (!index.emplace(q.id, log.queries.size()).second)
        bad(events_path, line, "query " + std::to_string(q.id) + " issued twice");
      log.queries.push_back(std::move(q));
    } else if (ev == "stream") {
      QueryLog& q = query(get<uint64_t>(j, "q", events_path, line), line);
      q.streams.push_back({get<int64_t>(j, "t_ns", events_path, line), get<uint32_t>(j, "n", events_path, line)});
    } else if (ev == "complete") {
      QueryLog& q = query(get<uint64_t>(j, "q", events_path, line), line);
      if (q.completed_ns >= 0) bad(events_path, line, "query " + std::to_string(q.id) + " completed twice");
      q.completed_ns = get<int64_t>(j, "t_ns", events_path, line);
      q.n_tokens = get<uint64_t>(j, "n_tokens", events_path, line);
      q.n_text_bytes = get<uint64_t>(j, "text_bytes", events_path, line);
    } else if (ev == "tool") {
      ToolCall t;
      t.query = get<uint64_t>(j, "q", events_path, line);
      t.step = get<uint32_t>(j, "step", events_path, line);
      t.tool = get<std::string>(j, "tool", events_path, line);
      t.arg = get<std::string>(j, "arg", events_path, line);
      t.observation = get<std::string>(j, "observation", events_path, line);
      t.start_ns = get<int64_t>(j, "t_ns", events_path, line);
      t.end_ns = get<int64_t>(j, "end_ns", events_path, line);
      log.tool_calls.push_back(std::move(t));
    } else if (ev == "code") {
      CodeRun c;
      c.query = get<uint64_t>(j, "q", events_path, line);
      c.attempt = get<uint32_t>(j, "attempt", events_path, line);
      c.verdict = get<std::string>(j, "verdict", events_path, line);
      c.passed = get<bool>(j, "passed", events_path, line);
      c.timed_out = get<bool>(j, "timed_out", events_path, line);
      c.feedback = get<std::string>(j, "feedback", events_path, line);
      c.code = get<std::string>(j, "code", events_path, line);
      c.start_ns = get<int64_t>(j, "t_ns", events_path, line);
      c.end_ns = get<int64_t>(j, "end_ns", events_path, line);
      log.code_runs.push_back(std::move(c));
    } else if (ev == "report") {
      log.reports.push_back({get<uint64_t>(j, "q", events_path, line), get<std::string>(j, "metric", events_path, line),
                             get<double>(j, "value", events_path, line), get<int64_t>(j, "t_ns", events_path, line)});
    } else if (ev == "error") {
      RunError e;
      auto q = j.find("q");
      e.query = q == j.end() || q->is_null() ? kNoQuery : get<uint64_t>(j, "q", events_path, line);
      e.kind = get<std::string>(j, "kind", events_path, line);
      e.message = get<std::string>(j, "message", events_path, line);
      e.t_ns = get<int64_t>(j, "t_ns", events_path, line);
      log.errors.push_back(std::move(e));
    } else if (ev == "log") {
      log.plugin_log.push_back({get<int64_t>(j, "t_ns", events_path, line), get<int32_t>(j, "level", events_path, line),
                                get<std::string>(j, "message", events_path, line)});
    } else if (ev == "run_end") {
      ended = true;
      log.end_ns = get<int64_t>(j, "t_ns", events_path, line);
      log.aborted = get<bool>(j, "aborted", events_path, line);
      log.abort_reason = get<std::string>(j, "abort_reason", events_path, line);
    } else {
      bad(events_path, line, "unknown event '" + ev + "'");
    }
  }
  if (!started) throw FormatError(events_path + ":1: empty: no run_start");
  if (!ended) throw FormatError(events_path + ":" + std::to_string(line) + ": truncated: no run_end");

  std::ifstream acc(accuracy_path, std::ios::binary);
  if (!acc) throw FormatError(accuracy_path + ": cannot open");
  line = 0;
  while (std::getline(acc, text)) {
    ++line;
    if (text.empty()) continue;
    nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) bad(accuracy_path, line, "not a JSON object (truncated or edited?)");
    uint64_t id = get<uint64_t>(j, "q", accuracy_path, line);
    auto it = index.find(id);
    if (it == index.end()) bad(accuracy_path, line, "response for query " + std::to_string(id) + " that events.jsonl never issued");
    QueryLog& q = log.queries[it->second];
    if (get<uint64_t>(j, "sample", accuracy_path, line) != q.sample_index)
      bad(accuracy_path, line, "query " + std::to_string(id) + ": sample differs from events.jsonl");
    q.logged = true;
    q.tokens = int_array(j, "tokens", accuracy_path, line);
    q.text = get<std::string>(j, "text", accuracy_path, line);
    q.streamed_tokens = int_array(j, "streamed_tokens", accuracy_path, line);
    if (j.contains("hidden_tests")) {
      q.hidden_verdict = get<std::string>(j, "hidden_tests", accuracy_path, line);
      q.first_attempt_hidden_verdict = get<std::string>(j, "first_attempt_hidden_tests", accuracy_path, line);
    }
  }
  return log;
}

}  // namespace edubench::runlog
