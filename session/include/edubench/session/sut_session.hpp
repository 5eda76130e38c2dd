// The one interface the load generator talks to, with two implementations: the plugin inside
// the harness (in_process_session.cpp) and the plugin in a contained worker (process_session.cpp).
#pragma once

#include <edubench/session/plugin.hpp>

#include <edubench/sut_api.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace edubench::harness {

class SutSession {
 public:
  virtual ~SutSession() = default;
  // Throws PluginFailure with the plugin's message when it refuses.
  virtual void create(const std::string& workload,
                      const std::vector<std::pair<std::string, std::string>>& cfg) = 0;
  // Returns the plugin's status; throws PluginFailure when a C++ exception crossed the ABI.
  virtual edu_status issue(const edu_query* queries, size_t n) = 0;
  virtual edu_status flush() = 0;
  virtual void destroy() = 0;

  // Called (from any thread) when the SUT fails on its own: a crash, an exit, a protocol
  // violation. The load generator aborts the run with it. In process, a crash ends everything.
  using FaultHandler = std::function<void(const std::string& kind, const std::string& reason)>;
  virtual void on_fault(FaultHandler) {}
  // The run was aborted: stop the SUT now, so a call blocked in it returns (a worker process is
  // killed; a plugin inside the harness cannot be stopped, so this does nothing there).
  virtual void cancel(const std::string& /*why*/) {}
  // A multi-line account of a failure (signal, last queries in flight, the plugin's stderr
  // tail), or "" when the SUT did not fail.
  virtual std::string failure_report() const { return ""; }

  // The SUT's memory as the kernel counts it, read by the harness: isolated, the worker
  // process's own (everything in it is the plugin's); in process, the whole process's, which
  // includes the harness (baseline_rss_bytes: the process before the plugin was created).
  struct MemoryUse {
    bool measured = false;
    bool includes_harness = false;
    uint64_t peak_rss_bytes = 0;      // VmHWM, or ru_maxrss of a worker that has exited
    uint64_t rss_bytes = 0;           // when measured (0: the worker had exited)
    uint64_t baseline_rss_bytes = 0;  // in process: before create()
    std::string source;               // how it was read, for result.json
  };
  virtual MemoryUse memory_use() const { return {}; }
};

// `host` must outlive the session.
std::unique_ptr<SutSession> make_in_process_session(const Plugin& plugin, const edu_host* host);

const char* status_name(edu_status s);

}  // namespace edubench::harness
