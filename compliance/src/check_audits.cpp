// The audit rules in the spirit of MLPerf's compliance tests, each fixing a known weakness of
// the original: TEST01 compares whole responses (not their first element), TEST06 checks every
// logged response's stream. TEST04 has its own file (check_test04.cpp).
#include <edubench/compliance/check.hpp>

#include <edubench/runlog/metrics.hpp>

#include <algorithm>
#include <cstdio>
#include <unordered_map>
#include <unordered_set>

namespace edubench::compliance {
namespace {

std::string query_name(const runlog::QueryLog& q) {
  return "query " + std::to_string(q.id) + " (sample " + std::to_string(q.sample_index) + ")";
}

// Where two responses first differ, or "" when they are equal in full.
std::string difference(const runlog::QueryLog& a, const runlog::QueryLog& b) {
  const size_t n = std::min(a.tokens.size(), b.tokens.size());
  for (size_t k = 0; k < n; ++k)
    if (a.tokens[k] != b.tokens[k])
      return "token " + std::to_string(k) + " is " + std::to_string(a.tokens[k]) + ", the accuracy run's is " +
             std::to_string(b.tokens[k]);
  if (a.tokens.size() != b.tokens.size())
    return std::to_string(a.tokens.size()) + " tokens, the accuracy run's has " + std::to_string(b.tokens.size());
  if (a.text != b.text) return "the text differs (" + std::to_string(a.text.size()) + " vs " +
                               std::to_string(b.text.size()) + " bytes)";
  return "";
}

std::string fixed(double v, int digits) {
  char b[48];
  std::snprintf(b, sizeof b, "%.*f", digits, v);
  return b;
}

}  // namespace

RuleResult check_test01(const runlog::RunLog& perf, const runlog::RunLog& acc, const std::string& file) {
  RuleResult r{"TEST01", false, file, ""};
  std::unordered_map<uint64_t, const runlog::QueryLog*> reference;  // sample -> accuracy response
  for (const runlog::QueryLog& q : acc.queries)
    if (q.logged && q.completed_ns >= 0) reference.emplace(q.sample_index, &q);
  uint64_t compared = 0, differ = 0, unmatched = 0;
  std::string first;
  for (const runlog::QueryLog& q : perf.queries) {
    if (!q.logged || q.completed_ns < 0) continue;
    auto it = reference.find(q.sample_index);
    if (it == reference.end()) {
      if (first.empty()) first = query_name(q) + ": the accuracy run has no response for this sample";
      ++unmatched;
      continue;
    }
    ++compared;
    if (std::string d = difference(q, *it->second); !d.empty()) {
      if (first.empty()) first = query_name(q) + ": " + d;
      ++differ;
    }
  }
  if (compared == 0 && unmatched == 0) {
    r.figures = "the performance run logged no response to compare (raise accuracy_log_probability)";
    return r;
  }
  r.pass = differ == 0 && unmatched == 0;
  r.figures = r.pass ? std::to_string(compared) + " responses logged in the performance run equal the accuracy run's in full "
                       "(tokens and text)"
                     : std::to_string(differ + unmatched) + " of " + std::to_string(compared + unmatched) +
                           " logged responses differ from the accuracy run's: " + first;
  return r;
}

RuleResult check_test06(const runlog::RunLog& run, const registry::Workload& w, const std::string& file) {
  RuleResult r{"TEST06", false, file, ""};
  uint64_t responses = 0, streamed_queries = 0, problems = 0;
  std::string first;
  auto problem = [&](const runlog::QueryLog& q, const std::string& what) {
    if (problems++ == 0) first = query_name(q) + ": " + what;
  };
  for (const runlog::QueryLog& q : run.queries) {
    if (q.completed_ns < 0) continue;
    uint64_t stream_sum = 0;
    for (const auto& s : q.streams) stream_sum += s.n_tokens;
    if (!q.streams.empty()) {
      ++streamed_queries;
      if (stream_sum != q.n_tokens)
        problem(q, std::to_string(stream_sum) + " tokens streamed, the response has " + std::to_string(q.n_tokens));
    }
    if (w.kind == registry::Kind::generation && w.max_new_tokens > 0 && q.n_tokens > w.max_new_tokens)
      problem(q, std::to_string(q.n_tokens) + " tokens > max_new_tokens " + std::to_string(w.max_new_tokens));
    if (!q.logged) continue;
    ++responses;
    if (w.eos_token >= 0) {  // at most one end-of-sequence token, and only as the last token
      const auto n_eos = std::count(q.tokens.begin(), q.tokens.end(), w.eos_token);
      if (n_eos > 1 || (n_eos == 1 && q.tokens.back() != w.eos_token))
        problem(q, std::to_string(n_eos) + " end-of-sequence tokens (" + std::to_string(w.eos_token) + ")" +
                       (n_eos == 1 ? ", not last" : ""));
    }
    if (q.tokens.size() != q.n_tokens)
      problem(q, "accuracy.jsonl holds " + std::to_string(q.tokens.size()) + " tokens, events.jsonl says " +
                     std::to_string(q.n_tokens));
    if (q.text.size() != q.n_text_bytes)
      problem(q, "accuracy.jsonl holds " + std::to_string(q.text.size()) + " text bytes, events.jsonl says " +
                     std::to_string(q.n_text_bytes));
    if (q.streamed_tokens.size() != stream_sum)
      problem(q, "accuracy.jsonl holds " + std::to_string(q.streamed_tokens.size()) +
                     " streamed tokens, the stream events count " + std::to_string(stream_sum));
    else if (!q.streams.empty() && q.streamed_tokens != q.tokens) {
      size_t k = 0;
      while (k < q.tokens.size() && k < q.streamed_tokens.size() && q.tokens[k] == q.streamed_tokens[k]) ++k;
      problem(q, "streamed token " + std::to_string(k) + " is " +
                     (k < q.streamed_tokens.size() ? std::to_string(q.streamed_tokens[k]) : std::string("missing")) +
                     ", the response's is " +
                     (k < q.tokens.size() ? std::to_string(q.tokens[k]) : std::string("missing")));
    }
  }
  r.pass = problems == 0;
  r.figures = r.pass ? std::to_string(responses) + " logged responses equal their streamed tokens; stream counts of " +
                           std::to_string(streamed_queries) + " queries agree with their responses"
                     : std::to_string(problems) + " problems; first: " + first;
  return r;
}

RuleResult check_test07(const runlog::RunLog& perf, const runlog::RunLog& acc, const registry::Workload& w,
                        const std::vector<registry::Sample>& samples, const std::string& division,
                        const std::string& file) {
  RuleResult r{"TEST07", false, file, ""};
  const runlog::AccuracyResult timed = runlog::compute_accuracy(perf, w, samples);
  if (timed.scored == 0) {
    r.figures = "the performance run logged no response to score (raise accuracy_log_probability)";
    return r;
  }
  // The accuracy run on the same samples: a subset may be harder than the whole split.
  std::unordered_set<uint64_t> logged;
  for (const runlog::QueryLog& q : perf.queries)
    if (q.logged && q.completed_ns >= 0) logged.insert(q.sample_index);
  runlog::RunLog same = acc;
  same.mode = "performance";  // score what is there; samples not in the subset are not missing
  same.queries.clear();
  for (const runlog::QueryLog& q : acc.queries)
    if (logged.count(q.sample_index)) same.queries.push_back(q);
  const double untimed = runlog::compute_accuracy(same, w, samples).value;
  const double target = division == "open" ? w.accuracy.open_floor : timed.target;
  const double bar = std::min(target, untimed);
  r.pass = timed.problems.empty() && timed.value >= bar - 1e-12;
  r.figures = std::to_string(timed.scored) + " responses logged in the performance run score " + timed.metric + " " +
              fixed(timed.value, 4) + (r.pass ? " >= " : " < ") + fixed(bar, 4) + " (the " + division +
              " target " + fixed(target, 4) + ", or the accuracy run's " + fixed(untimed, 4) + " on the same samples)";
  if (!timed.problems.empty()) r.figures += "; " + timed.problems.front();
  return r;
}

RuleResult check_test09(const runlog::RunLog& perf, const std::vector<registry::Sample>& samples,
                        const std::string& file) {
  RuleResult r{"TEST09", false, file, ""};
  double produced = 0, reference = 0;
  uint64_t n = 0;
  for (const runlog::QueryLog& q : perf.queries) {
    if (q.warmup || q.completed_ns < 0 || q.sample_index >= samples.size()) continue;
    produced += static_cast<double>(q.n_tokens);
    reference += static_cast<double>(samples[q.sample_index].reference_tokens.size());
    ++n;
  }
  if (n == 0 || reference == 0) {
    r.figures = n == 0 ? "the performance run completed no query" : "the samples carry no reference tokens";
    return r;
  }
  const double ratio = produced / reference;
  r.pass = ratio >= 1 - kTest09Tolerance - 1e-12 && ratio <= 1 + kTest09Tolerance + 1e-12;
  r.figures = "mean output " + fixed(produced / static_cast<double>(n), 1) + " tokens over " + std::to_string(n) +
              " completed queries vs the references' " + fixed(reference / static_cast<double>(n), 1) + " (ratio " +
              fixed(ratio, 3) + (r.pass ? ", within" : ", outside") + " 1 +- " + fixed(kTest09Tolerance, 2) + ")";
  return r;
}

}  // namespace edubench::compliance
