// run_python: sets up the temporary directory, forks the confined python3 child, collects its
// output under a wall-clock deadline and turns the driver's verdict line into a SandboxResult.
#include <edubench/hostsvc/sandbox.hpp>

#include "sandbox_landlock.hpp"
#include "sandbox_seccomp.hpp"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>

namespace edubench::hostsvc {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

const char* kDriver =
#include "driver.py.inc"
    ;

constexpr uid_t kNobody = 65534;

// What the forked child needs, prepared by the parent: after fork the child calls only
// async-signal-safe functions (the harness is multi-threaded).
struct ChildPlan {
  const char* dir;
  const char* python;  // the exact pointer the seccomp filter lets execve use
  const SandboxLimits* lim;
  bool drop_to_nobody;
  int landlock_fd;  // -1: unavailable
  const std::vector<sock_filter>* seccomp;
  int in_fd, out_fd, err_fd, status_fd;
};

void set_limit(int resource, rlim_t soft, rlim_t hard) {
  rlimit r{soft, hard};
  setrlimit(resource, &r);
}

// Child: one status byte tells the parent which confinement step failed ('k' = all in force).
[[noreturn]] void child_main(const ChildPlan& p) {
  auto fail = [&](char why) {
    (void)!write(p.status_fd, &why, 1);
    _exit(124);
  };
  setsid();  // its own session and process group: the timeout kills the whole group
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (dup2(p.in_fd, 0) < 0 || dup2(p.out_fd, 1) < 0 || dup2(p.err_fd, 2) < 0) fail('p');
  if (chdir(p.dir) != 0) fail('c');
  const SandboxLimits& lim = *p.lim;
  const auto cpu = static_cast<rlim_t>(lim.cpu_s + 0.999);
  set_limit(RLIMIT_CPU, cpu, cpu + 1);  // SIGXCPU at the soft limit, SIGKILL a second later
#if !defined(EDUBENCH_ASAN_BUILD)
  // (Under AddressSanitizer the harness's own runtime cannot live in a small address space
  // before execve; the driver sets the same limit as its first act.)
  set_limit(RLIMIT_AS, lim.memory_bytes, lim.memory_bytes);
#endif
  set_limit(RLIMIT_FSIZE, lim.file_bytes, lim.file_bytes);
  set_limit(RLIMIT_NOFILE, lim.open_files, lim.open_files);
  set_limit(RLIMIT_CORE, 0, 0);
  if (p.drop_to_nobody) {
    set_limit(RLIMIT_NPROC, lim.processes, lim.processes);
    if (setgroups(0, nullptr) != 0 || setgid(kNobody) != 0 || setuid(kNobody) != 0) fail('u');
  }
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail('n');
  if (p.landlock_fd >= 0 && !detail::landlock_apply(p.landlock_fd)) fail('l');
  if (!detail::install_seccomp(*p.seccomp)) fail('s');  // last: it forbids what came before
  (void)!write(p.status_fd, "k", 1);
  char* const argv[] = {const_cast<char*>(p.python), const_cast<char*>("-I"), const_cast<char*>("-S"),
                        const_cast<char*>("-B"), const_cast<char*>("driver.py"), nullptr};
  char* const envp[] = {const_cast<char*>("PATH=/usr/bin:/bin"), const_cast<char*>("LANG=C.UTF-8"),
                        const_cast<char*>("HOME=/nonexistent"), nullptr};
  execve(p.python, argv, envp);
  _exit(127);
}

std::string setup_failure(char why) {
  switch (why) {
    case 'p': return "cannot redirect the child's standard streams";
    case 'c': return "cannot enter the temporary directory";
    case 'u': return "cannot drop to uid/gid 65534 (nobody)";
    case 'n': return "cannot set PR_SET_NO_NEW_PRIVS";
    case 'l': return "cannot apply the Landlock ruleset";
    case 's': return "cannot install the seccomp filter (kernel without seccomp filters?)";
    default: return "the child died before confinement was in force";
  }
}

void write_file(const fs::path& p, const std::string& text) {
  std::ofstream f(p, std::ios::binary);
  f << text;
  if (!f) throw std::runtime_error("sandbox: cannot write " + p.string());
}

// Writes to a child that may already be dead: SIGPIPE blocked for this thread, the pending
// one swallowed, so the harness is never killed by it.
void write_ignoring_sigpipe(int fd, const std::string& text) {
  sigset_t pipe_set, old_set;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
  if (write(fd, text.data(), text.size()) < 0 && errno == EPIPE) {
    timespec zero{0, 0};
    sigtimedwait(&pipe_set, nullptr, &zero);
  }
  pthread_sigmask(SIG_SETMASK, &old_set, nullptr);
}

struct Collected {
  std::string out, err, out_tail;  // out_tail: the last KiBs of stdout, where the verdict lands
  int status = 0;
  rusage usage{};
  bool deadline_hit = false;
};

// Reads both pipes (keeping at most `cap` bytes of each) and reaps the child, until the child
// has exited and both pipes are closed, or the deadline passes: then the whole process group
// is killed. Waiting on the child (not only on EOF) matters: code that closes its stdout and
// sleeps must still meet the deadline.
Collected collect(pid_t pid, int out_fd, int err_fd, size_t cap, Clock::time_point deadline) {
  Collected c;
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));  // -1 on old kernels: poll in steps
  pollfd fds[3] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}, {pidfd, POLLIN, 0}};
  std::string* sinks[2] = {&c.out, &c.err};
  bool reaped = false;
  char buf[8192];
  while (!reaped || fds[0].fd >= 0 || fds[1].fd >= 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      c.deadline_hit = true;
      break;
    }
    int step = pidfd >= 0 || reaped ? static_cast<int>(left) : static_cast<int>(std::min<long long>(left, 5));
    int r = poll(fds, 3, step);
    if (r < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        fds[i].fd = -1;
        continue;
      }
      std::string& sink = *sinks[i];
      if (sink.size() < cap) sink.append(buf, std::min<size_t>(static_cast<size_t>(n), cap - sink.size()));
      if (i == 0) {
        c.out_tail.append(buf, static_cast<size_t>(n));
        if (c.out_tail.size() > 8192) c.out_tail.erase(0, c.out_tail.size() - 4096);
      }
    }
    if (!reaped && wait4(pid, &c.status, WNOHANG, &c.usage) == pid) {
      reaped = true;
      fds[2].fd = -1;
    }
  }
  if (!reaped) {
    if (c.deadline_hit) {
      kill(-pid, SIGKILL);  // the whole process group
      kill(pid, SIGKILL);
    }
    while (wait4(pid, &c.status, 0, &c.usage) < 0 && errno == EINTR) {
    }
  }
  if (pidfd >= 0) close(pidfd);
  return c;
}

std::string seconds(double s) {
  char b[32];
  std::snprintf(b, sizeof b, "%g s", s);
  return b;
}

std::string tail(const std::string& s, size_t n) { return s.size() <= n ? s : "..." + s.substr(s.size() - n); }

double ms(const timeval& t) { return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_usec) / 1e3; }

// Fills verdict and feedback from how the child ended and the driver's nonce-tagged line.
void judge(SandboxResult& res, const Collected& c, const std::string& nonce, const SandboxLimits& lim) {
  const auto cpu_limit_ms = static_cast<double>(static_cast<rlim_t>(lim.cpu_s + 0.999)) * 1e3;
  const bool cpu_exhausted =
      res.signal == SIGXCPU || (res.signal == SIGKILL && res.cpu_ms >= cpu_limit_ms - 50);
  res.timed_out = c.deadline_hit || cpu_exhausted;
  // The verdict line carries the nonce, so printed text cannot forge it.
  const std::string marker = "@@EDUBENCH " + nonce + " ";
  size_t at = c.out_tail.rfind(marker);
  if (res.timed_out) {
    res.verdict = "timed_out";
    res.feedback = c.deadline_hit ? "timed out: wall-clock limit of " + seconds(lim.wall_s)
                                  : "timed out: CPU-time limit of " + seconds(cpu_limit_ms / 1e3);
  } else if (at != std::string::npos) {
    std::string rest = c.out_tail.substr(at + marker.size());
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
}

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

}  // namespace

SandboxResult run_python(const std::string& code, const std::string& tests, const SandboxLimits& lim) {
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
    for (const fs::path& p : {dir, dir / "solution.py", dir / "tests.py"})
      if (chown(p.c_str(), kNobody, kNobody) != 0)
        throw std::runtime_error("sandbox: chown of " + p.string() + " to nobody failed");
  }

  SandboxResult res;
  const std::string python = lim.python;  // its c_str() is the one pointer execve may use
  const std::string dir_str = dir.string();
  const std::vector<sock_filter> filter = detail::compile_seccomp(python.c_str());
  int landlock_abi = 0;
  Fd landlock{detail::landlock_ruleset(dir_str, python, &landlock_abi)};
  std::random_device rd;
  const std::string nonce = std::to_string(rd()) + std::to_string(rd()) + std::to_string(rd());

  int in_pipe[2], out_pipe[2], err_pipe[2], status_pipe[2];
  if (pipe2(in_pipe, O_CLOEXEC) || pipe2(out_pipe, O_CLOEXEC) || pipe2(err_pipe, O_CLOEXEC) ||
      pipe2(status_pipe, O_CLOEXEC))
    throw std::runtime_error("sandbox: pipe failed");
  const ChildPlan plan{dir_str.c_str(), python.c_str(), &lim,           drop,          landlock.fd,
                       &filter,         in_pipe[0],     out_pipe[1],    err_pipe[1],   status_pipe[1]};
  const auto start = Clock::now();
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("sandbox: fork failed");
  if (pid == 0) child_main(plan);
  for (int fd : {in_pipe[0], out_pipe[1], err_pipe[1], status_pipe[1]}) close(fd);
  Fd in{in_pipe[1]}, out{out_pipe[0]}, err{err_pipe[0]}, status{status_pipe[0]};

  char flag = 0;
  if (read(status.fd, &flag, 1) != 1 || flag != 'k') {
    kill(pid, SIGKILL);
    while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    throw std::runtime_error("sandbox: " + setup_failure(flag));
  }
  res.seccomp = true;
  res.landlock = landlock.fd >= 0;
  // The nonce, the memory limit (for builds that could not set it before exec) and the guards
  // switch reach the driver on stdin, which it closes before running any candidate code.
#if defined(EDUBENCH_ASAN_BUILD)
  const std::string memory = std::to_string(lim.memory_bytes);
#else
  const std::string memory = "0";  // already set before exec; importing resource costs start-up
#endif
  write_ignoring_sigpipe(in.fd, nonce + " " + memory + " " +
                                    (lim.python_guards ? "1" : "0") + "\n");
  close(in.fd);
  in.fd = -1;

  const auto deadline = start + std::chrono::milliseconds(static_cast<int64_t>(lim.wall_s * 1000));
  Collected c = collect(pid, out.fd, err.fd, lim.output_cap, deadline);
  res.wall_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  res.stdout_text = std::move(c.out);
  res.stderr_text = std::move(c.err);
  if (WIFEXITED(c.status)) res.exit_code = WEXITSTATUS(c.status);
  if (WIFSIGNALED(c.status)) res.signal = WTERMSIG(c.status);
  res.cpu_ms = ms(c.usage.ru_utime) + ms(c.usage.ru_stime);
  judge(res, c, nonce, lim);
  return res;
}

}  // namespace edubench::hostsvc
