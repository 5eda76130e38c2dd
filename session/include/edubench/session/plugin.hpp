// Loading a SUT plugin and checking it against ABI v1 before anything of it runs.
#pragma once

#include <edubench/sut_api.h>

#include <memory>
#include <string>
#include <vector>

namespace edubench::harness {

struct Plugin {
  std::string path;    // absolute
  std::string sha256;  // of the file
  const edu_sut_api* api = nullptr;
  std::vector<std::string> workloads;
  std::shared_ptr<void> library;  // keeps the .so mapped; plugins are never unloaded
};

// Resolves `spec`: a path to a file (made absolute) or the NAME of a reference plugin, found as
// edubench_sut_NAME.so next to the edubench binary or in ../lib/edubench/plugins.
// Throws BadInput naming the spec when no such file exists.
std::string resolve_plugin(const std::string& spec);

// Names of the reference plugins found next to the binary.
std::vector<std::string> builtin_plugins();

// Loads with RTLD_NOW | RTLD_LOCAL and checks: the entry symbol, a non-NULL description for
// host major 1, struct_size, abi_major, non-NULL function pointers and a workload list.
// Throws PluginFailure with one line naming the file and what was wrong. `sha256` stays empty:
// this is what the worker runs, which has no business hashing files.
Plugin open_plugin_library(const std::string& path);

// open_plugin_library with the file's sha256 (taken first: an unreadable file is named so).
Plugin load_plugin(const std::string& path);

// Throws PluginFailure unless the plugin at `path` lists `workload` among `served`.
void require_workload(const std::string& path, const std::vector<std::string>& served,
                      const std::string& workload);

}  // namespace edubench::harness
