// The compliance rules on hand-made run logs: each rule passes an honest log and fails the
// cheat it exists for, naming the figures.
#include <edubench/compliance/check.hpp>
#include <edubench/hostsvc/tools.hpp>
#include <edubench/results/run_dir.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

using namespace edubench;
using namespace edubench::compliance;
using results::QueryLog;
using results::RunLog;
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

// n queries, query i carrying sample sample_of(i), each taking `ms_each`, issued back to back
// (single stream) or all at once (offline); every response logged.
template <class SampleOf>
RunLog make_run(size_t n, reg::Scenario sc, const std::string& mode, double ms_each, SampleOf sample_of) {
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
    t += static_cast<int64_t>(ms_each * 1e6);
    q.completed_ns = t;
    respond(q, "prompt " + std::to_string(q.sample_index));
    log.queries.push_back(q);
  }
  log.start_ns = 0;
  log.end_ns = t;
  return log;
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
    CHECK_FALSE(check_run_settings(run, registered, true, "f").pass);
    run.settings.performance_sample_count = 1;
    CHECK(check_run_settings(run, registered, true, "f").pass);
    CHECK_FALSE(check_run_settings(run, registered, false, "f").pass);
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
  // The performance run over 20 samples, `perf_ms` per query, against the one-sample audit.
  auto test04 = [](reg::Scenario sc, size_t n, double perf_ms, double audit_ms) {
    RunLog perf = make_run(n, sc, "performance", perf_ms, [](size_t i) { return i % 20; });
    RunLog audit = make_run(n, sc, "performance", audit_ms, [](size_t) { return 0; });
    return check_test04(perf, audit, 0.1, 0.02, "f");
  };
  SUBCASE("offline: samples/s") {
    CHECK(test04(reg::Scenario::offline, 1000, 0.5, 0.48).pass);
    RuleResult r = test04(reg::Scenario::offline, 1000, 0.5, 0.1);
    CHECK_FALSE(r.pass);
    CHECK(mentions(r, "samples/s"));
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
  SUBCASE("the audit must repeat one sample") {
    RunLog perf = make_run(100, reg::Scenario::offline, "performance", 1, [](size_t i) { return i % 20; });
    CHECK(mentions(check_test04(perf, perf, 0.1, 0.02, "f"), "20 distinct samples"));
  }
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
  results::Metrics m = results::compute_metrics(run);
  results::write_run_directory(dir.string(), run, m, nullptr, {});
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

TEST_CASE("the registry's eos_token: optional, -1 when absent") {
  CHECK(reg::load_registry(EDUBENCH_SOURCE_DIR "/tests/compliance/short_registry.yaml").find_workload("echo")->eos_token ==
        10);
  CHECK(reg::load_registry(EDUBENCH_SOURCE_DIR "/workloads.yaml").find_workload("echo")->eos_token == -1);
}
