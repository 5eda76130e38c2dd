#include "run_state.hpp"

#include "agent_services.hpp"
#include "clock.hpp"

#include <edubench/runlog/hidden_tests.hpp>
#include <edubench/runlog/metrics.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

namespace edubench::harness {
namespace fs = std::filesystem;

void start_log(RunState& st, const std::vector<std::pair<std::string, std::string>>& system,
               const std::string& harness_version, const std::string& harness_git) {
  const registry::RunPlan& plan = st.plan;
  st.log.workload = plan.workload.id;
  st.log.scenario = plan.scenario;
  st.log.mode = plan.mode;
  st.log.settings = plan.settings;
  runlog::RunContext& ctx = st.ctx;
  ctx.division = st.opts.division;
  ctx.harness_version = harness_version;
  ctx.harness_git = harness_git;
  ctx.registry_path = plan.provenance.registry_path;
  ctx.registry_sha256 = plan.provenance.registry_sha256;
  ctx.dataset_id = plan.provenance.dataset_id;
  ctx.dataset_sha256 = plan.provenance.dataset_sha256;
  ctx.model_sha256 = plan.provenance.model_sha256;
  ctx.overrides = plan.provenance.overrides;
  for (const auto& [k, v] : plan.sut_config) ctx.sut_options.push_back(k + "=" + v);
  ctx.system = system;
  ctx.command_line = st.opts.command_line;
}

void record_plugin(RunState& st, const PluginDescription& d, const std::string& extra_file) {
  runlog::RunContext& ctx = st.ctx;
  ctx.sut_sha256 = d.sha256;
  ctx.sut_name = d.name;
  ctx.sut_version = d.version;
  ctx.sut_abi_major = d.abi_major;
  ctx.sut_abi_minor = d.abi_minor;
  ctx.containment = d.containment;
  if (!extra_file.empty()) ctx.extra_files.push_back(extra_file);
}

namespace {

std::string read_file(const std::string& path) {
  std::ifstream f(path);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

int exit_code_for(const RunOutcome& out, const runlog::Metrics& m, const runlog::AccuracyResult* acc) {
  if (out.aborted) return out.exit_code;
  if (!m.valid) return kExitInvalidRun;
  if (acc && !acc->passed) return kExitAccuracyFailed;
  return kExitValid;
}

}  // namespace

void start_drain(RunState& st) {
  st.process_cpu0_s = process_cpu_s();
  st.log.start_ns = now_ns();
  st.drain = std::make_unique<LogDrain>(*st.table, st.log, st.dir);
  st.drain->start();
}

int finalize(RunState& st, const RunOutcome& out) {
  std::lock_guard<std::mutex> g(st.finalize_mu);
  runlog::RunLog& log = st.log;
  if (st.drain) {
    st.table->side_logs(log);  // the queries went (and go) through the drain
  } else {
    if (st.table) st.table->snapshot(log);
    if (out.start_ns) log.start_ns = out.start_ns;
  }
  log.end_ns = out.end_ns ? out.end_ns : now_ns();
  if (out.aborted) {
    log.aborted = true;
    log.abort_reason = out.abort_reason;
    log.errors.push_back({log.end_ns, runlog::kNoQuery, out.abort_kind, out.abort_reason});
  }
  runlog::Metrics m;
  std::string events_sha256;
  try {
    m = st.drain ? st.drain->finish(events_sha256) : runlog::compute_metrics(log);
    if (st.drain) {
      runlog::RunContext::HarnessCpu& h = st.ctx.harness_cpu;
      h.measured = true;
      h.wall_s = (log.end_ns - log.start_ns) / 1e9;
      h.issue_thread_s = out.issue_thread_cpu_s;
      h.watchdog_thread_s = out.watchdog_thread_cpu_s;
      h.log_thread_s = st.drain->cpu_s();
      h.process_s = process_cpu_s() - st.process_cpu0_s;
      h.wake_latency_us = out.wake_latency_us;
    }
  } catch (const std::exception& e) {
    st.drain.reset();  // removes its half-written events.jsonl.tmp: no partial file stays behind
    std::fprintf(stderr, "edubench: error: cannot write the run directory %s: %s\n", st.dir.c_str(), e.what());
    return kExitInternal;
  }
  runlog::AccuracyResult acc;
  const bool accuracy_mode = log.mode == "accuracy";
  // Code workloads are scored by running the responses on the hidden tests (seconds for a data
  // set; skipped on the emergency path, where the plugin may still hold the machine).
  if (accuracy_mode && st.plan.workload.accuracy.metric == "pass_rate" && !out.aborted)
    runlog::score_hidden_tests(log, st.plan.samples, runlog::code_limits(st.plan.settings));
  if (accuracy_mode) acc = runlog::compute_accuracy(log, st.plan.workload, st.plan.samples);
  int code = exit_code_for(out, m, accuracy_mode ? &acc : nullptr);
  try {
    runlog::write_run_directory(st.dir, log, m, accuracy_mode ? &acc : nullptr, st.ctx, events_sha256);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "edubench: error: cannot write the run directory %s: %s\n", st.dir.c_str(), e.what());
    return kExitInternal;
  }
  if (!st.opts.quiet) {
    std::cout << read_file((fs::path(st.dir) / "summary.txt").string());
    std::cout << "run directory: " << st.dir << std::endl;
  }
  if (code != kExitValid && !(st.opts.probe && code == kExitInvalidRun)) {
    std::string why;
    if (out.aborted)
      why = out.abort_reason;
    else if (!m.valid)
      why = "run INVALID: " + (m.invalid_reasons.empty() ? std::string("see summary.txt") : m.invalid_reasons.front());
    else
      why = "accuracy " + std::to_string(acc.value) + " below the target " + std::to_string(acc.target) +
            (acc.problems.empty() ? "" : " (" + acc.problems.front() + ")");
    std::fprintf(stderr, "edubench: error: %s (run directory: %s)\n", why.c_str(), st.dir.c_str());
  }
  std::fflush(stdout);
  std::fflush(stderr);
  return code;
}

int fail_early(RunState& st, const HarnessError& e, const std::string& kind) {
  RunOutcome out;
  out.aborted = true;
  out.abort_kind = kind;
  out.abort_reason = e.what();
  out.exit_code = e.code();
  out.start_ns = out.end_ns = now_ns();
  return finalize(st, out);
}

}  // namespace edubench::harness
