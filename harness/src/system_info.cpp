#include <edubench/harness/system_info.hpp>

#include <sys/utsname.h>
#include <unistd.h>

#include <boost/dll/runtime_symbol_info.hpp>

#include <filesystem>
#include <fstream>
#include <thread>

#ifndef EDUBENCH_VERSION
#define EDUBENCH_VERSION "0.0.0"
#endif
#ifndef EDUBENCH_GIT
#define EDUBENCH_GIT "unknown"
#endif
#ifndef EDUBENCH_SOURCE_REGISTRY
#define EDUBENCH_SOURCE_REGISTRY ""
#endif

namespace edubench::harness {

std::string harness_version() { return EDUBENCH_VERSION; }
std::string harness_git() { return EDUBENCH_GIT; }

std::vector<std::pair<std::string, std::string>> system_info() {
  std::vector<std::pair<std::string, std::string>> info;
  std::ifstream cpu("/proc/cpuinfo");
  for (std::string line; std::getline(cpu, line);) {
    if (line.rfind("model name", 0) == 0) {
      auto colon = line.find(':');
      if (colon != std::string::npos) info.emplace_back("cpu", line.substr(colon + 2));
      break;
    }
  }
  info.emplace_back("logical_cores", std::to_string(std::thread::hardware_concurrency()));
  long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
  if (pages > 0 && page > 0)
    info.emplace_back("memory_gib", std::to_string(static_cast<double>(pages) * page / (1u << 30)));
  utsname u{};
  if (uname(&u) == 0) {
    info.emplace_back("os", std::string(u.sysname) + " " + u.release);
    info.emplace_back("hostname", u.nodename);
  }
  info.emplace_back("compiler", __VERSION__);
  return info;
}

std::string default_registry_path() {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (const char* env = std::getenv("EDUBENCH_REGISTRY")) return env;
  fs::path exe_dir = boost::dll::program_location().parent_path().string();
  for (const fs::path& p : {exe_dir / ".." / "share" / "edubench" / "workloads.yaml",
                            fs::path(EDUBENCH_SOURCE_REGISTRY)})
    if (!p.empty() && fs::is_regular_file(p, ec)) return fs::weakly_canonical(p).string();
  return "workloads.yaml";
}

}  // namespace edubench::harness
