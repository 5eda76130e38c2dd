// Goodput under SLOs, warm-up exclusion and the harness lag guard, from hand-made run logs; and
// the metric definitions that result.json and docs/metrics.md state.
#include <edubench/runlog/metrics.hpp>
#include "fixtures.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

using namespace edubench::runlog;
namespace reg = edubench::registry;

TEST_CASE("goodput: no SLO set, no goodput") { CHECK_FALSE(compute_metrics(handcrafted_server_log()).goodput); }

TEST_CASE("goodput: a TTFT SLO; a query without a stream() call misses it") {
  RunLog log = handcrafted_server_log();
  log.settings.slo_ttft_ms = 1.5;
  const Metrics m = compute_metrics(log);
  REQUIRE(m.goodput);
  const Goodput& g = *m.goodput;
  CHECK(g.good_queries == 1);  // b only
  CHECK(g.good_tokens == 1);
  REQUIRE(g.slos.size() == 1);
  CHECK(g.slos[0].setting == "slo_ttft_ms");
  CHECK(g.slos[0].share == doctest::Approx(1.0 / 3));
  CHECK(g.request_goodput_per_s == doctest::Approx(1 / 0.030));
  CHECK(g.token_goodput_per_s == doctest::Approx(1 / 0.030));
  CHECK_FALSE(g.slos_met);
}

TEST_CASE("goodput: a query meets only when it meets every SLO; one token has no TPOT to miss") {
  RunLog log = handcrafted_server_log();
  log.settings.slo_ttft_ms = 1.5;
  log.settings.slo_tpot_ms = 1.0;
  log.settings.slo_e2e_ms = 8;
  const Goodput g = *compute_metrics(log).goodput;
  REQUIRE(g.slos.size() == 3);
  CHECK(g.slos[0].met == 1);  // TTFT: b
  CHECK(g.slos[1].met == 2);  // TPOT: b (one token) and c (no stream: no TPOT)
  CHECK(g.slos[2].met == 2);  // end to end: a and b
  CHECK(g.good_queries == 1);
  CHECK(g.good_share == doctest::Approx(1.0 / 3));
}

TEST_CASE("goodput: the SLOs are met when each share reaches slo_percentile; tokens of the good queries") {
  RunLog log = handcrafted_server_log();
  log.settings.slo_e2e_ms = 8;
  log.settings.slo_percentile = 0.6;
  const Metrics m = compute_metrics(log);
  CHECK(m.goodput->slos_met);  // 2 of 3 >= 0.6
  CHECK(m.goodput->token_goodput_per_s == doctest::Approx(5 / 0.030));  // a's 4 + b's 1
  log.settings.slo_percentile = 0.7;
  CHECK_FALSE(compute_metrics(log).goodput->slos_met);
}

TEST_CASE("goodput: a missed SLO scores the run and never makes it INVALID") {
  RunLog log = handcrafted_server_log();
  log.settings.slo_e2e_ms = 0.001;
  const Metrics m = compute_metrics(log);
  CHECK(m.goodput->good_queries == 0);
  CHECK(m.valid);
}

TEST_CASE("warm-up queries are in no figure, minimum or early-stopping count") {
  RunLog log = handcrafted_server_log();
  log.queries[0].warmup = true;
  log.settings.min_query_count = 3;
  const Metrics m = compute_metrics(log);
  CHECK(m.warmup_queries == 1);
  CHECK(m.queries_issued == 2);
  CHECK(m.queries_completed == 2);
  CHECK(m.latency_ms.count == 2);
  CHECK(m.tokens_total == 3);
  CHECK(m.duration_s == doctest::Approx(0.020));  // from b's origin at 10 ms
  CHECK(has_reason(m, "completed queries 2 < min_query_count 3"));
}

TEST_CASE("a warm-up query that never completes still makes the run INVALID") {
  RunLog log = handcrafted_server_log();
  log.queries[0].warmup = true;
  log.queries[0].completed_ns = -1;
  CHECK(has_reason(compute_metrics(log), "1 issued queries never completed: 1"));
}

namespace {
// Every query issued `lag_ms` after its scheduled time by a call that returned `call_ms` later.
RunLog lagging(double lag_ms, double call_ms, double bound_ms) {
  RunLog log = handcrafted_server_log();
  for (QueryLog& q : log.queries) {
    q.issued_ns = q.scheduled_ns + static_cast<int64_t>(lag_ms * 1e6);
    q.issue_returned_ns = q.issued_ns + static_cast<int64_t>(call_ms * 1e6);
    q.completed_ns = q.issued_ns + 1;
    q.streams.clear();
  }
  log.settings.issue_lag_bound_ms = bound_ms;
  return log;
}
}  // namespace

TEST_CASE("lag guard: issue lag beyond the bound is INVALID, and the reason says whose it is") {
  Metrics m = compute_metrics(lagging(20, 30, 10));
  CHECK(m.issue_lag_ms.p99 == doctest::Approx(20));
  CHECK(m.issue_call_max_ms == doctest::Approx(30));
  CHECK_FALSE(m.valid);
  CHECK(has_reason(m, "harness lag: p99 issue lag 20.000 ms > issue_lag_bound_ms 10.000"));
  CHECK(has_reason(m, "the SUT's issue() blocked the load generator for up to 30.000 ms"));
  m = compute_metrics(lagging(20, 0.5, 10));  // issue() returned at once: the harness was late
  CHECK(has_reason(m, "so the load generator itself fell behind"));
}

TEST_CASE("lag guard: within the bound, switched off by 0, and not applied in accuracy mode") {
  CHECK(compute_metrics(lagging(5, 1, 10)).valid);
  CHECK(compute_metrics(lagging(20, 1, 0)).valid);
  RunLog acc = lagging(20, 1, 10);
  acc.mode = "accuracy";
  CHECK(compute_metrics(acc).valid);
}

TEST_CASE("every metric definition appears word for word in docs/metrics.md") {
  std::ifstream in(EDUBENCH_SOURCE_DIR "/docs/metrics.md");
  REQUIRE(in);
  std::stringstream text;
  text << in.rdbuf();
  for (const auto& definition : metric_definitions()) {
    // Not a structured binding: INFO captures it in a lambda, which clang 14 refuses for one.
    const std::string figure = definition.first, formula = definition.second;
    INFO(figure);
    CHECK(text.str().find("| `" + figure + "` | " + formula + " |") != std::string::npos);
  }
}
