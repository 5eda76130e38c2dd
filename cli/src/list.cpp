// `edubench list`: the registry's workloads and the reference plugins next to the binary.
#include "commands.hpp"

#include <edubench/harness/run.hpp>
#include <edubench/harness/system_info.hpp>
#include <edubench/session/errors.hpp>
#include <edubench/session/plugin.hpp>

#include <cstdio>
#include <iostream>

namespace edubench::cli {
using namespace edubench::harness;

namespace {

int list_workloads_and_plugins(const std::string& registry_path) {
  const registry::Registry reg = load_registry_or_bad_input(registry_path);
  std::printf("workloads (%s):\n", reg.path.c_str());
  std::printf("  %-20s %-8s %-11s %-32s %s\n", "id", "status", "kind", "scenarios", "reference plugin");
  for (const auto& w : reg.workloads) {
    std::string sc;
    for (const auto& [s, _] : w.scenarios) {
      if (!sc.empty()) sc += ',';
      sc += registry::to_string(s);
    }
    std::printf("  %-20s %-8s %-11s %-32s %s\n", w.id.c_str(), w.status.c_str(), registry::to_string(w.kind),
                sc.c_str(), w.reference_sut.c_str());
  }
  std::printf("\nreference plugins (use with --sut NAME):\n");
  for (const auto& name : builtin_plugins()) {
    try {
      Plugin p = load_plugin(resolve_plugin(name));
      std::string ws;
      for (const auto& w : p.workloads) ws += (ws.empty() ? "" : ", ") + w;
      std::printf("  %-20s %-10s serves: %s\n", name.c_str(), p.api->version, ws.c_str());
    } catch (const HarnessError& e) {
      std::printf("  %-20s (cannot load: %s)\n", name.c_str(), e.what());
    }
  }
  return kExitValid;
}

}  // namespace

int cmd_list(int argc, char** argv) {
  std::string reg;
  po::options_description desc("edubench list [--registry workloads.yaml]\n\nLists workloads and reference plugins.\n\noptions");
  desc.add_options()("help,h", "show this help")
      ("registry", po::value(&reg)->default_value(default_registry_path()), "workloads.yaml to read");
  auto vm = parse_options(desc, nullptr, argc, argv);
  if (vm.count("help")) return std::cout << desc, kExitValid;
  return list_workloads_and_plugins(reg);
}

}  // namespace edubench::cli
