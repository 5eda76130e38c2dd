// What one run holds from its plan to its results, and the one function that writes its run
// directory: the normal path and the watchdog's emergency path both end there.
#pragma once

#include "host_bridge.hpp"
#include "loadgen.hpp"
#include "log_drain.hpp"
#include "query_table.hpp"

#include <edubench/harness/run.hpp>
#include <edubench/registry/run_plan.hpp>
#include <edubench/runlog/run_dir.hpp>
#include <edubench/session/errors.hpp>
#include <edubench/session/process_session.hpp>
#include <edubench/session/sut_session.hpp>

#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace edubench::harness {

struct RunState {
  explicit RunState(registry::RunPlan p) : plan(std::move(p)) {}
  registry::RunPlan plan;
  RunOptions opts;
  std::string dir;
  runlog::RunLog log;
  runlog::RunContext ctx;
  std::mutex finalize_mu;
  // Destroyed in reverse order: the load generator, the session, the bridge, the table.
  std::unique_ptr<QueryTable> table;
  std::unique_ptr<HostBridge> bridge;
  std::unique_ptr<SutSession> session;
  std::unique_ptr<LoadGenerator> loadgen;
  // Streams events.jsonl and the metrics during the run (created just before the load starts);
  // without it (a run that failed before any query) finalize writes the log at the end.
  std::unique_ptr<LogDrain> drain;
  double process_cpu0_s = 0;  // process CPU when the load started
};

// Starts streaming the run log to `st.dir` (the run's start time is taken here).
void start_drain(RunState& st);

// The log's header and the context's provenance, from the plan and the machine.
void start_log(RunState& st, const std::vector<std::pair<std::string, std::string>>& system,
               const std::string& harness_version, const std::string& harness_git);
// The plugin's identity in the results; `extra_file` (its stderr log) joins the manifest.
void record_plugin(RunState& st, const PluginDescription& d, const std::string& extra_file);

// Writes the run directory and prints the summary; returns the exit code.
int finalize(RunState& st, const RunOutcome& out);
// A failure before any query was issued (plugin load, create): still a complete run directory.
int fail_early(RunState& st, const HarnessError& e, const std::string& kind);

}  // namespace edubench::harness
