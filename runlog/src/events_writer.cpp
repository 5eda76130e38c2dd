// events.jsonl: the line format of every event and the writer that streams it (events_writer.hpp).
#include "json_out.hpp"

#include <edubench/runlog/events_writer.hpp>
#include <edubench/runlog/run_dir.hpp>

#include <algorithm>
#include <cstdint>
#include <stdexcept>

namespace edubench::runlog {
using namespace detail;

namespace {

void write_issue(std::string& b, const QueryLog& q) {
  b += "{\"ev\":\"issue\",\"q\":";
  append_uint(b, q.id);
  append_field(b, "sample");
  append_uint(b, q.sample_index);
  append_field(b, "sched_ns");
  append_int(b, q.scheduled_ns);
  append_field(b, "t_ns");
  append_int(b, q.issued_ns);
  if (q.issue_returned_ns > 0) {  // when the issue() call returned: whose the issue lag is
    append_field(b, "ret_ns");
    append_int(b, q.issue_returned_ns);
  }
  if (q.logged) b += ",\"logged\":true";
  if (q.warmup) b += ",\"warmup\":true";
  b += "}\n";
}

void write_stream(std::string& b, const QueryLog& q, const StreamEvent& s) {
  b += "{\"ev\":\"stream\",\"q\":";
  append_uint(b, q.id);
  append_field(b, "t_ns");
  append_int(b, s.t_ns);
  append_field(b, "n");
  append_uint(b, s.n_tokens);
  b += "}\n";
}

void write_complete(std::string& b, const QueryLog& q) {
  b += "{\"ev\":\"complete\",\"q\":";
  append_uint(b, q.id);
  append_field(b, "t_ns");
  append_int(b, q.completed_ns);
  append_field(b, "n_tokens");
  append_uint(b, q.n_tokens);
  append_field(b, "text_bytes");
  append_uint(b, q.n_text_bytes);
  b += "}\n";
}

void write_tool(std::string& b, const ToolCall& t) {
  b += "{\"ev\":\"tool\",\"q\":";
  append_uint(b, t.query);
  append_field(b, "step");
  append_uint(b, t.step);
  append_field(b, "tool");
  append_json_string(b, t.tool);
  append_field(b, "arg");
  append_json_string(b, t.arg);
  append_field(b, "observation");
  append_json_string(b, t.observation);
  append_field(b, "t_ns");
  append_int(b, t.start_ns);
  append_field(b, "end_ns");
  append_int(b, t.end_ns);
  b += "}\n";
}

void write_code(std::string& b, const CodeRun& c) {
  b += "{\"ev\":\"code\",\"q\":";
  append_uint(b, c.query);
  append_field(b, "attempt");
  append_uint(b, c.attempt);
  append_field(b, "verdict");
  append_json_string(b, c.verdict);
  b += c.passed ? ",\"passed\":true" : ",\"passed\":false";
  b += c.timed_out ? ",\"timed_out\":true" : ",\"timed_out\":false";
  append_field(b, "feedback");
  append_json_string(b, c.feedback);
  append_field(b, "code");
  append_json_string(b, c.code);
  append_field(b, "t_ns");
  append_int(b, c.start_ns);
  append_field(b, "end_ns");
  append_int(b, c.end_ns);
  b += "}\n";
}

void write_report(std::string& b, const Report& r) {
  b += "{\"ev\":\"report\",\"q\":";
  append_uint(b, r.query);
  append_field(b, "metric");
  append_json_string(b, r.metric);
  append_field(b, "value");
  append_double(b, r.value);
  append_field(b, "t_ns");
  append_int(b, r.t_ns);
  b += "}\n";
}

void write_error(std::string& b, const RunError& e) {
  b += "{\"ev\":\"error\",\"q\":";
  if (e.query == kNoQuery)
    b += "null";
  else
    append_uint(b, e.query);
  append_field(b, "kind");
  append_json_string(b, e.kind);
  append_field(b, "message");
  append_json_string(b, e.message);
  append_field(b, "t_ns");
  append_int(b, e.t_ns);
  b += "}\n";
}

void write_log_line(std::string& b, const LogLine& l) {
  b += "{\"ev\":\"log\",\"level\":";
  append_int(b, l.level);
  append_field(b, "message");
  append_json_string(b, l.message);
  append_field(b, "t_ns");
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

struct EventsWriter::File {
  explicit File(const std::string& path) : file(path, /*hash_at_commit=*/true) {}
  AtomicFile file;
};

EventsWriter::EventsWriter(const std::string& path) : f_(std::make_unique<File>(path)) {}
EventsWriter::~EventsWriter() = default;

void EventsWriter::start(const RunLog& log) {
  std::string& b = f_->file.buffer();
  b += "{\"ev\":\"run_start\",\"t_ns\":";
  append_int(b, log.start_ns);
  append_field(b, "workload");
  append_json_string(b, log.workload);
  append_field(b, "scenario");
  append_json_string(b, registry::to_string(log.scenario));
  append_field(b, "mode");
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
}

void EventsWriter::query(const QueryLog& q) {
  std::string& b = f_->file.buffer();
  write_issue(b, q);
  for (const StreamEvent& s : q.streams) write_stream(b, q, s);
  if (q.completed_ns >= 0) write_complete(b, q);
  f_->file.maybe_flush();
}

std::string EventsWriter::finish(const RunLog& log) {
  std::string& b = f_->file.buffer();
  // The side tables merged in time order; ties keep the order tool, code, report, error, log.
  const auto tools = time_order(log.tool_calls, [](const ToolCall& t) { return t.start_ns; });
  const auto codes = time_order(log.code_runs, [](const CodeRun& c) { return c.start_ns; });
  const auto reports = time_order(log.reports, [](const Report& r) { return r.t_ns; });
  const auto errors = time_order(log.errors, [](const RunError& e) { return e.t_ns; });
  const auto lines = time_order(log.plugin_log, [](const LogLine& l) { return l.t_ns; });
  size_t ti = 0, ci = 0, ri = 0, ei = 0, li = 0;
  for (;;) {
    enum { kTool, kCode, kReport, kError, kLog, kNone } best = kNone;
    int64_t bt = INT64_MAX;
    auto consider = [&](auto src, bool has, int64_t t) {
      if (has && (best == kNone || t < bt)) {
        best = src;
        bt = t;
      }
    };
    consider(kTool, ti < tools.size(), ti < tools.size() ? log.tool_calls[tools[ti]].start_ns : 0);
    consider(kCode, ci < codes.size(), ci < codes.size() ? log.code_runs[codes[ci]].start_ns : 0);
    consider(kReport, ri < reports.size(), ri < reports.size() ? log.reports[reports[ri]].t_ns : 0);
    consider(kError, ei < errors.size(), ei < errors.size() ? log.errors[errors[ei]].t_ns : 0);
    consider(kLog, li < lines.size(), li < lines.size() ? log.plugin_log[lines[li]].t_ns : 0);
    if (best == kNone) break;
    switch (best) {
      case kTool: write_tool(b, log.tool_calls[tools[ti++]]); break;
      case kCode: write_code(b, log.code_runs[codes[ci++]]); break;
      case kReport: write_report(b, log.reports[reports[ri++]]); break;
      case kError: write_error(b, log.errors[errors[ei++]]); break;
      case kLog: write_log_line(b, log.plugin_log[lines[li++]]); break;
      case kNone: break;
    }
    f_->file.maybe_flush();
  }
  b += "{\"ev\":\"run_end\",\"t_ns\":";
  append_int(b, log.end_ns);
  b += log.aborted ? ",\"aborted\":true" : ",\"aborted\":false";
  append_field(b, "abort_reason");
  append_json_string(b, log.abort_reason);
  b += "}\n";
  return f_->file.commit();
}

// Layout: run_start; each query's issue, streams and completion together, in id order; the
// side tables in time order; run_end. Times are steady_clock ns, as recorded.
std::string detail::write_events_file(const std::string& path, const RunLog& log) {
  EventsWriter w(path);
  w.start(log);
  for (const QueryLog& q : log.queries) w.query(q);
  return w.finish(log);
}

}  // namespace edubench::runlog
