// sha256 of a plugin file; throws PluginFailure "PATH: cannot read: ..." when it cannot be read.
#pragma once

#include <string>

namespace edubench::harness {

std::string plugin_file_sha256(const std::string& path);

}  // namespace edubench::harness
