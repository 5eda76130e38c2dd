// `edubench gradescope init|results`: a Gradescope autograder bundle, and results.json from a
// one-team grade output (grade/include/edubench/grade/gradescope.hpp, docs/gradescope.md).
#include "commands.hpp"

#include <edubench/grade/gradescope.hpp>
#include <edubench/harness/system_info.hpp>
#include <edubench/session/errors.hpp>
#include <edubench/session/exit_codes.hpp>

#include <iostream>

namespace edubench::cli {
using namespace edubench::harness;

namespace {

int init(int argc, char** argv) {
  GradescopeInitOptions o;
  po::options_description desc(
      "edubench gradescope init DIR [--workload W]... [--scenario S]... [options]\n\n"
      "Writes a Gradescope autograder bundle into DIR (new or empty): setup.sh (installs the edubench SDK\n"
      ".deb placed next to it), run_autograder (grades the student's .so, or builds their CMake project,\n"
      "with `edubench grade`, isolated, and writes /autograder/results/results.json) and a README.\n"
      "Details: docs/gradescope.md.\n\noptions");
  desc.add_options()("help,h", "show this help")
      ("dir", po::value(&o.dir)->required(), "the bundle folder")
      ("workload", po::value(&o.workloads)->composing(), "grade this workload (repeatable; default: every ready one the plugin serves)")
      ("scenario", po::value(&o.scenarios)->composing(), "grade this scenario (repeatable; default: every one the registry defines)")
      ("set", po::value(&o.sets)->composing(), "scenario setting key=value for every submission (repeatable)")
      ("points", po::value(&o.points)->default_value(10), "points per workload and scenario, shared by the checker's rules")
      ("registry", po::value(&o.registry_path)->default_value(default_registry_path()),
       "workloads.yaml, at the path it has on the autograder image");
  po::positional_options_description pos;
  pos.add("dir", 1);
  auto vm = parse_options(desc, &pos, argc, argv);
  if (vm.count("help")) return std::cout << desc, kExitValid;
  gradescope_init(o);
  return kExitValid;
}

int results(int argc, char** argv) {
  GradescopeResultsOptions o;
  po::options_description desc(
      "edubench gradescope results GRADES_DIR -o results.json [options]\n"
      "edubench gradescope results --error MESSAGE -o results.json\n\n"
      "Writes Gradescope's results.json from the output folder of `edubench grade` for one hand-in: a test\n"
      "per checker rule, a test per row without a verdict, the leaderboard, and nothing about the hidden\n"
      "tests but whether they passed. With --error, a results.json that only reports MESSAGE.\n\noptions");
  desc.add_options()("help,h", "show this help")
      ("grades", po::value(&o.grades), "the output folder of `edubench grade`")
      ("output,o", po::value(&o.output)->required(), "results.json to write")
      ("points", po::value(&o.points)->default_value(10), "points per workload and scenario")
      ("error", po::value(&o.error), "write a results.json that reports only this failure")
      ("registry", po::value(&o.registry_path)->default_value(default_registry_path()), "workloads.yaml the grades used");
  po::positional_options_description pos;
  pos.add("grades", 1);
  auto vm = parse_options(desc, &pos, argc, argv);
  if (vm.count("help")) return std::cout << desc, kExitValid;
  if (o.grades.empty() == o.error.empty()) throw BadInput("gradescope results: expected GRADES_DIR or --error MESSAGE (one of them)");
  gradescope_results(o);
  return kExitValid;
}

}  // namespace

int cmd_gradescope(int argc, char** argv) {
  const std::string sub = argc > 1 ? argv[1] : "";
  if (sub == "init") return init(argc - 1, argv + 1);
  if (sub == "results") return results(argc - 1, argv + 1);
  if (sub == "--help" || sub == "-h") {
    std::cout << "edubench gradescope init DIR ...      write a Gradescope autograder bundle\n"
                 "edubench gradescope results DIR ...   results.json from a one-team grade output\n"
                 "`edubench gradescope init --help` and `... results --help` describe each.\n";
    return kExitValid;
  }
  throw BadInput("gradescope: expected init or results, got '" + sub + "' (see edubench gradescope --help)");
}

}  // namespace edubench::cli
