#include <edubench/harness/peak.hpp>

#include <edubench/harness/system_info.hpp>
#include <edubench/runlog/metrics.hpp>
#include <edubench/session/errors.hpp>

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

namespace edubench::harness {
namespace fs = std::filesystem;
using ojson = nlohmann::ordered_json;

namespace {

const Probe* highest_valid(const std::vector<Probe>& probes) {
  const Probe* best = nullptr;
  for (const Probe& p : probes)
    if (p.valid && (!best || p.target_qps > best->target_qps)) best = &p;
  return best;
}

// The lowest INVALID rate above the highest VALID one (validity need not be monotonic on a
// noisy machine: an INVALID probe below the peak does not bound it).
const Probe* lowest_invalid_above(const std::vector<Probe>& probes, double above) {
  const Probe* best = nullptr;
  for (const Probe& p : probes)
    if (!p.valid && p.target_qps > above && (!best || p.target_qps < best->target_qps)) best = &p;
  return best;
}

}  // namespace

double next_probe_qps(const std::vector<Probe>& probes, double start_qps, const PeakOptions& o) {
  if (probes.empty()) return start_qps;
  if (static_cast<int>(probes.size()) >= o.max_probes) return 0;
  const Probe* lo = highest_valid(probes);
  const Probe* hi = lowest_invalid_above(probes, lo ? lo->target_qps : 0);
  if (!lo) {  // bracketing down: halve below the lowest INVALID rate
    const double q = hi->target_qps / 2;
    return q >= o.min_qps ? q : 0;
  }
  if (!hi) {  // bracketing up: double above the highest VALID rate
    if (lo->target_qps >= o.max_qps) return 0;
    return std::min(lo->target_qps * 2, o.max_qps);
  }
  if ((hi->target_qps - lo->target_qps) / lo->target_qps <= o.tolerance) return 0;
  return std::sqrt(lo->target_qps * hi->target_qps);
}

PeakResult summarize_probes(const std::vector<Probe>& probes, const PeakOptions& o) {
  PeakResult r;
  r.probes = probes;
  const Probe* lo = highest_valid(probes);
  const Probe* hi = lowest_invalid_above(probes, lo ? lo->target_qps : 0);
  r.peak_qps = lo ? lo->target_qps : 0;
  r.lowest_invalid_qps = hi ? hi->target_qps : 0;
  r.converged = lo && hi && (hi->target_qps - lo->target_qps) / lo->target_qps <= o.tolerance;
  return r;
}

namespace {

std::string qps_label(double q) {
  char b[48];
  std::snprintf(b, sizeof b, "%.6g", q);
  return b;
}

// A probe's verdict from its run directory's result.json (what the run itself derived).
void read_verdict(Probe& p) {
  std::ifstream f(fs::path(p.dir) / "result.json");
  const ojson r = ojson::parse(f, nullptr, false);
  if (r.is_discarded()) {
    p.valid = false;
    p.reason = "no readable result.json";
    return;
  }
  p.valid = r.value("valid", false) && p.exit_code == kExitValid;
  const auto& m = r.contains("metrics") ? r["metrics"] : ojson::object();
  p.achieved_qps = m.value("achieved_qps", 0.0);
  const auto& reasons = r.contains("invalid_reasons") ? r["invalid_reasons"] : ojson::array();
  if (!reasons.empty() && reasons[0].is_string()) p.reason = reasons[0].get<std::string>();
}

void print_probe(const Probe& p, size_t n) {
  std::printf("probe %2zu  target_qps %-10s %-8s achieved %-9.4g %s\n", n, qps_label(p.target_qps).c_str(),
              p.valid ? "VALID" : "INVALID", p.achieved_qps, p.reason.c_str());
  std::fflush(stdout);
}

void write_peak_json(const std::string& dir, const RunOptions& run, const PeakOptions& o, const PeakResult& r,
                     double seconds) {
  ojson j;
  j["schema"] = 1;
  j["workload"] = run.workload;
  j["scenario"] = run.scenario;
  j["sut"] = run.sut;
  j["sut_options"] = run.sut_opts;
  j["overrides"] = run.sets;
  j["peak_qps"] = r.peak_qps;
  j["lowest_invalid_qps"] = r.lowest_invalid_qps;
  j["converged"] = r.converged;
  j["search"] = {{"start_qps", o.start_qps}, {"tolerance", o.tolerance}, {"max_probes", o.max_probes},
                 {"min_qps", o.min_qps}, {"max_qps", o.max_qps}, {"max_probe_s", o.max_probe_s},
                 {"seconds", seconds}};
  ojson probes = ojson::array();
  for (const Probe& p : r.probes)
    probes.push_back({{"target_qps", p.target_qps}, {"valid", p.valid}, {"exit_code", p.exit_code},
                      {"achieved_qps", p.achieved_qps}, {"dir", fs::path(p.dir).filename().string()},
                      {"reason", p.reason}});
  j["probes"] = probes;
  j["harness"] = {{"version", harness_version()}, {"git", harness_git()}, {"command", run.command_line}};
  const fs::path file = fs::path(dir) / "peak.json";
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << j.dump(2, ' ', false, ojson::error_handler_t::replace) << "\n";
  if (!out.flush()) throw HarnessError(kExitInternal, "cannot write " + file.string());
}

bool ends_search(int code) { return code != kExitValid && code != kExitInvalidRun; }

registry::Settings planned_settings(const RunOptions& run) {
  const registry::Registry reg = load_registry_or_bad_input(run.registry_path);
  return plan_or_bad_input(reg, {run.workload, run.scenario, "performance", run.sets, run.sut_opts, 1}).settings;
}

bool sets_key(const RunOptions& run, const std::string& key) {
  for (const std::string& kv : run.sets)
    if (kv.rfind(key + "=", 0) == 0) return true;
  return false;
}

}  // namespace

int find_peak(const RunOptions& run, const PeakOptions& o) {
  if (run.scenario != "server") throw BadInput("--find-peak: only with --scenario server, got " + run.scenario);
  if (run.mode != "performance") throw BadInput("--find-peak: only with --mode performance, got " + run.mode);
  if (!(o.tolerance > 0 && o.tolerance < 1)) throw BadInput("--peak-tolerance: expected a fraction in (0, 1)");
  if (o.max_probes < 2 || o.max_probes > 100) throw BadInput("--peak-max-probes: expected 2..100");
  for (const std::string& kv : run.sets)
    if (kv.rfind("target_qps=", 0) == 0)
      throw BadInput("--set " + kv + ": the peak search sets target_qps itself (use --peak-start-qps)");
  PeakOptions opts = o;
  if (opts.start_qps < 0) throw BadInput("--peak-start-qps: expected a rate > 0");
  const registry::Settings settings = planned_settings(run);
  if (opts.start_qps == 0) opts.start_qps = settings.target_qps;
  if (!(opts.start_qps > 0)) throw BadInput("--peak-start-qps: the registry's Server row has no target_qps; give one");
  if (opts.min_qps <= 0) opts.min_qps = opts.start_qps / 64;
  RunOptions base = run;
  const uint64_t needed = runlog::early_stopping_min_queries(settings.latency_percentile);
  uint64_t queries = settings.min_query_count;
  if (!sets_key(run, "min_query_count") && queries < needed) {
    queries = needed;
    base.sets.push_back("min_query_count=" + std::to_string(needed));
  }
  // A probe at rate q issues at least `queries` queries: it takes queries / q seconds.
  opts.min_qps = std::max(opts.min_qps, static_cast<double>(queries) / opts.max_probe_s);

  const std::string dir = run.output.empty() ? default_run_dir(run.workload, run.scenario, "peak") : run.output;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw BadInput("--output " + dir + ": cannot create the directory: " + ec.message());

  const auto t0 = std::chrono::steady_clock::now();
  std::vector<Probe> probes;
  int stop_code = 0;
  for (double q; (q = next_probe_qps(probes, opts.start_qps, opts)) > 0;) {
    Probe p;
    p.target_qps = q;
    char name[96];
    std::snprintf(name, sizeof name, "probe-%02zu-qps%s", probes.size() + 1, qps_label(q).c_str());
    p.dir = (fs::path(dir) / name).string();
    RunOptions r = base;
    r.output = p.dir;
    r.quiet = true;  // one line per probe below
    r.probe = true;
    r.sets.push_back("target_qps=" + qps_label(q));
    if (!run.quiet && isatty(STDERR_FILENO)) {  // the run's own progress line follows it
      std::fprintf(stderr, "probe %zu: target_qps %s\n", probes.size() + 1, qps_label(q).c_str());
      r.progress = true;
    }
    p.exit_code = run_once(r);
    read_verdict(p);
    probes.push_back(p);
    if (!run.quiet) print_probe(p, probes.size());
    if (ends_search(p.exit_code)) {
      stop_code = p.exit_code;
      break;
    }
  }
  const PeakResult result = summarize_probes(probes, opts);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  write_peak_json(dir, run, opts, result, seconds);
  if (stop_code) {
    std::fprintf(stderr, "edubench: error: probe at target_qps %s could not run (exit %d): %s (%s)\n",
                 qps_label(probes.back().target_qps).c_str(), stop_code, probes.back().reason.c_str(),
                 probes.back().dir.c_str());
    return stop_code;
  }
  if (!run.quiet) {
    if (result.peak_qps > 0)
      std::printf("peak: %s queries/s VALID%s (%zu probes, %.0f s); %s\n", qps_label(result.peak_qps).c_str(),
                  result.lowest_invalid_qps > 0 ? (", INVALID at " + qps_label(result.lowest_invalid_qps)).c_str()
                                                : " (no INVALID probe above it: raise --peak-max-probes)",
                  probes.size(), seconds, (fs::path(dir) / "peak.json").string().c_str());
    std::fflush(stdout);
  }
  if (result.peak_qps <= 0) {
    std::fprintf(stderr, "edubench: error: no target_qps down to %s was VALID (see %s/peak.json)\n",
                 qps_label(probes.empty() ? 0 : probes.back().target_qps).c_str(), dir.c_str());
    return kExitInvalidRun;
  }
  return kExitValid;
}

}  // namespace edubench::harness
