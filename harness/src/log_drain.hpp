// The run log's way to disk during the run: a background thread takes the finished queries out
// of the query table in id order, writes their events.jsonl lines through a 1 MiB buffer, feeds
// the metrics accumulator and lets the table free their memory, so the harness's memory stays
// flat in the number of queries. Off the timed path: it never touches the load generator's
// thread or a completion; it reads slots that are already final.
#pragma once

#include "query_table.hpp"

#include <edubench/runlog/events_writer.hpp>
#include <edubench/runlog/metrics_accumulator.hpp>

#include <atomic>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace edubench::harness {

class LogDrain {
 public:
  // Opens events.jsonl (under a temporary name) in `dir` and writes its run_start line from
  // `held`'s header; the queries it keeps (logged ones, the first kTraceMaxQueries for
  // trace.json) go to held.queries. Throws std::runtime_error naming the file.
  LogDrain(QueryTable& table, runlog::RunLog& held, const std::string& dir);
  ~LogDrain();
  LogDrain(const LogDrain&) = delete;
  LogDrain& operator=(const LogDrain&) = delete;

  void start();
  // Stops the thread, drains every issued query left, and writes the side tables and run_end
  // from `held` (its end and abort fields set by then). Returns the metrics and events.jsonl's
  // sha256; rethrows a write error of the thread or of its own.
  runlog::Metrics finish(std::string& events_sha256);
  // CPU seconds of the background thread (valid after finish()).
  double cpu_s() const { return cpu_s_; }

 private:
  void loop();
  void take(runlog::QueryLog& q, bool has_calls);

  QueryTable& table_;
  runlog::RunLog& held_;
  runlog::EventsWriter writer_;
  runlog::MetricsAccumulator acc_;
  std::thread thread_;
  std::mutex mu_;  // stop_, failed_
  std::condition_variable cv_;
  bool stop_ = false;
  std::exception_ptr failed_;  // the thread's write error, rethrown by finish()
  double cpu_s_ = 0;
};

}  // namespace edubench::harness
