// What machine and which harness produced a run: recorded in every result.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace edubench::harness {

std::vector<std::pair<std::string, std::string>> system_info();
std::string harness_version();
std::string harness_git();
std::string default_registry_path();  // workloads.yaml of the source tree or the install

}  // namespace edubench::harness
