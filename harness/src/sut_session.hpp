// The one interface the load generator talks to. In process today; an isolated worker process
// (issue 6) is a second implementation of this, not a rewrite of the load generator.
#pragma once

#include "plugin.hpp"

#include <edubench/sut_api.h>

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
};

// `host` must outlive the session.
std::unique_ptr<SutSession> make_in_process_session(const Plugin& plugin, const edu_host* host);

const char* status_name(edu_status s);

}  // namespace edubench::harness
