// One run, resolved: a workload + scenario + the command line's overrides turned into everything
// a run needs, validated, before anything of a plugin is loaded. `edubench run`, `validate`,
// submissions and grading all start from a plan; nothing downstream goes back to the registry.
#pragma once

#include <edubench/registry/registry.hpp>
#include <edubench/sut_api.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace edubench::registry {

// A request the registry cannot plan: what() is one line naming the option and what was
// expected ("--scenario fast: expected single_stream, offline or server").
class PlanError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct RunRequest {
  std::string workload;
  std::string scenario;
  std::string mode = "performance";   // performance | accuracy (recorded; picks the samples' use)
  std::vector<std::string> sets;      // --set key=value, applied over the scenario's settings
  std::vector<std::string> sut_opts;  // --sut-opt key=value, over the workload's sut_config
  size_t sample_limit = 0;            // keep only the first N samples (0: all); smoke runs
};

// Where a run's inputs came from, for result.json and manifest.json.
struct Provenance {
  std::string registry_path, registry_sha256;  // sha "" when the file cannot be read again
  std::string dataset_id, dataset_sha256;
  std::vector<std::pair<std::string, std::string>> model_sha256;  // model id -> weights sha256
  std::vector<std::string> overrides;                             // the --set values, as given
};

// Move-only: `abi_samples` point into `samples` and `tokens`, whose elements never move while
// the plan lives (moving a vector keeps its elements where they are; copying would not).
struct RunPlan {
  Workload workload;
  Scenario scenario = Scenario::single_stream;
  std::string mode;
  Settings settings;                                           // overrides applied and validated
  std::vector<std::pair<std::string, std::string>> sut_config;  // ${root} expanded, --sut-opt merged
  std::vector<Sample> samples;
  std::vector<std::vector<int32_t>> tokens;  // per sample, from the workload's tokenizer
  std::vector<edu_sample> abi_samples;       // the samples as the ABI sees them
  Provenance provenance;

  RunPlan() = default;
  RunPlan(RunPlan&&) = default;
  RunPlan& operator=(RunPlan&&) = default;
  RunPlan(const RunPlan&) = delete;
  RunPlan& operator=(const RunPlan&) = delete;

  // Absolute paths among the sut_config values that exist (the model files): the only data a
  // contained plugin may read.
  std::vector<std::string> readable_files() const;
};

// Resolves `req` against `reg`. Throws PlanError (unknown workload or scenario, a workload not
// ready, a malformed key=value) or Error (a bad --set value, a data set that fails its sha256),
// each one line naming the option or file.
RunPlan plan_run(const Registry& reg, const RunRequest& req);

// Splits "key=value"; throws PlanError "WHAT KV: expected key=value" otherwise.
std::pair<std::string, std::string> split_key_value(const std::string& kv, const std::string& what);

// `value` with every "${root}" replaced by `root` (the registry's folder).
std::string expand_root(std::string value, const std::string& root);

}  // namespace edubench::registry
