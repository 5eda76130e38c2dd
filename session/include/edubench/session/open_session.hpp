// The one way a run gets a plugin to talk to: loaded into the harness, or in a contained worker
// process. Either way the caller gets the SutSession and what the plugin says about itself.
#pragma once

#include <edubench/session/process_session.hpp>
#include <edubench/session/sut_session.hpp>

#include <memory>
#include <string>
#include <vector>

namespace edubench::harness {

struct SessionRequest {
  std::string plugin_path;  // resolved (resolve_plugin)
  std::string workload;     // the plugin must list it
  bool isolated = false;    // true: a contained worker (--isolation process)
  // Isolated only: where the plugin's stdout and stderr go, what else it may read, its limits,
  // and the samples queries refer to (they must outlive the session).
  std::string stderr_path;
  std::vector<std::string> readable;
  WorkerLimits limits;
  const std::vector<edu_sample>* samples = nullptr;
};

// Throws PluginFailure (one line naming the plugin) when it cannot be loaded or does not serve
// the workload. `*described` receives what the plugin says about itself (containment lines only
// when isolated) as soon as it is known, so a caller still has it when the workload check throws.
// `host` must outlive the session.
std::unique_ptr<SutSession> open_session(const SessionRequest& req, const edu_host* host,
                                         PluginDescription* described);

}  // namespace edubench::harness
