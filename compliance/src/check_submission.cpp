// check_submission: reads a submission directory and applies every rule. Files are read here;
// the rules themselves (check_*.cpp) work on what was read. Any file that cannot be read or
// parsed becomes a FAIL result naming it, and the rules that needed it are reported as not
// provable, so the checker never stops early and never throws at its caller.
#include <edubench/compliance/check.hpp>
#include <edubench/runlog/hidden_tests.hpp>
#include <edubench/runlog/run_dir.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>

namespace edubench::compliance {
namespace {
namespace fs = std::filesystem;
using json = nlohmann::json;

struct Run {
  std::string name;
  bool audit = false;
  std::optional<json> manifest;
  std::optional<runlog::RunLog> log;
};

std::optional<json> read_json(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  json j = json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  return j;
}

std::string str_at(const json& j, const char* a, const char* b = nullptr) {
  const json* p = &j;
  for (const char* k : {a, b}) {
    if (!k) break;
    if (!p->is_object() || !p->contains(k)) return "";
    p = &(*p)[k];
  }
  return p->is_string() ? p->get<std::string>() : "";
}

// Runs `rule` and turns any exception into a FAIL result: the checker's promise is one line
// per rule, never a traceback.
void add(std::vector<RuleResult>& out, const std::string& rule, const std::string& file,
         const std::function<RuleResult()>& fn) {
  try {
    RuleResult r = fn();
    if (r.rule.empty()) r.rule = rule;
    out.push_back(std::move(r));
  } catch (const std::exception& e) {
    out.push_back({rule, false, file, std::string("cannot be checked: ") + e.what()});
  }
}

RuleResult unprovable(const std::string& rule, const std::string& file, const std::string& why) {
  return {rule, false, file, "cannot be checked: " + why};
}

// Hashes every run's manifest must agree on, and (closed division) equal the registry's.
void hash_rules(std::vector<RuleResult>& out, const std::vector<Run>& runs, const json& sub,
                const registry::Registry& reg, const registry::Workload& w, bool closed) {
  // Plugin: the same file in every run, the one submission.json names.
  add(out, "plugin_hash", kSubmissionFile, [&] {
    RuleResult r{"plugin_hash", false, kSubmissionFile, ""};
    const std::string declared = str_at(sub, "sut", "sha256");
    if (declared.empty()) return r.figures = "submission.json declares no sut.sha256", r;
    for (const Run& run : runs) {
      if (!run.manifest) return unprovable(r.rule, run.name + "/manifest.json", "unreadable");
      const std::string got = str_at(*run.manifest, "sut", "sha256");
      if (got != declared) {
        r.file = run.name + "/manifest.json";
        r.figures = "plugin sha256 " + got.substr(0, 16) + "... differs from submission.json's " +
                    declared.substr(0, 16) + "...";
        return r;
      }
    }
    r.pass = true;
    r.figures = "the same plugin (sha256 " + declared.substr(0, 16) + "...) in all " + std::to_string(runs.size()) + " runs";
    return r;
  });
  const registry::Dataset* ds = reg.find_dataset(w.dataset);
  add(out, "dataset_hash", kSubmissionFile, [&] {
    RuleResult r{"dataset_hash", false, kSubmissionFile, ""};
    for (const Run& run : runs) {
      if (!run.manifest) return unprovable(r.rule, run.name + "/manifest.json", "unreadable");
      const std::string id = str_at(*run.manifest, "dataset", "id"), sha = str_at(*run.manifest, "dataset", "sha256");
      if (!ds || id != ds->id || sha != ds->sha256) {
        r.file = run.name + "/manifest.json";
        r.figures = "data set " + id + " sha256 " + sha.substr(0, 16) + "... is not the registry's " +
                    (ds ? ds->id + " " + ds->sha256.substr(0, 16) + "..." : std::string("(none)"));
        return r;
      }
    }
    r.pass = true;
    r.figures = "data set " + ds->id + " (sha256 " + ds->sha256.substr(0, 16) + "...) is the registry's in every run";
    return r;
  });
  add(out, "model_hash", kSubmissionFile, [&] {
    RuleResult r{"model_hash", false, kSubmissionFile, ""};
    std::optional<json> first;
    size_t n_models = 0;
    for (const Run& run : runs) {
      if (!run.manifest) return unprovable(r.rule, run.name + "/manifest.json", "unreadable");
      const json models = run.manifest->value("models", json::object());
      r.file = run.name + "/manifest.json";
      if (first && models != *first) return r.figures = "model hashes differ between runs", r;
      first = models;
      for (const auto& [role, id] : w.models) {
        const registry::Model* m = reg.find_model(id);
        const std::string got = models.contains(id) && models[id].is_string() ? models[id].get<std::string>() : "";
        if (closed && (!m || got != m->weights_sha256))
          return r.figures = "closed division: model " + id + " (" + role + ") sha256 '" + got.substr(0, 16) +
                             "' is not the registry's", r;
        if (!closed && got.empty()) return r.figures = "open division: model " + id + " (" + role + ") not declared", r;
      }
      n_models = w.models.size();
    }
    r.pass = true;
    r.file = kSubmissionFile;
    r.figures = n_models == 0 ? "the workload uses no model weights"
                              : std::to_string(n_models) + (closed ? " model(s) equal the registry's weights"
                                                                   : " model(s) declared, the same in every run");
    return r;
  });
}

// The audit's performance_sample_offset as submission.json records it (audit.performance_sample_offset),
// nullopt when it records none or not as an unsigned integer.
std::optional<uint64_t> recorded_audit_offset(const json& sub) {
  const auto audit = sub.find("audit");
  if (audit == sub.end() || !audit->is_object()) return std::nullopt;
  const auto offset = audit->find("performance_sample_offset");
  if (offset == audit->end() || !offset->is_number_unsigned()) return std::nullopt;
  return offset->get<uint64_t>();
}

}  // namespace

std::vector<RuleResult> check_submission(const std::string& dir, const registry::Registry& reg,
                                         const std::string& division_arg, std::string* division_used) {
  std::vector<RuleResult> out;
  const fs::path root(dir);
  const std::optional<json> sub = read_json(root / kSubmissionFile);
  if (!sub) return {{"submission", false, kSubmissionFile, "missing, unreadable or not a JSON object"}};
  const std::string workload_id = str_at(*sub, "workload"), scenario_name = str_at(*sub, "scenario");
  const std::string division = division_arg.empty() ? str_at(*sub, "division") : division_arg;
  if (division_used) *division_used = division;
  const registry::Workload* w = reg.find_workload(workload_id);
  const auto scenario = registry::parse_scenario(scenario_name);
  {
    RuleResult r{"submission", false, kSubmissionFile, ""};
    if (!w) r.figures = "workload '" + workload_id + "' is not in " + reg.path;
    else if (!scenario || !w->scenarios.count(*scenario))
      r.figures = "scenario '" + scenario_name + "' is not defined for " + workload_id + " in " + reg.path;
    else if (division != "closed" && division != "open")
      r.figures = "division '" + division + "': expected closed or open";
    else {
      r.pass = true;
      r.figures = workload_id + " / " + scenario_name + ", " + division + " division" +
                  (division_arg.empty() || division_arg == str_at(*sub, "division")
                       ? ""
                       : " (checked as " + division_arg + ", declared " + str_at(*sub, "division") + ")");
    }
    out.push_back(r);
    if (!r.pass) return out;
  }
  const registry::Settings& registered = w->scenarios.at(*scenario);

  // The runs: sealed (manifest), then read back. A run that cannot be read fails here once.
  std::vector<Run> runs = {{kPerformanceRun, false, {}, {}}, {kAccuracyRun, false, {}, {}}, {kAuditRun, true, {}, {}}};
  const std::string expected_mode[] = {"performance", "accuracy", "performance"};
  for (size_t i = 0; i < runs.size(); ++i) {
    Run& run = runs[i];
    const fs::path rd = root / run.name;
    add(out, "manifest." + run.name, run.name + "/manifest.json", [&] {
      RuleResult r = check_manifest_files(rd.string(), run.name);
      // The submission pins each run's manifest, so a rewritten manifest is caught as well.
      const std::string pinned = sub->contains("runs") ? str_at((*sub)["runs"], run.name.c_str(), "manifest_sha256") : "";
      std::string actual;
      try {
        actual = registry::sha256_file((rd / "manifest.json").string());
      } catch (const std::exception&) {
      }
      if (r.pass && pinned != actual) {
        r.pass = false;
        r.file = run.name + "/manifest.json";
        r.figures = "sha256 differs from the one submission.json pins (manifest rewritten after the run)";
      }
      return r;
    });
    run.manifest = read_json(rd / "manifest.json");
    add(out, "log." + run.name, run.name + "/events.jsonl", [&] {
      try {
        run.log = runlog::read_run_log((rd / "events.jsonl").string(), (rd / "accuracy.jsonl").string());
      } catch (const runlog::FormatError& e) {
        // FormatError is "PATH:LINE: what"; the report names files within the submission.
        std::string what = e.what();
        const std::string prefix = (root / "").string();
        if (what.rfind(prefix, 0) == 0) what = what.substr(prefix.size());
        const size_t sep = what.find(": ");
        return sep == std::string::npos ? RuleResult{"log." + run.name, false, run.name, what}
                                        : RuleResult{"log." + run.name, false, what.substr(0, sep), what.substr(sep + 2)};
      }
      RuleResult r{"log." + run.name, true, run.name + "/events.jsonl", ""};
      if (run.log->workload != workload_id || run.log->scenario != *scenario || run.log->mode != expected_mode[i]) {
        r.pass = false;
        r.figures = "the run is " + run.log->workload + " / " + registry::to_string(run.log->scenario) + " / " +
                    run.log->mode + ", expected " + workload_id + " / " + scenario_name + " / " + expected_mode[i];
      } else {
        r.figures = std::to_string(run.log->queries.size()) + " queries read back from events.jsonl and accuracy.jsonl";
      }
      return r;
    });
  }
  hash_rules(out, runs, *sub, reg, *w, division == "closed");

  std::vector<registry::Sample> samples;
  bool have_samples = false;
  add(out, "dataset", w->dataset, [&] {
    // Checks the pinned sha256; the registered prompt length selects the samples as the run did.
    samples = registry::with_prompt_tokens(registry::load_samples(*reg.find_dataset(w->dataset)), registered.prompt_tokens);
    have_samples = true;
    return RuleResult{"dataset", true, w->dataset, std::to_string(samples.size()) + " samples loaded, sha256 as pinned"};
  });

  for (const Run& run : runs) {
    const std::string events = run.name + "/events.jsonl";
    if (!run.log) {
      for (const char* rule : {"run_rules.", "validity.", "figures.", "TEST06."})
        out.push_back(unprovable(rule + run.name, events, "the run's log could not be read"));
      continue;
    }
    add(out, "run_rules." + run.name, events, [&] {
      RuleResult r = check_run_settings(*run.log, registered, run.audit, events, recorded_audit_offset(*sub));
      return r.rule += "." + run.name, r;
    });
    add(out, "validity." + run.name, events, [&] {
      RuleResult r = check_validity(*run.log, events);
      return r.rule += "." + run.name, r;
    });
    add(out, "figures." + run.name, run.name + "/result.json", [&] {
      RuleResult r = check_result_figures(*run.log, (root / run.name / "result.json").string(), run.name + "/result.json");
      return r.rule += "." + run.name, r;
    });
    add(out, "TEST06." + run.name, run.name + "/accuracy.jsonl", [&] {
      RuleResult r = check_test06(*run.log, *w, run.name + "/accuracy.jsonl");
      return r.rule += "." + run.name, r;
    });
    if (w->kind == registry::Kind::react || w->kind == registry::Kind::codegen)
      add(out, "agent_trace." + run.name, events, [&] {
        RuleResult r = check_agent_trace(*run.log, events);
        return r.rule += "." + run.name, r;
      });
  }

  const Run& perf = runs[0];
  const Run& acc = runs[1];
  const Run& audit = runs[2];
  const std::string acc_file = std::string(kAccuracyRun) + "/accuracy.jsonl";
  const bool code_workload = w->accuracy.metric == "pass_rate";
  if (acc.log && have_samples) {
    // Code workloads: every recorded verdict is run again, and accuracy is scored on the
    // checker's own verdicts, never on the ones the submission carries.
    std::optional<runlog::RunLog> rescored;
    if (code_workload)
      add(out, "hidden_tests", acc_file, [&] {
        runlog::RunLog again;
        RuleResult r = check_hidden_tests(*acc.log, samples, runlog::code_limits(registered), acc_file, &again);
        rescored = std::move(again);
        return r;
      });
    if (code_workload && !rescored)
      out.push_back(unprovable("accuracy", acc_file, "the hidden tests could not be run again"));
    else
      add(out, "accuracy", acc_file, [&] { return check_accuracy(rescored ? *rescored : *acc.log, *w, samples, division, acc_file); });
    add(out, "accuracy_coverage", acc_file, [&] { return check_accuracy_coverage(*acc.log, *w, samples, acc_file); });
    const std::string result_file = std::string(kAccuracyRun) + "/result.json";
    if (code_workload && !rescored)
      out.push_back(unprovable("accuracy_figures", result_file, "the hidden tests could not be run again"));
    else
      add(out, "accuracy_figures", result_file, [&] {
        return check_accuracy_figures(rescored ? *rescored : *acc.log, *w, samples,
                                      (root / kAccuracyRun / "result.json").string(), result_file);
      });
  } else {
    const std::string why = acc.log ? "the data set could not be loaded" : "the accuracy run's log could not be read";
    if (code_workload) out.push_back(unprovable("hidden_tests", acc_file, why));
    out.push_back(unprovable("accuracy", acc_file, why));
    out.push_back(unprovable("accuracy_coverage", acc_file, why));
    out.push_back(unprovable("accuracy_figures", std::string(kAccuracyRun) + "/result.json", why));
  }
  const std::string perf_file = std::string(kPerformanceRun) + "/accuracy.jsonl";
  if (perf.log && acc.log)
    add(out, "TEST01", perf_file, [&] { return check_test01(*perf.log, *acc.log, perf_file); });
  else
    out.push_back(unprovable("TEST01", perf_file, "a run's log could not be read"));
  // Generation (greedy, deterministic): accuracy and output length in the timed run as well.
  if (w->kind == registry::Kind::generation) {
    const std::string perf_events = std::string(kPerformanceRun) + "/events.jsonl";
    if (perf.log && acc.log && have_samples)
      add(out, "TEST07", perf_file, [&] { return check_test07(*perf.log, *acc.log, *w, samples, division, perf_file); });
    else
      out.push_back(unprovable("TEST07", perf_file, "a run's log or the data set could not be read"));
    if (perf.log && have_samples)
      add(out, "TEST09", perf_events, [&] { return check_test09(*perf.log, samples, perf_events); });
    else
      out.push_back(unprovable("TEST09", perf_events, "the performance log or the data set could not be read"));
  }
  const std::string audit_file = std::string(kAuditRun) + "/events.jsonl";
  // The tolerances are the registry's (the scenario's settings), never what a run recorded.
  if (perf.log && audit.log && acc.log)
    add(out, "TEST04", audit_file, [&] {
      // With the data set loaded, the audit's sample must also be the one its offset selects.
      return check_test04(*perf.log, *audit.log, *acc.log, w->kind, registered.test04_tolerance,
                          registered.test04_slack_ms, audit_file, have_samples ? samples.size() : 0);
    });
  else
    out.push_back(unprovable("TEST04", audit_file, "a run's log could not be read"));
  return out;
}

}  // namespace edubench::compliance
