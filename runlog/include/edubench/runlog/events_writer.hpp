// events.jsonl written as the run goes: the run_start line, then each query's block (its issue,
// its stream() calls, its completion) in id order as the query leaves the harness's table, then
// the side events (tool calls, code runs, reports, errors, plugin log) in time order and run_end.
// The harness writes through it from a background thread; write_events_jsonl() is the same
// writer over a whole RunLog.
#pragma once

#include <edubench/runlog/run_log.hpp>

#include <memory>
#include <string>

namespace edubench::runlog {

class EventsWriter {
 public:
  // Creates PATH.tmp (renamed into place by finish()); throws std::runtime_error naming it.
  explicit EventsWriter(const std::string& path);
  ~EventsWriter();
  EventsWriter(const EventsWriter&) = delete;
  EventsWriter& operator=(const EventsWriter&) = delete;

  void start(const RunLog& header);  // workload, scenario, mode, settings, start_ns
  void query(const QueryLog& q);     // buffered (1 MiB), then written: memory stays flat
  // The side tables and end of `log` (never its queries); returns the file's sha256.
  std::string finish(const RunLog& log);

 private:
  struct File;
  std::unique_ptr<File> f_;
};

}  // namespace edubench::runlog
