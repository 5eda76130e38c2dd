#include <edubench/registry/run_plan.hpp>

#include <filesystem>
#include <set>
#include <string>

namespace edubench::registry {

std::pair<std::string, std::string> split_key_value(const std::string& kv, const std::string& what) {
  const auto eq = kv.find('=');
  if (eq == std::string::npos || eq == 0) throw PlanError(what + " " + kv + ": expected key=value");
  return {kv.substr(0, eq), kv.substr(eq + 1)};
}

std::string expand_root(std::string value, const std::string& root) {
  const std::string token = "${root}";
  for (size_t pos; (pos = value.find(token)) != std::string::npos;) value.replace(pos, token.size(), root);
  return value;
}

std::vector<std::string> RunPlan::readable_files() const {
  std::vector<std::string> out;
  for (const auto& [k, v] : sut_config) {
    std::error_code ec;
    if (!v.empty() && v[0] == '/' && std::filesystem::exists(v, ec)) out.push_back(v);
  }
  return out;
}

namespace {

const Workload& find_ready_workload(const Registry& reg, const std::string& id) {
  const Workload* w = reg.find_workload(id);
  if (!w) {
    std::string known;
    for (const auto& x : reg.workloads) known += (known.empty() ? "" : ", ") + x.id;
    throw PlanError("--workload " + id + ": unknown workload (known: " + known + ")");
  }
  if (w->status != "ready")
    throw PlanError("--workload " + id + ": status is '" + w->status + "' in " + reg.path +
                    ": its data set and model are not there yet");
  return *w;
}

Settings settings_with_overrides(const Workload& w, Scenario sc, const std::string& scenario_name,
                                 const std::vector<std::string>& sets, const std::string& registry_path) {
  const auto it = w.scenarios.find(sc);
  if (it == w.scenarios.end())
    throw PlanError("--scenario " + scenario_name + ": workload " + w.id + " does not define it in " + registry_path);
  Settings s = it->second;
  for (const auto& kv : sets) {
    const auto [k, v] = split_key_value(kv, "--set");
    apply_setting(s, k, v);
  }
  if (std::string problem = settings_problem(s, sc); !problem.empty()) throw PlanError("--set: " + problem);
  return s;
}

std::vector<std::pair<std::string, std::string>> sut_config_with_options(const Workload& w, const std::string& root,
                                                                         const std::vector<std::string>& opts) {
  std::vector<std::pair<std::string, std::string>> cfg;
  for (const auto& [k, v] : w.sut_config) cfg.emplace_back(k, expand_root(v, root));
  for (const auto& kv : opts) {
    const auto [k, v] = split_key_value(kv, "--sut-opt");
    bool replaced = false;
    for (auto& e : cfg)
      if (e.first == k) e.second = v, replaced = true;
    if (!replaced) cfg.emplace_back(k, v);
  }
  return cfg;
}

// Fills tokens and abi_samples from samples; called once the samples are final.
void build_abi_samples(RunPlan& p) {
  p.tokens.assign(p.samples.size(), {});
  p.abi_samples.assign(p.samples.size(), edu_sample{});
  for (size_t i = 0; i < p.samples.size(); ++i) {
    const Sample& s = p.samples[i];
    if (p.workload.tokenizer == "bytes") p.tokens[i] = tokenize_bytes(s.text);
    edu_sample& a = p.abi_samples[i];
    a.struct_size = sizeof(edu_sample);
    a.index = s.index;
    a.text = s.text.c_str();
    a.text_len = s.text.size();
    a.tokens = p.tokens[i].empty() ? nullptr : p.tokens[i].data();
    a.n_tokens = p.tokens[i].size();
    a.max_new_tokens = p.workload.max_new_tokens;
  }
}

Provenance provenance_of(const Registry& reg, const Workload& w, const Dataset& ds, const RunRequest& req) {
  Provenance p;
  p.registry_path = reg.path;
  try {
    p.registry_sha256 = sha256_file(reg.path);
  } catch (const std::exception&) {
  }
  p.dataset_id = ds.id;
  p.dataset_sha256 = ds.sha256;
  for (const auto& [role, model_id] : w.models)
    if (const Model* m = reg.find_model(model_id)) p.model_sha256.emplace_back(model_id, m->weights_sha256);
  p.overrides = req.sets;
  return p;
}

}  // namespace

RunPlan plan_run(const Registry& reg, const RunRequest& req) {
  RunPlan p;
  const auto scenario = parse_scenario(req.scenario);
  if (!scenario) throw PlanError("--scenario " + req.scenario + ": expected single_stream, offline or server");
  p.scenario = *scenario;
  p.mode = req.mode;
  p.workload = find_ready_workload(reg, req.workload);
  p.settings = settings_with_overrides(p.workload, p.scenario, req.scenario, req.sets, reg.path);
  p.sut_config = sut_config_with_options(p.workload, reg.root, req.sut_opts);
  const Dataset* ds = reg.find_dataset(p.workload.dataset);
  p.samples = load_samples(*ds);
  if (p.samples.empty()) throw PlanError(ds->path + ": the data set " + ds->id + " has no samples");
  if (const uint64_t n = p.settings.prompt_tokens) {
    if (p.workload.tokenizer != "bytes")
      throw PlanError("setting prompt_tokens=" + std::to_string(n) + ": the workload " + p.workload.id +
                      " has no tokenizer (expected 0)");
    std::vector<Sample> kept = with_prompt_tokens(p.samples, n);
    if (kept.empty()) {
      std::set<size_t> lengths;
      for (const auto& s : p.samples) lengths.insert(s.text.size());
      std::string have;
      for (size_t l : lengths) have += (have.empty() ? "" : ", ") + std::to_string(l);
      if (lengths.size() > 12) have = std::to_string(*lengths.begin()) + " to " + std::to_string(*lengths.rbegin());
      throw PlanError("setting prompt_tokens=" + std::to_string(n) + ": no prompt of the data set " + ds->id +
                      " has that many tokens (it has " + have + ")");
    }
    p.samples = std::move(kept);
  }
  if (req.sample_limit && p.samples.size() > req.sample_limit) p.samples.resize(req.sample_limit);
  build_abi_samples(p);
  p.provenance = provenance_of(reg, p.workload, *ds, req);
  return p;
}

}  // namespace edubench::registry
