// The registry: workloads.yaml parsed and validated into typed structs. Every error names
// the file, the line and the field. The single source of truth for workloads, data sets,
// models, scenario settings and quality targets.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace edubench::registry {

// A bad registry or data set: what() is one line "FILE:LINE: FIELD: what was expected".
class Error : public std::runtime_error {
 public:
  Error(std::string file, int line, std::string field, const std::string& what);
  const std::string& file() const { return file_; }
  int line() const { return line_; }
  const std::string& field() const { return field_; }

 private:
  std::string file_;
  int line_;
  std::string field_;
};

enum class Scenario { single_stream, offline, server };
const char* to_string(Scenario s);
std::optional<Scenario> parse_scenario(const std::string& s);  // "single_stream", ...

enum class Kind { echo, generation, react, codegen };

// How a Server run's arrivals are spaced (Settings::arrival): exponential gaps (Poisson), gamma
// gaps with a burstiness knob (vLLM's --burstiness), or a linear ramp of the rate.
enum class Arrival { poisson, gamma, ramp };
const char* to_string(Arrival a);
std::optional<Arrival> parse_arrival(const std::string& s);  // "poisson", "gamma", "ramp"
const char* to_string(Kind k);

struct Dataset {
  std::string id;
  std::string path;       // absolute, resolved against the registry file's folder
  std::string format;     // "lines" (one prompt per line, reference = prompt) | "jsonl"
  std::string sha256;     // of the file at `path`, lowercase hex
  std::string source;     // provenance, one line
  std::string license;
  std::string regenerate; // the command in the repo that rebuilds it from a seed
};

struct Model {
  std::string id;
  std::string weights;        // absolute path of the .safetensors
  std::string weights_sha256;
  std::string config;         // absolute path of config.json
  std::string config_sha256;
  uint64_t parameters = 0;
  std::string regenerate;     // the training command
  std::map<std::string, double> quality;  // e.g. val_loss, test_perplexity
};

// The audit_mix of a submission's Offline audit: a quarter of its batch carries other samples.
// Not more: a SUT that caches still computes each of those once, so the audit's signal (how much
// faster than expected a cache makes it) shrinks as the mix grows (docs/compliance.md, TEST04).
constexpr double kOfflineAuditMix = 0.25;

// One scenario's settings. Every field has a unit in its name where it has one; the table
// in settings.cpp gives each its type, range and default, and serves YAML, --set and output.
struct Settings {
  double min_duration_s = 1.0;
  uint64_t min_query_count = 1;
  uint64_t max_query_count = 0;        // 0: no cap (a cap makes a short test run possible)
  double query_timeout_s = 30.0;       // per-query watchdog
  double run_timeout_s = 600.0;        // whole-run watchdog
  double target_qps = 0.0;             // server: Poisson arrival rate
  double latency_percentile = 0.9;     // the percentile that is the metric / bound
  double latency_bound_ms = 0.0;       // server: bound on that percentile of latency (0: none)
  double ttft_bound_ms = 0.0;          // server: bound on that percentile of TTFT (0: none)
  double tpot_bound_ms = 0.0;          // server: bound on that percentile of TPOT (0: none)
  uint64_t schedule_seed = 1;          // Poisson inter-arrival times
  uint64_t sample_seed = 2;            // which sample each query carries
  uint64_t accuracy_log_seed = 3;      // which responses a performance run logs
  double accuracy_log_probability = 0.01;  // share of responses a performance run logs
  uint64_t performance_sample_count = 0;   // 0: the whole data set
  // Where that pool starts, modulo the data set's size: the pool is samples offset, offset + 1,
  // ... (wrapping). Accuracy mode ignores it. A submission draws it at random for its TEST04
  // audit, so a plugin cannot know in advance which sample the audit repeats.
  uint64_t performance_sample_offset = 0;
  // The share of queries that carry a sample from outside that pool instead, taken in turn from
  // a seeded set of min(queries, samples) / 16 other samples. 0 everywhere but the Offline
  // audit, which mixes its repeated sample among others (kOfflineAuditMix) so that its batch is
  // not one prompt over and over, which a SUT could recognise and serve honestly.
  double audit_mix = 0.0;
  // Generation workloads: run only the samples whose prompt has exactly this many tokens (0:
  // every sample). A data set cut at several lengths (prompts_by_length) makes it a knob.
  uint64_t prompt_tokens = 0;
  // The checker's TEST04 (edubench check, docs/compliance.md): the same-sample audit may be at
  // most (1 + test04_tolerance) times faster than its expected time, and by at most
  // test04_slack_ms per query. Read from the registry by the checker, never from a run.
  double test04_tolerance = 0.10;
  double test04_slack_ms = 0.02;
  // Goodput SLOs (0: not set; docs/metrics.md). A completed query meets an SLO when its TTFT,
  // TPOT or end-to-end latency is at most the figure; the run meets its SLOs when, for each one
  // set, at least slo_percentile of the completed queries meet it. SLOs score a run (request and
  // token goodput); unlike the *_bound_ms settings they never make it INVALID.
  double slo_ttft_ms = 0.0;
  double slo_tpot_ms = 0.0;
  double slo_e2e_ms = 0.0;
  double slo_percentile = 0.9;
  // Server load shape, from schedule_seed. poisson: exponential gaps at target_qps (burstiness
  // must be 1). gamma: gaps Gamma(shape burstiness, mean 1 / target_qps): below 1 burstier, above
  // 1 more even. ramp: the rate rises linearly from ramp_start_qps to target_qps over the first
  // ramp_duration_s of the schedule, then holds; gaps are gamma with the same burstiness.
  Arrival arrival = Arrival::poisson;
  double burstiness = 1.0;
  double ramp_start_qps = 0.0;
  double ramp_duration_s = 0.0;
  // Queries issued before the measured ones (every scenario, performance mode only): logged and
  // marked "warmup" in events.jsonl, excluded from every figure, minimum and early-stopping test.
  uint64_t warmup_query_count = 0;
  // The harness lag guard: a performance run whose p99 issue lag (actual minus scheduled issue
  // time) exceeds this is INVALID, because the load it claims was not the load applied (0: off).
  double issue_lag_bound_ms = 100.0;
  // Code workloads: the harness's sandbox for run_code and for the hidden tests (docs/agents.md).
  // They define the task (a longer limit lets slower code pass), so a run must use the registry's.
  double code_wall_s = 5.0;        // wall clock, then the process group is killed
  double code_cpu_s = 4.0;         // RLIMIT_CPU (rounded up to whole seconds)
  uint64_t code_memory_mb = 512;   // RLIMIT_AS
};

// name -> value of every Settings field, in table order, for result.json and summaries.
std::vector<std::pair<std::string, std::string>> settings_fields(const Settings& s);
// Applies one --set key=value; throws Error(file "--set", line 0, key, ...) naming the key and
// the expected type/range, or listing the known keys when the key is unknown.
void apply_setting(Settings& s, const std::string& key, const std::string& value);
// Rules across fields of one scenario's settings: a server needs target_qps > 0; a query cap
// is 0 or >= min_query_count; arrival shapes other than poisson are Server's, and each shape's
// own knobs are set only with it. "" when they hold, else what is wrong. load_registry applies it
// to every scenario; call it again after --set overrides.
std::string settings_problem(const Settings& s, Scenario sc);
// The shortest text that reads back as exactly `v` (whole numbers as plain digits).
std::string format_number(double v);

struct Accuracy {
  std::string metric;          // "exact_match" | "token_agreement" | "pass_rate"
  double reference = 1.0;      // the reference plugin's measured quality, 0..1
  double closed_fraction = 0.99;  // closed division: value >= reference * closed_fraction
  double open_floor = 0.0;     // open division: value >= open_floor
};

// A lesson's gate on a before/after pair of runs of the workload (`edubench compare BEFORE
// AFTER --gates`): a figure of result.json's metrics or accuracy block, after against before.
struct Gate {
  std::string name;
  std::string metric;     // a path into result.json's metrics ("tokens_per_s", "latency_ms.p50") or, from the
                          // top, its accuracy block ("accuracy.value", "accuracy.figures.first_attempt_pass_rate")
  std::string test;       // "ratio_at_least" | "ratio_at_most" (after / before) | "difference_at_least" (after - before)
  double threshold = 0;
  std::string before, after;  // what the lab runs on each side (for the messages)
};

struct Workload {
  std::string id;
  std::string description;
  Kind kind = Kind::echo;
  std::string status;          // "ready" | "planned" (listed, not runnable yet)
  std::string dataset;         // Dataset id; empty only when planned
  std::map<std::string, std::string> models;  // role ("target", "draft") -> Model id
  std::string tokenizer;       // "none" | "bytes"
  uint32_t max_new_tokens = 0;
  int32_t eos_token = -1;      // the end-of-sequence token id, -1 when the tokenizer has none
  std::vector<std::pair<std::string, std::string>> sut_config;  // passed to create, in order
  std::string reference_sut;   // name of the built-in reference plugin
  Accuracy accuracy;
  std::map<Scenario, Settings> scenarios;  // the scenarios this workload defines
  std::vector<Gate> gates;                 // in the order written
};

struct Registry {
  std::string path;  // absolute path of workloads.yaml
  std::string root;  // its folder
  std::vector<Dataset> datasets;
  std::vector<Model> models;
  std::vector<Workload> workloads;

  const Workload* find_workload(const std::string& id) const;
  const Dataset* find_dataset(const std::string& id) const;
  const Model* find_model(const std::string& id) const;
};

// Parses and validates `path`: known keys only, types, ranges, cross references (dataset,
// models), units in names. Throws Error on the first problem.
Registry load_registry(const std::string& path);

// One sample of a data set, with what the harness scores it against.
struct Sample {
  uint64_t index = 0;
  std::string text;                 // prompt / question / task
  std::string reference;            // expected text answer (echo, react) or ""
  std::vector<int32_t> reference_tokens;  // expected tokens (generation) or empty
  std::vector<std::string> reference_tools;  // the reference route's tool names, in order (react) or empty
  std::string extra_json;           // workload-specific fields, raw JSON object ("{}" if none)
};

// Loads a data set after checking its sha256 against the registry; throws Error naming the
// file and the line of a malformed record, or the expected and actual hash.
std::vector<Sample> load_samples(const Dataset& d);

// The samples whose prompt is `prompt_tokens` tokens long (bytes tokenizer), renumbered from 0
// in data-set order: the run's sample indices and the checker's are these. 0: all of them.
std::vector<Sample> with_prompt_tokens(std::vector<Sample> samples, uint64_t prompt_tokens);

// Byte tokenizer: token id = byte value (0..255).
std::vector<int32_t> tokenize_bytes(const std::string& text);
std::string detokenize_bytes(const std::vector<int32_t>& tokens);

// `s` with its control characters escaped (\n, \t, \xNN): an error message quoting its input
// stays one line.
std::string one_line(const std::string& s);

// sha256 of a file (lowercase hex); throws std::runtime_error naming the file if unreadable.
std::string sha256_file(const std::string& path);
std::string sha256_bytes(const void* data, size_t n);

}  // namespace edubench::registry
