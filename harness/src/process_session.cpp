#include "process_session.hpp"

#include "plugin.hpp"

namespace edubench::harness {

// Placeholder until the worker lands: describes the plugin in process.
PluginDescription describe_plugin_isolated(const std::string& path) {
  Plugin p = load_plugin(path);
  PluginDescription d;
  d.path = p.path;
  d.sha256 = p.sha256;
  d.name = p.api->name;
  d.version = p.api->version;
  d.abi_major = p.api->abi_major;
  d.abi_minor = p.api->abi_minor;
  d.workloads = p.workloads;
  return d;
}

}  // namespace edubench::harness
