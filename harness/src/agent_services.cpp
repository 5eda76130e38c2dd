#include "agent_services.hpp"

#include <edubench/hostsvc/sandbox.hpp>
#include <edubench/hostsvc/tools.hpp>

#include <nlohmann/json.hpp>

#include <map>

namespace edubench::harness {

bool is_tool(const std::string& name) { return hostsvc::is_known_tool(name); }

std::string invoke_tool(const std::string& name, const std::string& arg) {
  return hostsvc::run_tool(name, arg).observation;
}

namespace {

CodeVerdict run_tests(const std::string& code, const registry::Sample& sample, const char* which) {
  CodeVerdict v;
  nlohmann::json extra = nlohmann::json::parse(sample.extra_json.empty() ? "{}" : sample.extra_json,
                                               nullptr, false);
  if (extra.is_discarded() || !extra.contains(which) || !extra[which].is_string()) {
    v.supported = false;
    v.feedback = "sample " + std::to_string(sample.index) + " has no " + which;
    return v;
  }
  hostsvc::SandboxResult r = hostsvc::run_python(code, extra[which].get<std::string>(), hostsvc::SandboxLimits{});
  v.passed = r.passed;
  v.timed_out = r.timed_out;
  v.verdict = r.verdict;
  v.feedback = r.feedback;
  return v;
}

std::string verdict_text(const CodeVerdict& v) {
  if (!v.supported) return "not scored: " + v.feedback;
  return v.passed ? "passed" : v.verdict + ": " + v.feedback;
}

}  // namespace

CodeVerdict run_visible_tests(const std::string& code, const registry::Sample& sample) {
  CodeVerdict v = run_tests(code, sample, "visible_tests");
  if (!v.supported) v.feedback += ": run_code is not served";
  return v;
}

void score_hidden_tests(results::RunLog& log, const std::vector<registry::Sample>& samples) {
  std::map<uint64_t, const results::CodeRun*> first_run;
  for (const results::CodeRun& c : log.code_runs) {
    auto [it, fresh] = first_run.emplace(c.query, &c);
    if (!fresh && c.attempt < it->second->attempt) it->second = &c;
  }
  for (results::QueryLog& q : log.queries) {
    if (!q.logged || q.completed_ns < 0 || q.sample_index >= samples.size()) continue;
    const registry::Sample& s = samples[q.sample_index];
    q.hidden_verdict = verdict_text(run_tests(q.text, s, "hidden_tests"));
    auto first = first_run.find(q.id);
    // A SUT that never ran its code made one attempt: its answer.
    q.first_attempt_hidden_verdict = first == first_run.end() || first->second->code == q.text
                                         ? q.hidden_verdict
                                         : verdict_text(run_tests(first->second->code, s, "hidden_tests"));
  }
}

}  // namespace edubench::harness
