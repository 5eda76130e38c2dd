// edubench-sut-worker: hosts one untrusted SUT plugin in a contained process. The harness
// starts it with the channel (shared memory + two eventfds) and the sealed sample table on
// inherited descriptors; it confines itself, loads the plugin, and then serves the plugin's
// calls from the harness and the harness's services to the plugin (worker_host.cpp).
#include "containment.hpp"
#include "worker_host.hpp"

#include "ipc/protocol.hpp"
#include <edubench/session/plugin.hpp>

#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>

using namespace edubench;

namespace {

struct Args {
  std::string plugin;
  int channel_fd = -1, samples_fd = -1, wake_worker_fd = -1, wake_harness_fd = -1;
  pid_t parent = 0;
  worker::ContainmentSpec spec;
};

[[noreturn]] void usage(const std::string& why) {
  std::fprintf(stderr, "edubench-sut-worker: %s (this program is started by edubench, not by hand)\n", why.c_str());
  std::_Exit(ipc::kWorkerBadArgs);
}

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    if (i + 1 >= argc) usage("option " + k + " needs a value");
    std::string v = argv[++i];
    auto num = [&] { return std::strtoull(v.c_str(), nullptr, 10); };
    if (k == "--plugin") a.plugin = v;
    else if (k == "--channel-fd") a.channel_fd = static_cast<int>(num());
    else if (k == "--samples-fd") a.samples_fd = static_cast<int>(num());
    else if (k == "--wake-worker-fd") a.wake_worker_fd = static_cast<int>(num());
    else if (k == "--wake-harness-fd") a.wake_harness_fd = static_cast<int>(num());
    else if (k == "--parent") a.parent = static_cast<pid_t>(num());
    else if (k == "--scratch") a.spec.scratch = v;
    else if (k == "--read") a.spec.readable.push_back(v);
    else if (k == "--memory-mb") a.spec.memory_mb = num();
    else if (k == "--cpu-s") a.spec.cpu_s = num();
    else usage("unknown option " + k);
  }
  if (a.plugin.empty() || a.channel_fd < 0 || a.samples_fd < 0 || a.wake_worker_fd < 0 ||
      a.wake_harness_fd < 0 || a.spec.scratch.empty())
    usage("missing --plugin, --scratch or a descriptor");
  return a;
}

}  // namespace

int main(int argc, char** argv) {
  Args a = parse(argc, argv);
  // Dies with the harness; the check closes the race with a harness that died before prctl.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (a.parent && getppid() != a.parent) std::_Exit(ipc::kWorkerLostHarness);

  void* channel = mmap(nullptr, ipc::kChannelBytes, PROT_READ | PROT_WRITE, MAP_SHARED, a.channel_fd, 0);
  if (channel == MAP_FAILED) usage(std::string("cannot map the channel: ") + std::strerror(errno));
  auto* control = static_cast<ipc::Control*>(channel);
  if (control->magic != ipc::kMagic) usage("the channel has no edubench header");

  off_t samples_size = lseek(a.samples_fd, 0, SEEK_END);
  void* samples = mmap(nullptr, static_cast<size_t>(samples_size), PROT_READ, MAP_SHARED, a.samples_fd, 0);
  if (samples == MAP_FAILED) usage(std::string("cannot map the sample table: ") + std::strerror(errno));
  close(a.samples_fd);
  close(a.channel_fd);

  // Confined before any plugin code (its static constructors included) runs.
  std::vector<std::string> containment = worker::apply_containment(a.spec, &control->forbidden_syscall);
  if (chdir(a.spec.scratch.c_str()) != 0) containment.push_back("warning: cannot enter the scratch directory");

  worker::WorkerHost host(channel, a.wake_worker_fd, a.wake_harness_fd, samples,
                          static_cast<size_t>(samples_size));
  harness::Plugin plugin;
  try {
    plugin = harness::open_plugin_library(a.plugin);
  } catch (const std::exception& e) {
    host.say_hello_failed(e.what());
    host.wait_for_destroy();
    std::_Exit(0);
  }
  host.say_hello(plugin, containment);
  int code = host.serve(plugin);
  std::fflush(nullptr);
  // The plugin's threads may outlive destroy(); static destructors would race them.
  std::_Exit(code);
}
