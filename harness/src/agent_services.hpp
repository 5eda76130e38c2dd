// The harness-owned services behind call_tool and run_code, over hostsvc/.
#pragma once

#include <edubench/hostsvc/sandbox.hpp>
#include <edubench/registry/registry.hpp>
#include <edubench/runlog/run_log.hpp>

#include <string>
#include <vector>

namespace edubench::harness {

bool is_tool(const std::string& name);
// The observation; a bad argument yields "error: ..." (never throws for bad input).
std::string invoke_tool(const std::string& name, const std::string& arg);

struct CodeVerdict {
  bool supported = true;  // false: the sample carries no visible tests
  bool passed = false, timed_out = false;
  std::string verdict;    // passed | failed | timed_out | crashed
  std::string feedback;
};
// Runs `code` in the sandbox against the sample's "visible_tests" (from its extra_json).
CodeVerdict run_visible_tests(const std::string& code, const registry::Sample& sample,
                              const hostsvc::SandboxLimits& limits);

}  // namespace edubench::harness
