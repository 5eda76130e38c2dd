// `edubench validate PLUGIN`: ABI checks, workloads, create, echo smoke queries, a verdict.
#include "commands.hpp"

#include <edubench/harness/system_info.hpp>
#include <edubench/harness/validate.hpp>
#include <edubench/session/errors.hpp>

#include <iostream>

namespace edubench::cli {
using namespace edubench::harness;

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
  auto vm = parse_options(desc, &pos, argc, argv);
  if (vm.count("help")) return std::cout << desc, kExitValid;
  if (plugin.empty()) throw BadInput("validate: expected a plugin path or name (see --help)");
  return validate_command(plugin, reg);
}

}  // namespace edubench::cli
