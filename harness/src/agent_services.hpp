// The harness-owned services behind call_tool and run_code, over hostsvc/.
#pragma once

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
CodeVerdict run_visible_tests(const std::string& code, const registry::Sample& sample);

// Scoring of code workloads by the harness: every logged response (the final code) and the
// first code each query ran are run against the sample's "hidden_tests", which the SUT never
// sees; the verdicts go into the log (accuracy.jsonl) for the accuracy computation. The code is
// compliance::score_hidden_tests, which `edubench check` runs again on a submission.
void score_hidden_tests(runlog::RunLog& log, const std::vector<registry::Sample>& samples);

}  // namespace edubench::harness
