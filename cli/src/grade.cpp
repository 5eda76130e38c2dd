// `edubench grade SUBMISSIONS_DIR`: a class graded into a grade book (grade/).
#include "commands.hpp"

#include <edubench/grade/grade.hpp>
#include <edubench/harness/system_info.hpp>
#include <edubench/session/exit_codes.hpp>

#include <iostream>

namespace edubench::cli {
using namespace edubench::harness;

int cmd_grade(int argc, char** argv, const std::string& cmdline) {
  GradeOptions o;
  po::options_description desc(
      "edubench grade SUBMISSIONS_DIR [options]\n"
      "edubench grade SUBMISSIONS_DIR --slurm [--submit] [options]\n"
      "edubench grade --collect OUT\n\n"
      "Grades a class. SUBMISSIONS_DIR holds one folder per team with exactly one .so and an optional\n"
      "team.yaml (name, members, division: closed|open, workloads: [ids]). For every workload the plugin\n"
      "declares that the registry has ready, and every scenario the registry defines for it, makes a\n"
      "submission (run --mode submission, the plugin isolated in a worker process) and checks it. Rows go\n"
      "to OUT/gradebook.sqlite (one transaction each); OUT/grades.csv and OUT/grades.html are rewritten,\n"
      "passing rows first. A re-run skips what is graded for the same plugin sha256, registry, division\n"
      "and --set values. Exit 0 when the batch went to its end, failing teams included.\n"
      "edubench grade SUBMISSIONS_DIR --recheck: the checker again over what the grade book holds, nothing run.\n"
      "Details: docs/grading.md.\n\noptions");
  desc.add_options()("help,h", "show this help")
      ("submissions", po::value(&o.submissions), "the folder of team folders")
      ("output,o", po::value(&o.output), "grading output directory (default: SUBMISSIONS_DIR-grades, next to it)")
      ("registry", po::value(&o.registry_path)->default_value(default_registry_path()), "workloads.yaml to use")
      ("scenario", po::value(&o.scenarios)->composing(), "grade only this scenario (repeatable)")
      ("set", po::value(&o.sets)->composing(), "scenario setting key=value for every submission (repeatable; recorded)")
      ("team", po::value(&o.team), "grade only this team folder")
      ("regrade", po::bool_switch(&o.regrade), "grade again what the grade book already holds")
      ("sut-memory-mb", po::value(&o.sut_memory_mb)->default_value(0),
       "address-space limit of each team's SUT worker in MiB (0: 8192)")
      ("quiet,q", po::bool_switch(&o.quiet), "no line per row and no summary on stdout")
      ("slurm", po::bool_switch(&o.slurm),
       "write OUT/slurm/grade.sbatch, an array job with one task per team, instead of grading here")
      ("sbatch-arg", po::value(&o.sbatch_args)->composing(),
       "extra #SBATCH line for --slurm, e.g. --sbatch-arg=--time=02:00:00 (repeatable)")
      ("submit", po::bool_switch(&o.submit), "with --slurm: run sbatch on the job")
      ("collect", po::value(&o.collect), "OUT: merge the grade books of the Slurm tasks into OUT's")
      ("retries", po::value(&o.retries)->default_value(1),
       "grade a row again up to this many times when its plugin failed (crash, hang, a call failed) or it "
       "could not be made; every attempt is recorded (0-10)")
      ("recheck", po::bool_switch(&o.recheck),
       "run no submission: the checker again over the run directories in the grade book (after a rule fix)")
      ("verify-top", po::value(&o.verify_top)->default_value(0),
       "re-run from scratch the N best PASS rows of each workload and scenario not verified yet, and flag a "
       "metric that moved by more than --verify-tolerance")
      ("verify-tolerance", po::value(&o.verify_tolerance)->default_value(0.25, "0.25"),
       "how far a --verify-top re-run's metric may be from the graded one and still count as the same, as a factor: 0.25 = up to 1.25x either way")
      ("leaderboard", po::bool_switch(&o.leaderboard),
       "print the ranking of the PASS rows per workload and scenario (OUT/leaderboard.csv is always written)")
      ("gradescope-csv", po::value(&o.gradescope_csv),
       "FILE: write the grade book as a Gradescope score upload (Name, Email, Team, Total Score, Max Points; "
       "one line per team.yaml member written as 'Name <email>')")
      ("points", po::value(&o.points)->default_value(10), "points per PASS row in --gradescope-csv");
  po::positional_options_description pos;
  pos.add("submissions", 1);
  auto vm = parse_options(desc, &pos, argc, argv);
  if (vm.count("help")) return std::cout << desc, kExitValid;
  o.command_line = cmdline;
  grade_command(o);
}

}  // namespace edubench::cli
