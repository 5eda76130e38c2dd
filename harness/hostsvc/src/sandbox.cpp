#include <edubench/hostsvc/sandbox.hpp>

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>

namespace edubench::hostsvc {
namespace {

namespace fs = std::filesystem;

const char* kDriver =
#include "driver.py.inc"
    ;

constexpr uid_t kNobody = 65534;

// Syscalls the candidate code never needs: network, new processes, and kernel-level escapes.
// Denied with EPERM so Python raises a clean PermissionError instead of dying.
bool install_seccomp() {
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (!ctx) return false;
  const int deny[] = {SCMP_SYS(socket), SCMP_SYS(socketpair), SCMP_SYS(connect), SCMP_SYS(bind),
                      SCMP_SYS(listen), SCMP_SYS(accept), SCMP_SYS(accept4), SCMP_SYS(fork),
                      SCMP_SYS(vfork), SCMP_SYS(clone), SCMP_SYS(clone3), SCMP_SYS(ptrace),
                      SCMP_SYS(process_vm_writev), SCMP_SYS(process_vm_readv), SCMP_SYS(mount),
                      SCMP_SYS(umount2), SCMP_SYS(unshare), SCMP_SYS(setns), SCMP_SYS(chroot),
                      SCMP_SYS(reboot), SCMP_SYS(kexec_load), SCMP_SYS(init_module),
                      SCMP_SYS(finit_module), SCMP_SYS(bpf), SCMP_SYS(perf_event_open),
                      SCMP_SYS(keyctl), SCMP_SYS(add_key), SCMP_SYS(request_key)};
  bool ok = true;
  for (int sc : deny) ok = ok && seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), sc, 0) == 0;
  ok = ok && seccomp_load(ctx) == 0;
  seccomp_release(ctx);
  return ok;
}

void set_limit(int resource, rlim_t v) {
  rlimit r{v, v};
  setrlimit(resource, &r);
}

void write_file(const fs::path& p, const std::string& text) {
  std::ofstream f(p, std::ios::binary);
  f << text;
  if (!f) throw std::runtime_error(p.string() + ": cannot write");
}

// Reads from both pipes until EOF or the deadline, keeping at most `cap` bytes of each, and
// the last 4 KiB of stdout in `out_tail`, where the driver's verdict line lands.
bool drain(int out_fd, int err_fd, std::string& out, std::string& err, std::string& out_tail, size_t cap,
           std::chrono::steady_clock::time_point deadline) {
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  std::string* sinks[2] = {&out, &err};
  int open = 2;
  char buf[8192];
  while (open > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) return false;
    int r = poll(fds, 2, static_cast<int>(std::min<long long>(left, 100)));
    if (r < 0 && errno != EINTR) return false;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        fds[i].fd = -1;
        --open;
      } else {
        if (sinks[i]->size() < cap)
          sinks[i]->append(buf, std::min<size_t>(static_cast<size_t>(n), cap - sinks[i]->size()));
        if (i == 0) {
          out_tail.append(buf, static_cast<size_t>(n));
          if (out_tail.size() > 8192) out_tail.erase(0, out_tail.size() - 4096);
        }
      }
    }
  }
  return true;
}

std::string tail(const std::string& s, size_t n) { return s.size() <= n ? s : "..." + s.substr(s.size() - n); }

}  // namespace

SandboxResult run_python(const std::string& code, const std::string& tests, const SandboxLimits& lim) {
  SandboxResult res;
  if (access(lim.python.c_str(), X_OK) != 0)
    throw std::runtime_error("sandbox: " + lim.python + " is not executable (install python3)");
  char tmpl[] = "/tmp/edubench-sandbox-XXXXXX";
  if (!mkdtemp(tmpl)) throw std::runtime_error(std::string("sandbox: mkdtemp failed: ") + std::strerror(errno));
  const fs::path dir(tmpl);
  struct Cleanup {
    fs::path d;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(d, ec);
    }
  } cleanup{dir};
  write_file(dir / "solution.py", code);
  write_file(dir / "tests.py", tests);
  write_file(dir / "driver.py", kDriver);
  const bool drop = geteuid() == 0;
  if (drop) {
    if (chown(dir.c_str(), kNobody, kNobody) != 0 ||
        chown((dir / "solution.py").c_str(), kNobody, kNobody) != 0 ||
        chown((dir / "tests.py").c_str(), kNobody, kNobody) != 0)
      throw std::runtime_error("sandbox: chown of the temporary directory failed");
  }
  std::random_device rd;
  const std::string nonce = std::to_string(rd()) + std::to_string(rd()) + std::to_string(rd());

  int in_pipe[2], out_pipe[2], err_pipe[2], status_pipe[2];
  if (pipe2(in_pipe, O_CLOEXEC) || pipe2(out_pipe, O_CLOEXEC) || pipe2(err_pipe, O_CLOEXEC) ||
      pipe2(status_pipe, O_CLOEXEC))
    throw std::runtime_error("sandbox: pipe failed");
  const auto start = std::chrono::steady_clock::now();
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("sandbox: fork failed");
  if (pid == 0) {
    // Child: only async-signal-safe calls until execve.
    setsid();
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    dup2(in_pipe[0], 0);
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    if (chdir(dir.c_str()) != 0) _exit(125);
    set_limit(RLIMIT_CPU, static_cast<rlim_t>(lim.cpu_s + 0.999));
#if !defined(__SANITIZE_ADDRESS__)
    // (Under AddressSanitizer the harness's own runtime cannot live in a small address space
    // before execve; the driver sets the same limit as its first act.)
    set_limit(RLIMIT_AS, lim.memory_bytes);
#endif
    set_limit(RLIMIT_FSIZE, lim.file_bytes);
    set_limit(RLIMIT_NOFILE, lim.open_files);
    set_limit(RLIMIT_CORE, 0);
    if (drop) {
      set_limit(RLIMIT_NPROC, lim.processes);
      if (setgroups(0, nullptr) != 0 || setgid(kNobody) != 0 || setuid(kNobody) != 0) _exit(126);
    }
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    char seccomp_ok = install_seccomp() ? '1' : '0';
    (void)!write(status_pipe[1], &seccomp_ok, 1);
    char* const argv[] = {const_cast<char*>(lim.python.c_str()), const_cast<char*>("-I"), const_cast<char*>("-S"),
                          const_cast<char*>("-B"), const_cast<char*>("driver.py"), nullptr};
    char* const envp[] = {const_cast<char*>("PATH=/usr/bin:/bin"), const_cast<char*>("LANG=C.UTF-8"),
                          const_cast<char*>("HOME=/nonexistent"), nullptr};
    execve(lim.python.c_str(), argv, envp);
    _exit(127);
  }
  close(in_pipe[0]);
  close(out_pipe[1]);
  close(err_pipe[1]);
  close(status_pipe[1]);
  // A child that died before reading its stdin must not take the harness down with SIGPIPE:
  // block it for this thread while writing, and swallow the one the write raised.
  std::string line = nonce + " " + std::to_string(lim.memory_bytes) + "\n";
  sigset_t pipe_set, old_set;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
  if (write(in_pipe[1], line.data(), line.size()) < 0 && errno == EPIPE) {
    timespec zero{0, 0};
    sigtimedwait(&pipe_set, nullptr, &zero);
  }
  pthread_sigmask(SIG_SETMASK, &old_set, nullptr);
  close(in_pipe[1]);
  char flag = '0';
  res.seccomp = read(status_pipe[0], &flag, 1) == 1 && flag == '1';
  close(status_pipe[0]);

  const auto deadline = start + std::chrono::milliseconds(static_cast<int64_t>(lim.wall_s * 1000));
  std::string out_tail;
  bool finished = drain(out_pipe[0], err_pipe[0], res.stdout_text, res.stderr_text, out_tail, lim.output_cap, deadline);
  int status = 0;
  if (!finished) {
    kill(-pid, SIGKILL);  // the whole process group
    kill(pid, SIGKILL);
    res.timed_out = true;
  }
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  close(out_pipe[0]);
  close(err_pipe[0]);
  res.wall_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  if (WIFEXITED(status)) res.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) res.signal = WTERMSIG(status);
  if (res.signal == SIGXCPU || (res.signal == SIGKILL && !res.timed_out && res.wall_ms > lim.cpu_s * 1000))
    res.timed_out = true;

  // The verdict line carries the nonce, so printed text cannot forge it.
  const std::string marker = "@@EDUBENCH " + nonce + " ";
  size_t at = out_tail.rfind(marker);
  if (res.timed_out) {
    res.verdict = "timed_out";
    res.feedback = "timed out after " + std::to_string(static_cast<int>(res.wall_ms)) + " ms (limit " +
                   std::to_string(lim.wall_s) + " s wall, " + std::to_string(lim.cpu_s) + " s CPU)";
  } else if (at != std::string::npos) {
    std::string rest = out_tail.substr(at + marker.size());
    rest = rest.substr(0, rest.find('\n'));
    size_t sp = rest.find(' ');
    res.verdict = rest.substr(0, sp);
    res.feedback = sp == std::string::npos ? "" : rest.substr(sp + 1);
    size_t in_out = res.stdout_text.rfind(marker);  // drop the verdict line from what the user sees
    if (in_out != std::string::npos)
      res.stdout_text.erase(in_out > 0 && res.stdout_text[in_out - 1] == '\n' ? in_out - 1 : in_out);
    if (res.verdict != "passed" && res.verdict != "failed") {
      res.verdict = "crashed";
      res.feedback = "malformed verdict from the sandbox driver";
    }
  } else {
    res.verdict = "crashed";
    res.feedback = res.signal ? "killed by signal " + std::to_string(res.signal) + " (" + strsignal(res.signal) + ")"
                              : "exited with code " + std::to_string(res.exit_code) + " before the tests finished";
    std::string err = tail(res.stderr_text, 300);
    if (!err.empty()) res.feedback += ": " + err;
  }
  res.passed = res.verdict == "passed";
  return res;
}

}  // namespace edubench::hostsvc
