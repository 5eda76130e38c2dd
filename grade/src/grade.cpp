#include <edubench/grade/grade.hpp>

#include <edubench/session/errors.hpp>
#include "batch.hpp"
#include "book.hpp"
#include "gradescope_scores.hpp"
#include "regrade.hpp"
#include "report.hpp"
#include "slurm.hpp"
#include "submission.hpp"
#include "team.hpp"
#include <edubench/session/process_session.hpp>
#include <edubench/harness/run.hpp>
#include <edubench/harness/system_info.hpp>

#include <edubench/registry/registry.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <cstdlib>
#include <new>

namespace edubench::harness {
namespace {
namespace fs = std::filesystem;

std::string absolute(const std::string& p) {
  std::error_code ec;
  return fs::absolute(p, ec).lexically_normal().string();
}

// SUBMISSIONS_DIR-grades next to it: outside the folder of team folders (where it would look
// like a team), and one per batch folder, so a re-run finds the grade book it resumes.
std::string default_output(const std::string& submissions) {
  fs::path p = fs::path(absolute(submissions));
  if (!p.has_filename()) p = p.parent_path();
  return p.string() + "-grades";
}

std::string self_path() {
  std::error_code ec;
  const fs::path p = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw HarnessError(kExitInternal, "cannot find the edubench binary (/proc/self/exe): " + ec.message());
  return p.string();
}

std::string hostname() {
  char b[256] = {0};
  return gethostname(b, sizeof b - 1) == 0 ? b : "";
}


void check_options(const GradeOptions& o) {
  if (o.retries < 0 || o.retries > 10) throw BadInput("--retries " + std::to_string(o.retries) + ": expected 0 to 10");
  if (!(o.verify_tolerance > 0)) throw BadInput("--verify-tolerance: expected a fraction > 0, e.g. 0.25");
  if (!(o.points > 0)) throw BadInput("--points: expected a number > 0");
  if (o.slurm && (o.recheck || o.verify_top))
    throw BadInput(std::string(o.recheck ? "--recheck" : "--verify-top") +
                   ": not with --slurm (run it here after --collect)");
  if (o.recheck && o.regrade) throw BadInput("--recheck: not with --regrade (one re-checks, the other re-runs)");
  for (const std::string& sc : o.scenarios)
    if (!registry::parse_scenario(sc))
      throw BadInput("--scenario " + sc + ": expected single_stream, offline or server");
  registry::Settings probe;  // the keys and values are checked now, not once per team
  for (const std::string& kv : o.sets) {
    auto [k, v] = split_key_value(kv, "--set");
    try {
      registry::apply_setting(probe, k, v);
    } catch (const registry::Error& e) {
      throw BadInput(e.what());
    }
  }
}

int collect(const GradeOptions& o) {
  if (!o.submissions.empty())
    throw BadInput("--collect OUT takes the grading output directory only, not " + o.submissions);
  const size_t n = collect_slurm_parts(o.collect, o.quiet);
  if (!o.quiet)
    std::printf("collected %zu parts into %s; tables: %s, %s\n", n,
                (fs::path(o.collect) / "gradebook.sqlite").string().c_str(),
                (fs::path(o.collect) / "grades.csv").string().c_str(),
                (fs::path(o.collect) / "grades.html").string().c_str());
  return kExitValid;
}

int slurm(const GradeOptions& o, const std::vector<std::string>& teams, const registry::Registry& reg,
          const std::string& out) {
  // Before anything is written: a job written for a submit that cannot happen would look submitted.
  if (o.submit && !sbatch_on_path())
    throw BadInput("--submit: sbatch is not on the PATH (submit the job where Slurm runs, or drop --submit)");
  SlurmJob job;
  job.edubench = self_path();
  job.submissions = absolute(o.submissions);
  job.out = out;
  job.registry = reg.path;
  job.teams = teams;
  job.scenarios = o.scenarios;
  job.sets = o.sets;
  job.sbatch_args = o.sbatch_args;
  job.regrade = o.regrade;
  job.retries = o.retries;
  const std::string script = write_slurm_job(job);
  std::printf("wrote %s: an array job of %zu tasks, one per team\n", script.c_str(), teams.size());
  if (!o.submit) {
    std::printf("submit it:        sbatch %s\nwhen it has run:  %s grade --collect %s\n", script.c_str(),
                job.edubench.c_str(), out.c_str());
    return kExitValid;
  }
  const int rc = submit_slurm_job(script);
  if (rc != 0) throw HarnessError(kExitInternal, "sbatch " + script + " exited " + std::to_string(rc));
  std::printf("when it has run:  %s grade --collect %s\n", job.edubench.c_str(), out.c_str());
  return kExitValid;
}

RegradeScope scope_of(const GradeOptions& o) {
  RegradeScope s;
  s.team = o.team;
  s.scenarios = o.scenarios;
  s.quiet = o.quiet;
  return s;
}

VerifyOptions verify_options(const GradeOptions& o, const std::string& out) {
  VerifyOptions v;
  v.top = o.verify_top;
  v.tolerance = o.verify_tolerance;
  v.out = out;
  v.command_line = o.command_line;
  v.sut_memory_mb = o.sut_memory_mb;
  return v;
}

// What the batch writes besides its tables: the leaderboard on stdout and the Gradescope upload.
void write_extras(const GradeOptions& o, const std::vector<GradeRow>& rows) {
  if (o.leaderboard) std::fputs(leaderboard_text(rows).c_str(), stdout);
  if (o.gradescope_csv.empty()) return;
  std::vector<std::string> warnings;
  write_atomically(o.gradescope_csv, gradescope_scores_csv(rows, o.points, warnings));
  for (const std::string& w : warnings) std::fprintf(stderr, "edubench: warning: %s\n", w.c_str());
  if (!o.quiet) std::printf("gradescope scores: %s\n", o.gradescope_csv.c_str());
}

// The tables, the leaderboard and the upload from the whole book; returns "the grade book holds
// ..." for the summary line.
std::string write_all_reports(const GradeOptions& o, const GradeBook& book, const std::string& out) {
  const std::vector<GradeRow> rows = book.rows();
  write_grade_reports(rows, out);
  write_extras(o, rows);
  std::map<std::string, int> count;
  for (const GradeRow& r : rows) ++count[r.verdict];
  return "the grade book holds " + std::to_string(count["PASS"]) + " PASS, " + std::to_string(count["FAIL"]) +
         " FAIL, " + std::to_string(count["ERROR"]) + " ERROR";
}

// --recheck: the checker again over the run directories the grade book points at.
int recheck(const GradeOptions& o, const registry::Registry& reg, const std::string& registry_sha,
            const std::string& out) {
  const fs::path db = fs::path(out) / "gradebook.sqlite";
  std::error_code ec;
  if (!fs::exists(db, ec))
    throw BadInput("--recheck: no grade book " + db.string() + " (grade the class first, or give --output)");
  GradeBook book(db.string());
  const size_t n = recheck_rows(book, reg.path, registry_sha, scope_of(o));
  const std::string holds = write_all_reports(o, book, out);
  if (!o.quiet) std::printf("%zu submissions rechecked; %s\n", n, holds.c_str());
  return kExitValid;
}

int grade(const GradeOptions& o) {
  if (!o.collect.empty()) return collect(o);
  if (o.submissions.empty()) throw BadInput("grade: expected SUBMISSIONS_DIR (see --help)");
  if (o.submit && !o.slurm) throw BadInput("--submit: only with --slurm");
  if (!o.sbatch_args.empty() && !o.slurm) throw BadInput("--sbatch-arg: only with --slurm");
  std::vector<std::string> teams = team_folder_names(o.submissions);
  if (!o.team.empty()) {
    if (std::find(teams.begin(), teams.end(), o.team) == teams.end())
      throw BadInput("--team " + o.team + ": no such team folder in " + o.submissions);
    teams = {o.team};
  }
  const registry::Registry reg = load_registry_or_bad_input(o.registry_path);
  check_options(o);
  std::string registry_sha;
  try {
    registry_sha = registry::sha256_file(reg.path);
  } catch (const std::exception& e) {
    throw BadInput(e.what());
  }
  const std::string out = absolute(o.output.empty() ? default_output(o.submissions) : o.output);
  if (o.slurm) return slurm(o, teams, reg, out);
  if (o.recheck) return recheck(o, reg, registry_sha, out);
  {
    std::error_code ec;
    fs::create_directories(out, ec);
    if (ec) throw BadInput("--output " + out + ": cannot create: " + ec.message());
  }

  GradeBook book((fs::path(out) / "gradebook.sqlite").string());
  GradeBatch info;
  info.started_at = utc_now();
  info.host = hostname();
  info.harness_version = harness_version();
  info.harness_git = harness_git();
  info.command = o.command_line;
  info.registry_path = reg.path;
  info.registry_sha256 = registry_sha;
  info.overrides = join(o.sets, " ");
  Batch batch(o, reg, registry_sha, out, book);
  batch.id = book.begin_batch(info);
  bool interrupted = false;
  batch.team_count = teams.size();
  for (const std::string& t : teams)
    if (++batch.team_index, !batch.grade_team(t)) {
      interrupted = true;
      break;
    }
  if (!interrupted) book.end_batch(batch.id, utc_now());
  if (!interrupted && o.verify_top) interrupted = !verify_top_rows(book, verify_options(o, out), scope_of(o));
  const std::string holds = write_all_reports(o, book, out);
  if (!o.quiet) {
    std::printf("%zu submissions graded, %zu graded already; %s\n", batch.graded, batch.skipped, holds.c_str());
    std::printf("grade book: %s\ntables:     %s, %s\n", book.path().c_str(),
                (fs::path(out) / "grades.csv").string().c_str(), (fs::path(out) / "grades.html").string().c_str());
  }
  if (interrupted) {
    std::fprintf(stderr, "edubench: error: interrupted; the rows graded so far are in %s (run again to resume)\n",
                 book.path().c_str());
    return kExitInterrupted;
  }
  return kExitValid;
}

}  // namespace

void grade_command(const GradeOptions& o) {
  int code = kExitInternal;
  try {
    code = grade(o);
  } catch (const HarnessError& e) {
    std::fprintf(stderr, "edubench: error: %s\n", e.what());
    code = e.code();
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "edubench: error: out of memory\n");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "edubench: error: internal: %s\n", e.what());
  }
  // Plugins are never unloaded and their threads may linger: leave without static destructors.
  std::fflush(nullptr);
  std::_Exit(code);
}

}  // namespace edubench::harness
