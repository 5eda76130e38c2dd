// The run directory: written whole, read back equal, sealed by its manifest; a damaged file is
// a FormatError naming the file and the line.
#include <edubench/results/run_dir.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

using namespace edubench::results;
namespace fs = std::filesystem;

namespace {

RunLog sample_log() {
  RunLog log;
  log.workload = "echo";
  log.scenario = edubench::registry::Scenario::server;
  log.mode = "performance";
  log.settings.target_qps = 123.5;
  log.settings.schedule_seed = 18446744073709551615ull;
  log.start_ns = 1000;
  log.end_ns = 90000000;
  for (int i = 0; i < 5; ++i) {
    QueryLog q;
    q.id = static_cast<uint64_t>(i + 1);
    q.sample_index = static_cast<uint64_t>(i * 3);
    q.scheduled_ns = 1000 + i * 1000000;
    q.issued_ns = q.scheduled_ns + 50;
    q.completed_ns = i == 4 ? -1 : q.issued_ns + 2000000;
    q.streams = {{q.issued_ns + 100, 2}, {q.issued_ns + 900, 1}};
    q.n_tokens = 3;
    q.n_text_bytes = 11;
    q.logged = i % 2 == 0 && i != 4;
    if (q.logged) {
      q.tokens = {1, 2, 3};
      q.text = "h\xc3\xa9llo \"q\"\n";
      q.streamed_tokens = {1, 2, 3};
    }
    log.queries.push_back(q);
  }
  log.tool_calls.push_back({1, 0, "calculator", "2+2", "4", 5000, 6000});
  log.code_runs.push_back({2, 0, false, false, "failed", "AssertionError: assert f(1) == 2", "def f(x): return x", 7000, 9000});
  log.reports.push_back({1, "kv_cache_bytes", 4096.5, 8000});
  log.errors.push_back({9000, 5, "query_timeout", "query 5 not completed"});
  log.errors.push_back({9001, kNoQuery, "run_timeout", "too long"});
  log.plugin_log.push_back({9100, 2, "warming up"});
  log.aborted = true;
  log.abort_reason = "query 5 did not complete";
  return log;
}

fs::path fresh_dir(const std::string& name) {
  fs::path d = fs::temp_directory_path() / "edubench_results_tests" / name;
  fs::remove_all(d);
  return d;
}

}  // namespace

TEST_CASE("write then read gives back the same log") {
  RunLog log = sample_log();
  fs::path d = fresh_dir("roundtrip");
  write_run_directory(d.string(), log, compute_metrics(log), nullptr, RunContext{});
  RunLog back = read_run_log((d / "events.jsonl").string(), (d / "accuracy.jsonl").string());
  CHECK(back.workload == log.workload);
  CHECK(back.scenario == log.scenario);
  CHECK(back.settings.target_qps == doctest::Approx(123.5));
  CHECK(back.settings.schedule_seed == log.settings.schedule_seed);
  REQUIRE(back.queries.size() == log.queries.size());
  for (size_t i = 0; i < log.queries.size(); ++i) {
    const QueryLog &a = log.queries[i], &b = back.queries[i];
    CHECK(a.id == b.id);
    CHECK(a.sample_index == b.sample_index);
    CHECK(a.scheduled_ns == b.scheduled_ns);
    CHECK(a.issued_ns == b.issued_ns);
    CHECK(a.completed_ns == b.completed_ns);
    CHECK(a.streams.size() == b.streams.size());
    CHECK(a.tokens == b.tokens);
    CHECK(a.text == b.text);
    CHECK(a.streamed_tokens == b.streamed_tokens);
  }
  CHECK(back.tool_calls.at(0).observation == "4");
  CHECK(back.code_runs.at(0).feedback == log.code_runs[0].feedback);
  CHECK(back.reports.at(0).value == doctest::Approx(4096.5));
  CHECK(back.errors.size() == 2);
  CHECK(back.errors[1].query == kNoQuery);
  CHECK(back.aborted);
  CHECK(back.abort_reason == log.abort_reason);
  // The checker's recomputation agrees with the harness's.
  Metrics m1 = compute_metrics(log), m2 = compute_metrics(back);
  CHECK(m1.latency_ms.p99 == m2.latency_ms.p99);
  CHECK(m1.invalid_reasons == m2.invalid_reasons);
}

TEST_CASE("result.json, trace.json and the manifest") {
  RunLog log = sample_log();
  fs::path d = fresh_dir("files");
  RunContext ctx;
  ctx.sut_name = "echo_c";
  ctx.dataset_sha256 = std::string(64, 'a');
  write_run_directory(d.string(), log, compute_metrics(log), nullptr, ctx);
  auto result = nlohmann::json::parse(std::ifstream(d / "result.json"));
  CHECK(result["valid"] == false);
  CHECK(result["sut"]["name"] == "echo_c");
  CHECK(result["metrics"]["latency_ms"]["count"] == 4);
  auto trace = nlohmann::json::parse(std::ifstream(d / "trace.json"));
  size_t spans = 0;
  for (const auto& e : trace["traceEvents"]) spans += e["ph"] == "X" && e["cat"] == "query";
  CHECK(spans == 5);
  auto man = nlohmann::json::parse(std::ifstream(d / "manifest.json"));
  for (auto& [name, sha] : man["files"].items())
    CHECK(sha == edubench::registry::sha256_file((d / name).string()));
  CHECK(man["dataset"]["sha256"] == ctx.dataset_sha256);
  std::ifstream summary(d / "summary.txt");
  std::string first, second;
  std::getline(summary, first);
  std::getline(summary, second);
  CHECK(second == "Result: INVALID");
}

TEST_CASE("a truncated or edited events.jsonl is a FormatError with its line") {
  RunLog log = sample_log();
  fs::path d = fresh_dir("damaged");
  write_run_directory(d.string(), log, compute_metrics(log), nullptr, RunContext{});
  std::string events = (d / "events.jsonl").string(), acc = (d / "accuracy.jsonl").string();
  std::vector<std::string> lines;
  {
    std::ifstream in(events);
    for (std::string l; std::getline(in, l);) lines.push_back(l);
  }
  auto write_lines = [&](const std::vector<std::string>& ls) {
    std::ofstream out(events, std::ios::trunc);
    for (const auto& l : ls) out << l << "\n";
  };
  auto edited = lines;
  edited[2] = edited[2].substr(0, edited[2].size() / 2);  // cut mid-line
  write_lines(edited);
  CHECK_THROWS_WITH_AS(read_run_log(events, acc), (events + ":3: not a JSON object (truncated or edited?)").c_str(), FormatError);
  edited = lines;
  edited.pop_back();  // no run_end
  write_lines(edited);
  CHECK_THROWS_AS(read_run_log(events, acc), FormatError);
  edited = lines;
  edited.insert(edited.begin() + 2, lines[1]);  // an issue twice
  write_lines(edited);
  CHECK_THROWS_WITH_AS(read_run_log(events, acc), (events + ":3: query 1 issued twice").c_str(), FormatError);
}
