// events.jsonl and accuracy.jsonl: writing a RunLog, and reading it back for the checker.
#include "json_out.hpp"

#include <edubench/runlog/run_dir.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <limits>
#include <type_traits>
#include <stdexcept>
#include <unordered_map>

namespace edubench::runlog {
using namespace detail;

void write_events_jsonl(const std::string& path, const RunLog& log) { write_events_file(path, log); }
void write_accuracy_jsonl(const std::string& path, const RunLog& log) { write_accuracy_file(path, log); }

std::string detail::write_accuracy_file(const std::string& path, const RunLog& log) {
  AtomicFile f(path);
  std::string& b = f.buffer();
  for (const QueryLog& q : log.queries) {
    if (!q.logged || q.completed_ns < 0) continue;
    b += "{\"q\":";
    append_uint(b, q.id);
    append_field(b, "sample");
    append_uint(b, q.sample_index);
    append_field(b, "tokens");
    append_int_array(b, q.tokens);
    append_field(b, "text");
    append_json_string(b, q.text);
    append_field(b, "streamed_tokens");
    append_int_array(b, q.streamed_tokens);
    if (!q.hidden_verdict.empty()) {
      append_field(b, "hidden_tests");
      append_json_string(b, q.hidden_verdict);
      append_field(b, "first_attempt_hidden_tests");
      append_json_string(b, q.first_attempt_hidden_verdict);
    }
    b += "}\n";
    f.maybe_flush();
  }
  return f.commit();
}

namespace {

[[noreturn]] void bad(const std::string& file, size_t line, const std::string& what) {
  throw FormatError(registry::one_line(file + ":" + std::to_string(line) + ": " + what));
}

// nlohmann's get<T>() converts any number to any arithmetic type with a static_cast: a float
// out of an integer's range is undefined behaviour and a wide integer wraps. A field is taken
// only when its JSON type and value fit T.
template <class T>
bool fits(const nlohmann::json& v) {
  if constexpr (std::is_same_v<T, bool>) {
    return v.is_boolean();
  } else if constexpr (std::is_integral_v<T>) {
    if (v.is_number_unsigned()) return v.get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<T>::max());
    if (!v.is_number_integer()) return false;
    const int64_t x = v.get<int64_t>();
    return std::is_signed_v<T> ? x >= static_cast<int64_t>(std::numeric_limits<T>::min()) : x >= 0;
  } else if constexpr (std::is_floating_point_v<T>) {
    return v.is_number();
  } else {
    return v.is_string();
  }
}

template <class T>
T get(const nlohmann::json& j, const char* key, const std::string& file, size_t line) {
  auto it = j.find(key);
  if (it == j.end()) bad(file, line, std::string("missing field '") + key + "'");
  if (!fits<T>(*it)) bad(file, line, std::string("field '") + key + "' has the wrong type or is out of range");
  return it->get<T>();
}

std::vector<int32_t> int_array(const nlohmann::json& j, const char* key, const std::string& file, size_t line) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_array()) bad(file, line, std::string("field '") + key + "' must be an array");
  std::vector<int32_t> v;
  v.reserve(it->size());
  for (const auto& x : *it) {
    if (!fits<int32_t>(x)) bad(file, line, std::string("field '") + key + "' must hold 32-bit integers");
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
      q.logged = j.contains("logged") && get<bool>(j, "logged", events_path, line);
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
