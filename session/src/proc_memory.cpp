#include "proc_memory.hpp"

#include <fstream>
#include <sstream>

namespace edubench::harness {

std::optional<ProcMemory> read_proc_memory(const std::string& pid) {
  std::ifstream in("/proc/" + pid + "/status");
  if (!in) return std::nullopt;
  ProcMemory m;
  bool rss = false, hwm = false;
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    std::string key;
    uint64_t kib = 0;
    fields >> key >> kib;  // "VmRSS:   12345 kB"
    if (key == "VmRSS:") m.rss_bytes = kib * 1024, rss = true;
    if (key == "VmHWM:") m.peak_rss_bytes = kib * 1024, hwm = true;
  }
  if (!rss || !hwm) return std::nullopt;
  return m;
}

}  // namespace edubench::harness
