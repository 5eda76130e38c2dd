// SutSession for a plugin loaded into the harness's own process.
#include <edubench/session/errors.hpp>
#include <edubench/session/sut_session.hpp>

#include "proc_memory.hpp"

namespace edubench::harness {

const char* status_name(edu_status s) {
  switch (s) {
    case EDU_OK: return "EDU_OK";
    case EDU_ERR_INVALID_ARGUMENT: return "EDU_ERR_INVALID_ARGUMENT";
    case EDU_ERR_UNSUPPORTED: return "EDU_ERR_UNSUPPORTED";
    case EDU_ERR_NOT_FOUND: return "EDU_ERR_NOT_FOUND";
    case EDU_ERR_BUFFER_TOO_SMALL: return "EDU_ERR_BUFFER_TOO_SMALL";
    case EDU_ERR_TIMEOUT: return "EDU_ERR_TIMEOUT";
    case EDU_ERR_INTERNAL: return "EDU_ERR_INTERNAL";
    default: return "unknown status";
  }
}

namespace {

class InProcessSession final : public SutSession {
 public:
  InProcessSession(const Plugin& p, const edu_host* host) : plugin_(p), host_(host) {}

  void create(const std::string& workload,
              const std::vector<std::pair<std::string, std::string>>& cfg) override {
    if (auto m = read_proc_memory("self")) baseline_rss_bytes_ = m->rss_bytes;
    std::vector<edu_kv> kv;
    kv.reserve(cfg.size());
    for (const auto& [k, v] : cfg) kv.push_back({k.c_str(), v.c_str()});
    char err[1024] = {0};
    void* sut = nullptr;
    edu_status s;
    try {
      s = plugin_.api->create(host_, workload.c_str(), kv.data(), kv.size(), &sut, err, sizeof err);
    } catch (...) {
      throw PluginFailure(plugin_.path + ": create threw a C++ exception across the C ABI");
    }
    err[sizeof err - 1] = '\0';
    if (s != EDU_OK)
      throw PluginFailure(plugin_.path + ": create failed (" + status_name(s) + "): " +
                          (err[0] ? err : "no message"));
    if (!sut) throw PluginFailure(plugin_.path + ": create returned EDU_OK but no instance");
    sut_ = sut;
  }

  edu_status issue(const edu_query* q, size_t n) override {
    try {
      return plugin_.api->issue(sut_, q, n);
    } catch (...) {
      throw PluginFailure(plugin_.path + ": issue threw a C++ exception across the C ABI");
    }
  }

  edu_status flush() override {
    try {
      return plugin_.api->flush(sut_);
    } catch (...) {
      throw PluginFailure(plugin_.path + ": flush threw a C++ exception across the C ABI");
    }
  }

  void destroy() override {
    if (!sut_) return;
    void* s = sut_;
    sut_ = nullptr;
    try {
      plugin_.api->destroy(s);
    } catch (...) {
      throw PluginFailure(plugin_.path + ": destroy threw a C++ exception across the C ABI");
    }
  }

  MemoryUse memory_use() const override {
    MemoryUse u;
    const auto m = read_proc_memory("self");
    if (!m) return u;
    u.measured = u.includes_harness = true;
    u.peak_rss_bytes = m->peak_rss_bytes;
    u.rss_bytes = m->rss_bytes;
    u.baseline_rss_bytes = baseline_rss_bytes_;
    u.source = "in process: /proc/self/status VmHWM and VmRSS of the harness's process, plugin included";
    return u;
  }

 private:
  Plugin plugin_;
  const edu_host* host_;
  void* sut_ = nullptr;
  uint64_t baseline_rss_bytes_ = 0;
};

}  // namespace

std::unique_ptr<SutSession> make_in_process_session(const Plugin& plugin, const edu_host* host) {
  return std::make_unique<InProcessSession>(plugin, host);
}

}  // namespace edubench::harness
