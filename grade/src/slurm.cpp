#include "slurm.hpp"
#include "shell_quote.hpp"

#include <edubench/session/errors.hpp>
#include "book.hpp"
#include "report.hpp"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

extern char** environ;

namespace edubench::harness {
namespace {
namespace fs = std::filesystem;

void make_dir(const fs::path& p) {
  std::error_code ec;
  fs::create_directories(p, ec);
  if (ec) throw BadInput("--output " + p.string() + ": cannot create: " + ec.message());
}

}  // namespace

std::string slurm_part_dir(const std::string& out, const std::string& team) {
  return (fs::path(out) / "slurm" / "parts" / team).string();
}

std::string write_slurm_job(const SlurmJob& job) {
  const fs::path dir = fs::path(job.out) / "slurm";
  make_dir(dir / "logs");  // Slurm does not create the folder of --output itself
  make_dir(dir / "parts");
  std::string s = "#!/bin/bash\n";
  s += "# Written by `edubench grade --slurm` on " + utc_now() + ": one array task per team folder of\n";
  s += "# " + job.submissions + ".\n";
  s += "# Submit: sbatch " + (dir / "grade.sbatch").string() + "\n";
  s += "# When the tasks are done: " + job.edubench + " grade --collect " + job.out + "\n";
  s += "# Without Slurm: SLURM_ARRAY_TASK_ID=0 bash " + (dir / "grade.sbatch").string() + "\n";
  s += "#SBATCH --job-name=edubench-grade\n";
  s += "#SBATCH --array=0-" + std::to_string(job.teams.size() - 1) + "\n";
  s += "#SBATCH --ntasks=1\n";
  s += "#SBATCH --output=" + (dir / "logs" / "%A_%a.out").string() + "\n";
  for (const std::string& a : job.sbatch_args) s += "#SBATCH " + a + "\n";
  s += "set -euo pipefail\n";
  s += "teams=(\n";
  for (const std::string& t : job.teams) s += "  " + shell_quote(t) + "\n";
  s += ")\n";
  s += "i=${SLURM_ARRAY_TASK_ID:?set by sbatch; by hand set it to a team index 0..$((${#teams[@]} - 1))}\n";
  s += "if ! [[ $i =~ ^[0-9]+$ ]] || ((i >= ${#teams[@]})); then\n";
  s += "  echo \"edubench: error: SLURM_ARRAY_TASK_ID=$i: expected 0..$((${#teams[@]} - 1))\" >&2\n";
  s += "  exit 2\n";
  s += "fi\n";
  s += "team=${teams[$i]}\n";
  s += "echo \"edubench grade: task $i, team $team, on $(hostname)\"\n";
  // Exit 0 means the team's rows are in its part, whatever its verdicts: a failing team is not a
  // failed task in sacct.
  s += "exec " + shell_quote(job.edubench) + " grade " + shell_quote(job.submissions) + " --team \"$team\" --output " +
       shell_quote(slurm_part_dir(job.out, "")) + "\"$team\" --registry " + shell_quote(job.registry);
  for (const std::string& sc : job.scenarios) s += " --scenario " + shell_quote(sc);
  for (const std::string& kv : job.sets) s += " --set " + shell_quote(kv);
  if (job.regrade) s += " --regrade";
  s += " --retries " + std::to_string(job.retries);
  s += "\n";
  const fs::path file = dir / "grade.sbatch";
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << s;
    if (!out.flush()) throw HarnessError(kExitInternal, "cannot write " + file.string());
  }
  std::error_code ec;
  fs::permissions(file, fs::perms::owner_exec | fs::perms::group_exec, fs::perm_options::add, ec);
  return file.string();
}

bool sbatch_on_path() {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "";
  for (size_t start = 0; start <= dirs.size();) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    const std::string dir = end > start ? dirs.substr(start, end - start) : ".";
    if (::access((fs::path(dir) / "sbatch").c_str(), X_OK) == 0) return true;
    start = end + 1;
  }
  return false;
}

int submit_slurm_job(const std::string& script) {
  std::fflush(nullptr);
  const char* argv[] = {"sbatch", script.c_str(), nullptr};
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, "sbatch", nullptr, nullptr, const_cast<char* const*>(argv), environ);
  if (rc == ENOENT) throw BadInput("--submit: sbatch is not on the PATH (submit " + script + " where Slurm runs)");
  if (rc != 0) throw HarnessError(kExitInternal, std::string("cannot run sbatch: ") + std::strerror(rc));
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

size_t collect_slurm_parts(const std::string& out, bool quiet) {
  std::error_code ec;
  if (!fs::is_directory(out, ec)) throw BadInput("--collect " + out + ": no such directory");
  const fs::path parts_dir = fs::path(out) / "slurm" / "parts";
  std::vector<fs::path> parts;
  for (fs::directory_iterator it(parts_dir, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path book = it->path() / "gradebook.sqlite";
    if (fs::is_regular_file(book)) parts.push_back(book);
  }
  if (parts.empty())
    throw BadInput("--collect " + out + ": no " + (parts_dir / "*" / "gradebook.sqlite").string() +
                   " (have the jobs of " + (fs::path(out) / "slurm" / "grade.sbatch").string() + " run?)");
  std::sort(parts.begin(), parts.end());
  GradeBook book((fs::path(out) / "gradebook.sqlite").string());
  for (const fs::path& p : parts) {
    const GradeBook part(p.string());
    book.merge(part);
    if (!quiet) std::printf("merged %s\n", p.string().c_str());
  }
  write_grade_reports(book.rows(), out);
  return parts.size();
}

}  // namespace edubench::harness
