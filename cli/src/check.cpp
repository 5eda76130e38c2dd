// `edubench check DIR`: the compliance checker over a submission directory (rules: compliance/).
#include "commands.hpp"

#include <edubench/compliance/check.hpp>
#include <edubench/harness/run.hpp>
#include <edubench/harness/system_info.hpp>
#include <edubench/session/errors.hpp>

#include <iostream>
#include <stdexcept>

namespace edubench::cli {
using namespace edubench::harness;

namespace {

int check_command(const std::string& dir, const std::string& registry_path, const std::string& division) {
  const registry::Registry reg = load_registry_or_bad_input(registry_path);
  try {
    return compliance::check_and_report(dir, reg, division) == 0 ? kExitValid : kExitCheckFailed;
  } catch (const std::invalid_argument& e) {
    throw BadInput(e.what());
  } catch (const std::runtime_error& e) {
    throw HarnessError(kExitInternal, e.what());
  }
}

}  // namespace

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
  auto vm = parse_options(desc, &pos, argc, argv);
  if (vm.count("help")) return std::cout << desc, kExitValid;
  if (dir.empty()) throw BadInput("check: expected a submission directory (see --help)");
  return check_command(dir, reg, division);
}

}  // namespace edubench::cli
