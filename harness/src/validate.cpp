#include <edubench/harness/validate.hpp>

#include <edubench/session/errors.hpp>
#include "host_bridge.hpp"
#include "loadgen.hpp"
#include <edubench/session/plugin.hpp>
#include "query_table.hpp"
#include <edubench/session/sut_session.hpp>

#include <edubench/harness/run.hpp>
#include <edubench/registry/registry.hpp>
#include <edubench/runlog/metrics.hpp>

#include <cstdio>

namespace edubench::harness {
namespace {

std::string g_first_failure;  // the one line validate puts on stderr when it fails

void fail(const std::string& what) {
  std::printf("FAIL: %s\n", what.c_str());
  std::fflush(stdout);
  if (g_first_failure.empty()) g_first_failure = what;
}

// Runs every echo sample once, one at a time, and checks each response is its prompt.
bool echo_smoke(const Plugin& p, const registry::Registry& reg, const registry::Workload& w) {
  const registry::RunPlan plan = plan_or_bad_input(reg, {w.id, "single_stream", "accuracy", {}, {}, 16});
  const registry::Workload& pw = plan.workload;
  QueryTable table;
  HostBridge bridge(table, plan.samples);
  auto session = make_in_process_session(p, bridge.host());
  session->create(w.id, plan.sut_config);
  LoadgenConfig lc;
  lc.scenario = registry::Scenario::single_stream;
  lc.accuracy_mode = true;
  lc.settings.query_timeout_s = 5;
  lc.settings.run_timeout_s = 30;
  lc.emergency_finalize = [] {
    fail("the plugin did not return from issue() within the watchdog's time");
    std::_Exit(kExitPluginFailure);
  };
  LoadGenerator lg(table, *session, plan.abi_samples, std::move(lc));
  RunOutcome out = lg.run();
  runlog::RunLog log;
  log.workload = w.id;
  log.mode = "accuracy";
  table.snapshot(log);
  session->destroy();
  if (out.aborted) return fail("echo smoke run: " + out.abort_reason), false;
  for (const auto& e : log.errors) return fail("echo smoke run: " + e.message), false;
  runlog::AccuracyResult acc = runlog::compute_accuracy(log, pw, plan.samples);
  std::printf("  echo smoke: %llu queries, exact match %.3f\n",
              static_cast<unsigned long long>(log.queries.size()), acc.value);
  if (acc.value < 1.0) return fail("echo smoke run: responses differ from the prompts"), false;
  return true;
}

}  // namespace

int validate_command(const std::string& spec, const std::string& registry_path) {
  const registry::Registry reg = load_registry_or_bad_input(registry_path);
  std::string path = resolve_plugin(spec);
  Plugin p;
  try {
    p = load_plugin(path);
  } catch (const HarnessError& e) {
    fail(e.what());
    throw;
  }
  std::printf("plugin:   %s\nsha256:   %s\nname:     %s %s\nabi:      %u.%u (host %d.%d)\n", p.path.c_str(),
              p.sha256.c_str(), p.api->name, p.api->version, p.api->abi_major, p.api->abi_minor,
              EDU_ABI_VERSION_MAJOR, EDU_ABI_VERSION_MINOR);
  std::string ws;
  for (const auto& w : p.workloads) ws += (ws.empty() ? "" : ", ") + w;
  std::printf("serves:   %s\n", ws.empty() ? "(nothing)" : ws.c_str());
  if (p.workloads.empty()) {
    fail("the plugin lists no workloads");
    std::fprintf(stderr, "edubench: error: %s: the plugin lists no workloads\n", p.path.c_str());
    return kExitPluginFailure;
  }
  bool ok = true;
  for (const auto& id : p.workloads) {
    const registry::Workload* w = reg.find_workload(id);
    if (!w) {
      std::printf("  %s: not in the registry (open division only)\n", id.c_str());
      continue;
    }
    if (w->status != "ready") {
      std::printf("  %s: planned in the registry, not checked\n", id.c_str());
      continue;
    }
    try {
      if (w->kind == registry::Kind::echo) {
        ok = echo_smoke(p, reg, *w) && ok;
      } else {
        const registry::RunPlan plan = plan_or_bad_input(
            reg, {w->id, registry::to_string(w->scenarios.begin()->first), "accuracy", {}, {}, 1});
        QueryTable table;
        HostBridge bridge(table, plan.samples);
        auto session = make_in_process_session(p, bridge.host());
        session->create(w->id, plan.sut_config);
        session->destroy();
        std::printf("  %s: create and destroy ok\n", id.c_str());
      }
    } catch (const HarnessError& e) {
      fail(id + ": " + e.what());
      ok = false;
    } catch (const registry::Error& e) {
      fail(id + ": " + e.what());
      ok = false;
    }
  }
  std::printf("%s\n", ok ? "PASS" : "FAIL");
  std::fflush(stdout);
  if (!ok) std::fprintf(stderr, "edubench: error: %s: %s\n", p.path.c_str(), g_first_failure.c_str());
  return ok ? kExitValid : kExitPluginFailure;
}

}  // namespace edubench::harness
