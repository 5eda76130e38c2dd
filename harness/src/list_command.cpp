#include "list_command.hpp"

#include "errors.hpp"
#include "plugin.hpp"

#include <edubench/registry/registry.hpp>

#include <cstdio>

namespace edubench::harness {

int list_command(const std::string& registry_path) {
  registry::Registry reg;
  try {
    reg = registry::load_registry(registry_path);
  } catch (const registry::Error& e) {
    throw BadInput(e.what());
  }
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

}  // namespace edubench::harness
