// `edubench validate PLUGIN`: ABI checks, workloads, create, echo smoke queries, a verdict.
#pragma once
#include <string>
namespace edubench::harness {
int validate_command(const std::string& plugin, const std::string& registry_path);
}
