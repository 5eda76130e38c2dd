// Metrics, LoadGen's early stopping and validity, derived from hand-made run logs.
#include <edubench/runlog/metrics.hpp>
#include "fixtures.hpp"

#include <doctest/doctest.h>

#include <optional>
#include <tuple>

using namespace edubench::runlog;
namespace reg = edubench::registry;

namespace {

// n queries issued 1 ms apart, each taking (i + 1) ms, each streaming `tokens` one by one.
RunLog make_log(size_t n, reg::Scenario sc = reg::Scenario::single_stream, int tokens = 0) {
  RunLog log;
  log.workload = "w";
  log.scenario = sc;
  log.mode = "performance";
  log.settings.min_duration_s = 0;
  log.settings.min_query_count = 1;
  log.settings.latency_percentile = sc == reg::Scenario::server ? 0.99 : 0.9;
  for (size_t i = 0; i < n; ++i) {
    QueryLog q;
    q.id = i + 1;
    q.issued_ns = q.scheduled_ns = static_cast<int64_t>(i) * 1'000'000;
    q.completed_ns = q.issued_ns + static_cast<int64_t>(i + 1) * 1'000'000;
    for (int t = 0; t < tokens; ++t) q.streams.push_back({q.issued_ns + (t + 1) * 100'000, 1});
    q.n_tokens = static_cast<uint64_t>(tokens);
    log.queries.push_back(q);
  }
  return log;
}

}  // namespace

TEST_CASE("percentiles follow LoadGen's sorted[floor(n * q)] rule") {
  std::vector<double> v;
  for (int i = 100; i >= 1; --i) v.push_back(i);
  Percentiles p = percentiles(v);
  CHECK(p.count == 100);
  CHECK(p.p50 == 51);
  CHECK(p.p90 == 91);
  CHECK(p.p99 == 100);
  CHECK(p.min == 1);
  CHECK(p.max == 100);
  CHECK(p.mean == doctest::Approx(50.5));
  CHECK(percentiles({}).count == 0);
  CHECK(quantile({3, 1, 2}, 0.5) == 2);
}

// Every early-stopping number below was derived independently of this code, with exact
// rational arithmetic in Python: h(t) = the smallest h with
// sum_{k<=t} C(h+t, k) (1-p)^k p^(h+t-k) < 0.01, as in LoadGen's early_stopping.cc.
TEST_CASE("early stopping: LoadGen's minimum query counts for p90 and p99") {
  CHECK(early_stopping_min_queries(0.90) == 64);
  CHECK(early_stopping_min_queries(0.99) == 662);
}

TEST_CASE("early stopping: queries a Server run needs for a given overlatency count") {
  CHECK(early_stopping_queries_needed(0, 0.99) == 459);
  CHECK(early_stopping_queries_needed(1, 0.99) == 662);
  CHECK(early_stopping_queries_needed(5, 0.99) == 1307);
  CHECK(early_stopping_queries_needed(9, 0.99) == 1874);
  CHECK(early_stopping_queries_needed(10, 0.99) == 2010);
  CHECK(early_stopping_queries_needed(0, 0.90) == 44);
  CHECK(early_stopping_queries_needed(2, 0.90) == 81);
}

// values 1..n, so the estimate sorted[n - t] is n - t + 1
static std::optional<double> estimate_of_1_to(int n, double p) {
  std::vector<double> v;
  for (int i = n; i >= 1; --i) v.push_back(i);
  return early_stopping_estimate(v, p);
}

TEST_CASE("early stopping estimate: sorted[n - t] for the largest t with h(t) + t <= n") {
  CHECK(estimate_of_1_to(201, 0.90) == 192);  // t = 10: the 9 slowest discarded
  CHECK(estimate_of_1_to(100, 0.90) == 98);   // t = 3
  CHECK(estimate_of_1_to(1000, 0.90) == 923); // t = 78
  CHECK(estimate_of_1_to(64, 0.90) == 64);    // t = 1: the minimum, nothing discarded
  CHECK(estimate_of_1_to(662, 0.99) == 662);
  CHECK(estimate_of_1_to(1000, 0.99) == 999); // t = 2
}

TEST_CASE("early stopping estimate: none below the minimum query count") {
  CHECK_FALSE(early_stopping_estimate(std::vector<double>(63, 1.0), 0.90));
  CHECK_FALSE(early_stopping_estimate(std::vector<double>(661, 1.0), 0.99));
  CHECK_FALSE(early_stopping_estimate({}, 0.90));
}

TEST_CASE("latency, throughput and validity of a clean single-stream run") {
  Metrics m = compute_metrics(make_log(100));
  CHECK(m.valid);
  CHECK(m.queries_completed == 100);
  CHECK(m.latency_ms.p50 == doctest::Approx(51));
  CHECK(m.latency_ms.max == doctest::Approx(100));
  CHECK(m.duration_s == doctest::Approx(0.199));  // first issue at 0, last completion at 99 + 100 ms
  CHECK(m.samples_per_s == doctest::Approx(100 / 0.199));
  REQUIRE(m.latency_early_stopping_ms);
}

TEST_CASE("TTFT, TPOT and inter-token latency from stream events") {
  Metrics m = compute_metrics(make_log(10, reg::Scenario::offline, 5));
  CHECK(m.ttft_ms.p50 == doctest::Approx(0.1));
  CHECK(m.itl_ms.max == doctest::Approx(0.1));
  CHECK(m.itl_ms.count == 40);
  CHECK(m.tokens_total == 50);
  // query i: completes at (i + 1) ms, first token at 0.1 ms: TPOT = (i + 1 - 0.1) / 4
  CHECK(m.tpot_ms.min == doctest::Approx(0.9 / 4));
}

TEST_CASE("TTFT, TPOT and ITL from a handcrafted server log") {
  // a: scheduled at 0, issued 1 ms late; tokens at 2, 5 (two), 6 ms; done at 7 ms. b: one token,
  // streamed at 11 ms, done at 12 ms: a TTFT but no TPOT. c: nothing streamed: latency only.
  RunLog log = handcrafted_server_log();
  Metrics m = compute_metrics(log);
  CHECK(m.latency_ms.count == 3);
  CHECK(m.latency_ms.max == doctest::Approx(10));
  CHECK(m.latency_ms.min == doctest::Approx(2));
  CHECK(m.latency_ms.p50 == doctest::Approx(7));  // from the scheduled time, not the issue
  REQUIRE(m.ttft_ms.count == 2);
  CHECK(m.ttft_ms.min == doctest::Approx(1));
  CHECK(m.ttft_ms.max == doctest::Approx(2));
  REQUIRE(m.tpot_ms.count == 1);
  CHECK(m.tpot_ms.mean == doctest::Approx(5.0 / 3.0));  // (7 - 2) ms over 3 further tokens
  REQUIRE(m.itl_ms.count == 2);
  CHECK(m.itl_ms.min == doctest::Approx(1));
  CHECK(m.itl_ms.max == doctest::Approx(3));
  CHECK(m.tokens_total == 7);
  CHECK(m.duration_s == doctest::Approx(0.030));
  CHECK(m.samples_per_s == doctest::Approx(100));
  CHECK(m.tokens_per_s == doctest::Approx(7 / 0.030));
  CHECK(m.achieved_qps == doctest::Approx(2 / 0.020));  // 3 arrivals span 20 ms
}

TEST_CASE("reports, tool calls and code runs are aggregated") {
  RunLog log = make_log(1);
  log.reports = {{1, "draft_accepted", 3, 0}, {1, "draft_accepted", 5, 0}, {1, "kv_bytes", 10, 0}};
  log.tool_calls = {{1, 0, "calc", "1+1", "2", 0, 2'000'000}, {1, 1, "calc", "2+2", "4", 0, 4'000'000}};
  log.code_runs = {{1, 0, true, false, "passed", "", "x", 0, 50'000'000}};
  Metrics m = compute_metrics(log);
  REQUIRE(m.reported.count("draft_accepted"));
  CHECK(m.reported["draft_accepted"].count == 2);
  CHECK(m.reported["draft_accepted"].mean == doctest::Approx(4));
  CHECK(m.reported["draft_accepted"].min == 3);
  CHECK(m.reported["kv_bytes"].sum == 10);
  CHECK(m.tool_ms.count == 2);
  CHECK(m.tool_ms.max == doctest::Approx(4));
  CHECK(m.code_run_ms.mean == doctest::Approx(50));
}

namespace {

constexpr int64_t kMs = 1'000'000;

QueryLog agent_query(uint64_t id, int64_t issued_ms, int64_t completed_ms) {
  QueryLog q;
  q.id = id;
  q.issued_ns = q.scheduled_ns = issued_ms * kMs;
  q.completed_ns = completed_ms < 0 ? -1 : completed_ms * kMs;
  return q;
}

ToolCall tool(uint64_t q, int64_t start_ms, int64_t end_ms) { return {q, 0, "calc", "1", "1", start_ms * kMs, end_ms * kMs}; }
CodeRun code(uint64_t q, int64_t start_ms, int64_t end_ms) {
  return {q, 0, true, false, "passed", "", "x", start_ms * kMs, end_ms * kMs};
}

// Every figure below is worked out by hand from these intervals (ms):
//   q1 [0, 100]: tool [10, 12], code [30, 50], tool [50, 51] (touching the code run)
//      -> SUT [0, 10] [12, 30] [50, 50] [51, 100] = 10 + 18 + 0 + 49 = 77; tools 3, code 20
//   q2 [5, 45], arrived at 1 (Server wait before issue is not the SUT's), no calls
//      -> one SUT segment [5, 45] = 40, the whole issue-to-completion time
//   q3 [200, 300]: tool [210, 240], tool [220, 230] (inside it), code [235, 260] (overlapping)
//      -> busy [210, 260] = 50; SUT [200, 210] [260, 300] = 50; tools 40, code 25, overlap 15
//   q4 issued at 300, never completed, one tool call: no segments, not in the split
//   q5 [400, 420]: tool [410, 430] outlives its query, clipped to [410, 420]
//      -> SUT [400, 410] [420, 420] = 10; tools 10
RunLog agent_log() {
  RunLog log = make_log(0);
  log.queries = {agent_query(1, 0, 100), agent_query(2, 5, 45), agent_query(3, 200, 300),
                 agent_query(4, 300, -1), agent_query(5, 400, 420)};
  log.queries[1].scheduled_ns = 1 * kMs;
  // Logged out of time order, as concurrent calls are.
  log.tool_calls = {tool(1, 50, 51), tool(1, 10, 12), tool(3, 220, 230), tool(3, 210, 240),
                    tool(4, 310, 320), tool(5, 410, 430)};
  log.code_runs = {code(3, 235, 260), code(1, 30, 50)};
  return log;
}

}  // namespace

TEST_CASE("agent runs: SUT segments are the gaps between harness-timed calls, never negative") {
  std::vector<SutSegment> g = sut_segments(agent_log());
  std::vector<std::tuple<uint64_t, uint32_t, int64_t, int64_t>> got, want = {
      {1, 0, 0, 10},    {1, 1, 12, 30},   {1, 2, 50, 50}, {1, 3, 51, 100},  // touching calls: a 0 ms step
      {2, 0, 5, 45},                                                         // no calls: the whole query
      {3, 0, 200, 210}, {3, 1, 260, 300},                                    // overlapping calls merge
      {5, 0, 400, 410}, {5, 1, 420, 420}};                                   // clipped at completion
  for (const SutSegment& s : g) {
    CHECK(s.end_ns >= s.start_ns);
    got.emplace_back(s.query, s.step, s.start_ns / kMs, s.end_ns / kMs);
  }
  CHECK(got == want);
}

TEST_CASE("agent runs: the time split adds up to the queries' issue-to-completion time") {
  Metrics m = compute_metrics(agent_log());
  REQUIRE(m.time_split);
  const TimeSplit& t = *m.time_split;
  CHECK(t.queries == 4);
  CHECK(t.sut_steps == 9);
  CHECK(t.query_ms == doctest::Approx(100 + 40 + 100 + 20));
  CHECK(t.sut_ms == doctest::Approx(77 + 40 + 50 + 10));
  CHECK(t.tool_ms == doctest::Approx(3 + 40 + 10));
  CHECK(t.code_run_ms == doctest::Approx(20 + 25));
  CHECK(t.overlap_ms == doctest::Approx(15));
  CHECK(t.sut_ms + t.tool_ms + t.code_run_ms - t.overlap_ms == doctest::Approx(t.query_ms));
  CHECK(t.sut_share == doctest::Approx(177.0 / 260));
  CHECK(t.tool_share == doctest::Approx(53.0 / 260));
  CHECK(t.code_run_share == doctest::Approx(45.0 / 260));
  // Segments 0 0 10 10 10 18 40 40 49: p50 is sorted[floor(9 * 0.5)] = sorted[4].
  CHECK(m.sut_step_ms.count == 9);
  CHECK(m.sut_step_ms.min == 0);
  CHECK(m.sut_step_ms.p50 == doctest::Approx(10));
  CHECK(m.sut_step_ms.max == doctest::Approx(49));
  CHECK(m.sut_step_ms.mean == doctest::Approx(177.0 / 9));
}

TEST_CASE("agent runs: a single zero-call query is one segment; runs without calls get no split") {
  RunLog log = agent_log();
  log.queries = {agent_query(1, 0, 70)};
  log.tool_calls.clear();
  log.code_runs = {code(9, 0, 1)};  // a call makes it an agent run; it belongs to no query here
  Metrics m = compute_metrics(log);
  REQUIRE(m.time_split);
  CHECK(m.time_split->sut_share == doctest::Approx(1));
  CHECK(m.time_split->code_run_ms == 0);
  CHECK(m.sut_step_ms.count == 1);
  CHECK(m.sut_step_ms.max == doctest::Approx(70));
  Metrics plain = compute_metrics(make_log(10));
  CHECK_FALSE(plain.time_split);
  CHECK(plain.sut_step_ms.count == 0);
}

TEST_CASE("speculative decoding: acceptance rate and mean accepted length from reported sums") {
  RunLog log = make_log(2);
  log.reports = {{1, "drafted_tokens", 8, 0},  {1, "accepted_tokens", 6, 0}, {1, "target_passes", 3, 0},
                 {2, "drafted_tokens", 12, 0}, {2, "accepted_tokens", 4, 0}, {2, "target_passes", 2, 0}};
  Metrics m = compute_metrics(log);
  CHECK(m.derived.at("acceptance_rate") == doctest::Approx(10.0 / 20.0));
  CHECK(m.derived.at("mean_accepted_length") == doctest::Approx(10.0 / 5.0));
  log.reports = {{1, "drafted_tokens", 0, 0}, {1, "accepted_tokens", 0, 0}};
  CHECK(compute_metrics(log).derived.empty());  // nothing drafted: no ratio, not a division by zero
}

TEST_CASE("invalid: a query timeout is named with its query") {
  RunLog log = make_log(100);
  log.errors.push_back({0, 5, "query_timeout", "query 5 not completed within query_timeout_s 30"});
  Metrics m = compute_metrics(log);
  CHECK_FALSE(m.valid);
  CHECK(has_reason(m, "run error query_timeout (query 5): query 5 not completed within query_timeout_s 30"));
}

TEST_CASE("invalid: a query that never completed is named") {
  RunLog log = make_log(100);
  log.queries[41].completed_ns = -1;
  Metrics m = compute_metrics(log);
  CHECK_FALSE(m.valid);
  CHECK(has_reason(m, "1 issued queries never completed: 42"));
}

TEST_CASE("invalid: at most 10 never-completed queries are named, the rest counted") {
  RunLog log = make_log(100);
  for (size_t i = 0; i < 12; ++i) log.queries[i].completed_ns = -1;
  CHECK(has_reason(compute_metrics(log), "12 issued queries never completed: 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 and 2 more"));
}

TEST_CASE("invalid: run errors, aborts, too short, too few") {
  RunLog log = make_log(100);
  log.errors.push_back({0, 7, "duplicate_completion", "complete() for query 7 which is already completed"});
  CHECK(has_reason(compute_metrics(log), "run error duplicate_completion (query 7)"));
  log = make_log(100);
  log.settings.min_duration_s = 5;
  CHECK(has_reason(compute_metrics(log), "duration 0.099 s < min_duration_s 5.000"));
  log = make_log(100);
  log.settings.min_query_count = 500;
  CHECK(has_reason(compute_metrics(log), "completed queries 100 < min_query_count 500"));
  log = make_log(10);
  CHECK(has_reason(compute_metrics(log), "early stopping needs at least 64 queries"));
  log = make_log(100);
  log.aborted = true;
  log.abort_reason = "query 3 did not complete";
  Metrics m = compute_metrics(log);
  CHECK(m.invalid_reasons.front() == "run aborted: query 3 did not complete");
}

TEST_CASE("server: the latency bound and LoadGen's overlatency early stopping") {
  RunLog log = make_log(1000, reg::Scenario::server);  // latencies 1..1000 ms
  log.settings.latency_bound_ms = 2000;
  CHECK(compute_metrics(log).valid);
  log.settings.latency_bound_ms = 500;
  Metrics m = compute_metrics(log);
  CHECK(has_reason(m, "p99.0 latency 991.000 ms > latency_bound_ms 500.000"));
  CHECK(has_reason(m, "early stopping: 500 of 1000 queries over latency_bound_ms (latency)"));
  log = make_log(300, reg::Scenario::server);
  log.settings.latency_bound_ms = 2000;  // nothing late, but 300 < 459 queries
  CHECK(has_reason(compute_metrics(log),
                   "early stopping: 0 of 300 queries over latency_bound_ms (latency); 459 queries would be needed"));
}

TEST_CASE("server: TTFT and TPOT bounds") {
  RunLog log = make_log(500, reg::Scenario::server, 3);
  log.settings.ttft_bound_ms = 0.05;
  log.settings.tpot_bound_ms = 1e9;
  Metrics m = compute_metrics(log);
  CHECK(has_reason(m, "p99.0 TTFT 0.100 ms > ttft_bound_ms 0.050"));
  CHECK_FALSE(has_reason(m, "TPOT"));
}

TEST_CASE("server: early stopping on TTFT fails a run whose TTFT percentile is within the bound") {
  RunLog log = make_log(1000, reg::Scenario::server, 3);  // every TTFT 0.1 ms
  for (size_t i = 0; i < 9; ++i) log.queries[i * 100].streams.front().t_ns += 5'000'000;  // 9 late
  log.settings.ttft_bound_ms = 1;
  Metrics m = compute_metrics(log);
  CHECK(m.ttft_ms.p99 == doctest::Approx(0.1));  // 9 of 1000 over: the p99 itself is fine
  REQUIRE(m.invalid_reasons.size() == 1);
  CHECK(m.invalid_reasons[0] == "early stopping: 9 of 1000 queries over ttft_bound_ms (TTFT); 1874 queries would be needed");
  REQUIRE(m.bounds.size() == 1);
  CHECK(m.bounds[0].bound_name == "ttft_bound_ms");
  CHECK(m.bounds[0].over == 9);
  CHECK(m.bounds[0].needed == 1874);
  CHECK_FALSE(m.bounds[0].ok);
}

TEST_CASE("accuracy mode does not apply the performance minimums") {
  RunLog log = make_log(3);
  log.mode = "accuracy";
  log.settings.min_query_count = 1000;
  CHECK(compute_metrics(log).valid);
}

TEST_CASE("accuracy: exact match and token agreement, missing responses counted") {
  reg::Workload w;
  w.accuracy.metric = "exact_match";
  w.accuracy.reference = 1.0;
  w.accuracy.closed_fraction = 0.99;
  std::vector<reg::Sample> samples(4);
  for (size_t i = 0; i < 4; ++i) samples[i].reference = "s" + std::to_string(i);
  RunLog log = make_log(3);
  log.mode = "accuracy";
  for (size_t i = 0; i < 3; ++i) {
    log.queries[i].sample_index = i;
    log.queries[i].logged = true;
    log.queries[i].text = i == 1 ? "wrong" : "s" + std::to_string(i);
  }
  AccuracyResult a = compute_accuracy(log, w, samples);
  CHECK(a.value == doctest::Approx(0.5));  // 2 right of 4 samples
  CHECK_FALSE(a.passed);
  REQUIRE(a.problems.size() == 1);
  CHECK(a.problems[0] == "sample 3: no response logged");

  w.accuracy.metric = "token_agreement";
  samples.resize(2);
  samples[0].reference_tokens = {1, 2, 3, 4};
  samples[1].reference_tokens = {5, 6};
  log.queries.resize(2);
  log.queries[0].tokens = {1, 2, 9, 4};
  log.queries[1].tokens = {5, 6, 7};  // one extra token disagrees
  a = compute_accuracy(log, w, samples);
  CHECK(a.value == doctest::Approx(5.0 / 7.0));
  CHECK(a.scored == 2);
}

TEST_CASE("accuracy: a response for a sample outside the data set is a problem") {
  reg::Workload w;
  w.accuracy.metric = "exact_match";
  std::vector<reg::Sample> samples(1);
  samples[0].reference = "a";
  RunLog log = make_log(2);
  log.mode = "accuracy";
  log.queries[0].logged = log.queries[1].logged = true;
  log.queries[0].text = "a";
  log.queries[1].sample_index = 7;
  AccuracyResult a = compute_accuracy(log, w, samples);
  CHECK(a.value == 1);
  CHECK_FALSE(a.passed);
  REQUIRE(a.problems.size() == 1);
  CHECK(a.problems[0] == "query 2: sample 7 is outside the data set of 1 samples");
}

TEST_CASE("accuracy: pass_rate counts hidden-test passes of the final code, and of the first attempt") {
  reg::Workload w;
  w.accuracy.metric = "pass_rate";
  w.accuracy.reference = 0.5;
  RunLog log = make_log(4);
  log.mode = "accuracy";
  const char* final_verdicts[] = {"passed", "passed", "failed: AssertionError: assert f(1) == 2", "passed"};
  const char* first_verdicts[] = {"passed", "failed: NameError: name 'f' is not defined", "failed: x", "failed: y"};
  for (size_t i = 0; i < 4; ++i) {
    log.queries[i].sample_index = i;
    log.queries[i].logged = true;
    log.queries[i].hidden_verdict = final_verdicts[i];
    log.queries[i].first_attempt_hidden_verdict = first_verdicts[i];
  }
  AccuracyResult a = compute_accuracy(log, w, std::vector<reg::Sample>(4));
  CHECK(a.value == doctest::Approx(0.75));
  CHECK(a.figures.at("first_attempt_pass_rate") == doctest::Approx(0.25));
  CHECK(a.passed);
  CHECK(a.problems.empty());
}

TEST_CASE("accuracy: pass_rate with a response the harness never scored is a problem, not a pass") {
  reg::Workload w;
  w.accuracy.metric = "pass_rate";
  RunLog log = make_log(1);
  log.mode = "accuracy";
  log.queries[0].logged = true;
  AccuracyResult a = compute_accuracy(log, w, std::vector<reg::Sample>(1));
  CHECK(a.value == 0);
  CHECK_FALSE(a.passed);
  REQUIRE(a.problems.size() == 1);
  CHECK(a.problems[0] == "query 1: its code was not run on the hidden tests");
}

TEST_CASE("trajectory: route match, tool-call efficiency, invalid calls and steps to answer from the logged calls") {
  reg::Workload w;
  w.accuracy.metric = "exact_match";
  std::vector<reg::Sample> samples(3);
  samples[0].reference_tools = {"calculator", "calculator"};
  samples[1].reference_tools = {"string_length", "compare"};
  samples[2].reference_tools = {"lookup", "calculator"};
  RunLog log = make_log(3);
  log.mode = "accuracy";
  for (size_t i = 0; i < 3; ++i) log.queries[i].sample_index = i, log.queries[i].logged = true;
  const uint64_t q0 = log.queries[0].id, q1 = log.queries[1].id;
  // Logged out of step order: the route is read by step.
  log.tool_calls = {{q0, 1, "calculator", "1 + 2", "3", 0, 0},
                    {q0, 0, "calculator", "1 + 1", "2", 0, 0},
                    {q1, 0, "string_length", "ab", "2", 0, 0},
                    {q1, 1, "calculator", "2 +", "error: expected a number at the end", 0, 0},
                    {q1, 2, "compare", "2, 3", "less", 0, 0}};
  // Sample 2 was answered without a tool call.
  AccuracyResult a = compute_accuracy(log, w, samples);
  CHECK(a.figures.at("trajectory_exact_match") == doctest::Approx(1.0 / 3));
  CHECK(a.figures.at("tool_call_efficiency") == doctest::Approx(6.0 / 5));
  CHECK(a.figures.at("invalid_tool_calls") == 1);
  CHECK(a.figures.at("steps_to_answer_mean") == doctest::Approx(5.0 / 3));
  CHECK(a.figures.at("steps_to_answer_0") == 1);
  CHECK(a.figures.at("steps_to_answer_2") == 1);
  CHECK(a.figures.at("steps_to_answer_3") == 1);
  CHECK(a.figures.count("steps_to_answer_1") == 0);
}

TEST_CASE("trajectory: no figures when the data set carries no routes") {
  reg::Workload w;
  w.accuracy.metric = "exact_match";
  RunLog log = make_log(1);
  log.queries[0].logged = true;
  CHECK(compute_accuracy(log, w, std::vector<reg::Sample>(1)).figures.empty());
}
