// The raw record of one run: what the harness timed and logged. The load generator fills it;
// events.jsonl + accuracy.jsonl serialize it; the checker reads it back and re-derives
// every figure from it with the same code (metrics.hpp).
#pragma once

#include <edubench/registry/registry.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace edubench::runlog {

constexpr uint64_t kNoQuery = std::numeric_limits<uint64_t>::max();

struct StreamEvent {
  int64_t t_ns = 0;       // steady_clock, nanoseconds, taken first thing in stream()
  uint32_t n_tokens = 0;  // tokens in that call
};

struct QueryLog {
  uint64_t id = 0;
  uint64_t sample_index = 0;
  int64_t scheduled_ns = 0;   // server: the scheduled arrival time; else = issued_ns
  int64_t issued_ns = 0;      // just before issue() was called
  int64_t issue_returned_ns = 0;  // when the issue() call that carried it returned; 0: not recorded
  bool warmup = false;        // a warm-up query: logged, excluded from every figure
  int64_t completed_ns = -1;  // taken first thing in complete(); -1 when never completed
  std::vector<StreamEvent> streams;
  uint64_t n_tokens = 0;      // tokens in the response
  uint64_t n_text_bytes = 0;  // bytes of text in the response
  // The response itself, kept for every query in accuracy mode and for a seeded sample in
  // performance mode (accuracy.jsonl).
  bool logged = false;
  std::vector<int32_t> tokens;
  std::string text;
  std::vector<int32_t> streamed_tokens;  // concatenation of every stream() call (logged only)
  // Code workloads: the harness's verdict on the hidden tests for the response and for the
  // first code the query ran ("passed", "failed: ...", ...); empty when not scored.
  std::string hidden_verdict, first_attempt_hidden_verdict;
};

struct ToolCall {
  uint64_t query = 0;
  uint32_t step = 0;  // 0-based index of the call within its query
  std::string tool, arg, observation;
  int64_t start_ns = 0, end_ns = 0;
};

struct CodeRun {
  uint64_t query = 0;
  uint32_t attempt = 0;  // 0-based
  bool passed = false, timed_out = false;
  std::string verdict;   // "passed" | "failed" | "timed_out" | "crashed"
  std::string feedback;
  std::string code;
  int64_t start_ns = 0, end_ns = 0;
};

struct Report {
  uint64_t query = 0;
  std::string metric;
  double value = 0;
  int64_t t_ns = 0;
};

// A run error: logged, never a crash. kind: "duplicate_completion", "unknown_completion",
// "stream_unknown", "query_timeout", "run_timeout", "plugin_status", "plugin_log_error", ...
struct RunError {
  int64_t t_ns = 0;
  uint64_t query = kNoQuery;
  std::string kind;
  std::string message;
};

struct LogLine {
  int64_t t_ns = 0;
  int32_t level = 1;
  std::string message;
};

struct RunLog {
  std::string workload;
  registry::Scenario scenario = registry::Scenario::single_stream;
  std::string mode;  // "performance" | "accuracy"
  registry::Settings settings;
  int64_t start_ns = 0, end_ns = 0;  // first issue / last completion or abort
  bool aborted = false;
  std::string abort_reason;
  std::string crash_report;  // multi-line, from an isolated SUT worker's failure; "" otherwise
  std::vector<QueryLog> queries;  // ordered by id
  // Queries the harness streamed to events.jsonl during the run without keeping them here (it
  // keeps the logged ones and the first kTraceMaxQueries, run_dir.hpp); 0 for a log read back.
  uint64_t queries_not_held = 0;
  std::vector<ToolCall> tool_calls;
  std::vector<CodeRun> code_runs;
  std::vector<Report> reports;
  std::vector<RunError> errors;
  std::vector<LogLine> plugin_log;
};

}  // namespace edubench::runlog
