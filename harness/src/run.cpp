// One run: plan -> session -> load generator -> results, in that direction (docs/architecture.md).
#include <edubench/harness/run.hpp>

#include "clock.hpp"
#include "run_state.hpp"

#include <edubench/harness/system_info.hpp>
#include <edubench/runlog/hidden_tests.hpp>
#include <edubench/session/errors.hpp>
#include <edubench/session/open_session.hpp>
#include <edubench/session/plugin.hpp>

#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <filesystem>
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
  try {
    return registry::split_key_value(kv, what);
  } catch (const registry::PlanError& e) {
    throw BadInput(e.what());
  }
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

registry::RunPlan plan_or_bad_input(const registry::Registry& reg, const registry::RunRequest& req) {
  try {
    return registry::plan_run(reg, req);
  } catch (const registry::PlanError& e) {
    throw BadInput(e.what());
  } catch (const registry::Error& e) {
    throw BadInput(e.what());
  }
}

namespace {

constexpr const char* kSutStderrFile = "sut_stderr.log";

// The command line's own values, checked before the registry is read.
void check_run_options(const RunOptions& o) {
  if (!registry::parse_scenario(o.scenario))
    throw BadInput("--scenario " + o.scenario + ": expected single_stream, offline or server");
  if (o.mode != "performance" && o.mode != "accuracy")
    throw BadInput("--mode " + o.mode + ": expected performance, accuracy or submission");
  if (o.division != "closed" && o.division != "open")
    throw BadInput("--division " + o.division + ": expected closed or open");
  if (!o.isolation.empty() && o.isolation != "process" && o.isolation != "none")
    throw BadInput("--isolation " + o.isolation + ": expected process or none");
}

// Memory from --sut-memory-mb; CPU time covers every core for the whole run plus start-up.
WorkerLimits worker_limits(const RunOptions& o, const registry::Settings& s) {
  WorkerLimits l;
  if (o.sut_memory_mb) l.memory_mb = o.sut_memory_mb;
  const long cores = std::max(1L, sysconf(_SC_NPROCESSORS_ONLN));
  l.cpu_s = static_cast<uint64_t>(cores * s.run_timeout_s) + 120;
  return l;
}

// Step 1: the plan, the run directory, and what the results will say of where they came from.
std::unique_ptr<RunState> prepare_run(const RunOptions& o) {
  check_run_options(o);
  const registry::Registry reg = load_registry_or_bad_input(o.registry_path);
  auto st = std::make_unique<RunState>(plan_or_bad_input(
      reg, {o.workload, o.scenario, o.mode, o.sets, o.sut_opts, 0}));
  st->opts = o;
  st->dir = o.output.empty() ? default_run_dir(st->plan.workload.id, o.scenario, o.mode) : o.output;
  std::error_code ec;
  fs::create_directories(st->dir, ec);
  if (ec) throw BadInput("--output " + st->dir + ": cannot create the run directory: " + ec.message());
  start_log(*st, system_info(), harness_version(), harness_git());
  st->ctx.isolation = isolation_of(o);
  st->table = std::make_unique<QueryTable>();
  st->bridge = std::make_unique<HostBridge>(*st->table, st->plan.samples, runlog::code_limits(st->plan.settings));
  return st;
}

// Step 2: the plugin loaded (in process or in its worker) and created. From here on every failure
// is written into the run directory; returns that exit code, or nothing when the SUT is ready.
std::optional<int> open_sut(RunState& st) {
  const RunOptions& o = st.opts;
  SessionRequest req;
  req.workload = st.plan.workload.id;
  req.isolated = st.ctx.isolation == "process";
  req.stderr_path = (fs::path(st.dir) / kSutStderrFile).string();
  req.readable = st.plan.readable_files();  // the model files are the only data it may read
  req.limits = worker_limits(o, st.plan.settings);
  req.samples = &st.plan.abi_samples;
  PluginDescription d;
  try {
    req.plugin_path = st.ctx.sut_path = resolve_plugin(o.sut);
    st.session = open_session(req, st.bridge->host(), &d);
    record_plugin(st, d, req.isolated ? kSutStderrFile : "");
  } catch (const HarnessError& e) {
    // Described but refused (another workload): the run still says which plugin it was.
    if (!d.sha256.empty()) record_plugin(st, d, req.isolated ? kSutStderrFile : "");
    return fail_early(st, e, "plugin_load");
  }
  for (const auto& line : d.containment)
    if (line.rfind("warning:", 0) == 0) std::fprintf(stderr, "edubench: %s\n", line.c_str());
  try {
    st.session->create(st.plan.workload.id, st.plan.sut_config);
  } catch (const HarnessError& e) {
    st.log.crash_report = st.session->failure_report();
    return fail_early(st, e, "plugin_create");
  }
  return std::nullopt;
}

// The SUT's memory at the end of its load, as the kernel counts it (the worker is still alive),
// and as the load generator sampled it during the load.
void record_sut_memory(RunState& st, const RunOutcome& out) {
  const SutSession::MemoryUse u = st.session->memory_use();
  runlog::RunContext::SutMemory& m = st.ctx.sut_memory;
  m.measured = u.measured;
  m.includes_harness = u.includes_harness;
  m.peak_rss_bytes = u.peak_rss_bytes;
  m.rss_bytes = u.rss_bytes;
  m.baseline_rss_bytes = u.baseline_rss_bytes;
  m.source = u.source;
  m.samples = out.rss_samples;
  m.sample_interval_s = out.rss_interval_s;
}

// Step 3: the scenario, driven to its end or to an abort.
RunOutcome drive_load(RunState& st) {
  LoadgenConfig lc;
  lc.scenario = st.plan.scenario;
  lc.accuracy_mode = st.plan.mode == "accuracy";
  lc.settings = st.plan.settings;
  lc.progress = !st.opts.quiet || st.opts.progress;
  RunState* raw = &st;
  // In process only: a worker that does not return is killed by cancel() instead.
  if (st.ctx.isolation != "process") lc.emergency_finalize = [raw] {
    int code = finalize(*raw, raw->loadgen->outcome());
    std::fprintf(stderr, "edubench: warning: the plugin did not return from a call after the abort; exiting without destroy()\n");
    std::fflush(nullptr);
    std::_Exit(code);
  };
  install_interrupt_handlers();
  st.loadgen = std::make_unique<LoadGenerator>(*st.table, *st.session, st.plan.abi_samples, std::move(lc));
  try {
    start_drain(st);
  } catch (const std::exception& e) {  // events.jsonl cannot be created: nothing can be recorded
    RunOutcome out;
    out.aborted = true;
    out.abort_kind = "io_error";
    out.abort_reason = std::string("cannot write the run log: ") + e.what();
    out.exit_code = kExitInternal;
    out.start_ns = out.end_ns = now_ns();
    return out;
  }
  RunOutcome out = st.loadgen->run();
  st.log.crash_report = st.session->failure_report();
  record_sut_memory(st, out);
  return out;
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

// Step 5: the SUT destroyed. Isolated, nothing of the plugin lives in this process: the worker is
// torn down, its scratch removed and the run's memory freed (a grading batch makes thousands of
// runs in one process). In process, a plugin thread may still call the host after destroy():
// what it could reach stays alive for the life of the process.
int tear_down(std::unique_ptr<RunState> st, int code) {
  if (st->ctx.isolation == "process") {
    try {
      st->session->destroy();
    } catch (const HarnessError& e) {
      std::fprintf(stderr, "edubench: warning: %s\n", e.what());
    }
    return code;  // destroyed in reverse order: the load generator, the session, the bridge
  }
  destroy_bounded(*st->session, code);
  (void)st.release();
  return code;
}

}  // namespace

int run_once(const RunOptions& o) {
  std::unique_ptr<RunState> st = prepare_run(o);             // 1. registry: the plan, the run directory
  if (std::optional<int> failed = open_sut(*st)) return *failed;  // 2. session: plugin loaded, created
  const RunOutcome out = drive_load(*st);                     // 3. load generator
  const int code = finalize(*st, out);                        // 4. results: files, metrics, verdict
  return tear_down(std::move(st), code);                      // 5. session: the SUT destroyed
}

}  // namespace edubench::harness
