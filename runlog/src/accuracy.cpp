// Quality of the logged responses against the data set's references.
#include "metrics_detail.hpp"

#include <algorithm>
#include <string>
#include <unordered_map>

namespace edubench::runlog {

AccuracyResult compute_accuracy(const RunLog& log, const registry::Workload& w,
                                const std::vector<registry::Sample>& samples) {
  AccuracyResult a;
  a.metric = w.accuracy.metric;
  a.target = w.accuracy.reference * w.accuracy.closed_fraction;
  // The first logged response of each sample is the one scored.
  std::unordered_map<uint64_t, const QueryLog*> by_sample;
  for (const QueryLog& q : log.queries) {
    if (!q.logged || q.completed_ns < 0) continue;
    if (q.sample_index >= samples.size()) {  // a corrupt log or the wrong data set
      if (a.problems.size() < 10)
        a.problems.push_back("query " + std::to_string(q.id) + ": sample " + std::to_string(q.sample_index) +
                             " is outside the data set of " + std::to_string(samples.size()) + " samples");
      continue;
    }
    by_sample.emplace(q.sample_index, &q);
  }
  const bool accuracy_mode = log.mode == "accuracy";
  a.expected = accuracy_mode ? samples.size() : by_sample.size();
  if (a.metric != "exact_match" && a.metric != "token_agreement" && a.metric != "pass_rate") {
    a.problems.push_back("unknown accuracy metric '" + a.metric + "' (exact_match, token_agreement, pass_rate)");
    return a;
  }
  double score = 0, denom = 0, first_score = 0;
  uint64_t n_missing = 0;
  for (size_t i = 0; i < samples.size(); ++i) {
    const registry::Sample& s = samples[i];
    auto it = by_sample.find(i);
    if (it == by_sample.end()) {
      if (accuracy_mode) {
        if (n_missing++ < 10) a.problems.push_back("sample " + std::to_string(i) + ": no response logged");
        if (a.metric == "token_agreement")
          denom += static_cast<double>(s.reference_tokens.size());
        else
          denom += 1;
      }
      continue;
    }
    const QueryLog& q = *it->second;
    ++a.scored;
    if (a.metric == "exact_match") {
      score += q.text == s.reference ? 1 : 0;
      denom += 1;
    } else if (a.metric == "pass_rate") {  // the harness ran the hidden tests (accuracy.jsonl)
      if (q.hidden_verdict.empty() && a.problems.size() < 10)
        a.problems.push_back("query " + std::to_string(q.id) + ": its code was not run on the hidden tests");
      score += q.hidden_verdict == "passed" ? 1 : 0;
      first_score += q.first_attempt_hidden_verdict == "passed" ? 1 : 0;
      denom += 1;
    } else {  // token_agreement: position by position; missing or extra tokens disagree
      const auto& ref = s.reference_tokens;
      size_t n = std::min(ref.size(), q.tokens.size());
      for (size_t k = 0; k < n; ++k) score += ref[k] == q.tokens[k] ? 1 : 0;
      denom += static_cast<double>(std::max(ref.size(), q.tokens.size()));
    }
  }
  if (n_missing > 10) a.problems.push_back(std::to_string(n_missing) + " samples without a response in all");
  a.value = denom > 0 ? score / denom : 0;
  if (a.metric == "pass_rate") a.figures["first_attempt_pass_rate"] = denom > 0 ? first_score / denom : 0;
  add_trajectory_figures(log, samples, by_sample, accuracy_mode, a.figures);
  a.passed = a.problems.empty() && a.scored > 0 && a.value >= a.target - 1e-12;
  return a;
}

}  // namespace edubench::runlog
