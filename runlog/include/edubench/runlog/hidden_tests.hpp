// Scoring of code workloads (metric pass_rate) on the hidden tests, which the SUT never sees.
// One implementation for the harness, which records the verdicts in accuracy.jsonl, and for the
// checker, which runs them again: a verdict in a submission is only as good as this code.
#pragma once

#include <edubench/hostsvc/sandbox.hpp>
#include <edubench/registry/registry.hpp>
#include <edubench/runlog/run_log.hpp>

#include <string>
#include <vector>

namespace edubench::runlog {

// Runs every logged response of `log` (the final code) and the first code each query ran
// against the sample's "hidden_tests" in the harness's sandbox, and sets the queries'
// hidden_verdict and first_attempt_hidden_verdict: "passed", "<verdict>: <feedback>" or
// "not scored: ..." when the sample has no hidden tests. Throws std::runtime_error only when
// the sandbox itself cannot be set up.
void score_hidden_tests(runlog::RunLog& log, const std::vector<registry::Sample>& samples,
                        const hostsvc::SandboxLimits& limits);

// The sandbox limits a scenario's settings give code runs (code_wall_s, code_cpu_s, code_memory_mb).
hostsvc::SandboxLimits code_limits(const registry::Settings& s);

// What a verdict text says, without its feedback: "passed", "failed", "timed_out", "crashed",
// "not scored" (the text before the first ':').
std::string verdict_outcome(const std::string& verdict);

}  // namespace edubench::runlog
