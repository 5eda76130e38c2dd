// The load generator against in-test SUT sessions: scenario sizing, Poisson schedule from the
// seed, accuracy mode covering every sample once, and the watchdog ending a hung run.
#include "clock.hpp"
#include <edubench/session/exit_codes.hpp>
#include "loadgen.hpp"
#include <edubench/runlog/metrics.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <thread>

using namespace edubench::harness;
namespace reg = edubench::registry;

namespace {

// Completes every query inside issue() (optionally skipping one id, or from a thread).
class FakeSession : public SutSession {
 public:
  explicit FakeSession(QueryTable& t) : t_(t) {}
  void create(const std::string&, const std::vector<std::pair<std::string, std::string>>&) override {}
  edu_status issue(const edu_query* q, size_t n) override {
    ++issue_calls;
    if (issue_sleep_ms) std::this_thread::sleep_for(std::chrono::milliseconds(issue_sleep_ms));
    for (size_t i = 0; i < n; ++i) {
      samples_seen.push_back(q[i].sample->index);
      if (q[i].id == skip_id) continue;
      edu_response r{};
      r.struct_size = sizeof r;
      t_.complete(q[i].id, &r);
    }
    return status;
  }
  edu_status flush() override { return EDU_OK; }
  void destroy() override {}
  uint64_t skip_id = 0;
  int issue_sleep_ms = 0;  // blocks in issue() like a SUT that works there instead of queueing
  edu_status status = EDU_OK;
  int issue_calls = 0;
  std::vector<uint64_t> samples_seen;

 private:
  QueryTable& t_;
};

std::vector<edu_sample> make_samples(size_t n) {
  std::vector<edu_sample> s(n);
  for (size_t i = 0; i < n; ++i) s[i] = {sizeof(edu_sample), i, "x", 1, nullptr, 0, 0};
  return s;
}

}  // namespace

TEST_CASE("planned_queries follows LoadGen: max(min count, qps x duration), capped") {
  reg::Settings s;
  s.min_query_count = 100;
  s.target_qps = 1000;
  s.min_duration_s = 2;
  CHECK(LoadGenerator::planned_queries(s) == 2000);
  s.max_query_count = 500;
  CHECK(LoadGenerator::planned_queries(s) == 500);
  s.target_qps = 0;
  s.max_query_count = 0;
  CHECK(LoadGenerator::planned_queries(s) == 100);
}

TEST_CASE("accuracy mode issues every sample exactly once, in every scenario") {
  for (auto sc : {reg::Scenario::single_stream, reg::Scenario::offline, reg::Scenario::server}) {
    QueryTable t;
    FakeSession sut(t);
    auto samples = make_samples(50);
    LoadgenConfig c;
    c.scenario = sc;
    c.accuracy_mode = true;
    c.settings.target_qps = 5000;
    LoadGenerator lg(t, sut, samples, c);
    RunOutcome out = lg.run();
    CHECK_FALSE(out.aborted);
    std::vector<uint64_t> seen = sut.samples_seen;
    std::sort(seen.begin(), seen.end());
    std::vector<uint64_t> want(50);
    for (uint64_t i = 0; i < 50; ++i) want[i] = i;
    CHECK(seen == want);
  }
}

TEST_CASE("offline hands every query to the SUT in one issue call") {
  QueryTable t;
  FakeSession sut(t);
  auto samples = make_samples(10);
  LoadgenConfig c;
  c.scenario = reg::Scenario::offline;
  c.settings.min_query_count = 300;
  c.settings.min_duration_s = 0;
  LoadGenerator lg(t, sut, samples, c);
  lg.run();
  CHECK(sut.issue_calls == 1);
  CHECK(t.completed() == 300);
}

TEST_CASE("server: scheduled times follow the seed and latency counts from them") {
  auto run = [](uint64_t seed) {
    QueryTable t;
    FakeSession sut(t);
    auto samples = make_samples(10);
    LoadgenConfig c;
    c.scenario = reg::Scenario::server;
    c.settings.target_qps = 20000;
    c.settings.min_query_count = 200;
    c.settings.min_duration_s = 0;
    c.settings.schedule_seed = seed;
    LoadGenerator lg(t, sut, samples, c);
    lg.run();
    edubench::runlog::RunLog log;
    t.snapshot(log);
    std::vector<int64_t> gaps;
    for (size_t i = 1; i < log.queries.size(); ++i) {
      CHECK(log.queries[i].issued_ns >= log.queries[i].scheduled_ns);
      gaps.push_back(log.queries[i].scheduled_ns - log.queries[i - 1].scheduled_ns);
    }
    return gaps;
  };
  auto a = run(11), b = run(11), c = run(12);
  REQUIRE(a.size() == 199);
  CHECK(a == b);
  CHECK(a != c);
  double mean = 0;
  for (auto g : a) mean += g;
  mean /= a.size();
  CHECK(mean > 0.5 * 50'000);  // exponential gaps with mean 1/20000 s = 50 us
  CHECK(mean < 2.0 * 50'000);
}

TEST_CASE("single stream runs until both the minimum count and the minimum duration are met") {
  QueryTable t;
  FakeSession sut(t);
  auto samples = make_samples(4);
  LoadgenConfig c;
  c.settings.min_query_count = 25;
  c.settings.min_duration_s = 0;
  LoadGenerator lg(t, sut, samples, c);
  lg.run();
  CHECK(t.completed() == 25);
  CHECK(sut.issue_calls == 25);
}

TEST_CASE("a query that never completes trips the per-query watchdog, naming its id") {
  QueryTable t;
  FakeSession sut(t);
  sut.skip_id = 3;
  auto samples = make_samples(4);
  LoadgenConfig c;
  c.scenario = reg::Scenario::offline;
  c.settings.min_query_count = 8;
  c.settings.min_duration_s = 0;
  c.settings.query_timeout_s = 0.2;
  LoadGenerator lg(t, sut, samples, c);
  RunOutcome out = lg.run();
  CHECK(out.aborted);
  CHECK(out.abort_kind == "query_timeout");
  CHECK(out.abort_reason.find("query 3 ") != std::string::npos);
  CHECK(out.exit_code == kExitInvalidRun);
}

TEST_CASE("a non-OK status from issue aborts the run as a plugin failure") {
  QueryTable t;
  FakeSession sut(t);
  sut.status = EDU_ERR_INTERNAL;
  auto samples = make_samples(4);
  LoadgenConfig c;
  c.settings.min_query_count = 5;
  c.settings.min_duration_s = 0;
  LoadGenerator lg(t, sut, samples, c);
  RunOutcome out = lg.run();
  CHECK(out.aborted);
  CHECK(out.exit_code == kExitPluginFailure);
  CHECK(out.abort_reason.find("EDU_ERR_INTERNAL") != std::string::npos);
}

TEST_CASE("server schedules queries until min_duration_s is covered, as LoadGen does") {
  QueryTable t;
  FakeSession sut(t);
  auto samples = make_samples(10);
  LoadgenConfig c;
  c.scenario = reg::Scenario::server;
  c.settings.target_qps = 2000;
  c.settings.min_query_count = 10;
  c.settings.min_duration_s = 0.3;
  LoadGenerator lg(t, sut, samples, c);
  lg.run();
  edubench::runlog::RunLog log;
  t.snapshot(log);
  REQUIRE(log.queries.size() > 10);
  CHECK(log.queries.back().scheduled_ns - log.queries.front().scheduled_ns >= 0.3e9);
}

TEST_CASE("performance_sample_offset moves the sample pool; offset 0 keeps the picks of old runs") {
  auto picks = [](uint64_t count, uint64_t offset) {
    QueryTable t;
    FakeSession sut(t);
    auto samples = make_samples(10);
    LoadgenConfig c;
    c.scenario = reg::Scenario::offline;
    c.settings.min_query_count = 12;
    c.settings.min_duration_s = 0;
    c.settings.performance_sample_count = count;
    c.settings.performance_sample_offset = offset;
    LoadGenerator lg(t, sut, samples, c);
    lg.run();
    return sut.samples_seen;
  };
  // splitmix64 from sample_seed 2, mod 10: the picks every run made before the setting existed.
  const std::vector<uint64_t> before = {0, 6, 1, 6, 9, 9, 2, 5, 9, 2, 9, 5};
  CHECK(picks(0, 0) == before);
  // Another offset rotates the same picks through the data set (mod its size).
  std::vector<uint64_t> rotated;
  for (uint64_t s : before) rotated.push_back((s + 13) % 10);
  CHECK(picks(0, 13) == rotated);
  // The TEST04 audit: a pool of one sample, the one the offset selects.
  CHECK(picks(1, 0) == std::vector<uint64_t>(12, 0));
  CHECK(picks(1, 4294967291ull) == std::vector<uint64_t>(12, 4294967291ull % 10));
  // A pool of 3 starting at 8 wraps around the end: samples 8, 9 and 0 only.
  for (uint64_t s : picks(3, 8)) CHECK((s == 8 || s == 9 || s == 0));
}

TEST_CASE("accuracy mode ignores performance_sample_offset: every sample once, in order") {
  QueryTable t;
  FakeSession sut(t);
  auto samples = make_samples(7);
  LoadgenConfig c;
  c.scenario = reg::Scenario::offline;
  c.accuracy_mode = true;
  c.settings.performance_sample_count = 1;
  c.settings.performance_sample_offset = 5;
  LoadGenerator lg(t, sut, samples, c);
  lg.run();
  CHECK(sut.samples_seen == std::vector<uint64_t>{0, 1, 2, 3, 4, 5, 6});
}

namespace {

// Runs `c` against a FakeSession over `n_samples` samples and returns the log as the harness
// records it; `issue_calls`, when given, receives how often issue() was called.
edubench::runlog::RunLog run_logged(const LoadgenConfig& c, size_t n_samples, int issue_sleep_ms = 0,
                                    int* issue_calls = nullptr) {
  QueryTable t;
  FakeSession sut(t);
  sut.issue_sleep_ms = issue_sleep_ms;
  auto samples = make_samples(n_samples);
  LoadGenerator lg(t, sut, samples, c);
  lg.run();
  if (issue_calls) *issue_calls = sut.issue_calls;
  edubench::runlog::RunLog log;
  log.scenario = c.scenario;
  log.mode = c.accuracy_mode ? "accuracy" : "performance";
  log.settings = c.settings;
  t.snapshot(log);
  return log;
}

// A performance run of `scenario` with `warmup` warm-up queries and `measured` measured ones.
edubench::runlog::RunLog run_with_warmup(reg::Scenario scenario, uint64_t warmup, uint64_t measured,
                                         int* issue_calls = nullptr) {
  LoadgenConfig c;
  c.scenario = scenario;
  c.settings.min_query_count = measured;
  c.settings.min_duration_s = 0;
  c.settings.target_qps = 20000;
  c.settings.warmup_query_count = warmup;
  return run_logged(c, 10, 0, issue_calls);
}

}  // namespace

TEST_CASE("warm-up queries are issued first and marked, then the measured ones, in every scenario") {
  for (auto sc : {reg::Scenario::single_stream, reg::Scenario::offline, reg::Scenario::server}) {
    INFO(reg::to_string(sc));
    const auto log = run_with_warmup(sc, 7, 30);
    REQUIRE(log.queries.size() == 37);
    for (size_t i = 0; i < log.queries.size(); ++i) CHECK(log.queries[i].warmup == (i < 7));
    const auto m = edubench::runlog::compute_metrics(log);
    CHECK(m.warmup_queries == 7);
    CHECK(m.queries_issued == 30);
    CHECK(m.queries_completed == 30);
  }
}

TEST_CASE("offline: the warm-up batch is its own issue call, done before the measured batch") {
  int calls = 0;
  const auto log = run_with_warmup(reg::Scenario::offline, 5, 50, &calls);
  CHECK(calls == 2);
  CHECK(log.queries[4].completed_ns <= log.queries[5].issued_ns);
}

TEST_CASE("accuracy mode issues no warm-up queries") {
  LoadgenConfig c;
  c.scenario = reg::Scenario::server;
  c.accuracy_mode = true;
  c.settings.target_qps = 20000;
  c.settings.warmup_query_count = 5;
  const auto log = run_logged(c, 12);
  REQUIRE(log.queries.size() == 12);
  for (const auto& q : log.queries) CHECK_FALSE(q.warmup);
}

TEST_CASE("the issue() call's return is recorded for every query it carried") {
  const auto log = run_with_warmup(reg::Scenario::server, 0, 50);
  for (const auto& q : log.queries) CHECK(q.issue_returned_ns >= q.issued_ns);
}

TEST_CASE("lag guard: a SUT that blocks in issue() makes a server run INVALID, naming issue()") {
  LoadgenConfig c;
  c.scenario = reg::Scenario::server;
  c.settings.target_qps = 1000;
  c.settings.min_query_count = 200;
  c.settings.min_duration_s = 0;
  c.settings.latency_percentile = 0.99;
  c.settings.issue_lag_bound_ms = 10;
  // 40 ms in every call: queries due meanwhile go out late, in the next call.
  const auto m = edubench::runlog::compute_metrics(run_logged(c, 10, 40));
  CHECK(m.issue_lag_ms.p99 > 10);
  CHECK(m.issue_call_max_ms >= 40);
  CHECK_FALSE(m.valid);
  REQUIRE_FALSE(m.invalid_reasons.empty());
  CHECK(m.invalid_reasons.front().rfind("harness lag: p99 issue lag", 0) == 0);
  CHECK(m.invalid_reasons.front().find("the SUT's issue() blocked the load generator") != std::string::npos);
}
