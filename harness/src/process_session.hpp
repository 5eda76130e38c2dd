// SutSession for a plugin loaded into a contained worker process (edubench-sut-worker): the
// harness keeps the clock, the schedule, the tools, the sandbox and every log; queries and
// completions travel over shared-memory rings. See docs/grading.md.
#pragma once

#include "sut_session.hpp"

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
};

// Loads `path` in a short-lived contained worker and returns its description. Throws
// PluginFailure (one line, naming the file) when it cannot be loaded or crashes while loading.
PluginDescription describe_plugin_isolated(const std::string& path);

}  // namespace edubench::harness
