// `edubench check DIR`: the compliance checker's command line (the rules are in compliance/).
#pragma once

#include <string>

namespace edubench::harness {

// Prints one line per rule, writes DIR/verdict.json; returns 0 when every rule holds,
// kExitCheckFailed otherwise. Throws BadInput for a missing directory or a bad registry.
int check_command(const std::string& dir, const std::string& registry_path, const std::string& division);

}  // namespace edubench::harness
