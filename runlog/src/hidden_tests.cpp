// Hidden-test scoring of code responses in the harness's sandbox (see hidden_tests.hpp).
#include <edubench/runlog/hidden_tests.hpp>
#include <edubench/hostsvc/sandbox.hpp>

#include <nlohmann/json.hpp>

#include <map>

namespace edubench::runlog {
namespace {

std::string verdict_of(const std::string& code, const registry::Sample& sample, const hostsvc::SandboxLimits& limits) {
  const nlohmann::json extra =
      nlohmann::json::parse(sample.extra_json.empty() ? "{}" : sample.extra_json, nullptr, false);
  if (extra.is_discarded() || !extra.contains("hidden_tests") || !extra["hidden_tests"].is_string())
    return "not scored: sample " + std::to_string(sample.index) + " has no hidden_tests";
  const hostsvc::SandboxResult r = hostsvc::run_python(code, extra["hidden_tests"].get<std::string>(), limits);
  return r.passed ? "passed" : r.verdict + ": " + r.feedback;
}

}  // namespace

hostsvc::SandboxLimits code_limits(const registry::Settings& s) {
  hostsvc::SandboxLimits l;
  l.wall_s = s.code_wall_s;
  l.cpu_s = s.code_cpu_s;
  l.memory_bytes = s.code_memory_mb << 20;
  return l;
}

void score_hidden_tests(RunLog& log, const std::vector<registry::Sample>& samples,
                        const hostsvc::SandboxLimits& limits) {
  std::map<uint64_t, const CodeRun*> first_run;
  for (const CodeRun& c : log.code_runs) {
    auto [it, fresh] = first_run.emplace(c.query, &c);
    if (!fresh && c.attempt < it->second->attempt) it->second = &c;
  }
  for (QueryLog& q : log.queries) {
    if (!q.logged || q.completed_ns < 0 || q.sample_index >= samples.size()) continue;
    const registry::Sample& s = samples[q.sample_index];
    q.hidden_verdict = verdict_of(q.text, s, limits);
    auto first = first_run.find(q.id);
    // A SUT that never ran its code made one attempt: its answer.
    q.first_attempt_hidden_verdict = first == first_run.end() || first->second->code == q.text
                                         ? q.hidden_verdict
                                         : verdict_of(first->second->code, s, limits);
  }
}

std::string verdict_outcome(const std::string& verdict) { return verdict.substr(0, verdict.find(':')); }

}  // namespace edubench::runlog
