// The run directory: written whole, read back equal, sealed by its manifest; a damaged file is
// a FormatError naming the file and the line.
#include <edubench/runlog/run_dir.hpp>

#include "temp_dir.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <tuple>

using namespace edubench::runlog;
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
    q.n_tokens = i == 4 ? 0 : 3;  // a response exists only once completed
    q.n_text_bytes = i == 4 ? 0 : 11;
    q.logged = i % 2 == 0 && i != 4;
    if (q.logged) {
      q.tokens = {1, 2, 3};
      q.text = "h\xc3\xa9llo \"q\"\n";
      q.streamed_tokens = {1, 2, 3};
      if (i == 2) {
        q.hidden_verdict = "failed: AssertionError: assert f(1) == 2";
        q.first_attempt_hidden_verdict = "passed";
      }
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

// Under one folder for the whole test binary, removed when it exits.
fs::path fresh_dir(const std::string& name) {
  static const edubench::test::TempDir base("runlog-tests");
  fs::path d = base.path / name;
  fs::remove_all(d);
  return d;
}

}  // namespace

// Field by field, so a failure names what was lost.
static void check_same(const RunLog& a, const RunLog& b) {
  CHECK(a.workload == b.workload);
  CHECK(a.scenario == b.scenario);
  CHECK(a.mode == b.mode);
  CHECK(edubench::registry::settings_fields(a.settings) == edubench::registry::settings_fields(b.settings));
  CHECK(a.start_ns == b.start_ns);
  CHECK(a.end_ns == b.end_ns);
  CHECK(a.aborted == b.aborted);
  CHECK(a.abort_reason == b.abort_reason);
  REQUIRE(a.queries.size() == b.queries.size());
  for (size_t i = 0; i < a.queries.size(); ++i) {
    const QueryLog &x = a.queries[i], &y = b.queries[i];
    INFO("query ", x.id);
    CHECK(x.id == y.id);
    CHECK(x.sample_index == y.sample_index);
    CHECK(x.scheduled_ns == y.scheduled_ns);
    CHECK(x.issued_ns == y.issued_ns);
    CHECK(x.completed_ns == y.completed_ns);
    REQUIRE(x.streams.size() == y.streams.size());
    for (size_t k = 0; k < x.streams.size(); ++k) {
      CHECK(x.streams[k].t_ns == y.streams[k].t_ns);
      CHECK(x.streams[k].n_tokens == y.streams[k].n_tokens);
    }
    CHECK(x.n_tokens == y.n_tokens);
    CHECK(x.n_text_bytes == y.n_text_bytes);
    CHECK(x.logged == y.logged);
    CHECK(x.tokens == y.tokens);
    CHECK(x.text == y.text);
    CHECK(x.streamed_tokens == y.streamed_tokens);
    CHECK(x.hidden_verdict == y.hidden_verdict);
    CHECK(x.first_attempt_hidden_verdict == y.first_attempt_hidden_verdict);
  }
  REQUIRE(a.tool_calls.size() == b.tool_calls.size());
  for (size_t i = 0; i < a.tool_calls.size(); ++i) {
    const ToolCall &x = a.tool_calls[i], &y = b.tool_calls[i];
    CHECK(std::tie(x.query, x.step, x.tool, x.arg, x.observation, x.start_ns, x.end_ns) ==
          std::tie(y.query, y.step, y.tool, y.arg, y.observation, y.start_ns, y.end_ns));
  }
  REQUIRE(a.code_runs.size() == b.code_runs.size());
  for (size_t i = 0; i < a.code_runs.size(); ++i) {
    const CodeRun &x = a.code_runs[i], &y = b.code_runs[i];
    CHECK(std::tie(x.query, x.attempt, x.passed, x.timed_out, x.verdict, x.feedback, x.code, x.start_ns, x.end_ns) ==
          std::tie(y.query, y.attempt, y.passed, y.timed_out, y.verdict, y.feedback, y.code, y.start_ns, y.end_ns));
  }
  REQUIRE(a.reports.size() == b.reports.size());
  for (size_t i = 0; i < a.reports.size(); ++i)
    CHECK(std::tie(a.reports[i].query, a.reports[i].metric, a.reports[i].value, a.reports[i].t_ns) ==
          std::tie(b.reports[i].query, b.reports[i].metric, b.reports[i].value, b.reports[i].t_ns));
  REQUIRE(a.errors.size() == b.errors.size());
  for (size_t i = 0; i < a.errors.size(); ++i)
    CHECK(std::tie(a.errors[i].t_ns, a.errors[i].query, a.errors[i].kind, a.errors[i].message) ==
          std::tie(b.errors[i].t_ns, b.errors[i].query, b.errors[i].kind, b.errors[i].message));
  REQUIRE(a.plugin_log.size() == b.plugin_log.size());
  for (size_t i = 0; i < a.plugin_log.size(); ++i)
    CHECK(std::tie(a.plugin_log[i].t_ns, a.plugin_log[i].level, a.plugin_log[i].message) ==
          std::tie(b.plugin_log[i].t_ns, b.plugin_log[i].level, b.plugin_log[i].message));
}

static std::vector<std::string> read_lines(const fs::path& p) {
  std::vector<std::string> lines;
  std::ifstream in(p);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

TEST_CASE("write then read gives back the same log") {
  RunLog log = sample_log();
  fs::path d = fresh_dir("roundtrip");
  write_run_directory(d.string(), log, compute_metrics(log), nullptr, RunContext{});
  RunLog back = read_run_log((d / "events.jsonl").string(), (d / "accuracy.jsonl").string());
  check_same(log, back);
  // The checker's recomputation agrees with the harness's.
  Metrics m1 = compute_metrics(log), m2 = compute_metrics(back);
  CHECK(m1.latency_ms.p99 == m2.latency_ms.p99);
  CHECK(m1.invalid_reasons == m2.invalid_reasons);
}

TEST_CASE("events.jsonl: run_start with every setting, each query's block in id order, side events in time order, run_end last") {
  RunLog log = sample_log();
  fs::path d = fresh_dir("ordered");
  fs::create_directories(d);
  write_events_jsonl((d / "events.jsonl").string(), log);
  auto lines = read_lines(d / "events.jsonl");
  // 5 issues, 10 streams, 4 completions, 1 tool, 1 code, 1 report, 2 errors, 1 log line
  REQUIRE(lines.size() == 2 + 5 + 10 + 4 + 1 + 1 + 1 + 2 + 1);
  auto first = nlohmann::json::parse(lines.front());
  CHECK(first["ev"] == "run_start");
  CHECK(first["settings"].size() == edubench::registry::settings_fields(log.settings).size());
  CHECK(nlohmann::json::parse(lines.back())["ev"] == "run_end");
  // The queries as the harness streams them: a query's issue, then its own events in time
  // order, then the next query; ids rising. Then the side events, their times never falling.
  uint64_t prev_q = 0;
  int64_t prev_t = INT64_MIN;
  size_t i = 1;
  for (; i + 1 < lines.size(); ++i) {
    auto j = nlohmann::json::parse(lines[i]);
    INFO("line ", i + 1, ": ", lines[i]);
    const std::string ev = j["ev"];
    if (ev != "issue" && ev != "stream" && ev != "complete") break;
    const uint64_t q = j["q"];
    if (ev == "issue") {
      CHECK(q > prev_q);
      prev_q = q;
    } else {
      CHECK(q == prev_q);
      CHECK(j["t_ns"].get<int64_t>() >= prev_t);
    }
    prev_t = j["t_ns"].get<int64_t>();
  }
  CHECK(i == 1 + 5 + 10 + 4);
  CHECK(nlohmann::json::parse(lines[i])["ev"] == "tool");  // the earliest side event (5 us)
  prev_t = INT64_MIN;
  for (; i + 1 < lines.size(); ++i) {
    auto j = nlohmann::json::parse(lines[i]);
    INFO("line ", i + 1, ": ", lines[i]);
    CHECK(j["t_ns"].get<int64_t>() >= prev_t);
    prev_t = j["t_ns"].get<int64_t>();
  }
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
  CHECK(trace["displayTimeUnit"] == "ms");
  std::map<std::string, size_t> count;  // by category
  for (const auto& e : trace["traceEvents"])
    if (e.contains("cat")) ++count[e["cat"].get<std::string>() + "/" + e["ph"].get<std::string>()];
  CHECK(count["query/X"] == 5);   // one span per query, the unfinished one included
  CHECK(count["stream/i"] == 10); // one instant per stream() call
  CHECK(count["tool/X"] == 1);
  CHECK(count["code/X"] == 1);
  CHECK(count["error/i"] == 2);
  // SUT segments: 2 for q1 and q2 (one call each), 1 for q3 and q4, none for q5 (never
  // completed); each on its query's track.
  CHECK(count["sut/X"] == 6);
  std::map<std::string, int> tid_of_query;
  for (const auto& e : trace["traceEvents"])
    if (e.value("cat", "") == "query") tid_of_query[e["name"].get<std::string>()] = e["tid"].get<int>();
  for (const auto& e : trace["traceEvents"])
    if (e.value("cat", "") == "tool") {
      CHECK(e["tid"] == tid_of_query["q1"]);
      CHECK(e["name"] == "tool calculator");
    }
  int q1_steps = 0;
  for (const auto& e : trace["traceEvents"])
    if (e.value("cat", "") == "sut" && e["tid"] == tid_of_query["q1"] && e["ts"] < 2000.0) {
      CHECK(e["name"] == "sut step " + std::to_string(q1_steps++));
      CHECK(e["dur"].get<double>() >= 0);
    }
  CHECK(q1_steps == 2);
  CHECK(result["metrics"]["time_split"]["queries"] == 4);
  CHECK(result["metrics"]["time_split"]["sut_steps"] == 6);
  CHECK(result["metrics"]["sut_step_ms"]["count"] == 6);
  auto man = nlohmann::json::parse(std::ifstream(d / "manifest.json"));
  for (auto& [name, sha] : man["files"].items())
    CHECK(sha == edubench::registry::sha256_file((d / name).string()));
  CHECK(man["dataset"]["sha256"] == ctx.dataset_sha256);
  std::ifstream summary(d / "summary.txt");
  std::string first, second;
  std::getline(summary, first);
  std::getline(summary, second);
  CHECK(first == "Result: INVALID");  // the verdict on top, then why
  CHECK(second == "Run: echo / server / performance (closed division)");
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

TEST_CASE("a damaged accuracy.jsonl is a FormatError with its line") {
  RunLog log = sample_log();
  fs::path d = fresh_dir("damaged_acc");
  write_run_directory(d.string(), log, compute_metrics(log), nullptr, RunContext{});
  std::string events = (d / "events.jsonl").string(), acc = (d / "accuracy.jsonl").string();
  auto lines = read_lines(acc);
  REQUIRE(lines.size() == 2);
  {
    std::ofstream out(acc, std::ios::trunc);
    out << lines[0] << "\n" << R"({"q":99,"sample":0,"tokens":[],"text":"","streamed_tokens":[]})" << "\n";
  }
  CHECK_THROWS_WITH_AS(read_run_log(events, acc),
                       (acc + ":2: response for query 99 that events.jsonl never issued").c_str(), FormatError);
}

TEST_CASE("no temporary file is left behind") {
  RunLog log = sample_log();
  fs::path d = fresh_dir("clean");
  write_run_directory(d.string(), log, compute_metrics(log), nullptr, RunContext{});
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(d)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"accuracy.jsonl", "events.jsonl", "manifest.json", "result.json",
                                          "summary.txt", "trace.json"});
}

TEST_CASE("warm-up marks and issue() return times survive events.jsonl; result.json states its formulas") {
  RunLog log = sample_log();
  log.aborted = false;
  log.errors.clear();
  log.queries[0].warmup = true;
  for (QueryLog& q : log.queries) q.issue_returned_ns = q.issued_ns + 700;
  log.settings.slo_e2e_ms = 2.5;
  fs::path d = fresh_dir("warmup");
  write_run_directory(d.string(), log, compute_metrics(log), nullptr, RunContext{});
  RunLog back = read_run_log((d / "events.jsonl").string(), (d / "accuracy.jsonl").string());
  REQUIRE(back.queries.size() == log.queries.size());
  for (size_t i = 0; i < back.queries.size(); ++i) {
    CHECK(back.queries[i].warmup == (i == 0));
    CHECK(back.queries[i].issue_returned_ns == log.queries[i].issue_returned_ns);
  }
  auto first_issue = nlohmann::json::parse(read_lines(d / "events.jsonl")[1]);
  CHECK(first_issue["warmup"] == true);
  auto result = nlohmann::json::parse(std::ifstream(d / "result.json"));
  CHECK(result["metrics"]["warmup_queries"] == 1);
  CHECK(result["metrics"]["goodput"]["slos"][0]["slo"] == "slo_e2e_ms");
  CHECK(result["metrics"]["goodput"]["request_goodput_per_s"] ==
        compute_metrics(back).goodput->request_goodput_per_s);
  CHECK(result["metric_definitions"].size() == metric_definitions().size());
  CHECK(result["metric_definitions"]["tpot_ms"] ==
        "(completion - first stream() call) / (tokens - 1), per completed measured query with a stream() call and "
        "at least 2 response tokens");
}
