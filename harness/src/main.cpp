// The `edubench` command line: run, list, validate, check, grade. Every failure ends in one line on stderr
// ("edubench: error: ...") and a documented exit code (exit_codes.hpp, README).
#include "check_command.hpp"
#include "errors.hpp"
#include "exit_codes.hpp"
#include "grade_command.hpp"
#include "list_command.hpp"
#include "run_command.hpp"
#include "system_info.hpp"
#include "validate_command.hpp"

#include <boost/program_options.hpp>

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

namespace po = boost::program_options;
using namespace edubench::harness;

namespace {

const char* kUsage =
    "usage: edubench <command> [options]\n"
    "\n"
    "commands:\n"
    "  run       run one workload in one scenario against a SUT plugin\n"
    "  list      list the registry's workloads and the built-in reference plugins\n"
    "  validate  load a plugin, check its ABI, run smoke queries, print a verdict\n"
    "  check     prove a submission directory (run --mode submission) against the rules\n"
    "  grade     grade a class: each team folder's .so submitted and checked, into a grade book\n"
    "\n"
    "`edubench <command> --help` describes each. Exit codes: 0 valid, 1 run invalid,\n"
    "2 bad input, 3 plugin failure, 4 accuracy below target, 5 internal error,\n"
    "6 a compliance rule failed (check), 130 interrupted.\n";

std::string joined(int argc, char** argv) {
  std::string s;
  for (int i = 0; i < argc; ++i) {
    if (i) s += ' ';
    s += argv[i];
  }
  return s;
}

po::variables_map parse(const po::options_description& desc, const po::positional_options_description* pos,
                        int argc, char** argv) {
  po::variables_map vm;
  auto parser = po::command_line_parser(argc, argv).options(desc);
  if (pos) parser.positional(*pos);
  po::store(parser.run(), vm);
  po::notify(vm);
  return vm;
}

int cmd_run(int argc, char** argv, const std::string& cmdline) {
  RunOptions o;
  po::options_description desc(
      "edubench run --workload ID --sut PATH|NAME --scenario SCENARIO [options]\n\n"
      "Runs one workload in one scenario against a SUT plugin and writes a run directory\n"
      "(result.json, summary.txt, events.jsonl, accuracy.jsonl, trace.json, manifest.json).\n\n"
      "options");
  desc.add_options()
      ("help,h", "show this help")
      ("workload,w", po::value(&o.workload)->required(), "workload id from the registry (see `edubench list`)")
      ("sut,s", po::value(&o.sut)->required(), "plugin .so path, or the name of a reference plugin")
      ("scenario", po::value(&o.scenario)->required(), "single_stream | offline | server")
      ("mode,m", po::value(&o.mode)->default_value("performance"),
       "performance | accuracy | submission (the performance, accuracy and TEST04 audit runs and "
       "submission.json in one directory, for `edubench check`)")
      ("output,o", po::value(&o.output), "run directory (default results/<workload>/<scenario>/<mode>/<time>)")
      ("registry", po::value(&o.registry_path)->default_value(default_registry_path()), "workloads.yaml to use")
      ("set", po::value(&o.sets)->composing(), "override a scenario setting, key=value (repeatable; recorded)")
      ("sut-opt", po::value(&o.sut_opts)->composing(), "option for the plugin's create, key=value (repeatable)")
      ("division", po::value(&o.division)->default_value("closed"), "closed | open (recorded)")
      ("isolation", po::value(&o.isolation),
       "process: the plugin runs in a contained worker process; none: inside the harness (for gdb). "
       "Default: process for --mode submission, none otherwise")
      ("sut-memory-mb", po::value(&o.sut_memory_mb)->default_value(0),
       "address-space limit of the SUT worker in MiB (--isolation process; 0: 8192)")
      ("quiet,q", po::bool_switch(&o.quiet), "no progress line and no summary on stdout");
  po::variables_map vm;
  po::store(po::command_line_parser(argc, argv).options(desc).run(), vm);
  if (vm.count("help")) {
    std::cout << desc << "\nsettings for --set: see workloads.yaml (e.g. min_duration_s, min_query_count,\n"
                         "max_query_count, target_qps, latency_bound_ms, query_timeout_s, run_timeout_s).\n";
    return kExitValid;
  }
  po::notify(vm);
  o.command_line = cmdline;
  return run_command(o);
}

int cmd_list(int argc, char** argv) {
  std::string reg;
  po::options_description desc("edubench list [--registry workloads.yaml]\n\nLists workloads and reference plugins.\n\noptions");
  desc.add_options()("help,h", "show this help")
      ("registry", po::value(&reg)->default_value(default_registry_path()), "workloads.yaml to read");
  auto vm = parse(desc, nullptr, argc, argv);
  if (vm.count("help")) return std::cout << desc, kExitValid;
  return list_command(reg);
}

int cmd_validate(int argc, char** argv) {
  std::string plugin, reg;
  po::options_description desc(
      "edubench validate PLUGIN [--registry workloads.yaml]\n\n"
      "Loads PLUGIN (a .so path or a reference plugin name), checks the ABI, lists its workloads,\n"
      "creates an instance for each ready workload it serves and runs the echo smoke queries when it\n"
      "serves echo. Prints PASS or FAIL.\n\noptions");
  desc.add_options()("help,h", "show this help")
      ("plugin", po::value(&plugin), "plugin path or name")
      ("registry", po::value(&reg)->default_value(default_registry_path()), "workloads.yaml to read");
  po::positional_options_description pos;
  pos.add("plugin", 1);
  auto vm = parse(desc, &pos, argc, argv);
  if (vm.count("help")) return std::cout << desc, kExitValid;
  if (plugin.empty()) throw BadInput("validate: expected a plugin path or name (see --help)");
  return validate_command(plugin, reg);
}

int cmd_check(int argc, char** argv) {
  std::string dir, reg, division;
  po::options_description desc(
      "edubench check DIR [--registry workloads.yaml] [--division closed|open]\n\n"
      "Proves a submission directory written by `edubench run --mode submission`: manifest hashes,\n"
      "run rules, validity and accuracy recomputed from the raw logs, TEST01, TEST04 and TEST06.\n"
      "Prints one line per rule (PASS rule: figures / FAIL rule: file: figures) and writes\n"
      "DIR/verdict.json. Exit 0 when every rule holds, 6 when one fails, 2 for bad input.\n"
      "Rules are explained in docs/compliance.md.\n\noptions");
  desc.add_options()("help,h", "show this help")
      ("dir", po::value(&dir), "the submission directory")
      ("registry", po::value(&reg)->default_value(default_registry_path()), "workloads.yaml the rules come from")
      ("division", po::value(&division), "closed | open (default: the one submission.json declares)");
  po::positional_options_description pos;
  pos.add("dir", 1);
  auto vm = parse(desc, &pos, argc, argv);
  if (vm.count("help")) return std::cout << desc, kExitValid;
  if (dir.empty()) throw BadInput("check: expected a submission directory (see --help)");
  return check_command(dir, reg, division);
}

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
      ("collect", po::value(&o.collect), "OUT: merge the grade books of the Slurm tasks into OUT's");
  po::positional_options_description pos;
  pos.add("submissions", 1);
  auto vm = parse(desc, &pos, argc, argv);
  if (vm.count("help")) return std::cout << desc, kExitValid;
  o.command_line = cmdline;
  grade_command(o);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h" ||
      std::string(argv[1]) == "help") {
    std::cout << kUsage;
    return argc < 2 ? kExitBadInput : kExitValid;
  }
  if (std::string(argv[1]) == "--version") {
    std::cout << "edubench " << harness_version() << " (" << harness_git() << ")\n";
    return kExitValid;
  }
  const std::string cmd = argv[1];
  try {
    if (cmd == "run") return cmd_run(argc - 1, argv + 1, joined(argc, argv));
    if (cmd == "list") return cmd_list(argc - 1, argv + 1);
    if (cmd == "validate") return cmd_validate(argc - 1, argv + 1);
    if (cmd == "check") return cmd_check(argc - 1, argv + 1);
    if (cmd == "grade") return cmd_grade(argc - 1, argv + 1, joined(argc, argv));
    throw BadInput("unknown command '" + cmd + "' (expected run, list, validate, check or grade; see --help)");
  } catch (const HarnessError& e) {
    std::fprintf(stderr, "edubench: error: %s\n", e.what());
    return e.code();
  } catch (const po::error& e) {
    std::fprintf(stderr, "edubench: error: %s %s (see edubench %s --help)\n", cmd.c_str(), e.what(), cmd.c_str());
    return kExitBadInput;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "edubench: error: out of memory\n");
    return kExitInternal;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "edubench: error: internal: %s\n", e.what());
    return kExitInternal;
  }
}
