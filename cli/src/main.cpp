// The `edubench` command line: run, list, validate, check, grade, report, compare, gradescope, new-sut. Every failure ends in one line on stderr
// ("edubench: error: ...") and a documented exit code (exit_codes.hpp, README).
#include "commands.hpp"

#include <edubench/harness/system_info.hpp>
#include <edubench/session/errors.hpp>
#include <edubench/session/exit_codes.hpp>

#include <boost/program_options.hpp>

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

namespace po = boost::program_options;
using namespace edubench::harness;
using namespace edubench::cli;

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
    "  report    draw finished runs (and peak searches) side by side in one HTML file\n"
    "  compare   print finished runs' figures side by side\n"
    "  gradescope  write a Gradescope autograder bundle, or its results.json from a grade\n"
    "  new-sut   write a team's SUT project from a workload's starter (tests, README, CI)\n"
    "\n"
    "`edubench <command> --help` describes each. Exit codes: 0 valid, 1 run invalid,\n"
    "2 bad input, 3 plugin failure, 4 accuracy below target, 5 internal error,\n"
    "6 a compliance rule failed (check), 7 new-sut would overwrite a file,\n"
    "8 a lesson's gate failed (compare --gates), 130 interrupted.\n";

std::string joined(int argc, char** argv) {
  std::string s;
  for (int i = 0; i < argc; ++i) {
    if (i) s += ' ';
    s += argv[i];
  }
  return s;
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
    if (cmd == "report") return cmd_report(argc - 1, argv + 1);
    if (cmd == "compare") return cmd_compare(argc - 1, argv + 1);
    if (cmd == "gradescope") return cmd_gradescope(argc - 1, argv + 1);
    if (cmd == "new-sut") return cmd_new_sut(argc - 1, argv + 1);
    throw BadInput("unknown command '" + cmd + "' (expected run, list, validate, check, grade, report, compare, gradescope or new-sut; see --help)");
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
