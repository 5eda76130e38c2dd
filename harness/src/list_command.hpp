// `edubench list`: the registry's workloads and the reference plugins next to the binary.
#pragma once
#include <string>
namespace edubench::harness {
int list_command(const std::string& registry_path);
}
