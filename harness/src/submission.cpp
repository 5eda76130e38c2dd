#include <edubench/harness/submission.hpp>

#include <edubench/session/errors.hpp>
#include <edubench/session/plugin.hpp>
#include <edubench/harness/system_info.hpp>

#include <edubench/runlog/submission_layout.hpp>
#include <edubench/registry/registry.hpp>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace edubench::harness {
namespace {
namespace fs = std::filesystem;
using ojson = nlohmann::ordered_json;

// The registry entry the runs were held to, so the submission describes itself even after
// workloads.yaml changes.
ojson registry_entry(const registry::Registry& reg, const registry::Workload& w, registry::Scenario sc) {
  ojson e;
  e["path"] = reg.path;
  try {
    e["sha256"] = registry::sha256_file(reg.path);
  } catch (const std::exception&) {
    e["sha256"] = "";
  }
  ojson wl;
  wl["id"] = w.id;
  wl["kind"] = registry::to_string(w.kind);
  const registry::Dataset* ds = reg.find_dataset(w.dataset);
  wl["dataset"] = {{"id", w.dataset}, {"sha256", ds ? ds->sha256 : ""}};
  ojson models = ojson::object();
  for (const auto& [role, id] : w.models) {
    const registry::Model* m = reg.find_model(id);
    models[role] = {{"id", id}, {"weights_sha256", m ? m->weights_sha256 : ""}};
  }
  wl["models"] = models;
  wl["max_new_tokens"] = w.max_new_tokens;
  wl["eos_token"] = w.eos_token;
  wl["accuracy"] = {{"metric", w.accuracy.metric}, {"reference", w.accuracy.reference},
                    {"closed_fraction", w.accuracy.closed_fraction}, {"open_floor", w.accuracy.open_floor}};
  wl["scenario"] = registry::to_string(sc);
  ojson settings = ojson::object();
  for (const auto& [k, v] : registry::settings_fields(w.scenarios.at(sc))) settings[k] = v;
  wl["settings"] = settings;
  e["workload"] = wl;
  return e;
}

// The first sample of the audit's one-sample pool (performance_sample_offset; the load generator
// takes it modulo the data set's size). Drawn from the OS at submission time, not from a seed, so
// a plugin cannot know in advance which sample the audit repeats and be honest only for it.
// 32 bits: far more than any data set's size, and within the setting's range.
uint64_t draw_audit_offset() { return std::random_device{}(); }

bool stops_submission(int code) {
  // A run that could not happen (input, plugin, harness, interrupt) makes the rest pointless;
  // an invalid or inaccurate run is evidence the checker should see.
  return code != kExitValid && code != kExitInvalidRun && code != kExitAccuracyFailed;
}

}  // namespace

int run_submission(const RunOptions& o) {
  if (o.division != "closed" && o.division != "open")
    throw BadInput("--division " + o.division + ": expected closed or open");
  const registry::Registry reg = load_registry_or_bad_input(o.registry_path);
  const registry::Workload* w = reg.find_workload(o.workload);
  const auto sc = registry::parse_scenario(o.scenario);
  // Unknown workload or scenario: the first run names the problem with run's own messages.
  const std::string dir = o.output.empty() ? default_run_dir(o.workload, o.scenario, "submission") : o.output;

  struct Step {
    const char* name;
    const char* mode;
    bool audit;
  };
  // The audit runs between the two runs TEST04 measures it against, so a machine that speeds
  // up or slows down during the submission cannot make an honest audit look too fast.
  const Step steps[] = {{runlog::kPerformanceRun, "performance", false},
                        {runlog::kAuditRun, "performance", true},
                        {runlog::kAccuracyRun, "accuracy", false}};
  {
    std::error_code ec;  // a verdict from an earlier submission in DIR would describe other runs
    fs::remove(fs::path(dir) / runlog::kVerdictFile, ec);
  }
  uint64_t audit_offset = 0;
  try {
    audit_offset = draw_audit_offset();
  } catch (const std::exception& e) {  // no entropy source: an audit on a known sample proves less
    std::fprintf(stderr, "edubench: error: cannot draw the audit's sample (std::random_device): %s\n", e.what());
    return kExitInternal;
  }
  std::vector<std::string> audit_sets = {"performance_sample_count=1",
                                         "performance_sample_offset=" + std::to_string(audit_offset)};
  // Offline hands the SUT the whole audit in one batch: mixed among distinct samples, it is not
  // a batch of one prompt over and over, which a SUT could recognise and serve honestly.
  if (sc == registry::Scenario::offline)
    audit_sets.push_back("audit_mix=" + registry::format_number(registry::kOfflineAuditMix));
  ojson runs = ojson::object();
  int result = kExitValid;
  for (const Step& s : steps) {
    RunOptions ro = o;
    ro.isolation = isolation_of(o);  // decided by the submission, not by each run's mode
    ro.mode = s.mode;
    ro.output = (fs::path(dir) / s.name).string();
    ro.quiet = true;  // three summaries would bury the one line per run below
    if (s.audit) ro.sets.insert(ro.sets.end(), audit_sets.begin(), audit_sets.end());  // after --set: they win
    const int code = run_once(ro);
    std::string manifest_sha;
    try {
      manifest_sha = registry::sha256_file((fs::path(ro.output) / "manifest.json").string());
    } catch (const std::exception&) {
    }
    runs[s.name] = {{"mode", s.mode}, {"exit_code", code}, {"manifest_sha256", manifest_sha}};
    if (!o.quiet) std::printf("%-18s exit %d  %s\n", s.name, code, ro.output.c_str());
    if (code != kExitValid && result == kExitValid) result = code;
    if (stops_submission(code)) break;
  }

  ojson sub;
  sub["schema"] = 1;
  sub["workload"] = o.workload;
  sub["scenario"] = o.scenario;
  sub["division"] = o.division;
  std::string plugin_path = o.sut, plugin_sha;
  try {
    plugin_path = resolve_plugin(o.sut);
    plugin_sha = registry::sha256_file(plugin_path);
  } catch (const std::exception&) {
  }
  sub["sut"] = {{"spec", o.sut}, {"path", plugin_path}, {"sha256", plugin_sha}, {"options", o.sut_opts}};
  sub["registry"] = w && sc && w->scenarios.count(*sc) ? registry_entry(reg, *w, *sc) : ojson(nullptr);
  sub["overrides"] = o.sets;
  sub["isolation"] = isolation_of(o);
  // The checker's run_rules accepts the audit's offset only when it equals the one recorded here.
  ojson audit = {{"run", runlog::kAuditRun}, {"set", audit_sets}, {"performance_sample_offset", audit_offset}};
  if (w && sc && w->scenarios.count(*sc)) {  // what the checker will hold the audit to
    audit["test04_tolerance"] = w->scenarios.at(*sc).test04_tolerance;
    audit["test04_slack_ms"] = w->scenarios.at(*sc).test04_slack_ms;
  }
  sub["audit"] = audit;
  sub["runs"] = runs;
  ojson system = ojson::object();
  for (const auto& [k, v] : system_info()) system[k] = v;
  sub["system"] = system;
  sub["harness"] = {{"version", harness_version()}, {"git", harness_git()}, {"command", o.command_line}};
  const fs::path file = fs::path(dir) / runlog::kSubmissionFile;
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << sub.dump(2, ' ', false, ojson::error_handler_t::replace) << "\n";
  out.close();
  if (!out) {
    std::fprintf(stderr, "edubench: error: cannot write %s\n", file.string().c_str());
    return kExitInternal;
  }
  if (!o.quiet) std::printf("submission directory: %s (check it: edubench check %s)\n", dir.c_str(), dir.c_str());
  std::fflush(nullptr);
  return result;
}

}  // namespace edubench::harness
