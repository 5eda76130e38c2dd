// Metrics, LoadGen's early stopping and validity, derived from hand-made run logs.
#include <edubench/results/metrics.hpp>

#include <doctest/doctest.h>

using namespace edubench::results;
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

bool has_reason(const Metrics& m, const std::string& part) {
  for (const auto& r : m.invalid_reasons)
    if (r.find(part) != std::string::npos) return true;
  return false;
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

TEST_CASE("early stopping: LoadGen's minimum query counts for p90 and p99") {
  CHECK(early_stopping_min_queries(0.90) == 64);
  CHECK(early_stopping_min_queries(0.99) == 662);
}

TEST_CASE("early stopping estimate: 201 queries at p90 discard the 9 highest (LoadGen's example)") {
  std::vector<double> v;
  for (int i = 1; i <= 201; ++i) v.push_back(i);
  auto est = early_stopping_estimate(v, 0.90);
  REQUIRE(est);
  CHECK(*est == 192);  // sorted[201 - t] with t - 1 = 9 discarded
  CHECK_FALSE(early_stopping_estimate(std::vector<double>(63, 1.0), 0.90));
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

TEST_CASE("invalid: a query that never completed is named") {
  RunLog log = make_log(100);
  log.queries[41].completed_ns = -1;
  Metrics m = compute_metrics(log);
  CHECK_FALSE(m.valid);
  CHECK(has_reason(m, "1 issued queries never completed: 42"));
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
  CHECK(has_reason(m, "early stopping: 500 of 1000 queries over latency_bound_ms"));
  log = make_log(300, reg::Scenario::server);
  log.settings.latency_bound_ms = 2000;  // nothing late, but 300 < 459 queries
  CHECK(has_reason(compute_metrics(log), "early stopping: 0 of 300 queries over latency_bound_ms; 459 queries"));
}

TEST_CASE("server: TTFT and TPOT bounds") {
  RunLog log = make_log(500, reg::Scenario::server, 3);
  log.settings.ttft_bound_ms = 0.05;
  log.settings.tpot_bound_ms = 1e9;
  CHECK(has_reason(compute_metrics(log), "p99.0 TTFT 0.100 ms > ttft_bound_ms 0.050"));
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
