#include "worker_spawn.hpp"

#include "asan_build.hpp"

#include <edubench/session/errors.hpp>

#include <boost/dll/runtime_symbol_info.hpp>

#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <new>

namespace edubench::harness {
namespace fs = std::filesystem;

std::string worker_binary() {
  return (fs::path(boost::dll::program_location().parent_path().string()) / "edubench-sut-worker").string();
}

namespace {

[[noreturn]] void fail(const std::string& what) {
  throw PluginFailure("cannot start the SUT worker: " + what + ": " + std::strerror(errno));
}

// The sample table as one blob: header, entries, then texts and tokens.
std::vector<uint8_t> sample_table(const std::vector<edu_sample>& samples) {
  ipc::SampleTableHeader h{ipc::kMagic, samples.size()};
  size_t off = sizeof h + samples.size() * sizeof(ipc::SampleEntry);
  std::vector<ipc::SampleEntry> entries(samples.size());
  for (size_t i = 0; i < samples.size(); ++i) {
    const edu_sample& s = samples[i];
    ipc::SampleEntry& e = entries[i];
    e.index = s.index;
    e.text_off = off;
    e.text_len = s.text_len;
    off += s.text_len + 1;
    off = (off + 7) & ~size_t{7};
    e.tokens_off = off;
    e.n_tokens = s.n_tokens;
    off += s.n_tokens * sizeof(int32_t);
    e.max_new_tokens = s.max_new_tokens;
  }
  std::vector<uint8_t> b(std::max<size_t>(off, sizeof h), 0);
  std::memcpy(b.data(), &h, sizeof h);
  if (!entries.empty()) std::memcpy(b.data() + sizeof h, entries.data(), entries.size() * sizeof entries[0]);
  for (size_t i = 0; i < samples.size(); ++i) {
    if (samples[i].text_len) std::memcpy(b.data() + entries[i].text_off, samples[i].text, samples[i].text_len);
    if (samples[i].n_tokens)
      std::memcpy(b.data() + entries[i].tokens_off, samples[i].tokens, samples[i].n_tokens * sizeof(int32_t));
  }
  return b;
}

int sealed_memfd(const std::vector<uint8_t>& data) {
  int fd = memfd_create("edubench-samples", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) fail("memfd_create");
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n <= 0) fail("writing the sample table");
    done += static_cast<size_t>(n);
  }
  // Sealed: the worker can map it read-only and nothing, not even mprotect, makes it writable.
  if (fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL) != 0)
    fail("sealing the sample table");
  return fd;
}

}  // namespace

SpawnedWorker spawn_worker(const std::string& plugin_path, const std::string& stderr_path,
                           const std::vector<std::string>& readable, const WorkerLimits& limits,
                           const std::vector<edu_sample>* samples) {
  SpawnedWorker w;
  const std::string exe = worker_binary();
  if (access(exe.c_str(), X_OK) != 0) fail(exe);
  char tmpl[] = "/tmp/edubench-scratch-XXXXXX";
  if (!mkdtemp(tmpl)) fail("mkdtemp");
  w.scratch = tmpl;

  int channel_fd = memfd_create("edubench-channel", MFD_CLOEXEC);
  if (channel_fd < 0) fail("memfd_create");
  if (ftruncate(channel_fd, static_cast<off_t>(ipc::kChannelBytes)) != 0) fail("sizing the channel");
  w.channel = mmap(nullptr, ipc::kChannelBytes, PROT_READ | PROT_WRITE, MAP_SHARED, channel_fd, 0);
  if (w.channel == MAP_FAILED) fail("mapping the channel");
  w.control = new (w.channel) ipc::Control();
  w.control->magic = ipc::kMagic;
  int samples_fd = sealed_memfd(sample_table(samples ? *samples : std::vector<edu_sample>{}));
  w.wake_worker_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  w.wake_harness_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (w.wake_worker_fd < 0 || w.wake_harness_fd < 0) fail("eventfd");
  int err_fd = open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (err_fd < 0) fail("opening " + stderr_path);
  int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

  // Everything the child needs is built before fork: after it, only async-signal-safe calls.
  std::vector<std::string> args = {exe, "--plugin", plugin_path,
                                   "--channel-fd", std::to_string(channel_fd),
                                   "--samples-fd", std::to_string(samples_fd),
                                   "--wake-worker-fd", std::to_string(w.wake_worker_fd),
                                   "--wake-harness-fd", std::to_string(w.wake_harness_fd),
                                   "--parent", std::to_string(getpid()),
                                   "--scratch", w.scratch,
                                   "--memory-mb", std::to_string(limits.memory_mb),
                                   "--cpu-s", std::to_string(limits.cpu_s),
                                   "--read", fs::path(plugin_path).parent_path().string()};
  for (const auto& r : readable) args.insert(args.end(), {"--read", r});
  std::vector<std::string> env = {"PATH=/usr/bin:/bin", "HOME=" + w.scratch, "TMPDIR=" + w.scratch,
                                  "LANG=C.UTF-8"};
  for (const char* keep : {"LD_LIBRARY_PATH", "OMP_NUM_THREADS", "UBSAN_OPTIONS", "LSAN_OPTIONS"})
    if (const char* v = std::getenv(keep)) env.push_back(std::string(keep) + "=" + v);
  std::string asan = std::getenv("ASAN_OPTIONS") ? std::getenv("ASAN_OPTIONS") : "";
  if (kAsanBuild) {
    // No RLIMIT_AS under ASan (asan_build.hpp): its own RSS limit bounds the worker. Its reports
    // must not fork a symbolizer (the seccomp filter kills a fork) and a plugin's SIGSEGV stays
    // a SIGSEGV, as in any other build.
    asan += std::string(asan.empty() ? "" : ":") + "hard_rss_limit_mb=" + std::to_string(limits.memory_mb) +
            ":symbolize=0:handle_segv=0";
  }
  if (!asan.empty()) env.push_back("ASAN_OPTIONS=" + asan);
  std::vector<char*> argv, envp;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  const int keep_fds[] = {channel_fd, samples_fd, w.wake_worker_fd, w.wake_harness_fd};

  pid_t pid = fork();
  if (pid < 0) fail("fork");
  if (pid == 0) {
    setpgid(0, 0);  // its own process group: a signal to the harness's group misses it
    dup2(null_fd, 0);
    dup2(err_fd, 1);
    dup2(err_fd, 2);
    syscall(SYS_close_range, 3u, ~0u, 4u /* CLOSE_RANGE_CLOEXEC */);
    for (int fd : keep_fds) fcntl(fd, F_SETFD, 0);
    execve(exe.c_str(), argv.data(), envp.data());
    _exit(127);
  }
  w.pid = pid;
  w.pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  close(channel_fd);
  close(samples_fd);
  close(err_fd);
  close(null_fd);
  if (w.pidfd < 0) fail("pidfd_open");
  return w;
}

void close_worker(SpawnedWorker& w) {
  if (w.channel && w.channel != MAP_FAILED) munmap(w.channel, ipc::kChannelBytes);
  w.channel = nullptr;
  for (int* fd : {&w.pidfd, &w.wake_worker_fd, &w.wake_harness_fd})
    if (*fd >= 0) close(*fd), *fd = -1;
  if (!w.scratch.empty()) {
    std::error_code ec;
    fs::remove_all(w.scratch, ec);
    w.scratch.clear();
  }
}

}  // namespace edubench::harness
