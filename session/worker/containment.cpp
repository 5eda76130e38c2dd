#include "containment.hpp"

#include "asan_build.hpp"

#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

namespace edubench::worker {
namespace {

// Landlock's ABI, defined here because Debian 12's kernel headers stop at ABI 2.
constexpr uint64_t kFsExecute = 1ull << 0, kFsWriteFile = 1ull << 1, kFsReadFile = 1ull << 2,
                   kFsReadDir = 1ull << 3, kFsRemoveDir = 1ull << 4, kFsRemoveFile = 1ull << 5,
                   kFsMakeChar = 1ull << 6, kFsMakeDir = 1ull << 7, kFsMakeReg = 1ull << 8,
                   kFsMakeSock = 1ull << 9, kFsMakeFifo = 1ull << 10, kFsMakeBlock = 1ull << 11,
                   kFsMakeSym = 1ull << 12, kFsRefer = 1ull << 13, kFsTruncate = 1ull << 14,
                   kFsIoctlDev = 1ull << 15;
constexpr uint64_t kNetBindTcp = 1ull << 0, kNetConnectTcp = 1ull << 1;
constexpr uint64_t kScopeAbstractUnix = 1ull << 0, kScopeSignal = 1ull << 1;
struct RulesetAttr {
  uint64_t handled_access_fs, handled_access_net, scoped;
};
struct __attribute__((packed)) PathBeneathAttr {
  uint64_t allowed_access;
  int32_t parent_fd;
};
constexpr int kRulePathBeneath = 1;
constexpr long kSysCreateRuleset = 444, kSysAddRule = 445, kSysRestrictSelf = 446;

std::atomic<int32_t>* g_forbidden = nullptr;

extern "C" void on_sigsys(int, siginfo_t* info, void*) {
  if (g_forbidden) g_forbidden->store(info->si_syscall);
  // Die of SIGSYS, so the harness sees the signal and reads the syscall number.
  signal(SIGSYS, SIG_DFL);
  raise(SIGSYS);
}

std::string limit(int resource, const char* name, uint64_t value) {
  rlimit r{value, value};
  if (setrlimit(resource, &r) != 0) return std::string("warning: setrlimit ") + name + ": " + std::strerror(errno);
  return "";
}

// Under ASan the harness set its hard_rss_limit_mb instead (worker_spawn.cpp); under TSan there
// is no memory limit at all.
constexpr bool kNoAddressLimit = kShadowMemoryBuild;

std::string apply_rlimits(const ContainmentSpec& s) {
  std::string problems;
  if (kNoAddressLimit)
    problems = kAsanBuild ? "warning: no address-space limit in an AddressSanitizer build (its RSS limit instead)"
                          : "warning: no address-space limit in a ThreadSanitizer build (no memory limit)";
  for (const std::string& p :
       {kNoAddressLimit ? std::string() : limit(RLIMIT_AS, "RLIMIT_AS", s.memory_mb << 20),
        limit(RLIMIT_CPU, "RLIMIT_CPU", s.cpu_s),
        limit(RLIMIT_NOFILE, "RLIMIT_NOFILE", s.max_open_files),
        limit(RLIMIT_FSIZE, "RLIMIT_FSIZE", s.max_file_mb << 20), limit(RLIMIT_CORE, "RLIMIT_CORE", 0)})
    if (!p.empty()) problems += (problems.empty() ? "" : "; ") + p;
  if (!problems.empty()) return problems;
  return "rlimits: address space " + std::to_string(s.memory_mb) + " MiB, CPU " + std::to_string(s.cpu_s) +
         " s, " + std::to_string(s.max_open_files) + " open files, files up to " +
         std::to_string(s.max_file_mb) + " MiB, no core dumps";
}

bool add_path(int ruleset, const std::string& path, uint64_t access, uint64_t handled) {
  int fd = open(path.c_str(), O_PATH | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat st {};
  fstat(fd, &st);
  // Directory-only rights are invalid on a file.
  if (!S_ISDIR(st.st_mode)) access &= kFsExecute | kFsWriteFile | kFsReadFile | kFsTruncate | kFsIoctlDev;
  PathBeneathAttr attr{access & handled, fd};
  bool ok = syscall(kSysAddRule, ruleset, kRulePathBeneath, &attr, 0) == 0;
  close(fd);
  return ok;
}

std::string apply_landlock(const ContainmentSpec& s) {
  long abi = syscall(kSysCreateRuleset, nullptr, 0, 1 /* LANDLOCK_CREATE_RULESET_VERSION */);
  if (abi < 1) return std::string("warning: Landlock unavailable (") + std::strerror(errno) +
                      "): the plugin can read and write every file the user can";
  RulesetAttr attr{};
  attr.handled_access_fs = kFsExecute | kFsWriteFile | kFsReadFile | kFsReadDir | kFsRemoveDir |
                           kFsRemoveFile | kFsMakeChar | kFsMakeDir | kFsMakeReg | kFsMakeSock |
                           kFsMakeFifo | kFsMakeBlock | kFsMakeSym;
  if (abi >= 2) attr.handled_access_fs |= kFsRefer;
  if (abi >= 3) attr.handled_access_fs |= kFsTruncate;
  if (abi >= 5) attr.handled_access_fs |= kFsIoctlDev;
  if (abi >= 4) attr.handled_access_net = kNetBindTcp | kNetConnectTcp;
  if (abi >= 6) attr.scoped = kScopeAbstractUnix | kScopeSignal;
  const size_t attr_size = abi >= 6 ? sizeof attr : abi >= 4 ? 2 * sizeof(uint64_t) : sizeof(uint64_t);
  int rs = static_cast<int>(syscall(kSysCreateRuleset, &attr, attr_size, 0));
  if (rs < 0) return std::string("warning: Landlock ruleset refused: ") + std::strerror(errno);
  const uint64_t h = attr.handled_access_fs;
  const uint64_t read = kFsExecute | kFsReadFile | kFsReadDir;
  // The system (libraries, the loader's cache, CPU topology for OpenMP), never /home, /root,
  // /tmp, /work or the data sets: a plugin sees its own directory and its model files only.
  for (const char* p : {"/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc/ld.so.cache",
                        "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/alternatives", "/etc/localtime",
                        "/etc/nsswitch.conf", "/etc/passwd", "/etc/group", "/proc", "/sys",
                        "/dev/urandom", "/dev/random", "/dev/zero"})
    add_path(rs, p, read, h);
  add_path(rs, "/dev/null", kFsReadFile | kFsWriteFile | kFsTruncate | kFsIoctlDev, h);
  for (const std::string& p : s.readable) add_path(rs, p, read, h);
  if (!add_path(rs, s.scratch, h, h)) {
    close(rs);
    return "warning: Landlock: cannot open the scratch directory " + s.scratch;
  }
  if (syscall(kSysRestrictSelf, rs, 0) != 0) {
    std::string e = std::strerror(errno);
    close(rs);
    return "warning: Landlock restrict_self failed: " + e;
  }
  close(rs);
  std::string line = "landlock ABI " + std::to_string(abi) + ": writes only in " + s.scratch +
                     ", reads only system directories, the plugin's directory and its model files";
  line += abi >= 4 ? ", no TCP bind/connect" : "";
  line += abi >= 6 ? ", no signals to or abstract sockets of other processes"
                   : " (warning: kernel too old to scope signals: ABI < 6)";
  return line;
}

std::string drop_capabilities() {
  __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  if (syscall(SYS_capset, &hdr, data) != 0)
    return std::string("warning: cannot drop capabilities: ") + std::strerror(errno);
  return "capabilities: none (even as root: no CAP_KILL, CAP_SYS_RESOURCE, CAP_DAC_OVERRIDE, ...)";
}

std::string apply_seccomp() {
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (!ctx) return "warning: seccomp unavailable";
  int rc = 0;
  auto trap = [&](int nr) {
    if (nr >= 0) rc |= seccomp_rule_add(ctx, SCMP_ACT_TRAP, nr, 0);
  };
  for (const char* name :
       {"fork", "vfork", "execve", "execveat", "ptrace", "process_vm_readv",
        "process_vm_writev", "pidfd_open", "pidfd_getfd", "pidfd_send_signal", "tkill", "mount",
        "umount2", "pivot_root", "chroot", "setns", "unshare", "bpf", "perf_event_open",
        "userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register", "keyctl", "add_key",
        "request_key", "init_module", "finit_module", "delete_module", "kexec_load",
        "kexec_file_load", "reboot", "swapon", "swapoff", "open_by_handle_at", "name_to_handle_at",
        "clock_settime", "clock_adjtime", "settimeofday", "adjtimex", "setrlimit", "capset"})
    trap(seccomp_syscall_resolve_name(name));
  // Threads yes, processes no: clone is allowed only with CLONE_THREAD. clone3 passes its flags
  // in memory the filter cannot read, so it answers ENOSYS and glibc falls back to clone.
  rc |= seccomp_rule_add(ctx, SCMP_ACT_TRAP, SCMP_SYS(clone), 1,
                         SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, 0));
  rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
  // Network sockets are fatal and named. Local ones fail quietly: glibc asks nscd for user
  // names over AF_UNIX (LibTorch does at load) and falls back when the socket is refused.
  rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(socket), 1, SCMP_A0(SCMP_CMP_EQ, AF_UNIX));
  rc |= seccomp_rule_add(ctx, SCMP_ACT_TRAP, SCMP_SYS(socket), 1, SCMP_A0(SCMP_CMP_NE, AF_UNIX));
  rc |= seccomp_rule_add(ctx, SCMP_ACT_TRAP, SCMP_SYS(socketpair), 1, SCMP_A0(SCMP_CMP_NE, AF_UNIX));
  // Raising a limit or clearing the parent-death signal would undo the containment above.
  rc |= seccomp_rule_add(ctx, SCMP_ACT_TRAP, SCMP_SYS(prlimit64), 1, SCMP_A2(SCMP_CMP_NE, 0));
  rc |= seccomp_rule_add(ctx, SCMP_ACT_TRAP, SCMP_SYS(prctl), 1, SCMP_A0(SCMP_CMP_EQ, PR_SET_PDEATHSIG));
  if (rc != 0) {
    seccomp_release(ctx);
    return "warning: seccomp rules refused";
  }
  struct sigaction sa {};
  sa.sa_sigaction = on_sigsys;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGSYS, &sa, nullptr);
  rc = seccomp_load(ctx);
  seccomp_release(ctx);
  if (rc != 0) return std::string("warning: seccomp_load failed: ") + std::strerror(-rc);
  return "seccomp: no network sockets, no new processes or exec, no ptrace, no mounts or namespaces, no "
         "io_uring/bpf, no clock changes, no raising limits";
}

}  // namespace

std::vector<std::string> apply_containment(const ContainmentSpec& spec,
                                           std::atomic<int32_t>* forbidden_syscall) {
  g_forbidden = forbidden_syscall;
  std::vector<std::string> lines;
  lines.push_back(apply_rlimits(spec));
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    lines.push_back(std::string("warning: PR_SET_NO_NEW_PRIVS: ") + std::strerror(errno));
  lines.push_back(apply_landlock(spec));
  lines.push_back(drop_capabilities());
  lines.push_back(apply_seccomp());
  return lines;
}

}  // namespace edubench::worker
