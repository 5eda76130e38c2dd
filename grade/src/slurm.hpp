// `edubench grade --slurm` and `--collect`: one sbatch array job with one task per team, each
// task grading its team into OUT/slurm/parts/<team>/, and the merge of those parts into
// OUT/gradebook.sqlite.
#pragma once

#include <string>
#include <vector>

namespace edubench::harness {

struct SlurmJob {
  std::string edubench;     // absolute path of this binary
  std::string submissions;  // absolute
  std::string out;          // absolute grading output directory
  std::string registry;     // absolute
  std::vector<std::string> teams;
  std::vector<std::string> scenarios, sets;  // forwarded as --scenario / --set
  std::vector<std::string> sbatch_args;      // extra `#SBATCH` lines, e.g. --time=02:00:00
  bool regrade = false;
  int retries = 1;  // forwarded as --retries: a task retries its own flaky rows
};

// Writes OUT/slurm/grade.sbatch (and creates OUT/slurm/logs for its output); returns its path.
// The script also runs under plain bash with SLURM_ARRAY_TASK_ID set, which is how it is tested.
std::string write_slurm_job(const SlurmJob& job);

// Whether `sbatch` is an executable on the PATH.
bool sbatch_on_path();

// Runs `sbatch SCRIPT` and returns its exit code; BadInput when sbatch is not on the PATH.
int submit_slurm_job(const std::string& script);

// Merges OUT/slurm/parts/*/gradebook.sqlite into OUT/gradebook.sqlite and rewrites
// OUT/grades.csv and OUT/grades.html. Returns the number of parts merged; BadInput when OUT has
// no parts.
size_t collect_slurm_parts(const std::string& out, bool quiet);

// OUT/slurm/parts/<team>: where a team's task writes its grade book and runs.
std::string slurm_part_dir(const std::string& out, const std::string& team);

}  // namespace edubench::harness
