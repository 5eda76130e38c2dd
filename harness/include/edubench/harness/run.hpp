// One run of a workload against a plugin: plan -> session -> load generator -> run directory.
#pragma once

#include <edubench/registry/registry.hpp>
#include <edubench/registry/run_plan.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace edubench::harness {

struct RunOptions {
  std::string registry_path;
  std::string workload;
  std::string sut;
  std::string scenario;
  std::string mode = "performance";  // | accuracy | submission
  std::string output;  // the exact run directory; empty: results/<w>/<scenario>/<mode>/<timestamp>
  std::string division = "closed";
  std::vector<std::string> sets;      // key=value
  std::vector<std::string> sut_opts;  // key=value
  // process: the plugin runs in a contained worker process (session/src/process_session.cpp);
  // none: loaded into the harness (for gdb). Empty: process for submissions, none otherwise.
  std::string isolation;
  uint64_t sut_memory_mb = 0;  // the worker's address-space limit; 0: the default (8 GiB)
  bool quiet = false;
  bool progress = false;  // the progress line on a terminal even when quiet
  bool probe = false;  // a peak-search probe: INVALID is its answer, not an error line on stderr
  std::string command_line;
};

// One performance or accuracy run into one run directory; returns the exit code (exit_codes.hpp)
// and stays in the process, so a submission can make several runs. Throws HarnessError only
// before a run directory exists (bad command line or registry); after that, failures are
// written into it.
int run_once(const RunOptions& opts);

// "process" or "none": --isolation, else the mode's default.
std::string isolation_of(const RunOptions& o);

// results/<workload>/<scenario>/<mode>/<timestamp>, with -2, -3... when it exists already.
std::string default_run_dir(const std::string& workload, const std::string& scenario, const std::string& mode);

// The registry at `path`; a bad registry is BadInput (exit 2) naming the file, line and field.
registry::Registry load_registry_or_bad_input(const std::string& path);

// Splits "key=value"; throws BadInput naming `what` (--set / --sut-opt) otherwise.
std::pair<std::string, std::string> split_key_value(const std::string& kv, const std::string& what);

// registry::plan_run with its errors as BadInput (exit 2).
registry::RunPlan plan_or_bad_input(const registry::Registry& reg, const registry::RunRequest& req);

}  // namespace edubench::harness
