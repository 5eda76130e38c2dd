// The harness side of loading a plugin: the file's sha256 (recorded in every result), then the
// library. The worker opens the library only (plugin.cpp), so it links no hashing code.
#include "plugin_file.hpp"

#include <edubench/session/errors.hpp>
#include <edubench/session/plugin.hpp>

#include <edubench/registry/registry.hpp>

namespace edubench::harness {

std::string plugin_file_sha256(const std::string& path) {
  try {
    return registry::sha256_file(path);
  } catch (const std::exception& e) {
    throw PluginFailure(path + ": cannot read: " + e.what());
  }
}

Plugin load_plugin(const std::string& path) {
  const std::string sha = plugin_file_sha256(path);
  Plugin p = open_plugin_library(path);
  p.sha256 = sha;
  return p;
}

}  // namespace edubench::harness
