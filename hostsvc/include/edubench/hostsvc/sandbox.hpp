// The harness-owned code sandbox behind edu_host.run_code: a Debian python3 child, isolated
// (-I -S), in a fresh temporary directory, with a cleared environment, rlimits, a seccomp
// filter (no sockets, no new processes, no exec, no signals to others), Landlock file-system
// confinement where the kernel has it, an unprivileged uid when started as root, and a
// wall-clock timeout that kills its whole process group. See hostsvc/README.md.
#pragma once

#include <cstdint>
#include <string>

namespace edubench::hostsvc {

struct SandboxLimits {
  double wall_s = 5.0;                       // then SIGKILL to the process group
  double cpu_s = 4.0;                        // RLIMIT_CPU (rounded up to whole seconds)
  uint64_t memory_bytes = 512ull << 20;      // RLIMIT_AS
  uint64_t file_bytes = 1ull << 20;          // RLIMIT_FSIZE
  uint64_t open_files = 64;                  // RLIMIT_NOFILE
  uint64_t processes = 16;                   // RLIMIT_NPROC (as the unprivileged uid)
  size_t output_cap = 64 << 10;              // bytes kept of stdout and of stderr each
  std::string python = "/usr/bin/python3";
  // The driver's Python audit hook (refuses os.system, writes outside the directory, ...).
  // Always on in the harness; tests turn it off to prove the kernel-level layers (seccomp,
  // Landlock, rlimits) hold on their own.
  bool python_guards = true;
};

struct SandboxResult {
  std::string verdict;  // "passed" | "failed" | "timed_out" | "crashed"
  bool passed = false;
  bool timed_out = false;
  std::string feedback;  // the first failing assertion, the exception, or how it died
  std::string stdout_text, stderr_text;
  double wall_ms = 0;
  int exit_code = -1;  // -1 when killed by a signal
  int signal = 0;
  double cpu_ms = 0;      // user + system CPU time of the child
  bool seccomp = false;   // the syscall filter was installed (always, or run_python throws)
  bool landlock = false;  // file-system confinement by the kernel was in force
};

// Runs `code` and then `tests` (Python statements, typically asserts) in one fresh sandbox.
// Never throws for anything the code does; throws std::runtime_error only when the sandbox
// itself cannot be set up (no python3, no temporary directory, no seccomp).
SandboxResult run_python(const std::string& code, const std::string& tests,
                         const SandboxLimits& limits = {});

}  // namespace edubench::hostsvc
