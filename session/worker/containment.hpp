// What confines a SUT worker before the plugin is loaded: resource limits, Landlock (files,
// TCP, signals), dropped capabilities and a seccomp filter (no network sockets, no new
// processes, no exec, no ptrace, no clock changes). Each layer that the kernel refuses is
// reported as a warning line and the others still apply.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

namespace edubench::worker {

struct ContainmentSpec {
  std::string scratch;                // the only writable directory
  std::vector<std::string> readable;  // beyond the system directories (plugin dir, model files)
  uint64_t memory_mb = 8192;          // address space
  uint64_t cpu_s = 3600;              // CPU time, all threads together
  uint64_t max_open_files = 1024;
  uint64_t max_file_mb = 1024;
};

// Applies every layer; must run before any thread is started. Returns one line per layer
// ("landlock ABI 7: ..." or "warning: ..."). `forbidden_syscall` receives the number of a
// system call the filter refused, before the worker dies of SIGSYS.
std::vector<std::string> apply_containment(const ContainmentSpec& spec,
                                           std::atomic<int32_t>* forbidden_syscall);

}  // namespace edubench::worker
