// The registry: the shipped workloads.yaml loads as expected, every kind of mistake in a
// registry is one line naming file, line and field, settings overrides are checked, and data
// sets are refused when their bytes or records are wrong.
#include <edubench/registry/registry.hpp>

#include "temp_dir.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

using namespace edubench::registry;
namespace fs = std::filesystem;

namespace {

const std::string kCases = EDUBENCH_SOURCE_DIR "/tests/registry/cases/";

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// The registry or data-set error a call throws; fails the test when it throws none.
template <class F>
Error error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  }
  FAIL("expected an edubench::registry::Error");
  return Error("", 0, "", "");
}

Dataset jsonl(const std::string& name) {
  std::string path = kCases + name;
  return Dataset{"j", path, "jsonl", sha256_file(path), "test", "public domain", ""};
}

}  // namespace

TEST_CASE("the shipped workloads.yaml: echo is ready with the documented settings") {
  Registry r = load_registry(EDUBENCH_SOURCE_DIR "/workloads.yaml");
  const Workload* echo = r.find_workload("echo");
  REQUIRE(echo);
  CHECK(echo->status == "ready");
  CHECK(echo->kind == Kind::echo);
  CHECK(echo->tokenizer == "bytes");
  CHECK(echo->reference_sut == "echo_c");
  CHECK(echo->accuracy.metric == "exact_match");
  CHECK(echo->accuracy.reference == 1.0);
  REQUIRE(echo->scenarios.size() == 3);
  const Settings& ss = echo->scenarios.at(Scenario::single_stream);
  CHECK(ss.latency_percentile == 0.9);
  CHECK(ss.min_duration_s == 1.0);
  CHECK(ss.min_query_count == 64);
  CHECK(echo->scenarios.at(Scenario::offline).min_query_count == 4096);
  const Settings& server = echo->scenarios.at(Scenario::server);
  CHECK(server.target_qps == 1000);
  CHECK(server.latency_percentile == 0.99);
  CHECK(server.latency_bound_ms == 10);
  CHECK(server.min_duration_s == 1.0);
  CHECK(server.min_query_count == 512);
  CHECK(settings_problem(server, Scenario::server).empty());
}

TEST_CASE("the shipped workloads.yaml lists the generation and agent workloads") {
  Registry r = load_registry(EDUBENCH_SOURCE_DIR "/workloads.yaml");
  for (const char* id : {"kv_cache", "speculative_decode", "kv_cache_large", "speculative_decode_large"}) {
    CAPTURE(id);
    const Workload* w = r.find_workload(id);
    REQUIRE(w);
    CHECK(w->kind == Kind::generation);
    CHECK(w->accuracy.metric == "token_agreement");
    CHECK(w->scenarios.at(Scenario::server).ttft_bound_ms > 0);
    CHECK(w->scenarios.at(Scenario::server).tpot_bound_ms > 0);
    CHECK(r.find_model(w->models.at("target")));
  }
  const Workload* react = r.find_workload("react_agent");
  REQUIRE(react);
  CHECK(react->kind == Kind::react);
  CHECK(react->status == "ready");
  CHECK(react->accuracy.metric == "exact_match");
  CHECK(r.find_model(react->models.at("agent")));
  const Workload* codegen = r.find_workload("codegen_agent");
  REQUIRE(codegen);
  CHECK(codegen->kind == Kind::codegen);
  CHECK(codegen->status == "ready");
  CHECK(codegen->accuracy.metric == "pass_rate");
  CHECK(r.find_model(codegen->models.at("agent")));
}

TEST_CASE("the echo data set matches its pin: 184 lines, each its own reference") {
  Registry r = load_registry(EDUBENCH_SOURCE_DIR "/workloads.yaml");
  const Dataset* d = r.find_dataset(r.find_workload("echo")->dataset);
  REQUIRE(d);
  CHECK(d->path == fs::path(EDUBENCH_SOURCE_DIR "/data/echo/prompts.txt").lexically_normal().string());
  auto samples = load_samples(*d);
  REQUIRE(samples.size() == 184);
  CHECK(samples[0].text == "The proverbs of Solomon. A wise son maketh a glad father: but a foolish son is the heaviness of his mother.");
  for (const auto& s : samples) {
    CHECK(s.reference == s.text);
    CHECK(s.text.find_first_of("\r\n") == std::string::npos);
  }
  CHECK(samples.back().index == 183);
}

TEST_CASE("a fixture registry loads; paths are resolved against its folder") {
  Registry r = load_registry(kCases + "valid.yaml");
  CHECK(r.root == fs::path(kCases).lexically_normal().parent_path().string());
  REQUIRE(r.find_dataset("d"));
  CHECK(r.find_dataset("d")->path == fs::path(kCases + "data.txt").lexically_normal().string());
  auto samples = load_samples(*r.find_dataset("d"));
  REQUIRE(samples.size() == 2);
  CHECK(samples[1].text == "world");
}

TEST_CASE("each kind of mistake is one line naming file, line and field") {
  struct Case {
    const char* file;
    int line;
    const char* field;
    const char* message;  // a fragment of what was expected
  };
  const Case cases[] = {
      {"unknown_key", 18, "workloads.w.colour", "unknown key (known: accuracy, dataset, defaults, description, eos_token, gates, kind,"},
      {"wrong_type", 18, "workloads.w.max_new_tokens", "expected a non-negative integer, got 'lots'"},
      {"out_of_range", 20, "workloads.w.scenarios.server.latency_percentile",
       "expected a number > 0 and < 1 (a fraction), got '1.5'"},
      {"negative_duration", 20, "workloads.w.scenarios.server.min_duration_s",
       "expected a number >= 0 and <= 86400 (seconds), got '-3'"},
      {"accuracy_out_of_range", 17, "workloads.w.accuracy.reference", "expected a number in [0, 1], got 1.5"},
      {"missing_field", 11, "workloads.w", "missing required field 'reference_sut'"},
      {"empty_reference_sut", 16, "workloads.w.reference_sut", "expected a plugin name, got ''"},
      {"ready_without_dataset", 11, "workloads.w", "a ready workload needs a 'dataset'"},
      {"generation_without_model", 11, "workloads.w", "a ready generation workload needs models: {target: MODEL_ID}"},
      {"bad_enum", 13, "workloads.w.kind", "expected one of codegen|echo|generation|react, got 'chat'"},
      {"dangling_dataset", 15, "workloads.w.dataset", "no dataset 'missing' under datasets:"},
      {"dangling_model", 18, "workloads.w.models.target", "no model 'nope' under models:"},
      {"bad_sha256", 7, "datasets.d.sha256", "expected 64 lowercase hex digits (a sha256), got '4A1E67F2"},
      {"server_without_target_qps", 20, "workloads.w.scenarios.server", "a server scenario needs target_qps > 0"},
      {"cap_below_min", 20, "workloads.w.scenarios.server", "max_query_count 50 is below min_query_count 100"},
      {"unknown_setting", 20, "workloads.w.scenarios.server.min_duration", "unknown setting (known: min_duration_s,"},
      {"unknown_scenario", 21, "workloads.w.scenarios.multi_stream", "unknown scenario (known: offline, server, single_stream)"},
      {"duplicate_workload", 21, "workloads.w", "duplicate workload id 'w' (first at line 11)"},
      {"wrong_schema", 2, "schema", "expected schema 1"},
      {"not_a_mapping", 18, "workloads.w.scenarios", "expected a mapping, got a sequence"},
      {"test04_tolerance_out_of_range", 19, "workloads.w.defaults.test04_tolerance",
       "expected a number >= 0 and <= 10 (a fraction: the audit may be up to 1 + this times faster than expected), got '20'"},
      {"gate_two_tests", 22, "workloads.w.gates.speedup", "expected one of ratio_at_least, ratio_at_most, difference_at_least"},
      {"sample_offset_negative", 20, "workloads.w.scenarios.offline.performance_sample_offset",
       "expected an integer >= 0 and <= 1000000000000 (a sample index: where the performance_sample_count pool starts, "
       "modulo the data set's size), got '-1'"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.file);
    std::string path = kCases + c.file + ".yaml";
    Error e = error_of([&] { load_registry(path); });
    CHECK(e.file() == path);
    CHECK(e.line() == c.line);
    CHECK(e.field() == c.field);
    std::string what = e.what();
    CHECK(what.rfind(path + ":" + std::to_string(c.line) + ": " + c.field + ": ", 0) == 0);
    CHECK(contains(what, c.message));
    CHECK(what.find('\n') == std::string::npos);
  }
}

TEST_CASE("a YAML syntax error names the line yaml-cpp stopped at") {
  std::string path = kCases + "syntax_error.yaml";
  Error e = error_of([&] { load_registry(path); });
  CHECK(std::string(e.what()) == path + ":12: YAML syntax: illegal map value");
}

TEST_CASE("a missing registry file is an error naming it") {
  CHECK_THROWS_WITH_AS(load_registry("/nonexistent/workloads.yaml"),
                       "/nonexistent/workloads.yaml: no such registry file", Error);
}

TEST_CASE("a scenario inherits Settings defaults, then the workload's defaults block") {
  Registry r = load_registry(kCases + "defaults.yaml");
  const Workload* plain = r.find_workload("plain");
  REQUIRE(plain);
  CHECK(plain->scenarios.at(Scenario::single_stream).latency_percentile == 0.9);
  CHECK(plain->scenarios.at(Scenario::single_stream).min_duration_s == Settings{}.min_duration_s);
  CHECK(plain->scenarios.at(Scenario::server).latency_percentile == 0.99);  // LoadGen's server default

  const Workload* w = r.find_workload("inherits");
  REQUIRE(w);
  CHECK(w->scenarios.at(Scenario::single_stream).query_timeout_s == 5);
  CHECK(w->scenarios.at(Scenario::offline).query_timeout_s == 7);  // its own entry wins
  // The checker's TEST04 tolerances are settings like the others.
  CHECK(w->scenarios.at(Scenario::single_stream).test04_tolerance == 0.5);
  CHECK(w->scenarios.at(Scenario::single_stream).test04_slack_ms == Settings{}.test04_slack_ms);
  CHECK(w->scenarios.at(Scenario::offline).test04_slack_ms == 1.5);
  CHECK(plain->scenarios.at(Scenario::server).test04_tolerance == 0.1);
  const Settings& server = w->scenarios.at(Scenario::server);
  CHECK(server.latency_percentile == 0.95);  // the block wins over the server default
  CHECK(server.target_qps == 20);
  CHECK(server.latency_bound_ms == 3);
  CHECK(server.run_timeout_s == Settings{}.run_timeout_s);
}

TEST_CASE("a planned workload may omit its data set and models") {
  Registry r = load_registry(kCases + "defaults.yaml");
  const Workload* w = r.find_workload("planned");
  REQUIRE(w);
  CHECK(w->status == "planned");
  CHECK(w->dataset.empty());
  CHECK(w->models.empty());
  CHECK(w->scenarios.count(Scenario::offline) == 1);
}

TEST_CASE("--set applies a value in range and keeps its type") {
  Settings s;
  apply_setting(s, "target_qps", "250.5");
  CHECK(s.target_qps == 250.5);
  apply_setting(s, "min_query_count", "64");
  CHECK(s.min_query_count == 64);
  apply_setting(s, "schedule_seed", "18446744073709551615");
  CHECK(s.schedule_seed == UINT64_MAX);
  apply_setting(s, "accuracy_log_probability", "1");
  CHECK(s.accuracy_log_probability == 1.0);
}

TEST_CASE("performance_sample_offset: default 0, any sample index up to 10^12, set like the others") {
  Settings s;
  CHECK(s.performance_sample_offset == 0);  // the pool starts at sample 0, as before the setting
  apply_setting(s, "performance_sample_offset", "4294967295");
  CHECK(s.performance_sample_offset == 4294967295u);
  apply_setting(s, "performance_sample_offset", "1000000000000");
  CHECK_THROWS_WITH_AS(apply_setting(s, "performance_sample_offset", "1000000000001"),
                       "--set: performance_sample_offset: expected an integer >= 0 and <= 1000000000000 (a sample "
                       "index: where the performance_sample_count pool starts, modulo the data set's size), got "
                       "'1000000000001'",
                       Error);
  CHECK_THROWS_AS(apply_setting(s, "performance_sample_offset", "2.5"), Error);
  CHECK(s.performance_sample_offset == 1000000000000u);
  Registry r = load_registry(kCases + "defaults.yaml");
  CHECK(r.find_workload("plain")->scenarios.at(Scenario::single_stream).performance_sample_offset == 0);
  CHECK(r.find_workload("inherits")->scenarios.at(Scenario::offline).performance_sample_offset == 3);
}

TEST_CASE("--set refuses a wrong type or range, naming the key and what was expected") {
  Settings s;
  CHECK_THROWS_WITH_AS(apply_setting(s, "min_query_count", "6.5"),
                       "--set: min_query_count: expected an integer >= 1 and <= 1000000000000 (queries), got '6.5'", Error);
  CHECK_THROWS_WITH_AS(apply_setting(s, "target_qps", "-1"),
                       "--set: target_qps: expected a number >= 0 and <= 1000000000 (queries per second), got '-1'", Error);
  CHECK_THROWS_WITH_AS(apply_setting(s, "latency_percentile", "1"),
                       "--set: latency_percentile: expected a number > 0 and < 1 (a fraction), got '1'", Error);
  for (const char* bad : {"", "nan", "inf", " 5", "5x", "0x10"}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(apply_setting(s, "min_duration_s", bad), Error);
  }
  CHECK_THROWS_AS(apply_setting(s, "sample_seed", "18446744073709551616"), Error);  // 2^64
  CHECK_THROWS_AS(apply_setting(s, "sample_seed", "-1"), Error);
  CHECK(s.min_duration_s == Settings{}.min_duration_s);  // a refused value changes nothing
}

TEST_CASE("--set with an unknown key lists the known keys") {
  Settings s;
  Error e = error_of([&] { apply_setting(s, "qps", "1"); });
  CHECK(e.field() == "qps");
  CHECK(contains(e.what(), "--set: qps: unknown setting (known: min_duration_s, min_query_count, "));
  CHECK(contains(e.what(), "performance_sample_count, performance_sample_offset, audit_mix, prompt_tokens, test04_tolerance, "
                          "test04_slack_ms)"));
}

TEST_CASE("settings_fields prints values that --set reads back exactly") {
  Settings s;
  s.target_qps = 0.1;
  s.latency_percentile = 0.999;
  s.min_duration_s = 1.0 / 3.0;
  s.schedule_seed = UINT64_MAX;
  auto fields = settings_fields(s);
  REQUIRE(fields.size() == 33);  // 18, issue 13's SLO, load-shape, warm-up and lag-guard settings, 3 code limits, audit_mix, prompt_tokens
  CHECK(fields.front() == std::pair<std::string, std::string>("min_duration_s", format_number(1.0 / 3.0)));
  Settings back;
  for (const auto& [k, v] : fields) apply_setting(back, k, v);
  CHECK(settings_fields(back) == fields);
  CHECK(back.min_duration_s == s.min_duration_s);
  CHECK(back.schedule_seed == UINT64_MAX);
  CHECK(format_number(1e9) == "1000000000");
  CHECK(format_number(0.1) == "0.1");
}

TEST_CASE("settings_problem: a server needs an arrival rate; a cap is 0 or >= the minimum") {
  Settings s;
  CHECK(settings_problem(s, Scenario::offline).empty());
  CHECK(contains(settings_problem(s, Scenario::server), "target_qps > 0"));
  s.target_qps = 5;
  s.min_query_count = 10;
  s.max_query_count = 9;
  CHECK(contains(settings_problem(s, Scenario::server), "max_query_count 9 is below min_query_count 10"));
  s.max_query_count = 10;
  CHECK(settings_problem(s, Scenario::server).empty());
}

TEST_CASE("a data set whose bytes differ from the pin is refused, naming both hashes") {
  Dataset d{"d", kCases + "data.txt", "lines", std::string(64, '0'), "test", "public domain", "scripts/x.sh"};
  Error e = error_of([&] { load_samples(d); });
  CHECK(e.file() == d.path);
  CHECK(e.field() == "datasets.d.sha256");
  CHECK(contains(e.what(), "the file's sha256 is 4a1e67f2fe1d1cc7b31d0ca2ec441da4778203a036a77da10344c85e24ff0f92"));
  CHECK(contains(e.what(), "the registry pins " + std::string(64, '0')));
  CHECK(contains(e.what(), "(regenerate with: scripts/x.sh)"));
}

TEST_CASE("a missing data set file is refused, naming it") {
  Dataset d{"d", kCases + "no_such_file.txt", "lines", std::string(64, '0'), "test", "public domain", ""};
  CHECK_THROWS_WITH_AS(load_samples(d), (d.path + ": datasets.d: cannot read the data set").c_str(), Error);
}

TEST_CASE("jsonl records: prompt, reference, reference_tokens, tools, the rest kept as JSON") {
  auto samples = load_samples(jsonl("samples.jsonl"));
  REQUIRE(samples.size() == 2);  // the blank line is skipped
  CHECK(samples[0].text == "a");
  CHECK(samples[0].reference == "A");
  CHECK(samples[0].reference_tokens == std::vector<int32_t>{1, 2});
  CHECK(samples[0].reference_tools == std::vector<std::string>{"lookup", "calculator"});
  CHECK(samples[0].extra_json == R"({"tool":"lookup"})");
  CHECK(samples[1].reference_tools.empty());
  CHECK(samples[1].index == 1);
  CHECK(samples[1].reference.empty());
  CHECK(samples[1].extra_json == "{}");
}

TEST_CASE("prompt_tokens keeps the samples of that prompt length, renumbered in data-set order") {
  std::vector<Sample> all(5);
  const char* texts[] = {"abcd", "ab", "wxyz", "abc", "pqrs"};
  for (size_t i = 0; i < all.size(); ++i) all[i].index = i, all[i].text = texts[i], all[i].reference = std::to_string(i);
  auto four = with_prompt_tokens(all, 4);
  REQUIRE(four.size() == 3);
  CHECK(four[1].text == "wxyz");
  CHECK(four[1].reference == "2");  // its own reference travels with it
  CHECK(four[2].index == 2);        // indices of the run's list, as the log records them
  CHECK(with_prompt_tokens(all, 0).size() == 5);
  CHECK(with_prompt_tokens(all, 7).empty());
}

TEST_CASE("a malformed jsonl record names its file and line") {
  Dataset bad_json = jsonl("bad_json.jsonl");
  CHECK_THROWS_WITH_AS(load_samples(bad_json),
                       (bad_json.path + ":3: expected one JSON object per line (with a string 'prompt')").c_str(), Error);
  Dataset bad_prompt = jsonl("bad_prompt.jsonl");
  CHECK_THROWS_WITH_AS(load_samples(bad_prompt), (bad_prompt.path + ":2: prompt: expected a string field 'prompt'").c_str(),
                       Error);
  Dataset bad_tokens = jsonl("bad_tokens.jsonl");
  CHECK_THROWS_WITH_AS(load_samples(bad_tokens),
                       (bad_tokens.path + ":1: reference_tokens: expected an array of token ids (integers >= 0), got -2").c_str(),
                       Error);
  Dataset bad_tools = jsonl("bad_tools.jsonl");
  CHECK_THROWS_WITH_AS(load_samples(bad_tools),
                       (bad_tools.path + ":2: tools: expected an array of tool names (non-empty strings), got 3").c_str(), Error);
}

TEST_CASE("the byte tokenizer round-trips any bytes") {
  std::string s = "In the beginning\n\xc3\xa9";
  s.push_back('\0');
  s.push_back('\xff');
  CHECK(detokenize_bytes(tokenize_bytes(s)) == s);
  CHECK(tokenize_bytes("A\xff") == std::vector<int32_t>{65, 255});
}

TEST_CASE("sha256 matches the FIPS 180-2 test vector, for bytes and for files") {
  CHECK(sha256_bytes("abc", 3) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_file(kCases + "data.txt") == sha256_bytes("hello\nworld\n", 12));
  CHECK_THROWS_AS(sha256_file(kCases + "no_such_file.txt"), std::runtime_error);
}

TEST_CASE("goodput, load-shape, warm-up and lag-guard settings: defaults, and set like the others") {
  Settings s;
  CHECK(s.slo_ttft_ms == 0);
  CHECK(s.slo_tpot_ms == 0);
  CHECK(s.slo_e2e_ms == 0);
  CHECK(s.slo_percentile == 0.9);
  CHECK(s.arrival == Arrival::poisson);
  CHECK(s.burstiness == 1);
  CHECK(s.warmup_query_count == 0);
  CHECK(s.issue_lag_bound_ms == 100);
  apply_setting(s, "arrival", "gamma");
  apply_setting(s, "burstiness", "0.25");
  apply_setting(s, "slo_ttft_ms", "250");
  apply_setting(s, "warmup_query_count", "16");
  CHECK(s.arrival == Arrival::gamma);
  CHECK(s.burstiness == 0.25);
  CHECK(s.slo_ttft_ms == 250);
  CHECK(s.warmup_query_count == 16);
  bool recorded = false;
  for (const auto& [k, v] : settings_fields(s)) recorded = recorded || (k == "arrival" && v == "gamma");
  CHECK(recorded);
  CHECK_THROWS_WITH_AS(apply_setting(s, "arrival", "bursty"),
                       "--set: arrival: expected one of poisson, gamma or ramp, got 'bursty'", Error);
  CHECK_THROWS_WITH_AS(apply_setting(s, "burstiness", "0"),
                       "--set: burstiness: expected a number >= 0.01 and <= 100 (the gamma shape of the gaps: 1 is "
                       "Poisson, below 1 burstier), got '0'", Error);
  CHECK_THROWS_AS(apply_setting(s, "slo_percentile", "1"), Error);
  CHECK_THROWS_AS(apply_setting(s, "warmup_query_count", "-1"), Error);
}

TEST_CASE("settings_problem: each load-shape knob belongs to its shape, and shapes to Server") {
  Settings s;
  s.target_qps = 10;
  CHECK(settings_problem(s, Scenario::server).empty());
  s.burstiness = 0.5;
  CHECK(contains(settings_problem(s, Scenario::server), "burstiness 0.5 needs arrival=gamma or arrival=ramp"));
  s.arrival = Arrival::gamma;
  CHECK(settings_problem(s, Scenario::server).empty());
  CHECK(contains(settings_problem(s, Scenario::offline), "arrival=gamma applies to the server scenario only"));
  s.ramp_start_qps = 2;
  CHECK(contains(settings_problem(s, Scenario::server), "ramp_start_qps and ramp_duration_s need arrival=ramp"));
  s.arrival = Arrival::ramp;
  CHECK(contains(settings_problem(s, Scenario::server), "arrival=ramp needs ramp_start_qps > 0 and ramp_duration_s > 0"));
  s.ramp_duration_s = 5;
  CHECK(settings_problem(s, Scenario::server).empty());
}

TEST_CASE("a registry's load shape is checked where it is written, naming the scenario") {
  const edubench::test::TempDir temp("registry");
  const std::string path = (temp.path / "registry.yaml").string();
  std::string text;
  {
    std::ifstream in(EDUBENCH_SOURCE_DIR "/tests/compliance/slo_registry.yaml");
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  const std::string data = std::string(EDUBENCH_SOURCE_DIR) + "/data/echo/prompts.txt";
  text.replace(text.find("../../data/echo/prompts.txt"), 27, data);
  text.replace(text.find("burstiness: 0.5"), 15, "burstiness: 0.5, ramp_duration_s: 3");
  std::ofstream(path) << text;
  Error e = error_of([&] { load_registry(path); });
  CHECK(contains(e.what(), "workloads.echo.scenarios.server"));
  CHECK(contains(e.what(), "ramp_start_qps and ramp_duration_s need arrival=ramp (got arrival=gamma)"));
}
