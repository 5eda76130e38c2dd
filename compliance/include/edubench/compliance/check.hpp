// The compliance checker: proves a submission directory from its raw logs, never from the
// summaries. Every rule yields one RuleResult (PASS/FAIL, the file, one line of figures); a
// malformed or missing file is itself a FAIL result, never an exception reaching the user.
#pragma once

#include <edubench/hostsvc/sandbox.hpp>
#include <edubench/registry/registry.hpp>
#include <edubench/runlog/run_log.hpp>
#include <edubench/runlog/submission_layout.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace edubench::compliance {

// The run directories and files of a submission (results/submission_layout.hpp).
using runlog::kAccuracyRun;
using runlog::kAuditRun;
using runlog::kPerformanceRun;
using runlog::kSubmissionFile;
using runlog::kVerdictFile;

struct RuleResult {
  std::string rule;     // "manifest.performance", "TEST01", ...
  bool pass = false;
  std::string file;     // what the figures come from, relative to the submission directory
  std::string figures;  // one line
};

// "PASS rule: figures" or "FAIL rule: file: figures".
std::string report_line(const RuleResult& r);
// verdict.json: {schema, directory, division, passed, rules[{rule, status, file, figures}]}.
std::string verdict_json(const std::string& dir, const std::string& division,
                         const std::vector<RuleResult>& rules);
bool all_pass(const std::vector<RuleResult>& rules);

// The rules on logs already read (unit-testable without files). `file` names the source.
// Settings recorded in a run equal the registry's or are stricter; the audit run differs only
// by performance_sample_count = 1 and by performance_sample_offset = `audit_offset`, the value
// submission.json records (drawn at random by the submission; none recorded fails the audit).
RuleResult check_run_settings(const runlog::RunLog& run, const registry::Settings& registered,
                              bool audit, const std::string& file,
                              const std::optional<uint64_t>& audit_offset = std::nullopt);
// VALID by recomputation from events (compute_metrics), never by reading result.json.
RuleResult check_validity(const runlog::RunLog& run, const std::string& file);
// result.json's figures (throughput, warm-up count, p99 issue lag, goodput and each SLO's share)
// equal their recomputation from the log; `result_path` is the run's result.json.
RuleResult check_result_figures(const runlog::RunLog& run, const std::string& result_path, const std::string& file);
// Quality recomputed against the data set; closed: >= reference x closed_fraction,
// open: >= open_floor.
RuleResult check_accuracy(const runlog::RunLog& run, const registry::Workload& w,
                          const std::vector<registry::Sample>& samples, const std::string& division,
                          const std::string& file);
// The accuracy run's result.json accuracy.figures (first-attempt pass rate, trajectory figures)
// equal, key for key, their recomputation from the log and the data set.
RuleResult check_accuracy_figures(const runlog::RunLog& run, const registry::Workload& w,
                                  const std::vector<registry::Sample>& samples, const std::string& result_path,
                                  const std::string& file);
// The accuracy run answered every sample of the split exactly as accuracy mode issues them.
RuleResult check_accuracy_coverage(const runlog::RunLog& run, const registry::Workload& w,
                                   const std::vector<registry::Sample>& samples, const std::string& file);
// TEST01: every response logged in the performance run equals, in full (tokens and text), the
// accuracy run's response for the same sample.
RuleResult check_test01(const runlog::RunLog& perf, const runlog::RunLog& acc, const std::string& file);
// TEST04's unit of work: what a query of this kind did, counted from the harness's own events
// (never from a SUT's report()): generation, its decoding steps (stream() calls); react, its
// model turns (tool calls + 1); codegen, its attempts (code runs); echo, 1. Never below 1.
std::unordered_map<uint64_t, double> work_units(const runlog::RunLog& run, registry::Kind kind);
// "model turn (tool calls + 1)", ...: the unit's name for figures.
const char* work_unit_name(registry::Kind kind);
// TEST04: the same-sample audit run is not faster than expected beyond `tolerance` (a fraction)
// and `slack_ms` (per query), both the registry's. Expected: time per unit of work times the
// units of the audit's sample (the one its issue events carry), every sample's units counted in
// the accuracy run (each sample once, so no cache can lower them); time per unit from the
// performance run and from the accuracy run, the faster of the two. Time: per query from
// samples/s for Offline; otherwise service time (issue to completion) at the scenario's
// percentile, capped at p90. `dataset_size` > 0: the audit's sample must also be the one its
// recorded performance_sample_offset selects (offset mod dataset_size).
RuleResult check_test04(const runlog::RunLog& perf, const runlog::RunLog& audit, const runlog::RunLog& acc,
                        registry::Kind kind, double tolerance, double slack_ms, const std::string& file,
                        uint64_t dataset_size = 0);
// TEST06: streamed tokens in order equal the response's tokens, counts in events.jsonl agree
// with the responses, a generation response stays within max_new_tokens, and holds at most
// one end-of-sequence token (the registry's eos_token), as its last.
RuleResult check_test06(const runlog::RunLog& run, const registry::Workload& w, const std::string& file);

// TEST07 (generation): the responses logged in the performance run score at least the accuracy
// target, or, where the accuracy run itself scored those samples lower, at least that: accuracy
// measured in the mode that is timed, never only in the accuracy run.
RuleResult check_test07(const runlog::RunLog& perf, const runlog::RunLog& acc, const registry::Workload& w,
                        const std::vector<registry::Sample>& samples, const std::string& division,
                        const std::string& file);
// TEST09 (generation): the mean number of tokens of every completed query of the performance run
// is within +-10% of the mean length of its samples' reference tokens: truncated (or padded)
// answers make a run faster (or slower) without the accuracy run seeing it.
RuleResult check_test09(const runlog::RunLog& perf, const std::vector<registry::Sample>& samples,
                        const std::string& file);
inline constexpr double kTest09Tolerance = 0.10;

// Agent workloads: every tool call in events.jsonl reproduces its observation when the
// harness's (pure) tool runs again, every tool call and code run lies within its query, and
// each query's steps are 0..k-1 (nothing deleted or inserted).
RuleResult check_agent_trace(const runlog::RunLog& run, const std::string& file);

// Code workloads (metric pass_rate): every logged response's final code, and the first code its
// query ran, executed again on the sample's hidden tests in the harness's sandbox
// (score_hidden_tests); every recorded verdict must have the outcome the checker gets.
// `rescored`, when given, receives the log with the checker's own verdicts, for the accuracy rule.
// `limits`: the registry's (runlog::code_limits of the scenario's settings), never a run's.
RuleResult check_hidden_tests(const runlog::RunLog& run, const std::vector<registry::Sample>& samples,
                              const hostsvc::SandboxLimits& limits, const std::string& file,
                              runlog::RunLog* rescored = nullptr);

// Every file listed in RUN_DIR/manifest.json has that sha256, and the run's files are all
// listed. `label` is the run's folder name inside the submission.
RuleResult check_manifest_files(const std::string& run_dir, const std::string& label);

// Every rule over a submission directory. `division` "" means the one submission.json declares;
// `division_used`, when given, receives the division the rules were applied for.
std::vector<RuleResult> check_submission(const std::string& dir, const registry::Registry& reg,
                                         const std::string& division, std::string* division_used = nullptr);

// `edubench check DIR` and the grade book's check: every rule, one line each on stdout, then
// DIR/verdict.json and a closing line (stdout when every rule holds, stderr otherwise). Returns
// the number of failed rules. Throws std::invalid_argument naming DIR or the division when DIR
// is not a directory or the division is neither closed nor open, std::runtime_error when
// verdict.json cannot be written.
size_t check_and_report(const std::string& dir, const registry::Registry& reg, const std::string& division);

}  // namespace edubench::compliance
