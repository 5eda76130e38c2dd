// Code workloads: the hidden-test verdicts in accuracy.jsonl are the harness's record, under the
// manifest; the checker does not trust them but runs each code again in the same sandbox with
// the same scoring code (score_hidden_tests) and compares outcomes. Outcomes, not whole texts:
// a feedback line may say which limit a timed-out run hit, and only the outcome is scored.
#include <edubench/compliance/check.hpp>
#include <edubench/runlog/hidden_tests.hpp>

namespace edubench::compliance {

RuleResult check_hidden_tests(const runlog::RunLog& run, const std::vector<registry::Sample>& samples,
                              const hostsvc::SandboxLimits& limits, const std::string& file,
                              runlog::RunLog* rescored) {
  RuleResult r{"hidden_tests", false, file, ""};
  runlog::RunLog again = run;
  runlog::score_hidden_tests(again, samples, limits);
  uint64_t checked = 0, differ = 0, passed = 0;
  std::string first;
  auto compare = [&](const runlog::QueryLog& q, const char* which, const std::string& recorded,
                     const std::string& rerun) {
    ++checked;
    if (runlog::verdict_outcome(recorded) == runlog::verdict_outcome(rerun)) return;
    if (differ++ == 0)
      first = "query " + std::to_string(q.id) + " (sample " + std::to_string(q.sample_index) + "): " + which +
              " recorded '" + recorded.substr(0, 60) + "', the checker's run gives '" + rerun.substr(0, 60) + "'";
  };
  for (size_t i = 0; i < run.queries.size(); ++i) {
    const runlog::QueryLog &q = run.queries[i], &a = again.queries[i];
    if (!q.logged || q.completed_ns < 0) continue;
    compare(q, "final code", q.hidden_verdict, a.hidden_verdict);
    compare(q, "first attempt", q.first_attempt_hidden_verdict, a.first_attempt_hidden_verdict);
    passed += a.hidden_verdict == "passed" ? 1 : 0;
  }
  r.pass = differ == 0 && checked > 0;
  r.figures = checked == 0 ? "no logged response to run on the hidden tests"
              : r.pass ? std::to_string(checked) + " recorded verdicts (final code and first attempt of " +
                             std::to_string(checked / 2) + " responses) equal the checker's runs in the sandbox; " +
                             std::to_string(passed) + " final codes pass"
                       : std::to_string(differ) + " of " + std::to_string(checked) +
                             " recorded verdicts differ from the checker's runs in the sandbox; first: " + first;
  if (rescored) *rescored = std::move(again);
  return r;
}

}  // namespace edubench::compliance
