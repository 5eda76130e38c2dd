// `edubench grade SUBMISSIONS_DIR`: grades a class. One folder per team holding its .so (and an
// optional team.yaml); for each workload the plugin declares and the registry has ready, and each
// scenario, a submission (`run --mode submission`, isolation process) and its check, into a
// SQLite grade book with grades.csv and grades.html. See docs/grading.md.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace edubench::harness {

struct GradeOptions {
  std::string submissions;  // SUBMISSIONS_DIR
  std::string output;       // empty: SUBMISSIONS_DIR-grades, next to it
  std::string registry_path;
  std::vector<std::string> scenarios;  // empty: every scenario the registry defines
  std::vector<std::string> sets;       // key=value, forwarded to every submission
  std::string team;                    // only this team folder
  bool regrade = false;                // grade again what the grade book already holds
  uint64_t sut_memory_mb = 0;          // each worker's address-space limit (0: run's default)
  bool quiet = false;
  bool slurm = false;                  // write the sbatch array job instead of grading
  bool submit = false;                 // ... and run sbatch on it
  std::vector<std::string> sbatch_args;
  std::string collect;                 // OUT: merge the Slurm parts instead of grading
  int retries = 1;                     // re-runs of a row whose plugin failed or that could not be made
  bool recheck = false;                // the checker again over the saved run directories, nothing re-run
  size_t verify_top = 0;               // re-run the N best PASS rows of each workload and scenario
  double verify_tolerance = 0.25;      // ... and flag a re-run metric off by more than this fraction
  bool leaderboard = false;            // print the ranking (OUT/leaderboard.csv is always written)
  std::string gradescope_csv;          // write the grade book as a Gradescope score upload here
  double points = 10;                  // ... each PASS row worth this many points
  std::string command_line;
};

// Grades (or writes the Slurm job, or collects), then leaves the process with the exit code:
// 0 when the batch went to its end (failing teams included), 2 for bad input, 5 for an internal
// error, 130 when interrupted. Plugins loaded meanwhile are never unloaded, as in `run`.
[[noreturn]] void grade_command(const GradeOptions& opts);

}  // namespace edubench::harness
