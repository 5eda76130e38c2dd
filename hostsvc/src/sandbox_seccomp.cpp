// Which syscalls the sandboxed python3 may not make, and why (see sandbox_seccomp.hpp).
#include "sandbox_seccomp.hpp"

#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>

namespace edubench::hostsvc::detail {
namespace {

// Only the native arch is added: libseccomp then kills any x32 (bit 30) or i386 syscall, so
// the rules below cannot be sidestepped through another syscall table.
// Denied with EPERM (not a kill) so Python raises a PermissionError the feedback can name.
// Network: no sockets at all (stdout/stderr are inherited pipes). Processes and threads: no
// fork/clone of any kind, which is also what contains a fork bomb when RLIMIT_NPROC cannot be
// used (a non-root harness shares its uid's process count). io_uring could issue socket and
// open operations outside this filter. The rest are kernel-level escapes or other processes.
const int kDenied[] = {
    SCMP_SYS(socket), SCMP_SYS(socketpair), SCMP_SYS(connect), SCMP_SYS(bind), SCMP_SYS(listen),
    SCMP_SYS(accept), SCMP_SYS(accept4), SCMP_SYS(fork), SCMP_SYS(vfork), SCMP_SYS(clone),
    SCMP_SYS(clone3), SCMP_SYS(execveat), SCMP_SYS(io_uring_setup), SCMP_SYS(io_uring_enter),
    SCMP_SYS(io_uring_register), SCMP_SYS(ptrace), SCMP_SYS(process_vm_writev),
    SCMP_SYS(process_vm_readv), SCMP_SYS(pidfd_getfd), SCMP_SYS(pidfd_send_signal),
    SCMP_SYS(tkill), SCMP_SYS(tgkill), SCMP_SYS(rt_sigqueueinfo), SCMP_SYS(rt_tgsigqueueinfo),
    SCMP_SYS(mount), SCMP_SYS(umount2), SCMP_SYS(unshare), SCMP_SYS(setns), SCMP_SYS(chroot),
    SCMP_SYS(pivot_root), SCMP_SYS(reboot), SCMP_SYS(kexec_load), SCMP_SYS(init_module),
    SCMP_SYS(finit_module), SCMP_SYS(delete_module), SCMP_SYS(bpf), SCMP_SYS(perf_event_open),
    SCMP_SYS(userfaultfd), SCMP_SYS(keyctl), SCMP_SYS(add_key), SCMP_SYS(request_key),
    SCMP_SYS(name_to_handle_at), SCMP_SYS(open_by_handle_at), SCMP_SYS(swapon), SCMP_SYS(swapoff)};

struct CtxDeleter {
  void operator()(void* ctx) const { seccomp_release(ctx); }
};

void check(int rc, const char* what) {
  if (rc != 0) throw std::runtime_error(std::string("sandbox: seccomp ") + what + ": " + std::strerror(-rc));
}

}  // namespace

std::vector<sock_filter> compile_seccomp(const char* exec_path) {
  std::unique_ptr<void, CtxDeleter> ctx(seccomp_init(SCMP_ACT_ALLOW));
  if (!ctx) throw std::runtime_error("sandbox: seccomp_init failed");
  for (int sc : kDenied) check(seccomp_rule_add(ctx.get(), SCMP_ACT_ERRNO(EPERM), sc, 0), "rule");
  // The sandbox is its own session and process group (setsid): kill(0, sig) reaches only it.
  // Any other target, the harness included, is refused even when it runs under the same uid.
  check(seccomp_rule_add(ctx.get(), SCMP_ACT_ERRNO(EPERM), SCMP_SYS(kill), 1, SCMP_A0(SCMP_CMP_NE, 0)),
        "kill rule");
  check(seccomp_rule_add(ctx.get(), SCMP_ACT_ERRNO(EPERM), SCMP_SYS(execve), 1,
                         SCMP_A0(SCMP_CMP_NE, reinterpret_cast<scmp_datum_t>(exec_path))),
        "execve rule");

  // Export the BPF through a memfd and read it back.
  int fd = memfd_create("edubench-seccomp", MFD_CLOEXEC);
  if (fd < 0) throw std::runtime_error(std::string("sandbox: memfd_create: ") + std::strerror(errno));
  std::vector<sock_filter> program;
  int rc = seccomp_export_bpf(ctx.get(), fd);
  off_t size = rc == 0 ? lseek(fd, 0, SEEK_END) : -1;
  if (size > 0 && size % static_cast<off_t>(sizeof(sock_filter)) == 0) {
    program.resize(static_cast<size_t>(size) / sizeof(sock_filter));
    if (pread(fd, program.data(), static_cast<size_t>(size), 0) != size) program.clear();
  }
  close(fd);
  if (program.empty()) throw std::runtime_error("sandbox: cannot export the seccomp filter");
  return program;
}

bool install_seccomp(const std::vector<sock_filter>& program) {
  sock_fprog prog{static_cast<unsigned short>(program.size()), const_cast<sock_filter*>(program.data())};
  return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) == 0;
}

}  // namespace edubench::hostsvc::detail
