// The compliance rules on hand-made run logs: each rule passes an honest log and fails the
// cheat it exists for, naming the figures.
#include <edubench/compliance/check.hpp>
#include <edubench/runlog/metrics.hpp>
#include <edubench/hostsvc/tools.hpp>
#include <edubench/runlog/run_dir.hpp>

#include <edubench/runlog/hidden_tests.hpp>

#include "temp_dir.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

using namespace edubench;
using namespace edubench::compliance;
using runlog::QueryLog;
using runlog::RunLog;
namespace reg = edubench::registry;

namespace {

reg::Workload echo_workload() {
  reg::Workload w;
  w.id = "echo";
  w.kind = reg::Kind::echo;
  w.accuracy = {"exact_match", 1.0, 1.0, 0.95};
  return w;
}

std::vector<reg::Sample> make_samples(size_t n) {
  std::vector<reg::Sample> v;
  for (size_t i = 0; i < n; ++i) {
    reg::Sample s;
    s.index = i;
    s.text = s.reference = "prompt " + std::to_string(i);
    v.push_back(s);
  }
  return v;
}

// A response logged with its streamed tokens: the echo of `text`.
void respond(QueryLog& q, const std::string& text) {
  q.logged = true;
  q.text = text;
  q.tokens = reg::tokenize_bytes(text);
  q.streamed_tokens = q.tokens;
  q.n_tokens = q.tokens.size();
  q.n_text_bytes = text.size();
  q.streams = {{q.issued_ns + 1000, static_cast<uint32_t>(q.tokens.size())}};
}

// n queries, query i carrying sample sample_of(i) and taking ms_of(sample), issued back to back
// (single stream) or all at once (offline, served one after another); every response logged.
template <class SampleOf, class MsOf>
RunLog make_costed_run(size_t n, reg::Scenario sc, const std::string& mode, SampleOf sample_of, MsOf ms_of) {
  RunLog log;
  log.workload = "echo";
  log.scenario = sc;
  log.mode = mode;
  log.settings.min_duration_s = 0;
  log.settings.min_query_count = 1;
  int64_t t = 0;
  for (size_t i = 0; i < n; ++i) {
    QueryLog q;
    q.id = i + 1;
    q.sample_index = sample_of(i);
    q.issued_ns = q.scheduled_ns = sc == reg::Scenario::offline ? 0 : t;
    t += static_cast<int64_t>(ms_of(q.sample_index) * 1e6);
    q.completed_ns = t;
    respond(q, "prompt " + std::to_string(q.sample_index));
    log.queries.push_back(q);
  }
  log.start_ns = 0;
  log.end_ns = t;
  return log;
}

// The same with every query taking `ms_each`.
template <class SampleOf>
RunLog make_run(size_t n, reg::Scenario sc, const std::string& mode, double ms_each, SampleOf sample_of) {
  return make_costed_run(n, sc, mode, sample_of, [=](uint64_t) { return ms_each; });
}

RunLog accuracy_run(size_t n) {
  return make_run(n, reg::Scenario::offline, "accuracy", 0.01, [](size_t i) { return i; });
}

bool mentions(const RuleResult& r, const std::string& part) { return r.figures.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("run rules: the registry's settings or stricter, never looser") {
  reg::Settings registered;
  registered.min_query_count = 100;
  registered.min_duration_s = 1;
  registered.target_qps = 50;
  registered.latency_bound_ms = 10;
  RunLog run = make_run(1, reg::Scenario::server, "performance", 1, [](size_t) { return 0; });
  run.settings = registered;
  CHECK(check_run_settings(run, registered, false, "f").pass);

  SUBCASE("stricter passes: more queries, longer, tighter bound, more logged, other watchdogs") {
    run.settings.min_query_count = 200;
    run.settings.min_duration_s = 2;
    run.settings.latency_bound_ms = 5;
    run.settings.accuracy_log_probability = 0.5;
    run.settings.query_timeout_s = 1;
    CHECK(check_run_settings(run, registered, false, "f").pass);
  }
  SUBCASE("fewer queries fails, naming the setting") {
    run.settings.min_query_count = 64;
    RuleResult r = check_run_settings(run, registered, false, "performance/events.jsonl");
    CHECK_FALSE(r.pass);
    CHECK(r.file == "performance/events.jsonl");
    CHECK(mentions(r, "min_query_count 64 < registry 100"));
  }
  SUBCASE("own seeds fail") {
    run.settings.sample_seed = 99;
    CHECK(mentions(check_run_settings(run, registered, false, "f"), "sample_seed 99 != registry"));
  }
  SUBCASE("a server run at another arrival rate fails") {
    run.settings.target_qps = 10;
    CHECK(mentions(check_run_settings(run, registered, false, "f"), "target_qps 10 != registry 50"));
  }
  SUBCASE("a looser or removed bound fails") {
    run.settings.latency_bound_ms = 20;
    CHECK_FALSE(check_run_settings(run, registered, false, "f").pass);
    run.settings.latency_bound_ms = 0;
    CHECK(mentions(check_run_settings(run, registered, false, "f"), "latency_bound_ms 0 looser than registry 10"));
  }
  SUBCASE("a query cap fails") {
    run.settings.max_query_count = 150;
    CHECK(mentions(check_run_settings(run, registered, false, "f"), "max_query_count 150 caps the run"));
  }
  SUBCASE("the audit run issues exactly one sample") {
    CHECK_FALSE(check_run_settings(run, registered, true, "f", 0).pass);
    run.settings.performance_sample_count = 1;
    CHECK(check_run_settings(run, registered, true, "f", 0).pass);
    CHECK_FALSE(check_run_settings(run, registered, false, "f").pass);
  }
}

// The audit's sample is drawn at submission time (performance_sample_offset) and recorded in
// submission.json: the audit may run exactly that offset, and no other run may move its pool.
TEST_CASE("run rules: the audit's performance_sample_offset is the one submission.json records") {
  reg::Settings registered;
  registered.target_qps = 50;
  RunLog audit = make_run(1, reg::Scenario::offline, "performance", 1, [](size_t) { return 17; });
  audit.settings = registered;
  audit.settings.performance_sample_count = 1;
  audit.settings.performance_sample_offset = 3141592653;
  audit.settings.audit_mix = reg::kOfflineAuditMix;
  const std::string file = "audit_same_sample/events.jsonl";

  SUBCASE("the recorded offset is accepted on the audit") {
    RuleResult r = check_run_settings(audit, registered, true, file, 3141592653u);
    CHECK(r.pass);
    CHECK(mentions(r, "performance_sample_offset=3141592653 as submission.json records"));
  }
  SUBCASE("an offset other than the recorded one fails, naming the field and both values") {
    RuleResult r = check_run_settings(audit, registered, true, file, 42u);
    CHECK_FALSE(r.pass);
    CHECK(r.file == file);
    CHECK(mentions(r, "performance_sample_offset 3141592653 != submission.json audit.performance_sample_offset 42"));
  }
  SUBCASE("an offset the registry's (0) fails too when submission.json records another") {
    audit.settings.performance_sample_offset = 0;
    CHECK(mentions(check_run_settings(audit, registered, true, file, 7u),
                   "performance_sample_offset 0 != submission.json audit.performance_sample_offset 7"));
  }
  SUBCASE("no offset recorded in submission.json: the audit's sample was not drawn, FAIL") {
    RuleResult r = check_run_settings(audit, registered, true, file, std::nullopt);
    CHECK_FALSE(r.pass);
    CHECK(mentions(r, "performance_sample_offset 3141592653, but submission.json records no "
                      "audit.performance_sample_offset"));
  }
  SUBCASE("an offset on the performance run fails, even the recorded one") {
    RunLog perf = audit;
    perf.settings.performance_sample_count = registered.performance_sample_count;
    perf.settings.audit_mix = 0;
    RuleResult r = check_run_settings(perf, registered, false, "performance/events.jsonl", 3141592653u);
    CHECK_FALSE(r.pass);
    CHECK(r.file == "performance/events.jsonl");
    CHECK(mentions(r, "performance_sample_offset 3141592653 != registry 0"));
    perf.settings.performance_sample_offset = 0;
    CHECK(check_run_settings(perf, registered, false, "performance/events.jsonl", 3141592653u).pass);
  }
  SUBCASE("an Offline audit mixes in registry::kOfflineAuditMix, no other; other runs have no mix") {
    audit.settings.audit_mix = 0;
    CHECK(mentions(check_run_settings(audit, registered, true, file, 3141592653u), "audit_mix 0 != 0.25"));
    audit.settings.audit_mix = reg::kOfflineAuditMix;
    RuleResult r = check_run_settings(audit, registered, true, file, 3141592653u);
    CHECK(r.pass);
    CHECK(mentions(r, "audit_mix=0.25"));
    RunLog single = audit;
    single.scenario = reg::Scenario::single_stream;
    CHECK(mentions(check_run_settings(single, registered, true, file, 3141592653u),
                   "audit_mix 0.25 != 0 (the single_stream audit's mix)"));
    RunLog perf = audit;
    perf.settings.performance_sample_count = registered.performance_sample_count;
    perf.settings.performance_sample_offset = 0;
    CHECK(mentions(check_run_settings(perf, registered, false, "performance/events.jsonl"),
                   "audit_mix 0.25 != registry 0"));
  }
  SUBCASE("an offset on the accuracy run fails") {
    RunLog acc = accuracy_run(3);
    acc.settings = registered;
    acc.settings.performance_sample_offset = 5;
    CHECK(mentions(check_run_settings(acc, registered, false, "accuracy/events.jsonl"),
                   "performance_sample_offset 5 != registry 0"));
  }
}

TEST_CASE("validity is recomputed from the events") {
  RunLog run = make_run(100, reg::Scenario::single_stream, "performance", 1, [](size_t i) { return i % 10; });
  CHECK(check_validity(run, "f").pass);
  run.queries[5].completed_ns = -1;  // a deleted completion
  RuleResult r = check_validity(run, "performance/events.jsonl");
  CHECK_FALSE(r.pass);
  CHECK(mentions(r, "never completed"));
}

TEST_CASE("accuracy: recomputed against the data set, per division") {
  const auto w = echo_workload();
  const auto samples = make_samples(50);
  RunLog acc = accuracy_run(50);
  CHECK(check_accuracy(acc, w, samples, "closed", "f").pass);
  respond(acc.queries[49], "wrong");  // 98%: below closed (1.0), above the open floor (0.95)
  RuleResult closed = check_accuracy(acc, w, samples, "closed", "accuracy/accuracy.jsonl");
  CHECK_FALSE(closed.pass);
  CHECK(mentions(closed, "exact_match 0.9800 < target 1.0000"));
  CHECK(check_accuracy(acc, w, samples, "open", "f").pass);
  acc.mode = "performance";
  CHECK_FALSE(check_accuracy(acc, w, samples, "open", "f").pass);
}

TEST_CASE("accuracy coverage: every sample of the split, in order") {
  const auto w = echo_workload();
  const auto samples = make_samples(50);
  RunLog acc = accuracy_run(50);
  CHECK(check_accuracy_coverage(acc, w, samples, "f").pass);
  SUBCASE("a skipped query") {
    acc.queries[19].completed_ns = -1;
    RuleResult r = check_accuracy_coverage(acc, w, samples, "f");
    CHECK_FALSE(r.pass);
    CHECK(mentions(r, "49 of 50 samples"));
  }
  SUBCASE("a shorter split") {
    acc.queries.pop_back();
    CHECK_FALSE(check_accuracy_coverage(acc, w, samples, "f").pass);
  }
}

TEST_CASE("TEST01: whole responses, not their first element") {
  RunLog acc = accuracy_run(20);
  RunLog perf = make_run(100, reg::Scenario::offline, "performance", 0.01, [](size_t i) { return (i * 7) % 20; });
  RuleResult ok = check_test01(perf, acc, "f");
  CHECK(ok.pass);
  CHECK(mentions(ok, "100 responses"));
  SUBCASE("the last token differs") {
    perf.queries[3].tokens.back() += 1;
    RuleResult r = check_test01(perf, acc, "performance/accuracy.jsonl");
    CHECK_FALSE(r.pass);
    CHECK(mentions(r, "1 of 100"));
    CHECK(mentions(r, "token 7 is"));
  }
  SUBCASE("only the text differs") {
    perf.queries[3].text += "!";
    CHECK(mentions(check_test01(perf, acc, "f"), "the text differs"));
  }
  SUBCASE("nothing logged proves nothing") {
    for (auto& q : perf.queries) q.logged = false;
    CHECK_FALSE(check_test01(perf, acc, "f").pass);
  }
}

TEST_CASE("TEST04: a repeated sample must not be much faster") {
  // The performance and accuracy runs over 20 samples, `perf_ms` per query, against the
  // one-sample audit.
  auto test04 = [&](reg::Scenario sc, size_t n, double perf_ms, double audit_ms) {
    RunLog perf = make_run(n, sc, "performance", perf_ms, [](size_t i) { return i % 20; });
    RunLog acc = make_run(20, sc, "accuracy", perf_ms, [](size_t i) { return i; });
    RunLog audit = make_run(n, sc, "performance", audit_ms, [](size_t) { return 0; });
    return check_test04(perf, audit, acc, reg::Kind::echo, 0.1, 0.02, "f");
  };
  const RunLog acc = make_run(20, reg::Scenario::offline, "accuracy", 0.5, [](size_t i) { return i; });
  SUBCASE("offline: time per query from samples/s") {
    CHECK(test04(reg::Scenario::offline, 1000, 0.5, 0.48).pass);
    RuleResult r = test04(reg::Scenario::offline, 1000, 0.5, 0.1);
    CHECK_FALSE(r.pass);
    CHECK(mentions(r, "samples/s"));
    CHECK(mentions(r, "audit/expected 0.200"));
  }
  SUBCASE("single stream: service time at p90") {
    CHECK(test04(reg::Scenario::single_stream, 100, 1, 0.95).pass);
    RuleResult r = test04(reg::Scenario::single_stream, 100, 1, 0.5);
    CHECK_FALSE(r.pass);
    CHECK(mentions(r, "p90 service time"));
  }
  SUBCASE("differences within the slack are noise") {
    CHECK(test04(reg::Scenario::single_stream, 100, 0.004, 0.001).pass);
  }
  SUBCASE("the tolerance is the caller's (the registry's)") {
    CHECK_FALSE(test04(reg::Scenario::offline, 1000, 0.5, 0.4).pass);
    RunLog perf = make_run(1000, reg::Scenario::offline, "performance", 0.5, [](size_t i) { return i % 20; });
    RunLog audit = make_run(1000, reg::Scenario::offline, "performance", 0.4, [](size_t) { return 0; });
    RuleResult r = check_test04(perf, audit, acc, reg::Kind::echo, 0.3, 0.02, "f");
    CHECK(r.pass);
    CHECK(mentions(r, "test04_tolerance 0.3"));
  }
  SUBCASE("the faster of the performance and accuracy runs sets the expectation") {
    // The machine was busy during the performance run: twice as slow as during the others.
    RunLog perf = make_run(1000, reg::Scenario::offline, "performance", 1.0, [](size_t i) { return i % 20; });
    RunLog audit = make_run(1000, reg::Scenario::offline, "performance", 0.5, [](size_t) { return 0; });
    RuleResult r = check_test04(perf, audit, acc, reg::Kind::echo, 0.1, 0.02, "f");
    CHECK(r.pass);
    CHECK(mentions(r, "(performance run 1, accuracy run 0.5: the faster)"));
    RunLog slow_acc = make_run(20, reg::Scenario::offline, "accuracy", 1.0, [](size_t i) { return i; });
    CHECK_FALSE(check_test04(perf, audit, slow_acc, reg::Kind::echo, 0.1, 0.02, "f").pass);
  }
  SUBCASE("the audit must repeat one sample") {
    RunLog perf = make_run(100, reg::Scenario::offline, "performance", 1, [](size_t i) { return i % 20; });
    CHECK(mentions(check_test04(perf, perf, acc, reg::Kind::echo, 0.1, 0.02, "f"), "20 distinct samples"));
  }
  SUBCASE("the audit's sample is the one its issue events carry, and the one its offset selects") {
    RunLog perf = make_run(100, reg::Scenario::offline, "performance", 1, [](size_t i) { return i % 20; });
    RunLog audit = make_run(100, reg::Scenario::offline, "performance", 1, [](size_t) { return 13; });
    audit.settings.performance_sample_count = 1;
    audit.settings.performance_sample_offset = 20 * 1000 + 13;
    RuleResult r = check_test04(perf, audit, acc, reg::Kind::echo, 0.1, 0.02, "f", 20);
    CHECK(r.pass);
    CHECK(mentions(r, "for sample 13"));
    audit.settings.performance_sample_offset = 12;  // the events issued another sample than the offset's
    r = check_test04(perf, audit, acc, reg::Kind::echo, 0.1, 0.02, "audit_same_sample/events.jsonl", 20);
    CHECK_FALSE(r.pass);
    CHECK(mentions(r, "issued sample 13, but its performance_sample_offset 12 selects sample 12 of 20"));
    CHECK(check_test04(perf, audit, acc, reg::Kind::echo, 0.1, 0.02, "f").pass);  // data set size unknown
  }
  SUBCASE("each sample's work is counted in the accuracy run") {
    RunLog perf = make_run(100, reg::Scenario::offline, "performance", 1, [](size_t i) { return i % 20; });
    RunLog audit = make_run(100, reg::Scenario::offline, "performance", 1, [](size_t) { return 0; });
    RuleResult r = check_test04(perf, audit, accuracy_run(10), reg::Kind::echo, 0.1, 0.02, "f");
    CHECK_FALSE(r.pass);
    CHECK(mentions(r, "no completed query for sample 1"));
  }
}

// A ReAct-like workload whose samples differ in cost: sample s needs 2 + s % 4 tool calls and
// 10 ms per model turn (tool calls + 1). Sample 0, the audit's, is the cheapest: 3 turns
// against a mean of 4.5.
TEST_CASE("TEST04: variable cost per sample is normalised by the work each sample needs") {
  auto tools = [](uint64_t s) { return 2 + s % 4; };
  auto honest_ms = [&](uint64_t s) { return 10.0 * static_cast<double>(tools(s) + 1); };
  for (reg::Scenario sc : {reg::Scenario::offline, reg::Scenario::single_stream, reg::Scenario::server}) {
    const std::string scenario = reg::to_string(sc);
    CAPTURE(scenario);
    RunLog acc = make_costed_run(20, sc, "accuracy", [](size_t i) { return i; }, honest_ms);
    for (const QueryLog& q : acc.queries)
      for (uint32_t k = 0; k < tools(q.sample_index); ++k)
        acc.tool_calls.push_back({q.id, k, "calculator", "1+1", "2", q.issued_ns, q.issued_ns});
    RunLog perf = make_costed_run(200, sc, "performance", [](size_t i) { return (i * 7) % 20; }, honest_ms);
    RunLog honest = make_costed_run(200, sc, "performance", [](size_t) { return 0; }, honest_ms);
    RuleResult r = check_test04(perf, honest, acc, reg::Kind::react, 0.1, 0.02, "f");
    CHECK(r.pass);
    CHECK(mentions(r, "expected 30 ms = 10 ms per model turn (tool calls + 1)"));
    CHECK(mentions(r, "x 3 for sample 0 (performance mean 4.5)"));
    // Per query alone the honest audit is a third faster: the old rule's false FAIL.
    CHECK(runlog::compute_metrics(honest).samples_per_s > 1.4 * runlog::compute_metrics(perf).samples_per_s);
    // A cache: the first query does the work, every repeat answers at once.
    RunLog cached = make_costed_run(200, sc, "performance", [](size_t) { return 0; },
                                    [&, first = true](uint64_t s) mutable {
                                      const double ms = first ? honest_ms(s) : 0.001;
                                      first = false;
                                      return ms;
                                    });
    RuleResult c = check_test04(perf, cached, acc, reg::Kind::react, 0.1, 0.02, "f");
    CHECK_FALSE(c.pass);
    // Even a tolerance of 10 (the audit up to 11x faster) catches it.
    CHECK_FALSE(check_test04(perf, cached, acc, reg::Kind::react, 10, 0.02, "f").pass);
  }
}

// The Offline audit mixes distinct samples into its batch (audit_mix): a SUT that computes a
// batch of one prompt honestly and caches otherwise passed the unmixed audit and fails the mixed
// one. The expectation counts each query's own sample: the mixed-in samples cost more here.
TEST_CASE("TEST04: the mixed Offline audit catches a cache that is honest for a batch of one prompt") {
  auto tools = [](uint64_t s) { return 2 + s % 4; };
  auto honest_ms = [&](uint64_t s) { return 10.0 * static_cast<double>(tools(s) + 1); };
  const auto sc = reg::Scenario::offline;
  RunLog acc = make_costed_run(20, sc, "accuracy", [](size_t i) { return i; }, honest_ms);
  for (const QueryLog& q : acc.queries)
    for (uint32_t k = 0; k < tools(q.sample_index); ++k)
      acc.tool_calls.push_back({q.id, k, "calculator", "1+1", "2", q.issued_ns, q.issued_ns});
  RunLog perf = make_costed_run(200, sc, "performance", [](size_t i) { return (i * 7) % 20; }, honest_ms);
  // Every fourth query another sample (each of the other 19 in turn), the rest sample 4 (5 turns).
  auto mixed_sample = [](size_t i) -> uint64_t { return i % 4 == 3 ? (5 + (i / 4) % 19) % 20 : 4; };
  auto audit = [&](auto sample_of, auto ms_of, double mix) {
    RunLog a = make_costed_run(200, sc, "performance", sample_of, ms_of);
    a.settings.performance_sample_count = 1;
    a.settings.performance_sample_offset = 4;
    a.settings.audit_mix = mix;
    return check_test04(perf, a, acc, reg::Kind::react, 0.1, 0.02, "f", 20);
  };
  // The dodging cache: a batch of one prompt is served honestly; otherwise a repeat is a hit.
  auto dodge = [&](bool one_prompt) {
    return [&, one_prompt, seen = std::vector<bool>(20, false)](uint64_t s) mutable {
      const bool hit = !one_prompt && seen[s];
      seen[s] = true;
      return hit ? 0.001 : honest_ms(s);
    };
  };
  CHECK(audit([](size_t) { return 4; }, dodge(true), 0).pass);  // the unmixed audit: fooled
  RuleResult r = audit(mixed_sample, dodge(false), 0.25);
  CHECK_FALSE(r.pass);
  CHECK(mentions(r, "150 of 200 queries sample 4"));
  CHECK(mentions(r, "for the audit's mean"));
  // An honest SUT passes the mixed audit: the dearer mixed-in samples are expected to cost more.
  RuleResult h = audit(mixed_sample, honest_ms, 0.25);
  CHECK(h.pass);
  CHECK(mentions(h, "audit/expected 1.000"));
  // The most frequent sample is the audit's: it must be the one the offset selects.
  RunLog off = make_costed_run(200, sc, "performance", mixed_sample, honest_ms);
  off.settings.performance_sample_count = 1;
  off.settings.performance_sample_offset = 5;
  off.settings.audit_mix = 0.25;
  CHECK(mentions(check_test04(perf, off, acc, reg::Kind::react, 0.1, 0.02, "f", 20),
                 "issued sample 4, but its performance_sample_offset 5 selects sample 5"));
  // Without the mix, distinct samples in the audit are a FAIL as before.
  CHECK(mentions(audit(mixed_sample, honest_ms, 0), "20 distinct samples, expected 1"));
}

// A SUT honest only for sample 0 (the audit's sample while it was fixed) and caching every other
// sample: its audit on sample 0 passes; on the sample a submission now draws, it fails. The
// expectation uses the drawn sample's own units (6 model turns for sample 7, not sample 0's 3).
TEST_CASE("TEST04: a SUT honest only for sample 0 is caught when the audit repeats another sample") {
  auto tools = [](uint64_t s) { return 2 + s % 4; };
  auto honest_ms = [&](uint64_t s) { return 10.0 * static_cast<double>(tools(s) + 1); };
  // First sight of a sample, or sample 0: the real work; a repeat of any other sample: a cache hit.
  auto except_0 = [&, seen = std::vector<bool>(20, false)](uint64_t s) mutable {
    const bool hit = s != 0 && seen[s];
    seen[s] = true;
    return hit ? 0.001 : honest_ms(s);
  };
  for (reg::Scenario sc : {reg::Scenario::offline, reg::Scenario::single_stream}) {
    const std::string scenario = reg::to_string(sc);
    CAPTURE(scenario);
    RunLog acc = make_costed_run(20, sc, "accuracy", [](size_t i) { return i; }, honest_ms);
    for (const QueryLog& q : acc.queries)
      for (uint32_t k = 0; k < tools(q.sample_index); ++k)
        acc.tool_calls.push_back({q.id, k, "calculator", "1+1", "2", q.issued_ns, q.issued_ns});
    RunLog perf = make_costed_run(200, sc, "performance", [](size_t i) { return (i * 7) % 20; }, except_0);
    auto audit_of = [&](uint64_t sample) {
      RunLog a = make_costed_run(200, sc, "performance", [=](size_t) { return sample; }, except_0);
      a.settings.performance_sample_count = 1;
      a.settings.performance_sample_offset = sample;
      return check_test04(perf, a, acc, reg::Kind::react, 0.1, 0.02, "f", 20);
    };
    CHECK(audit_of(0).pass);  // the fixed audit sample: the cheat passed
    RuleResult r = audit_of(7);
    CHECK_FALSE(r.pass);
    CHECK(mentions(r, "x 6 for sample 7"));
    // An honest SUT passes on sample 7 as well: its expectation is that sample's 6 turns.
    RunLog honest_perf = make_costed_run(200, sc, "performance", [](size_t i) { return (i * 7) % 20; }, honest_ms);
    RunLog honest = make_costed_run(200, sc, "performance", [](size_t) { return 7; }, honest_ms);
    honest.settings.performance_sample_count = 1;
    honest.settings.performance_sample_offset = 7;
    CHECK(check_test04(honest_perf, honest, acc, reg::Kind::react, 0.1, 0.02, "f", 20).pass);
  }
}

TEST_CASE("TEST04's work units: the harness's own counts per workload kind") {
  RunLog run = accuracy_run(3);
  run.queries[0].streams = {{1, 1}, {2, 3}, {3, 1}};  // three decoding steps, 5 tokens
  run.queries[1].streams.clear();                      // completed without streaming
  run.tool_calls.push_back({1, 0, "calculator", "1+1", "2", 0, 0});
  run.tool_calls.push_back({1, 1, "calculator", "1+1", "2", 0, 0});
  run.code_runs.push_back({2, 0, false, false, "failed", "", "x", 0, 0});
  run.code_runs.push_back({2, 1, true, false, "passed", "", "y", 0, 0});
  auto units = [&](reg::Kind k) {
    auto w = work_units(run, k);
    return std::vector<double>{w.at(1), w.at(2), w.at(3)};
  };
  CHECK(units(reg::Kind::echo) == std::vector<double>{1, 1, 1});
  CHECK(units(reg::Kind::generation) == std::vector<double>{3, 1, 1});
  CHECK(units(reg::Kind::react) == std::vector<double>{3, 1, 1});
  CHECK(units(reg::Kind::codegen) == std::vector<double>{1, 2, 1});
}

TEST_CASE("TEST06: streamed tokens equal the response, counts agree") {
  const auto w = echo_workload();
  RunLog run = accuracy_run(10);
  CHECK(check_test06(run, w, "f").pass);
  SUBCASE("streamed in another order") {
    std::reverse(run.queries[2].streamed_tokens.begin(), run.queries[2].streamed_tokens.end());
    RuleResult r = check_test06(run, w, "accuracy/accuracy.jsonl");
    CHECK_FALSE(r.pass);
    CHECK(mentions(r, "streamed token 0"));
  }
  SUBCASE("stream events count other tokens than the response") {
    run.queries[2].streams.push_back({run.queries[2].completed_ns, 1});
    CHECK(mentions(check_test06(run, w, "f"), "tokens streamed, the response has"));
  }
  SUBCASE("events.jsonl and accuracy.jsonl disagree") {
    run.queries[2].n_text_bytes += 1;
    CHECK_FALSE(check_test06(run, w, "f").pass);
  }
  SUBCASE("end-of-sequence tokens: one, last") {
    auto gen = w;
    gen.eos_token = '0';  // every response ends "prompt N": '0' ends only "prompt 0"
    CHECK(check_test06(run, gen, "f").pass);
    gen.eos_token = 'r';
    CHECK(mentions(check_test06(run, gen, "f"), "1 end-of-sequence tokens (114), not last"));
    gen.eos_token = 'Z';  // in no prompt: two at the end of one response
    run.queries[1].tokens.push_back('Z');
    run.queries[1].tokens.push_back('Z');
    run.queries[1].streamed_tokens = run.queries[1].tokens;
    run.queries[1].n_tokens = run.queries[1].tokens.size();
    run.queries[1].streams[0].n_tokens = static_cast<uint32_t>(run.queries[1].tokens.size());
    CHECK(mentions(check_test06(run, gen, "f"), "2 end-of-sequence tokens"));
  }
  SUBCASE("a generation response beyond max_new_tokens") {
    auto gen = w;
    gen.kind = reg::Kind::generation;
    gen.max_new_tokens = 4;
    CHECK(mentions(check_test06(run, gen, "f"), "> max_new_tokens 4"));
  }
}

TEST_CASE("report lines and verdict.json") {
  std::vector<RuleResult> rules = {{"TEST01", true, "a", "all equal"}, {"TEST04", false, "b/events.jsonl", "too fast"}};
  CHECK(report_line(rules[0]) == "PASS TEST01: all equal");
  CHECK(report_line(rules[1]) == "FAIL TEST04: b/events.jsonl: too fast");
  CHECK_FALSE(all_pass(rules));
  CHECK_FALSE(all_pass({}));
  auto v = nlohmann::json::parse(verdict_json("d", "closed", rules));
  CHECK(v["passed"] == false);
  CHECK(v["rules"][1]["status"] == "FAIL");
}

TEST_CASE("files: a missing submission and an edited run directory are FAIL lines, not exceptions") {
  namespace fs = std::filesystem;
  reg::Registry registry;
  auto none = check_submission("/nonexistent/submission", registry, "");
  REQUIRE(none.size() == 1);
  CHECK_FALSE(none[0].pass);
  CHECK(none[0].rule == "submission");

  const fs::path dir = fs::temp_directory_path() / "edubench_test_check_manifest";
  fs::remove_all(dir);
  RunLog run = accuracy_run(5);
  runlog::Metrics m = runlog::compute_metrics(run);
  runlog::write_run_directory(dir.string(), run, m, nullptr, {});
  CHECK(check_manifest_files(dir.string(), "performance").pass);
  std::ofstream(dir / "events.jsonl", std::ios::app) << "{\"ev\":\"log\"";
  RuleResult r = check_manifest_files(dir.string(), "performance");
  CHECK_FALSE(r.pass);
  CHECK(r.file == "performance/events.jsonl");
  fs::remove(dir / "manifest.json");
  CHECK(mentions(check_manifest_files(dir.string(), "performance"), "missing"));
  fs::remove_all(dir);
}

TEST_CASE("agent trace: observations are the harness tools' own, steps complete") {
  RunLog run = accuracy_run(2);
  auto call = [&](uint64_t q, uint32_t step, const std::string& tool, const std::string& arg) {
    const auto& ql = run.queries[q - 1];
    run.tool_calls.push_back({q, step, tool, arg, hostsvc::run_tool(tool, arg).observation, ql.issued_ns, ql.issued_ns});
  };
  call(1, 0, "calculator", "2+3");
  call(1, 1, "string_length", "hello");
  call(2, 0, "calculator", "7*6");
  CHECK(check_agent_trace(run, "f").pass);
  SUBCASE("an edited observation") {
    run.tool_calls[0].observation = "6";
    RuleResult r = check_agent_trace(run, "accuracy/events.jsonl");
    CHECK_FALSE(r.pass);
    CHECK(mentions(r, "is not what the tool returns"));
  }
  SUBCASE("a deleted tool call") {
    run.tool_calls.erase(run.tool_calls.begin());
    CHECK(mentions(check_agent_trace(run, "f"), "not steps 0..0"));
  }
  SUBCASE("a call for a query never issued") {
    run.tool_calls[2].query = 99;
    CHECK(mentions(check_agent_trace(run, "f"), "never issued"));
  }
}

TEST_CASE("hidden tests: the checker runs every recorded verdict again in the sandbox") {
  std::vector<reg::Sample> samples = make_samples(2);
  for (auto& s : samples) s.extra_json = R"({"hidden_tests": "assert double(2) == 4\nassert double(-1) == -2"})";
  RunLog run = accuracy_run(2);
  auto answer = [&](size_t i, const std::string& code, const std::string& verdict) {
    run.queries[i].text = code;
    run.queries[i].hidden_verdict = run.queries[i].first_attempt_hidden_verdict = verdict;
  };
  answer(0, "def double(x):\n    return 2 * x\n", "passed");
  answer(1, "def double(x):\n    return x + 2\n", "failed: assert double(-1) == -2 (tests.py line 2)");
  RunLog rescored;
  RuleResult r = check_hidden_tests(run, samples, hostsvc::SandboxLimits{}, "accuracy/accuracy.jsonl", &rescored);
  CHECK(r.pass);
  CHECK(mentions(r, "4 recorded verdicts"));
  CHECK(rescored.queries[0].hidden_verdict == "passed");
  SUBCASE("an edited verdict: the failing code recorded as passed") {
    run.queries[1].hidden_verdict = "passed";
    r = check_hidden_tests(run, samples, hostsvc::SandboxLimits{}, "accuracy/accuracy.jsonl", &rescored);
    CHECK_FALSE(r.pass);
    CHECK(mentions(r, "query 2 (sample 1): final code recorded 'passed', the checker's run gives 'failed"));
    // Accuracy is scored on the checker's verdicts: the edit gains nothing.
    CHECK(rescored.queries[1].hidden_verdict.rfind("failed", 0) == 0);
  }
  SUBCASE("a first attempt that failed, recorded as passed") {
    run.code_runs.push_back({1, 0, false, false, "failed", "", "def double(x):\n    return x\n", 0, 0});
    CHECK(mentions(check_hidden_tests(run, samples, hostsvc::SandboxLimits{}, "f"),
                   "query 1 (sample 0): first attempt recorded 'passed', the checker's run gives 'failed"));
  }
  SUBCASE("nothing logged proves nothing") {
    for (auto& q : run.queries) q.logged = false;
    CHECK_FALSE(check_hidden_tests(run, samples, hostsvc::SandboxLimits{}, "f").pass);
  }
  SUBCASE("the registry's code_wall_s is the limit: code that passes in 5 s times out in 1") {
    answer(0, "import time\ntime.sleep(1.5)\ndef double(x):\n    return 2 * x\n", "passed");
    CHECK(check_hidden_tests(run, samples, hostsvc::SandboxLimits{}, "f").pass);
    reg::Settings strict;
    strict.code_wall_s = 1;
    const hostsvc::SandboxLimits limits = runlog::code_limits(strict);
    CHECK(limits.wall_s == 1);
    CHECK(limits.memory_bytes == 512ull << 20);
    r = check_hidden_tests(run, samples, limits, "f", &rescored);
    CHECK_FALSE(r.pass);
    CHECK(rescored.queries[0].hidden_verdict.rfind("timed_out", 0) == 0);
  }
}

TEST_CASE("the short LibTorch registry holds workloads.yaml's data sets and models, and TEST04 settings") {
  const reg::Registry full = reg::load_registry(EDUBENCH_SOURCE_DIR "/workloads.yaml");
  const reg::Registry short_reg = reg::load_registry(EDUBENCH_SOURCE_DIR "/tests/compliance/short_torch_registry.yaml");
  for (const char* id : {"kv_cache", "speculative_decode", "react_agent", "codegen_agent"}) {
    CAPTURE(id);
    const reg::Workload *s = short_reg.find_workload(id), *f = full.find_workload(id);
    REQUIRE(s);
    REQUIRE(f);
    CHECK(s->kind == f->kind);
    CHECK(s->dataset == f->dataset);
    CHECK(short_reg.find_dataset(s->dataset)->sha256 == full.find_dataset(f->dataset)->sha256);
    CHECK(short_reg.find_dataset(s->dataset)->path == full.find_dataset(f->dataset)->path);
    CHECK(s->models == f->models);
    for (const auto& [role, model] : s->models)
      CHECK(short_reg.find_model(model)->weights_sha256 == full.find_model(model)->weights_sha256);
    CHECK(s->accuracy.reference == f->accuracy.reference);
    CHECK(s->scenarios.at(reg::Scenario::offline).test04_tolerance == 2);
    CHECK(f->scenarios.at(reg::Scenario::offline).test04_tolerance == 1);
  }
}

TEST_CASE("the registry's eos_token: optional, -1 when absent") {
  CHECK(reg::load_registry(EDUBENCH_SOURCE_DIR "/tests/compliance/short_registry.yaml").find_workload("echo")->eos_token ==
        10);
  CHECK(reg::load_registry(EDUBENCH_SOURCE_DIR "/workloads.yaml").find_workload("echo")->eos_token == -1);
}

TEST_CASE("run rules: SLOs, load shape and warm-up equal the registry's; the lag guard may only tighten") {
  reg::Settings registered;
  registered.target_qps = 50;
  registered.slo_ttft_ms = 200;
  registered.arrival = reg::Arrival::gamma;
  registered.burstiness = 0.5;
  registered.warmup_query_count = 10;
  RunLog run = make_run(1, reg::Scenario::server, "performance", 1, [](size_t) { return 0; });
  run.settings = registered;
  CHECK(check_run_settings(run, registered, false, "f").pass);
  run.settings.issue_lag_bound_ms = 20;  // tighter than the default 100
  CHECK(check_run_settings(run, registered, false, "f").pass);
  auto fails = [&](auto edit, const std::string& why) {
    RunLog r = run;
    edit(r.settings);
    const RuleResult res = check_run_settings(r, registered, false, "f");
    INFO(res.figures);
    CHECK_FALSE(res.pass);
    CHECK(mentions(res, why));
  };
  fails([](reg::Settings& s) { s.slo_ttft_ms = 300; }, "slo_ttft_ms 300 != registry 200");
  fails([](reg::Settings& s) { s.slo_ttft_ms = 100; }, "slo_ttft_ms 100 != registry 200");
  fails([](reg::Settings& s) { s.arrival = reg::Arrival::poisson; }, "arrival poisson != registry gamma");
  fails([](reg::Settings& s) { s.burstiness = 1; }, "burstiness 1 != registry 0.5");
  fails([](reg::Settings& s) { s.warmup_query_count = 0; }, "warmup_query_count 0 != registry 10");
  fails([](reg::Settings& s) { s.issue_lag_bound_ms = 0; }, "issue_lag_bound_ms 0 looser than registry 100");
  fails([](reg::Settings& s) { s.issue_lag_bound_ms = 150; }, "issue_lag_bound_ms 150 looser than registry 100");
}

TEST_CASE("TEST04 leaves warm-up queries out: slow warm-up queries cannot hide a cache") {
  // 1 ms per query on distinct samples; the audit's 5 warm-up queries take 10 ms each (filling a
  // cache), its 5 measured ones answer in 1 us. Counted, the warm-up would pass the audit.
  RunLog perf = make_run(20, reg::Scenario::single_stream, "performance", 1, [](size_t i) { return i % 5; });
  RunLog acc = make_run(5, reg::Scenario::single_stream, "accuracy", 1, [](size_t i) { return i; });
  RunLog audit = make_run(10, reg::Scenario::single_stream, "performance", 1, [](size_t) { return 3; });
  audit.settings.performance_sample_offset = 3;
  for (size_t i = 0; i < audit.queries.size(); ++i) {
    QueryLog& q = audit.queries[i];
    q.warmup = i < 5;
    q.completed_ns = q.issued_ns + (q.warmup ? 10'000'000 : 1'000);
  }
  const RuleResult r = check_test04(perf, audit, acc, reg::Kind::echo, 0.1, 0, "f", 5);
  INFO(r.figures);
  CHECK_FALSE(r.pass);
  CHECK(mentions(r, "audit p90 service time 0.001 ms"));
}

TEST_CASE("figures: result.json's goodput, SLO shares and issue lag equal their recomputation") {
  RunLog run = make_run(40, reg::Scenario::server, "performance", 1, [](size_t i) { return i % 5; });
  run.settings.target_qps = 1000;
  run.settings.slo_e2e_ms = 0.5;
  run.settings.slo_ttft_ms = 2;
  run.queries[0].warmup = true;
  const edubench::test::TempDir temp("check");
  const auto& dir = temp.path;
  runlog::write_run_directory(dir.string(), run, runlog::compute_metrics(run), nullptr, runlog::RunContext{});
  const std::string result = (dir / "result.json").string();
  RuleResult r = check_result_figures(run, result, "performance/result.json");
  INFO(r.figures);
  CHECK(r.pass);
  CHECK(mentions(r, "request goodput"));
  // A re-sealed result.json with a better goodput: named, with both values.
  nlohmann::json j = nlohmann::json::parse(std::ifstream(result));
  j["metrics"]["goodput"]["request_goodput_per_s"] = 1e6;
  std::ofstream(result) << j.dump();
  r = check_result_figures(run, result, "performance/result.json");
  CHECK_FALSE(r.pass);
  CHECK(mentions(r, "metrics/goodput/request_goodput_per_s 1000000 != "));
}

namespace {
// A generation workload over make_samples(n): each sample's reference tokens are its prompt's bytes.
reg::Workload generation_workload() {
  reg::Workload w = echo_workload();
  w.kind = reg::Kind::generation;
  w.accuracy = {"token_agreement", 1.0, 0.99, 0.9};
  return w;
}
std::vector<reg::Sample> generation_samples(size_t n) {
  auto v = make_samples(n);
  for (auto& s : v) s.reference_tokens = reg::tokenize_bytes(s.reference);
  return v;
}
}  // namespace

TEST_CASE("TEST07: the timed run's logged answers are scored, against the target or the same samples' score") {
  const auto w = generation_workload();
  const auto samples = generation_samples(20);
  RunLog acc = accuracy_run(20);
  RunLog perf = make_run(60, reg::Scenario::offline, "performance", 0.01, [](size_t i) { return (i * 7) % 20; });
  RuleResult ok = check_test07(perf, acc, w, samples, "closed", "performance/accuracy.jsonl");
  CHECK(ok.pass);
  CHECK(mentions(ok, "score token_agreement 1.0000 >= 0.9900"));
  SUBCASE("every answer of the timed run spoilt: below the target and the accuracy run") {
    for (auto& q : perf.queries) respond(q, "wrong answer");
    RuleResult r = check_test07(perf, acc, w, samples, "closed", "performance/accuracy.jsonl");
    CHECK_FALSE(r.pass);
    CHECK(mentions(r, "< 0.9900"));
  }
  SUBCASE("a sample the model gets wrong in both runs is not held against the timed run") {
    const uint64_t s = perf.queries[0].sample_index;
    for (auto& q : perf.queries)
      if (q.sample_index == s) respond(q, "different");
    respond(acc.queries[s], "different");
    perf.queries.resize(1);  // the logged subset is that one hard sample
    RuleResult r = check_test07(perf, acc, w, samples, "closed", "f");
    CHECK(r.pass);
    CHECK(mentions(r, "the accuracy run's 0.0"));
  }
  SUBCASE("nothing logged proves nothing") {
    for (auto& q : perf.queries) q.logged = false;
    CHECK(mentions(check_test07(perf, acc, w, samples, "closed", "f"), "logged no response"));
  }
}

TEST_CASE("TEST09: the timed run's output length within 10% of the references'") {
  const auto samples = generation_samples(20);
  RunLog perf = make_run(60, reg::Scenario::offline, "performance", 0.01, [](size_t i) { return (i * 7) % 20; });
  RuleResult ok = check_test09(perf, samples, "performance/events.jsonl");
  CHECK(ok.pass);
  CHECK(mentions(ok, "ratio 1.000, within"));
  SUBCASE("answers cut in half, logged or not") {
    for (auto& q : perf.queries) q.n_tokens /= 2, q.logged = false;
    RuleResult r = check_test09(perf, samples, "f");
    CHECK_FALSE(r.pass);
    CHECK(mentions(r, "outside 1 +- 0.10"));
  }
  SUBCASE("9% shorter is within, 11% longer is not") {
    uint64_t total = 0;
    for (auto& q : perf.queries) total += q.n_tokens;
    const auto cut = static_cast<uint64_t>(0.09 * static_cast<double>(total));
    for (uint64_t k = 0; k < cut; ++k) perf.queries[k % perf.queries.size()].n_tokens -= 1;
    CHECK(check_test09(perf, samples, "f").pass);
    perf.queries[0].n_tokens += cut + static_cast<uint64_t>(0.11 * static_cast<double>(total)) + 1;
    CHECK_FALSE(check_test09(perf, samples, "f").pass);
  }
  SUBCASE("warm-up and unfinished queries do not count") {
    perf.queries[0].warmup = true;
    perf.queries[0].n_tokens = 100000;
    perf.queries[1].completed_ns = -1;
    perf.queries[1].n_tokens = 0;
    CHECK(check_test09(perf, samples, "f").pass);
  }
}

TEST_CASE("accuracy_figures: the trajectory figures in result.json equal their recomputation from the tool calls") {
  reg::Workload w = echo_workload();
  w.kind = reg::Kind::react;
  auto samples = make_samples(4);
  for (auto& s : samples) s.reference_tools = {"calculator", "calculator"};
  RunLog run = accuracy_run(4);
  for (const QueryLog& q : run.queries) {
    run.tool_calls.push_back({q.id, 0, "calculator", "1+1", "2", q.issued_ns, q.issued_ns});
    if (q.sample_index != 3) run.tool_calls.push_back({q.id, 1, "calculator", "2+1", "3", q.issued_ns, q.issued_ns});
  }
  const auto acc = runlog::compute_accuracy(run, w, samples);
  REQUIRE(acc.figures.at("trajectory_exact_match") == doctest::Approx(0.75));
  const edubench::test::TempDir temp("check");
  const auto& dir = temp.path;
  runlog::write_run_directory(dir.string(), run, runlog::compute_metrics(run), &acc, runlog::RunContext{});
  const std::string result = (dir / "result.json").string();
  RuleResult r = check_accuracy_figures(run, w, samples, result, "accuracy/result.json");
  INFO(r.figures);
  CHECK(r.pass);
  CHECK(mentions(r, "trajectory exact match 0.7500"));
  // A re-sealed result.json claiming the direct route everywhere: named, with both values.
  nlohmann::json j = nlohmann::json::parse(std::ifstream(result));
  j["accuracy"]["figures"]["trajectory_exact_match"] = 1.0;
  std::ofstream(result) << j.dump();
  r = check_accuracy_figures(run, w, samples, result, "accuracy/result.json");
  CHECK_FALSE(r.pass);
  CHECK(mentions(r, "accuracy.figures.trajectory_exact_match 1 != 0.75"));
  // A figure the scoring does not produce.
  j["accuracy"]["figures"]["trajectory_exact_match"] = 0.75;
  j["accuracy"]["figures"]["agent_iq"] = 200;
  std::ofstream(result) << j.dump();
  r = check_accuracy_figures(run, w, samples, result, "accuracy/result.json");
  CHECK_FALSE(r.pass);
  CHECK(mentions(r, "accuracy.figures.agent_iq is not a figure"));
}
