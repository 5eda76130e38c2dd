#include <edubench/session/plugin.hpp>

#include <edubench/session/errors.hpp>

#include <boost/dll/runtime_symbol_info.hpp>
#include <boost/dll/shared_library.hpp>

#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <mutex>

namespace edubench::harness {
namespace fs = std::filesystem;

static std::vector<fs::path> plugin_dirs() {
  fs::path exe_dir = boost::dll::program_location().parent_path().string();
  return {exe_dir, exe_dir / ".." / "lib" / "edubench" / "plugins"};
}

std::string resolve_plugin(const std::string& spec) {
  if (spec.empty()) throw BadInput("--sut: expected a plugin path or a reference plugin name");
  bool looks_like_path = spec.find('/') != std::string::npos ||
                         (spec.size() > 3 && spec.compare(spec.size() - 3, 3, ".so") == 0);
  if (looks_like_path) {
    std::error_code ec;
    fs::path p = fs::absolute(spec, ec);
    if (ec || !fs::is_regular_file(p, ec))
      throw BadInput("--sut " + spec + ": no such plugin file");
    return p.lexically_normal().string();
  }
  for (const auto& dir : plugin_dirs()) {
    fs::path p = dir / ("edubench_sut_" + spec + ".so");
    std::error_code ec;
    if (fs::is_regular_file(p, ec)) return fs::weakly_canonical(p).string();
  }
  throw BadInput("--sut " + spec + ": not a file and not a reference plugin (see `edubench list`)");
}

std::vector<std::string> builtin_plugins() {
  std::vector<std::string> names;
  const std::string prefix = "edubench_sut_";
  for (const auto& dir : plugin_dirs()) {
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      std::string f = it->path().filename().string();
      if (f.rfind(prefix, 0) == 0 && it->path().extension() == ".so") {
        std::string name = f.substr(prefix.size(), f.size() - prefix.size() - 3);
        // The test suite's plugins sit next to the binary in a build tree: not reference plugins.
        bool test_only = false;
        for (const char* p : {"fault_", "cheat_", "bench_", "attack_", "test_"}) test_only |= name.rfind(p, 0) == 0;
        if (!test_only) names.push_back(name);
      }
    }
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

Plugin open_plugin_library(const std::string& path) {
  Plugin p;
  p.path = path;
  auto lib = std::make_shared<boost::dll::shared_library>();
  try {
    // rtld_now: a missing dependency (libtorch_cpu.so, an undefined symbol) fails here, not mid-run.
    lib->load(path, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  } catch (const std::exception& e) {
    throw PluginFailure(path + ": cannot load: " + e.what());
  }
  if (!lib->has(EDU_SUT_ENTRY_SYMBOL))
    throw PluginFailure(path + ": no exported symbol " EDU_SUT_ENTRY_SYMBOL
                        " (export it with EDU_EXPORT; see sut_api.h)");
  auto entry = lib->get<const edu_sut_api*(uint32_t)>(EDU_SUT_ENTRY_SYMBOL);
  // Never unloaded (LibTorch's threads and static destructors outlive any instance): every
  // loaded library stays referenced from a process-wide list that is never destroyed.
  static auto* keep = new std::vector<std::shared_ptr<boost::dll::shared_library>>();
  static std::mutex keep_mu;
  {
    std::lock_guard<std::mutex> g(keep_mu);
    keep->push_back(lib);
  }
  p.library = lib;
  const edu_sut_api* api = nullptr;
  try {
    api = entry(EDU_ABI_VERSION_MAJOR);
  } catch (...) {
    throw PluginFailure(path + ": " EDU_SUT_ENTRY_SYMBOL " threw a C++ exception across the C ABI");
  }
  if (!api)
    throw PluginFailure(path + ": " EDU_SUT_ENTRY_SYMBOL "(" + std::to_string(EDU_ABI_VERSION_MAJOR) +
                        ") returned NULL: the plugin cannot serve ABI major " +
                        std::to_string(EDU_ABI_VERSION_MAJOR));
  const size_t v1_size = offsetof(edu_sut_api, destroy) + sizeof(api->destroy);
  if (api->struct_size < v1_size)
    throw PluginFailure(path + ": edu_sut_api.struct_size is " + std::to_string(api->struct_size) +
                        ", expected at least " + std::to_string(v1_size) + " (ABI 1.0)");
  if (api->abi_major != EDU_ABI_VERSION_MAJOR)
    throw PluginFailure(path + ": built for ABI major " + std::to_string(api->abi_major) +
                        ", this harness speaks ABI major " + std::to_string(EDU_ABI_VERSION_MAJOR));
  const char* missing = !api->create ? "create" : !api->issue ? "issue" : !api->flush ? "flush"
                      : !api->destroy ? "destroy" : nullptr;
  if (missing) throw PluginFailure(path + ": edu_sut_api." + missing + " is NULL");
  if (!api->name || !api->version)
    throw PluginFailure(path + ": edu_sut_api.name and .version must be non-NULL strings");
  if (!api->workloads) throw PluginFailure(path + ": edu_sut_api.workloads is NULL");
  for (size_t i = 0; api->workloads[i]; ++i) {
    if (i >= 1024) throw PluginFailure(path + ": edu_sut_api.workloads is not NULL-terminated");
    p.workloads.emplace_back(api->workloads[i]);
  }
  p.api = api;
  return p;
}

void require_workload(const std::string& path, const std::vector<std::string>& served,
                      const std::string& workload) {
  for (const auto& w : served)
    if (w == workload) return;
  std::string all;
  for (const auto& w : served) all += (all.empty() ? "" : ", ") + w;
  throw PluginFailure(path + ": does not serve workload " + workload + " (it serves: " +
                      (all.empty() ? "nothing" : all) + ")");
}

}  // namespace edubench::harness
