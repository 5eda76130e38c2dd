// Grading again from what a batch left behind: the checker over saved run directories
// (--recheck) and fresh re-runs of the leading rows (--verify-top).
#pragma once

#include "book.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace edubench::harness {

struct RegradeScope {
  std::string team;                    // empty: every team
  std::vector<std::string> scenarios;  // empty: every scenario
  bool quiet = false;
};

// `check` again over every PASS or FAIL row's run directory in scope, with the registry at
// `registry_path` (whose sha256 the row then records). A line per row whose verdict changed.
// Returns how many rows were rechecked.
size_t recheck_rows(GradeBook& book, const std::string& registry_path, const std::string& registry_sha256,
                    const RegradeScope& scope);

struct VerifyOptions {
  size_t top = 0;            // per workload and scenario
  double tolerance = 0.25;   // ratio_apart of the two metrics that still counts as the same
  std::string out;           // the grading output directory: re-runs go to OUT/verify/TEAM/W/S
  std::string command_line;
  uint64_t sut_memory_mb = 0;
};

// Re-runs from scratch (a fresh worker, same registry and --set values as the row) the `top`
// best PASS rows of each workload and scenario not verified yet, and records "same", "differs"
// (the metrics further apart than the tolerance) or "failed" (the re-run did not pass).
// false: interrupted.
bool verify_top_rows(GradeBook& book, const VerifyOptions& o, const RegradeScope& scope);

// How far apart two figures are as a factor: max/min - 1 (0.25: one is 1.25 times the other),
// the same whichever is larger, so a 100x slowdown is not "within 100%". Infinity when one is 0
// or their signs differ.
double ratio_apart(double a, double b);

}  // namespace edubench::harness
