// The highest Server target_qps a SUT sustains VALID under its workload's bounds, found by real
// runs (MLPerf LoadGen's FindPeakPerformance, done from outside): bracketing by doubling or
// halving from a start rate, then bisection (geometric: rates span decades) until the bracket
// is within a tolerance. Each probe is a complete performance run with its own run directory;
// its verdict is the run's validity (bounds and early stopping), nothing estimated.
#pragma once

#include <edubench/harness/run.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace edubench::harness {

struct PeakOptions {
  double start_qps = 0;     // 0: the registry's target_qps for the workload's Server row
  double tolerance = 0.05;  // stop when (lowest INVALID - highest VALID) / highest VALID <= this
  int max_probes = 12;      // runs in all, bracketing included
  double min_qps = 0;       // below this without a VALID run, the SUT has no peak (0: start / 64)
  double max_probe_s = 900; // nor below the rate at which a probe's queries would take longer
  double max_qps = 1e7;     // above this, every probe VALID: the peak is at least this
};

struct Probe {
  double target_qps = 0;
  bool valid = false;
  int exit_code = 0;
  std::string dir;
  double achieved_qps = 0;
  std::string reason;  // the first invalid reason, "" when VALID
};

struct PeakResult {
  double peak_qps = 0;            // highest VALID target_qps probed; 0 when none
  double lowest_invalid_qps = 0;  // 0 when no probe was INVALID (the search hit max_qps or max_probes)
  bool converged = false;         // the bracket is within the tolerance
  std::vector<Probe> probes;      // in the order they ran
};

// The decisions of the search, apart from running anything: what to probe after `probes`,
// or 0 when the search is over. Pure, so the bracketing and bisection are unit-tested.
double next_probe_qps(const std::vector<Probe>& probes, double start_qps, const PeakOptions& o);
PeakResult summarize_probes(const std::vector<Probe>& probes, const PeakOptions& o);

// Runs the search for `run` (scenario server, mode performance). Unless --set gives one, each
// probe runs at least the queries early stopping needs at the row's latency_percentile with none
// late (459 at p99), so a probe's verdict is about the rate, not about too short a run. Probes go into
// OUT/probe-NN-qpsQ/, then OUT/peak.json and a table on stdout. Returns 0 when a peak was
// found, 1 when no probe was VALID, or the exit code of a probe that could not run (plugin
// failure, bad input, interrupt), which ends the search. Throws BadInput for bad options.
int find_peak(const RunOptions& run, const PeakOptions& opts);

}  // namespace edubench::harness
