// Gradescope's autograder contract (https://gradescope-autograders.readthedocs.io, "Autograder
// Specifications"): a bundle with setup.sh and run_autograder, and /autograder/results/results.json
// with tests[], leaderboard[] and visibility settings. `edubench gradescope init` writes the
// bundle; its run_autograder grades the one hand-in with `edubench grade` and turns the grade
// book into results.json with `edubench gradescope results`. See docs/gradescope.md.
#pragma once

#include <string>
#include <vector>

namespace edubench::harness {

struct GradescopeInitOptions {
  std::string dir;                     // the bundle folder to write (must not exist or be empty)
  std::string registry_path;           // the registry the autograder grades with (copied into the bundle)
  std::vector<std::string> workloads;  // empty: every ready workload the plugin serves
  std::vector<std::string> scenarios;  // empty: every scenario the registry defines
  std::vector<std::string> sets;       // key=value for every submission
  double points = 10;                  // per workload and scenario
};

// Writes DIR/setup.sh, DIR/run_autograder, DIR/workloads.yaml and DIR/README.md; prints each
// path. Throws BadInput (a bundle that exists, an unknown workload or scenario, points <= 0).
void gradescope_init(const GradescopeInitOptions& o);

struct GradescopeResultsOptions {
  std::string grades;         // the output folder of `edubench grade` for the one hand-in
  std::string output;         // results.json to write
  std::string registry_path;  // to find the hidden tests that must never reach a student
  double points = 10;         // per workload and scenario
  std::string error;          // non-empty: write a results.json that only reports this failure
};

// Writes results.json from the grade book and each row's verdict.json: per workload and
// scenario a test worth `points` that passes with the check (a PASS row), and a test per checker
// rule worth 0 (which rules failed, and why); the leaderboard (each PASS row's metric and
// accuracy); and nothing a student must not see: rules about hidden tests say only whether the
// recorded verdicts hold, and every hidden test's text is cut out of every visible field. Throws BadInput for a folder
// without a grade book, HarnessError(kExitInternal) when the file cannot be written.
void gradescope_results(const GradescopeResultsOptions& o);

}  // namespace edubench::harness
