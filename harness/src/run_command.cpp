#include "run_command.hpp"

#include "submission_command.hpp"

#include "agent_services.hpp"

#include "clock.hpp"
#include "errors.hpp"
#include "host_bridge.hpp"
#include "loadgen.hpp"
#include "plugin.hpp"
#include "process_session.hpp"
#include "query_table.hpp"
#include "sut_session.hpp"
#include "system_info.hpp"

#include <edubench/registry/registry.hpp>
#include <edubench/results/metrics.hpp>
#include <edubench/results/run_dir.hpp>

#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>

namespace edubench::harness {
namespace fs = std::filesystem;

registry::Registry load_registry_or_bad_input(const std::string& path) {
  try {
    return registry::load_registry(path);
  } catch (const registry::Error& e) {
    throw BadInput(e.what());
  }
}

std::pair<std::string, std::string> split_key_value(const std::string& kv, const std::string& what) {
  auto eq = kv.find('=');
  if (eq == std::string::npos || eq == 0)
    throw BadInput(what + " " + kv + ": expected key=value");
  return {kv.substr(0, eq), kv.substr(eq + 1)};
}

std::string default_run_dir(const std::string& workload, const std::string& scenario,
                            const std::string& mode) {
  std::time_t t = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&t));
  fs::path base = fs::path("results") / workload / scenario / mode / stamp;
  fs::path p = base;
  std::error_code ec;
  for (int i = 2; fs::exists(p, ec); ++i) p = base.string() + "-" + std::to_string(i);
  return p.string();
}

std::string isolation_of(const RunOptions& o) {
  if (!o.isolation.empty()) return o.isolation;
  return o.mode == "submission" ? "process" : "none";
}

namespace {

constexpr const char* kSutStderrFile = "sut_stderr.log";

// Memory from --sut-memory-mb; CPU time covers every core for the whole run plus start-up.
WorkerLimits worker_limits(const RunOptions& o, const registry::Settings& s) {
  WorkerLimits l;
  if (o.sut_memory_mb) l.memory_mb = o.sut_memory_mb;
  const long cores = std::max(1L, sysconf(_SC_NPROCESSORS_ONLN));
  l.cpu_s = static_cast<uint64_t>(cores * s.run_timeout_s) + 120;
  return l;
}

std::string expand_root(std::string v, const std::string& root) {
  const std::string token = "${root}";
  for (size_t pos; (pos = v.find(token)) != std::string::npos;) v.replace(pos, token.size(), root);
  return v;
}

std::string read_file(const std::string& path) {
  std::ifstream f(path);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

// Everything a run needs that outlives the load generator: kept in one place so the normal
// path and the watchdog's emergency path write the same run directory.
struct RunState {
  RunOptions opts;
  registry::Workload workload;
  registry::Scenario scenario{};
  std::vector<registry::Sample> samples;
  std::string dir;
  results::RunLog log;
  results::RunContext ctx;
  std::mutex finalize_mu;
};

int exit_code_for(const RunOutcome& out, const results::Metrics& m,
                  const results::AccuracyResult* acc) {
  if (out.aborted) return out.exit_code;
  if (!m.valid) return kExitInvalidRun;
  if (acc && !acc->passed) return kExitAccuracyFailed;
  return kExitValid;
}

// Writes the run directory and reports; returns the exit code.
int finalize(RunState& st, QueryTable* table, const RunOutcome& out) {
  std::lock_guard<std::mutex> g(st.finalize_mu);
  results::RunLog& log = st.log;
  if (table) table->snapshot(log);
  if (out.start_ns) log.start_ns = out.start_ns;
  log.end_ns = out.end_ns ? out.end_ns : now_ns();
  if (out.aborted) {
    log.aborted = true;
    log.abort_reason = out.abort_reason;
    log.errors.push_back({log.end_ns, results::kNoQuery, out.abort_kind, out.abort_reason});
  }
  results::Metrics m = results::compute_metrics(log);
  results::AccuracyResult acc;
  const bool accuracy_mode = log.mode == "accuracy";
  // Code workloads are scored by running the responses on the hidden tests (seconds for a data
  // set; skipped on the emergency path, where the plugin may still hold the machine).
  if (accuracy_mode && st.workload.accuracy.metric == "pass_rate" && !out.aborted)
    score_hidden_tests(log, st.samples);
  if (accuracy_mode) acc = results::compute_accuracy(log, st.workload, st.samples);
  int code = exit_code_for(out, m, accuracy_mode ? &acc : nullptr);
  try {
    results::write_run_directory(st.dir, log, m, accuracy_mode ? &acc : nullptr, st.ctx);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "edubench: error: cannot write the run directory %s: %s\n", st.dir.c_str(), e.what());
    return kExitInternal;
  }
  if (!st.opts.quiet) {
    std::cout << read_file((fs::path(st.dir) / "summary.txt").string());
    std::cout << "run directory: " << st.dir << std::endl;
  }
  if (code != kExitValid) {
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

// A failure before any query was issued (plugin load, create): still a complete run directory.
int fail_early(RunState& st, const HarnessError& e, const std::string& kind) {
  RunOutcome out;
  out.aborted = true;
  out.abort_kind = kind;
  out.abort_reason = e.what();
  out.exit_code = e.code();
  out.start_ns = out.end_ns = now_ns();
  return finalize(st, nullptr, out);
}

// destroy() may hang in a broken plugin: give it a bounded time, then leave without it.
void destroy_bounded(SutSession& session, int code) {
  struct Shared {
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    std::string error;
  };
  auto sh = std::make_shared<Shared>();
  std::thread([sh, &session] {
    std::string err;
    try {
      session.destroy();
    } catch (const std::exception& e) {
      err = e.what();
    }
    std::lock_guard<std::mutex> g(sh->mu);
    sh->done = true;
    sh->error = err;
    sh->cv.notify_all();
  }).detach();
  std::unique_lock<std::mutex> lk(sh->mu);
  if (!sh->cv.wait_for(lk, std::chrono::seconds(10), [&] { return sh->done; })) {
    std::fprintf(stderr, "edubench: warning: destroy() did not return within 10 s; exiting without it\n");
    std::fflush(nullptr);
    std::_Exit(code);
  }
  if (!sh->error.empty()) std::fprintf(stderr, "edubench: warning: %s\n", sh->error.c_str());
}

}  // namespace

int run_command(const RunOptions& o) {
  const int code = o.mode == "submission" ? submission_command(o) : run_once(o);
  // Plugins are never unloaded and their threads may linger: leave without static destructors.
  std::fflush(nullptr);
  std::_Exit(code);
}

int run_once(const RunOptions& o) {
  auto st = std::make_unique<RunState>();
  st->opts = o;
  auto scenario = registry::parse_scenario(o.scenario);
  if (!scenario)
    throw BadInput("--scenario " + o.scenario + ": expected single_stream, offline or server");
  st->scenario = *scenario;
  if (o.mode != "performance" && o.mode != "accuracy")
    throw BadInput("--mode " + o.mode + ": expected performance, accuracy or submission");
  if (o.division != "closed" && o.division != "open")
    throw BadInput("--division " + o.division + ": expected closed or open");
  if (!o.isolation.empty() && o.isolation != "process" && o.isolation != "none")
    throw BadInput("--isolation " + o.isolation + ": expected process or none");

  const registry::Registry reg = load_registry_or_bad_input(o.registry_path);
  const registry::Workload* w = reg.find_workload(o.workload);
  if (!w) {
    std::string known;
    for (const auto& x : reg.workloads) known += (known.empty() ? "" : ", ") + x.id;
    throw BadInput("--workload " + o.workload + ": unknown workload (known: " + known + ")");
  }
  if (w->status != "ready")
    throw BadInput("--workload " + o.workload + ": status is '" + w->status +
                   "' in " + reg.path + ": its data set and model are not there yet");
  auto sc = w->scenarios.find(st->scenario);
  if (sc == w->scenarios.end())
    throw BadInput("--scenario " + o.scenario + ": workload " + w->id + " does not define it in " + reg.path);
  st->workload = *w;
  registry::Settings settings = sc->second;
  for (const auto& kv : o.sets) {
    auto [k, v] = split_key_value(kv, "--set");
    try {
      registry::apply_setting(settings, k, v);
    } catch (const registry::Error& e) {
      throw BadInput(e.what());
    }
  }
  if (std::string problem = registry::settings_problem(settings, st->scenario); !problem.empty())
    throw BadInput("--set: " + problem);
  std::vector<std::pair<std::string, std::string>> cfg;
  for (const auto& [k, v] : w->sut_config) cfg.emplace_back(k, expand_root(v, reg.root));
  for (const auto& kv : o.sut_opts) {
    auto [k, v] = split_key_value(kv, "--sut-opt");
    bool replaced = false;
    for (auto& e : cfg)
      if (e.first == k) e.second = v, replaced = true;
    if (!replaced) cfg.emplace_back(k, v);
  }
  const registry::Dataset* ds = reg.find_dataset(w->dataset);
  try {
    st->samples = registry::load_samples(*ds);
  } catch (const registry::Error& e) {
    throw BadInput(e.what());
  }
  if (st->samples.empty()) throw BadInput(ds->path + ": the data set " + ds->id + " has no samples");

  st->dir = o.output.empty() ? default_run_dir(w->id, o.scenario, o.mode) : o.output;
  {
    std::error_code ec;
    fs::create_directories(st->dir, ec);
    if (ec) throw BadInput("--output " + st->dir + ": cannot create the run directory: " + ec.message());
  }

  results::RunLog& log = st->log;
  log.workload = w->id;
  log.scenario = st->scenario;
  log.mode = o.mode;
  log.settings = settings;
  results::RunContext& ctx = st->ctx;
  ctx.division = o.division;
  ctx.harness_version = harness_version();
  ctx.harness_git = harness_git();
  ctx.registry_path = reg.path;
  try {
    ctx.registry_sha256 = registry::sha256_file(reg.path);
  } catch (const std::exception&) {
  }
  ctx.dataset_id = ds->id;
  ctx.dataset_sha256 = ds->sha256;
  for (const auto& [role, model_id] : w->models)
    if (const registry::Model* m = reg.find_model(model_id)) ctx.model_sha256.emplace_back(model_id, m->weights_sha256);
  ctx.overrides = o.sets;
  for (const auto& [k, v] : cfg) ctx.sut_options.push_back(k + "=" + v);
  ctx.system = system_info();
  ctx.command_line = o.command_line;

  // Samples as the ABI sees them; tokens from the registered tokenizer.
  std::vector<std::vector<int32_t>> tokens(st->samples.size());
  std::vector<edu_sample> abi_samples(st->samples.size());
  for (size_t i = 0; i < st->samples.size(); ++i) {
    const registry::Sample& s = st->samples[i];
    if (w->tokenizer == "bytes") tokens[i] = registry::tokenize_bytes(s.text);
    edu_sample& a = abi_samples[i];
    a.struct_size = sizeof(edu_sample);
    a.index = s.index;
    a.text = s.text.c_str();
    a.text_len = s.text.size();
    a.tokens = tokens[i].empty() ? nullptr : tokens[i].data();
    a.n_tokens = tokens[i].size();
    a.max_new_tokens = w->max_new_tokens;
  }
  auto table = std::make_unique<QueryTable>();
  auto bridge = std::make_unique<HostBridge>(*table, st->samples);

  // From here on every failure is written into the run directory.
  const bool isolated = isolation_of(o) == "process";
  ctx.isolation = isolated ? "process" : "none";
  std::unique_ptr<SutSession> session;
  try {
    ctx.sut_path = resolve_plugin(o.sut);
    if (isolated) {
      ProcessSessionOptions po;
      po.plugin_path = ctx.sut_path;
      po.stderr_path = (fs::path(st->dir) / kSutStderrFile).string();
      po.samples = &abi_samples;
      // The model files the registry hands the plugin are the only data it may read.
      for (const auto& [k, v] : cfg) {
        std::error_code ec;
        if (!v.empty() && v[0] == '/' && fs::exists(v, ec)) po.readable.push_back(v);
      }
      po.limits = worker_limits(o, settings);
      PluginDescription d;
      session = start_process_session(po, bridge->host(), &d);
      ctx.extra_files.push_back(kSutStderrFile);
      ctx.sut_sha256 = d.sha256;
      ctx.sut_name = d.name;
      ctx.sut_version = d.version;
      ctx.sut_abi_major = d.abi_major;
      ctx.sut_abi_minor = d.abi_minor;
      ctx.containment = d.containment;
      for (const auto& line : d.containment)
        if (line.rfind("warning:", 0) == 0) std::fprintf(stderr, "edubench: %s\n", line.c_str());
      require_workload(d.path, d.workloads, w->id);
    } else {
      Plugin plugin = load_plugin(ctx.sut_path);
      ctx.sut_sha256 = plugin.sha256;
      ctx.sut_name = plugin.api->name;
      ctx.sut_version = plugin.api->version;
      ctx.sut_abi_major = plugin.api->abi_major;
      ctx.sut_abi_minor = plugin.api->abi_minor;
      require_workload(plugin.path, plugin.workloads, w->id);
      session = make_in_process_session(plugin, bridge->host());
    }
  } catch (const HarnessError& e) {
    return fail_early(*st, e, "plugin_load");
  }
  try {
    session->create(w->id, cfg);
  } catch (const HarnessError& e) {
    st->log.crash_report = session->failure_report();
    return fail_early(*st, e, "plugin_create");
  }

  LoadgenConfig lc;
  lc.scenario = st->scenario;
  lc.accuracy_mode = o.mode == "accuracy";
  lc.settings = settings;
  lc.progress = !o.quiet;
  LoadGenerator* lg_ptr = nullptr;
  RunState* raw = st.get();
  QueryTable* raw_table = table.get();
  // In process only: a worker that does not return is killed by cancel() instead.
  if (!isolated) lc.emergency_finalize = [raw, raw_table, &lg_ptr] {
    int code = finalize(*raw, raw_table, lg_ptr->outcome());
    std::fprintf(stderr, "edubench: warning: the plugin did not return from a call after the abort; exiting without destroy()\n");
    std::fflush(nullptr);
    std::_Exit(code);
  };
  install_interrupt_handlers();
  LoadGenerator lg(*table, *session, abi_samples, std::move(lc));
  lg_ptr = &lg;
  RunOutcome out = lg.run();
  st->log.crash_report = session->failure_report();
  int code = finalize(*st, table.get(), out);
  if (isolated) {
    // Nothing of the plugin lives in this process: the session (bounded itself) is torn down,
    // its scratch directory removed, and the run's memory freed (a grading batch makes
    // thousands of runs in one process).
    try {
      session->destroy();
    } catch (const HarnessError& e) {
      std::fprintf(stderr, "edubench: warning: %s\n", e.what());
    }
    return code;  // destroyed in reverse order: the load generator, the session, the bridge
  }
  destroy_bounded(*session, code);
  // A plugin thread may still call the host after destroy(): what it could reach stays alive
  // for the life of the process (a submission runs several times in one process).
  (void)st.release();
  (void)table.release();
  (void)bridge.release();
  (void)session.release();
  return code;
}

}  // namespace edubench::harness
