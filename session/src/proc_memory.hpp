// Resident memory from /proc/PID/status: what the kernel counts for a process, read by the
// harness itself (never what a SUT reports about itself).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace edubench::harness {

struct ProcMemory {
  uint64_t rss_bytes = 0;       // VmRSS: resident now
  uint64_t peak_rss_bytes = 0;  // VmHWM: the most ever resident at once
};

// `pid` "self" or a number; nullopt when the process is gone (or a zombie, which has no VmRSS).
std::optional<ProcMemory> read_proc_memory(const std::string& pid);

}  // namespace edubench::harness
