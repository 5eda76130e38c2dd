// The sandbox's syscall filter, compiled in the parent (libseccomp allocates) so that the
// forked child only has to install it with one async-signal-safe prctl.
#pragma once

#include <linux/filter.h>

#include <vector>

namespace edubench::hostsvc::detail {

// A classic-BPF seccomp program. `exec_path` is the pointer the child will pass to execve:
// execve is allowed with exactly that pointer (the one exec of python3) and refused with any
// other, so code inside the sandbox cannot exec a shell that would shed the Python guards.
// Throws std::runtime_error when libseccomp cannot build or export the filter.
std::vector<sock_filter> compile_seccomp(const char* exec_path);

// Installs a program from compile_seccomp in the calling process (needs NO_NEW_PRIVS).
// Async-signal-safe; returns false on failure.
bool install_seccomp(const std::vector<sock_filter>& program);

}  // namespace edubench::hostsvc::detail
