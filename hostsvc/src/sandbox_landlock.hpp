// Kernel-enforced file-system confinement for the sandbox (Landlock, unprivileged, Linux >= 5.13):
// the python3 child may write only inside its temporary directory and read only the system
// directories the interpreter needs. Optional: when the kernel lacks Landlock the sandbox still
// runs, with the driver's audit hook as the only path-level guard (reported in the result).
#pragma once

#include <string>

namespace edubench::hostsvc::detail {

// A ruleset file descriptor (close it when done), or -1 when Landlock is unavailable.
// `workdir` gets every file-system right except execute; `python` (an absolute path) decides
// which installation prefix is readable besides /usr, /lib*, /bin, /sbin. `abi` receives the
// kernel's Landlock ABI version (0 when unavailable).
int landlock_ruleset(const std::string& workdir, const std::string& python, int* abi);

// Applies the ruleset to the calling process (needs NO_NEW_PRIVS). Async-signal-safe.
bool landlock_apply(int ruleset_fd);

}  // namespace edubench::hostsvc::detail
