#include <edubench/session/open_session.hpp>

#include <edubench/session/plugin.hpp>

namespace edubench::harness {

std::unique_ptr<SutSession> open_session(const SessionRequest& req, const edu_host* host,
                                         PluginDescription* described) {
  std::unique_ptr<SutSession> session;
  PluginDescription& d = *described;
  if (req.isolated) {
    ProcessSessionOptions po;
    po.plugin_path = req.plugin_path;
    po.stderr_path = req.stderr_path;
    po.readable = req.readable;
    po.limits = req.limits;
    po.samples = req.samples;
    session = start_process_session(po, host, &d);
  } else {
    const Plugin p = load_plugin(req.plugin_path);
    d.path = p.path;
    d.sha256 = p.sha256;
    d.name = p.api->name;
    d.version = p.api->version;
    d.abi_major = p.api->abi_major;
    d.abi_minor = p.api->abi_minor;
    d.workloads = p.workloads;
    session = make_in_process_session(p, host);
  }
  require_workload(d.path, d.workloads, req.workload);
  return session;
}

}  // namespace edubench::harness
