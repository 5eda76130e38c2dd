// SutSession for a plugin loaded into a contained worker process (edubench-sut-worker): the
// harness keeps the clock, the schedule, the tools, the sandbox and every log; queries and
// completions travel over shared-memory rings (ipc/). A crash, a hang, an exit or garbage on
// the channel ends the run, never the harness. See docs/grading.md.
#pragma once

#include <edubench/session/sut_session.hpp>

#include <edubench/sut_api.h>

#include <memory>
#include <string>
#include <vector>

namespace edubench::harness {

// What a plugin says about itself, read without loading it into the harness.
struct PluginDescription {
  std::string path, sha256, name, version;
  uint32_t abi_major = 0, abi_minor = 0;
  std::vector<std::string> workloads;
  std::vector<std::string> containment;  // one line per layer; "warning: ..." when degraded
};

struct WorkerLimits {
  uint64_t memory_mb = 8192;  // address space of the worker
  uint64_t cpu_s = 3600;      // CPU time, all threads
};

struct ProcessSessionOptions {
  std::string plugin_path;
  std::string stderr_path;              // the plugin's stdout and stderr go here
  std::vector<std::string> readable;    // beyond the system and the plugin's directory
  WorkerLimits limits;
  const std::vector<edu_sample>* samples = nullptr;  // queries refer to these by position
};

class ProcessSession;

// Starts the worker and waits for the plugin's description. Throws PluginFailure (one line
// naming the plugin) when it cannot be loaded or the worker dies while loading it.
std::unique_ptr<ProcessSession> start_process_session(const ProcessSessionOptions& o, const edu_host* host,
                                                      PluginDescription* out);

class ProcessSession : public SutSession {
 public:
  virtual const PluginDescription& description() const = 0;
};

// Loads `path` in a short-lived contained worker and returns its description.
PluginDescription describe_plugin_isolated(const std::string& path);

}  // namespace edubench::harness
