#include "submission.hpp"

#include <edubench/harness/run.hpp>
#include <edubench/harness/submission.hpp>
#include <edubench/session/errors.hpp>

#include <edubench/compliance/check.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

namespace edubench::harness {
namespace {
namespace fs = std::filesystem;
using json = nlohmann::json;

// Sends stdout and stderr (file descriptors 1 and 2, so whatever a plugin prints is caught too)
// to a log file for its lifetime.
class OutputCapture {
 public:
  explicit OutputCapture(const std::string& path) {
    flush();
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return;  // nothing captured: the lines reach the terminal instead
    saved_out_ = ::dup(1);
    saved_err_ = ::dup(2);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::close(fd);
  }
  ~OutputCapture() {
    if (saved_out_ < 0) return;
    flush();
    ::dup2(saved_out_, 1);
    ::dup2(saved_err_, 2);
    ::close(saved_out_);
    ::close(saved_err_);
  }
  OutputCapture(const OutputCapture&) = delete;
  OutputCapture& operator=(const OutputCapture&) = delete;

 private:
  static void flush() {
    std::cout.flush();
    std::cerr.flush();
    std::fflush(nullptr);
  }
  int saved_out_ = -1, saved_err_ = -1;
};

std::optional<json> read_json(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  json j = json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  return j;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// The figure each scenario is judged by, as the checker's validity line states it: Offline
// throughput, SingleStream p90 latency, Server p99 latency.
void read_metric(const fs::path& dir, GradeRow& r) {
  const auto perf = read_json(dir / runlog::kPerformanceRun / "result.json");
  if (!perf || !perf->contains("metrics") || !(*perf)["metrics"].is_object()) return;
  const json& m = (*perf)["metrics"];
  const json* v = nullptr;
  if (r.scenario == "offline") {
    r.metric_name = "samples_per_s";
    r.higher_is_better = true;
    if (m.contains("samples_per_s")) v = &m["samples_per_s"];
  } else {
    const char* pct = r.scenario == "server" ? "p99" : "p90";
    r.metric_name = std::string("latency_") + pct + "_ms";
    if (m.contains("latency_ms") && m["latency_ms"].is_object() && m["latency_ms"].contains(pct))
      v = &m["latency_ms"][pct];
  }
  if (v && v->is_number()) r.metric_value = v->get<double>();
}

void read_accuracy(const fs::path& dir, GradeRow& r) {
  const auto acc = read_json(dir / runlog::kAccuracyRun / "result.json");
  if (!acc || !acc->contains("accuracy") || !(*acc)["accuracy"].is_object()) return;
  const json& a = (*acc)["accuracy"];
  if (a.contains("metric") && a["metric"].is_string()) r.accuracy_metric = a["metric"].get<std::string>();
  if (a.contains("value") && a["value"].is_number()) r.accuracy_value = a["value"].get<double>();
}

// The first reason a run of the submission gave for not being VALID, e.g. a plugin failure.
std::string first_run_problem(const fs::path& dir) {
  for (const char* run : {runlog::kPerformanceRun, runlog::kAccuracyRun, runlog::kAuditRun}) {
    const auto res = read_json(dir / run / "result.json");
    if (!res || !res->contains("invalid_reasons") || !(*res)["invalid_reasons"].is_array()) continue;
    for (const json& reason : (*res)["invalid_reasons"])
      if (reason.is_string()) return std::string(run) + ": " + reason.get<std::string>();
  }
  return "";
}

// verdict.json: the failed rules' names, and the first one's line for the detail column.
bool read_verdict(const fs::path& dir, GradeRow& r) {
  const auto v = read_json(dir / runlog::kVerdictFile);
  if (!v || !v->contains("rules") || !(*v)["rules"].is_array()) return false;
  size_t failed = 0;
  for (const json& rule : (*v)["rules"]) {
    if (!rule.is_object() || rule.value("status", "") == "PASS") continue;
    const std::string name = rule.value("rule", "?");
    r.failed_rules += (r.failed_rules.empty() ? "" : " ") + name;
    if (failed++ == 0) r.detail = name + ": " + rule.value("file", "") + ": " + rule.value("figures", "");
  }
  if (failed > 1) r.detail += " (" + std::to_string(failed) + " rules fail)";
  return v->value("passed", false) && failed == 0;
}

// `check` over a run directory that holds a submission; its output goes wherever stdout is.
struct CheckOutcome {
  std::optional<int> exit;  // nullopt: there is no submission.json to check
  std::string error;
  double seconds = 0;
};

CheckOutcome run_check(const fs::path& dir, const std::string& registry_path, const std::string& division) {
  CheckOutcome c;
  std::error_code ec;
  if (!fs::exists(dir / runlog::kSubmissionFile, ec)) return c;
  const auto t0 = std::chrono::steady_clock::now();
  try {
    const registry::Registry reg = load_registry_or_bad_input(registry_path);
    c.exit = compliance::check_and_report(dir.string(), reg, division) == 0 ? kExitValid : kExitCheckFailed;
  } catch (const HarnessError& e) {
    c.exit = e.code();
    c.error = e.what();
  } catch (const std::invalid_argument& e) {
    c.exit = kExitBadInput;
    c.error = e.what();
  } catch (const std::exception& e) {
    c.exit = kExitInternal;
    c.error = std::string("internal: ") + e.what();
  }
  c.seconds = seconds_since(t0);
  return c;
}

// The row's verdict from the exit codes and what the run directory holds.
void judge(GradeRow& r, const fs::path& dir, int sub, const std::optional<int>& chk, const std::string& error) {
  r.submission_exit = sub;
  r.check_exit = chk;
  r.failed_rules.clear();
  r.detail.clear();
  read_metric(dir, r);
  read_accuracy(dir, r);
  const bool passed = chk && read_verdict(dir, r);
  if (chk == kExitValid && passed) {
    r.verdict = "PASS";
  } else if (chk == kExitCheckFailed) {
    r.verdict = "FAIL";
    // A run that could not happen says why better than the rules it left unprovable.
    if (sub == kExitPluginFailure)
      if (const std::string why = first_run_problem(dir); !why.empty()) r.detail = why + "; " + r.detail;
  } else {
    r.verdict = "ERROR";  // the harness, not the team: the submission or the check could not be made
    r.detail = error.empty() ? "check exited " + std::to_string(chk.value_or(-1)) : error;
  }
}

}  // namespace

std::optional<GradeRow> grade_submission(GradeRow r, const std::vector<std::string>& sets,
                                         const std::string& command_line, uint64_t sut_memory_mb) {
  const fs::path dir = r.run_dir;
  std::error_code ec;
  fs::remove_all(dir, ec);  // an earlier, unfinished attempt must not mix into this one
  fs::create_directories(dir, ec);
  if (ec) {
    r.verdict = "ERROR";
    r.detail = dir.string() + ": cannot create the run directory: " + ec.message();
    return r;
  }
  RunOptions o;
  o.registry_path = r.registry_path;
  o.workload = r.workload;
  o.sut = r.plugin_path;
  o.scenario = r.scenario;
  o.mode = "submission";
  o.output = dir.string();
  o.division = r.division;
  o.sets = sets;
  o.isolation = "process";
  o.sut_memory_mb = sut_memory_mb;
  o.quiet = true;
  o.command_line = command_line;

  std::string error;
  int sub = kExitInternal;
  CheckOutcome chk;
  {
    OutputCapture capture((dir / "grade.log").string());
    const auto t0 = std::chrono::steady_clock::now();
    try {
      sub = run_submission(o);
    } catch (const HarnessError& e) {
      sub = e.code();
      error = e.what();
    } catch (const std::exception& e) {
      error = std::string("internal: ") + e.what();
    }
    r.submission_s = seconds_since(t0);
    if (sub == kExitInterrupted) return std::nullopt;
    chk = run_check(dir, r.registry_path, r.division);
  }
  if (chk.exit) r.check_s = chk.seconds;
  judge(r, dir, sub, chk.exit, chk.error.empty() ? error : chk.error);
  return r;
}

std::optional<GradeRow> recheck_submission(GradeRow r) {
  const fs::path dir = r.run_dir;
  std::error_code ec;
  if (r.run_dir.empty() || !fs::exists(dir / runlog::kSubmissionFile, ec)) return std::nullopt;
  CheckOutcome chk;
  {
    OutputCapture capture((dir / "recheck.log").string());
    chk = run_check(dir, r.registry_path, r.division);
  }
  r.check_s = chk.seconds;
  judge(r, dir, r.submission_exit.value_or(kExitInternal), chk.exit, chk.error);
  return r;
}

}  // namespace edubench::harness
