// The registry: the shipped workloads.yaml loads as expected, and every kind of mistake in a
// registry is one line naming file, line and field.
#include <edubench/registry/registry.hpp>

#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

using namespace edubench::registry;
namespace fs = std::filesystem;

namespace {

// Writes `yaml` as a registry next to a tiny data set and returns its path.
std::string write_registry(const std::string& name, const std::string& yaml) {
  fs::path dir = fs::temp_directory_path() / "edubench_registry_tests";
  fs::create_directories(dir);
  std::ofstream(dir / "data.txt") << "hello\nworld\n";
  fs::path p = dir / (name + ".yaml");
  std::ofstream(p) << yaml;
  return p.string();
}

const std::string kDataSha = sha256_bytes("hello\nworld\n", 12);

std::string valid_yaml(const std::string& workload_extra = "", const std::string& server = "target_qps: 10") {
  return "schema: 1\n"
         "datasets:\n"
         "  d:\n"
         "    path: data.txt\n"
         "    format: lines\n"
         "    sha256: " + kDataSha + "\n"
         "    source: test\n"
         "    license: public domain\n"
         "workloads:\n"
         "  w:\n"
         "    description: test\n"
         "    kind: echo\n"
         "    status: ready\n"
         "    dataset: d\n"
         "    reference_sut: echo_c\n"
         "    accuracy: {metric: exact_match}\n" + workload_extra +
         "    scenarios:\n"
         "      offline: {min_query_count: 10}\n"
         "      server: {" + server + "}\n";
}

// Loads `yaml` and returns the error text ("" when it loads).
std::string error_of(const std::string& name, const std::string& yaml) {
  try {
    load_registry(write_registry(name, yaml));
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("the shipped workloads.yaml: echo is ready, the four workloads are listed") {
  Registry r = load_registry(EDUBENCH_SOURCE_DIR "/workloads.yaml");
  const Workload* echo = r.find_workload("echo");
  REQUIRE(echo);
  CHECK(echo->status == "ready");
  CHECK(echo->tokenizer == "bytes");
  CHECK(echo->scenarios.size() == 3);
  CHECK(echo->scenarios.at(Scenario::server).latency_bound_ms == 10);
  CHECK(echo->scenarios.at(Scenario::server).latency_percentile == doctest::Approx(0.99));
  for (const char* id : {"kv_cache", "speculative_decode", "react_agent", "codegen_agent"}) CHECK(r.find_workload(id));
  auto samples = load_samples(*r.find_dataset(echo->dataset));
  CHECK(samples.size() == 184);
  CHECK(samples[0].reference == samples[0].text);
}

TEST_CASE("a minimal valid registry loads; a server default percentile is 0.99") {
  Registry r = load_registry(write_registry("valid", valid_yaml()));
  CHECK(r.workloads.at(0).scenarios.at(Scenario::server).latency_percentile == doctest::Approx(0.99));
  CHECK(r.workloads.at(0).scenarios.at(Scenario::offline).min_query_count == 10);
}

TEST_CASE("each kind of mistake names file, line and field") {
  std::string e = error_of("unknown_key", valid_yaml("    colour: blue\n"));
  CHECK(contains(e, "unknown_key.yaml:17: workloads.w.colour: unknown key (known: accuracy"));

  e = error_of("wrong_type", valid_yaml("    max_new_tokens: lots\n"));
  CHECK(contains(e, ":17: workloads.w.max_new_tokens: expected a non-negative integer, got 'lots'"));

  e = error_of("out_of_range", valid_yaml("", "target_qps: 10, latency_percentile: 1.5"));
  CHECK(contains(e, "workloads.w.scenarios.server.latency_percentile: expected a number > 0 and <= 0.9999"));

  e = error_of("negative_duration", valid_yaml("", "target_qps: 10, min_duration_s: -3"));
  CHECK(contains(e, "workloads.w.scenarios.server.min_duration_s: expected a number >= 0"));

  e = error_of("server_without_qps", valid_yaml("", "min_query_count: 5"));
  CHECK(contains(e, ":19: workloads.w.scenarios.server: a server scenario needs target_qps > 0"));

  std::string y = valid_yaml();
  y.replace(y.find("kind: echo"), 10, "kind: chat");
  e = error_of("bad_enum", y);
  CHECK(contains(e, ":12: workloads.w.kind: expected one of codegen|echo|generation|react, got 'chat'"));

  y = valid_yaml();
  y.replace(y.find("dataset: d"), 10, "dataset: missing");
  e = error_of("dangling", y);
  CHECK(contains(e, ":14: workloads.w.dataset: no dataset 'missing' under datasets:"));

  y = valid_yaml();
  y.replace(y.find(kDataSha), 64, "ABC123");
  e = error_of("bad_sha", y);
  CHECK(contains(e, ":6: datasets.d.sha256: expected 64 lowercase hex digits (a sha256), got 'ABC123'"));

  y = valid_yaml();
  y.replace(y.find("    reference_sut: echo_c\n"), 26, "");
  e = error_of("missing_field", y);
  CHECK(contains(e, ":11: workloads.w: missing required field 'reference_sut'"));

  e = error_of("syntax", "schema: 1\nworkloads: {w: [1, 2\n");
  CHECK(contains(e, "syntax.yaml:3: YAML syntax:"));

  y = valid_yaml() + "  w:\n    description: again\n";
  e = error_of("duplicate", y);
  CHECK(contains(e, "duplicate workload id 'w'"));

  e = error_of("unknown_scenario", valid_yaml("", "target_qps: 10}\n      multi_stream: {min_query_count: 1"));
  CHECK(contains(e, "workloads.w.scenarios.multi_stream: unknown scenario"));

}

TEST_CASE("a missing registry file is an error naming it") {
  CHECK_THROWS_WITH_AS(load_registry("/nonexistent/workloads.yaml"),
                       "/nonexistent/workloads.yaml: no such registry file", Error);
}

TEST_CASE("--set overrides: type, range and unknown keys") {
  Settings s;
  apply_setting(s, "target_qps", "250.5");
  CHECK(s.target_qps == doctest::Approx(250.5));
  apply_setting(s, "min_query_count", "64");
  CHECK(s.min_query_count == 64);
  CHECK_THROWS_WITH_AS(apply_setting(s, "min_query_count", "6.5"),
                       "--set: min_query_count: expected an integer >= 1 and <= 1000000000000 (queries), got '6.5'", Error);
  CHECK_THROWS_WITH_AS(apply_setting(s, "target_qps", "-1"),
                       "--set: target_qps: expected a number >= 0 and <= 1000000000 (queries per second), got '-1'", Error);
  try {
    apply_setting(s, "qps", "1");
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(contains(e.what(), "--set: qps: unknown setting (known: min_duration_s, "));
  }
  auto fields = settings_fields(s);
  CHECK(fields.front().first == "min_duration_s");
}

TEST_CASE("a data set whose sha256 differs from the pin is refused") {
  Dataset d;
  d.id = "d";
  d.path = fs::path(write_registry("sha", valid_yaml())).parent_path() / "data.txt";
  d.format = "lines";
  d.sha256 = std::string(64, '0');
  try {
    load_samples(d);
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(contains(e.what(), "datasets.d.sha256: the file's sha256 is " + kDataSha));
  }
}

TEST_CASE("a malformed jsonl record names its line") {
  fs::path p = fs::temp_directory_path() / "edubench_registry_tests" / "bad.jsonl";
  std::ofstream(p) << "{\"prompt\": \"a\", \"reference_tokens\": [1, 2]}\n{\"prompt\": 7}\n";
  std::ofstream(p, std::ios::app).flush();
  Dataset d{"j", p.string(), "jsonl", sha256_file(p.string()), "", "", ""};
  CHECK_THROWS_WITH_AS(load_samples(d), (p.string() + ":2: prompt: expected a string field 'prompt'").c_str(), Error);
}

TEST_CASE("the byte tokenizer round-trips text") {
  std::string s = "In the beginning\n\xc3\xa9";
  CHECK(detokenize_bytes(tokenize_bytes(s)) == s);
  CHECK(tokenize_bytes("A") == std::vector<int32_t>{65});
}
