#include <edubench/session/process_session.hpp>

#include <edubench/session/errors.hpp>
#include "ipc/protocol.hpp"
#include "plugin_file.hpp"
#include "proc_memory.hpp"
#include "worker_spawn.hpp"


#include <poll.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <mutex>
#include <thread>

namespace edubench::harness {
namespace fs = std::filesystem;
using ipc::Decoder;
using ipc::Encoder;
using ipc::Msg;

namespace {

constexpr int64_t kReaderSpinNs = 50'000;
constexpr size_t kIssueChunk = 32768;  // 16 bytes each: a 512 KiB frame
constexpr auto kStartTimeout = std::chrono::seconds(120);  // loading LibTorch takes ~1 s
constexpr auto kCreateTimeout = std::chrono::seconds(300);
constexpr auto kDestroyTimeout = std::chrono::seconds(10);

std::string signal_text(int sig) {
  const char* d = strsignal(sig);
  const char* abbrev = sigabbrev_np(sig);
  return std::string("SIG") + (abbrev ? abbrev : std::to_string(sig).c_str()) + " (" + (d ? d : "?") + ")";
}

std::string tail_of_file(const std::string& path, size_t max_lines, size_t max_bytes) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return "";
  f.seekg(0, std::ios::end);
  const std::streamoff size = f.tellg();
  const std::streamoff from = std::max<std::streamoff>(0, size - static_cast<std::streamoff>(max_bytes));
  f.seekg(from);
  std::string s((std::istreambuf_iterator<char>(f)), {});
  size_t lines = 0, pos = s.size();
  while (pos > 0) {
    size_t nl = s.rfind('\n', pos - 1);
    if (nl == std::string::npos) break;
    if (nl + 1 < s.size() && ++lines > max_lines) {
      s = s.substr(nl + 1);
      break;
    }
    pos = nl;
  }
  return s;
}

class WorkerSession final : public ProcessSession {
 public:
  WorkerSession(const ProcessSessionOptions& o, const edu_host* host) : opts_(o), host_(host) {}
  ~WorkerSession() override { shutdown(); }

  void start(PluginDescription* out) {
    worker_ = spawn_worker(opts_.plugin_path, opts_.stderr_path, opts_.readable, opts_.limits,
                           opts_.samples);
    to_worker_ = std::make_unique<ipc::RingProducer>(&worker_.control->to_worker,
                                                     ipc::to_worker_data(worker_.channel), ipc::kRingBytes,
                                                     worker_.wake_worker_fd);
    from_worker_ = std::make_unique<ipc::RingConsumer>(&worker_.control->to_harness,
                                                       ipc::to_harness_data(worker_.channel), ipc::kRingBytes,
                                                       worker_.wake_harness_fd);
    reader_ = std::thread([this] { read_loop(); });
    std::unique_lock<std::mutex> lk(mu_);
    if (!cv_.wait_for(lk, kStartTimeout, [&] { return hello_ || dead_.load(); })) {
      lk.unlock();
      kill_worker("the worker did not finish loading the plugin within 120 s");
      lk.lock();
    }
    cv_.wait(lk, [&] { return hello_ || dead_.load(); });
    if (!hello_ok_) {
      std::string why = dead_ ? death_ : hello_error_;
      lk.unlock();
      shutdown();
      // load_plugin's messages already start with the path.
      throw PluginFailure(why.rfind(opts_.plugin_path, 0) == 0 ? why : opts_.plugin_path + ": " + why);
    }
    desc_.path = opts_.plugin_path;
    desc_.sha256 = plugin_file_sha256(opts_.plugin_path);
    *out = desc_;
  }

  const PluginDescription& description() const override { return desc_; }

  void on_fault(FaultHandler h) override {
    std::lock_guard<std::mutex> g(mu_);
    fault_ = std::move(h);
  }

  void cancel(const std::string& why) override { kill_worker("stopped by the harness: " + why); }

  void create(const std::string& workload,
              const std::vector<std::pair<std::string, std::string>>& cfg) override {
    Encoder e;
    e.str(workload).u64(cfg.size());
    for (const auto& [k, v] : cfg) e.str(k).str(v);
    Reply r = call(Msg::create, e, kCreateTimeout);
    if (r.threw) throw PluginFailure(opts_.plugin_path + ": " + r.message);
    if (r.status != EDU_OK)
      throw PluginFailure(opts_.plugin_path + ": create failed (" + status_name(r.status) + "): " +
                          (r.message.empty() ? "no message" : r.message));
  }

  edu_status issue(const edu_query* q, size_t n) override {
    // One plugin issue() of all n queries, sent as frames of at most kIssueChunk (an Offline
    // run issues everything at once, more than one frame may hold); the last frame is `issue`.
    size_t first = 0;
    Encoder last_frame;
    for (;;) {
      const size_t count = std::min(n - first, kIssueChunk);
      const bool last = first + count == n;
      Encoder e;
      e.u64(count);
      {
        std::lock_guard<std::mutex> g(mu_);
        for (size_t i = first; i < first + count; ++i) {
          const uint64_t slot = static_cast<uint64_t>(q[i].sample - opts_.samples->data());
          e.u64(q[i].id).u64(slot);
          in_flight_[q[i].id] = q[i].sample->index;
        }
      }
      if (last) last_frame = std::move(e);
      else send(Msg::issue_part, e);
      first += count;
      if (last) break;
    }
    // No timeout of its own: the load generator's watchdog cancels a hung worker.
    Reply r = call(Msg::issue, last_frame, std::chrono::hours(24 * 365));
    if (r.threw) throw PluginFailure(opts_.plugin_path + ": " + r.message);
    return r.status;
  }

  edu_status flush() override {
    Encoder e;
    Reply r = call(Msg::flush, e, std::chrono::hours(24 * 365));
    if (r.threw) throw PluginFailure(opts_.plugin_path + ": " + r.message);
    return r.status;
  }

  void destroy() override {
    {
      std::lock_guard<std::mutex> g(mu_);
      if (dead_ || destroyed_) {
        destroyed_ = true;
        return;
      }
      destroyed_ = true;
    }
    Encoder e;
    std::string problem;
    try {
      Reply r = call(Msg::destroy, e, kDestroyTimeout);
      if (r.threw) problem = r.message;
    } catch (const HarnessError&) {
    }
    // The worker exits after its reply; give it the same bound, then make sure.
    std::unique_lock<std::mutex> lk(mu_);
    if (!cv_.wait_for(lk, kDestroyTimeout, [&] { return dead_.load(); })) {
      lk.unlock();
      kill_worker("destroy() did not return within 10 s");
    }
    if (!problem.empty()) throw PluginFailure(opts_.plugin_path + ": " + problem);
  }

  // Called every 0.1 s by the load generator's watchdog: /proc is read outside mu_, which every
  // completion takes (a read costs ~30 us here). A worker that exits meanwhile is a zombie until
  // this session reaps it, and a zombie has no VmRSS: the read then finds nothing.
  MemoryUse memory_use() const override {
    MemoryUse u;
    pid_t pid = 0;
    uint64_t peak_at_exit_kib = 0;
    {
      std::lock_guard<std::mutex> g(mu_);
      if (!exited_) pid = worker_.pid;
      else peak_at_exit_kib = peak_rss_kib_;
    }
    if (pid > 0) {
      if (const auto m = read_proc_memory(std::to_string(pid))) {
        u.measured = true;
        u.peak_rss_bytes = m->peak_rss_bytes;
        u.rss_bytes = m->rss_bytes;
        u.source = "worker process: /proc/PID/status VmHWM and VmRSS (the plugin, its threads and the worker)";
      }
      return u;
    }
    if (peak_at_exit_kib > 0) {  // the kernel's account at its death
      u.measured = true;
      u.peak_rss_bytes = peak_at_exit_kib * 1024;
      u.source = "worker process: ru_maxrss at its exit";
    }
    return u;
  }

  std::string failure_report() const override {
    std::lock_guard<std::mutex> g(mu_);
    if (!failed_) return "";
    std::string r = "SUT worker failure (isolation: process)\n";
    r += "plugin: " + opts_.plugin_path + "\n";
    r += "what happened: " + death_ + "\n";
    if (!during_.empty()) r += "during: " + during_ + "\n";
    r += "peak memory (RSS): " + std::to_string(peak_rss_kib_ / 1024) + " MiB of the " +
         std::to_string(opts_.limits.memory_mb) + " MiB address-space limit\n";
    r += "queries in flight: " + std::to_string(in_flight_.size()) + "\n";
    size_t shown = 0;
    for (const auto& [id, sample] : in_flight_) {
      if (++shown > 10) break;
      r += "  query " + std::to_string(id) + " (sample " + std::to_string(sample) + ")\n";
    }
    if (in_flight_.size() > 10) r += "  ... and " + std::to_string(in_flight_.size() - 10) + " more\n";
    const std::string tail = tail_of_file(opts_.stderr_path, 20, 4096);
    r += "plugin stderr (last lines of " + opts_.stderr_path + "):\n";
    r += tail.empty() ? "  (empty)\n" : tail + (tail.back() == '\n' ? "" : "\n");
    return r;
  }

 private:
  struct Reply {
    uint32_t op = 0;
    edu_status status = EDU_OK;
    bool threw = false;
    std::string message;
  };

  // The calling thread consumes the worker's messages itself until its reply: a synchronous
  // plugin's completions are then timestamped and recorded without any thread hop.
  template <class Duration>
  Reply call(Msg op, const Encoder& e, Duration timeout) {
    {
      std::lock_guard<std::mutex> g(mu_);
      if (dead_) throw PluginFailure(opts_.plugin_path + ": " + death_);
      reply_.reset();
    }
    calling_ = true;
    send(op, e);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    {
      std::lock_guard<std::mutex> cl(consumer_mu_);
      for (bool killed = false;;) {
        consume(1, nullptr);  // spins: the reply is this thread's own
        {
          std::lock_guard<std::mutex> g(mu_);
          if (reply_ || dead_) break;
        }
        if (!killed && std::chrono::steady_clock::now() > deadline) {
          killed = true;
          kill_worker(std::string(ipc::msg_name(static_cast<uint32_t>(op))) + "() did not return in time");
        }
      }
    }
    calling_ = false;
    cv_.notify_all();  // the reader thread takes the ring back
    std::lock_guard<std::mutex> g(mu_);
    if (!reply_) throw PluginFailure(opts_.plugin_path + ": " + death_);
    Reply r = *reply_;
    reply_.reset();
    return r;
  }

  void send(Msg type, const Encoder& e) {
    std::lock_guard<std::mutex> g(send_mu_);
    const auto& d = e.data();
    std::string err = to_worker_->send(static_cast<uint32_t>(type), d.data(), static_cast<uint32_t>(d.size()),
                                       [this] { return dead_.load(); });
    if (!err.empty() && !dead_) violation("the harness-to-worker ring: " + err);
  }

  // One step of consuming (the caller holds consumer_mu_): everything waiting is handled; if
  // nothing was, waits up to timeout_ms. A worker that exited is reaped once its last messages
  // are handled, so a completion sent just before a crash still counts.
  void consume(int timeout_ms, const std::atomic<bool>* stop_spin) {
    if (exited_) return;
    if (broken_) {  // the ring is garbage: only the worker's death is left to collect
      pollfd p{worker_.pidfd, POLLIN, 0};
      if (::poll(&p, 1, timeout_ms) > 0) reap_blocking();
      return;
    }
    if (drain()) return;
    bool gone = false;
    from_worker_->wait(worker_.pidfd, timeout_ms, kReaderSpinNs, &gone, stop_spin);
    if (!drain() && gone) {
      drain();
      reap_blocking();
    }
  }

  bool drain() {  // true when a message was handled
    bool any = false;
    for (;;) {
      ipc::Message m;
      std::string why;
      if (broken_) return any;
      auto got = from_worker_->receive(m, why);
      if (got == ipc::RingConsumer::Got::empty) return any;
      if (got == ipc::RingConsumer::Got::violation) {
        violation("the worker-to-harness ring: " + why);
        return any;
      }
      try {
        handle(m);
      } catch (const ipc::ProtocolError& e) {
        violation(e.what());
        return any;
      }
      any = true;
    }
  }

  // Consumes whenever no call is in progress (asynchronous completions, log lines, deaths).
  void read_loop() {
    while (!exited_) {
      if (calling_) {
        std::unique_lock<std::mutex> lk(mu_);
        cv_.wait_for(lk, std::chrono::milliseconds(20), [&] { return !calling_.load() || exited_.load(); });
        continue;
      }
      if (stop_reader_) {
        // Shutting down: the worker was killed; collect it.
        std::lock_guard<std::mutex> cl(consumer_mu_);
        drain();
        reap_blocking();
        break;
      }
      std::unique_lock<std::mutex> cl(consumer_mu_, std::try_to_lock);
      if (!cl.owns_lock()) continue;
      consume(100, &calling_);
    }
  }

  void handle(ipc::Message& m) {
    Decoder d(m.payload, m.type);
    switch (static_cast<Msg>(m.type)) {
      case Msg::stream: {
        uint64_t id = d.u64();
        std::vector<int32_t> t = d.tokens();
        d.end();
        host_->stream(host_->ctx, id, t.data(), t.size());
        return;
      }
      case Msg::complete: {
        uint64_t id = d.u64();
        std::vector<int32_t> t = d.tokens();
        std::string text = d.str();
        uint32_t has = d.u32();
        d.end();
        edu_response r{};
        r.struct_size = sizeof r;
        r.tokens = t.empty() ? nullptr : t.data();
        r.n_tokens = t.size();
        r.text = text.data();
        r.text_len = text.size();
        host_->complete(host_->ctx, id, has ? &r : nullptr);
        std::lock_guard<std::mutex> g(mu_);
        in_flight_.erase(id);
        return;
      }
      case Msg::report: {
        uint64_t id = d.u64();
        std::string metric = d.str();
        double v = d.f64();
        d.end();
        host_->report(host_->ctx, id, metric.c_str(), v);
        return;
      }
      case Msg::log: {
        int32_t level = d.i32();
        std::string text = d.str();
        d.end();
        host_->log(host_->ctx, level, text.c_str());
        return;
      }
      case Msg::tool_call: {
        uint64_t call = d.u64(), id = d.u64();
        std::string tool = d.str(), arg = d.str();
        uint64_t cap = std::min<uint64_t>(d.u64(), ipc::kMaxMessage - 256);
        d.end();
        std::string out(cap, '\0');
        size_t len = 0;
        edu_status s = host_->call_tool(host_->ctx, id, tool.c_str(), arg.c_str(), out.data(), cap, &len);
        out.resize(s == EDU_OK ? std::min<size_t>(len, cap) : 0);
        Encoder e;
        e.u64(call).i32(s).u64(len).str(out);
        send(Msg::tool_reply, e);
        return;
      }
      case Msg::code_call: {
        uint64_t call = d.u64(), id = d.u64();
        std::string code = d.str();
        d.end();
        // Seconds in the sandbox must not stall completions: one detached thread per call,
        // counted, so shutdown waits for the last before the session goes away.
        {
          std::lock_guard<std::mutex> g(mu_);
          ++code_running_;
        }
        std::thread([this, call, id, code = std::move(code)] {
          edu_exec_result r{};
          r.struct_size = sizeof r;
          edu_status s = host_->run_code(host_->ctx, id, code.data(), code.size(), &r);
          Encoder e;
          e.u64(call).i32(s).u32(static_cast<uint32_t>(r.passed)).u32(static_cast<uint32_t>(r.timed_out));
          e.str(s == EDU_OK && r.feedback ? std::string(r.feedback, r.feedback_len) : std::string());
          send(Msg::code_reply, e);
          std::lock_guard<std::mutex> g(mu_);
          --code_running_;
          cv_.notify_all();
        }).detach();
        return;
      }
      case Msg::hello: {
        uint32_t ok = d.u32();
        std::lock_guard<std::mutex> g(mu_);
        if (ok) {
          desc_.name = d.str();
          desc_.version = d.str();
          desc_.abi_major = d.u32();
          desc_.abi_minor = d.u32();
          uint64_t n = d.u64();
          for (uint64_t i = 0; i < n && i < 4096; ++i) desc_.workloads.push_back(d.str());
          n = d.u64();
          for (uint64_t i = 0; i < n && i < 64; ++i) desc_.containment.push_back(d.str());
        } else {
          hello_error_ = d.str();
        }
        hello_ok_ = ok != 0;
        hello_ = true;
        cv_.notify_all();
        return;
      }
      case Msg::reply: {
        Reply r;
        r.op = d.u32();
        r.status = d.i32();
        r.threw = d.u32() != 0;
        r.message = d.str();
        std::lock_guard<std::mutex> g(mu_);
        reply_ = r;
        cv_.notify_all();
        return;
      }
      default:
        throw ipc::ProtocolError("unknown message type " + std::to_string(m.type));
    }
  }

  void violation(const std::string& what) {
    {
      std::lock_guard<std::mutex> g(mu_);
      if (!violation_.empty() || exited_) return;
      violation_ = what;
      broken_ = true;
    }
    kill_worker("protocol violation on " + what);
  }

  // Kills the worker through its pidfd (never a recycled pid); the reader records the death.
  void kill_worker(const std::string& why) {
    {
      std::lock_guard<std::mutex> g(mu_);
      if (exited_ || worker_.pidfd < 0) return;
      if (kill_reason_.empty()) kill_reason_ = why;
    }
    syscall(SYS_pidfd_send_signal, worker_.pidfd, SIGKILL, nullptr, 0);
  }

  void reap_blocking() {
    if (exited_) return;
    rusage ru{};
    int status = 0;
    if (wait4(worker_.pid, &status, 0, &ru) == worker_.pid) record_death(status, ru);
  }

  void record_death(int status, const rusage& ru) {
    FaultHandler fault;
    std::string kind, reason;
    {
      std::lock_guard<std::mutex> g(mu_);
      exited_ = true;
      peak_rss_kib_ = static_cast<uint64_t>(ru.ru_maxrss);
      const uint32_t in_call = worker_.control->in_call.load();
      during_ = in_call ? std::string("the plugin's ") + ipc::msg_name(in_call) + "()" : "";
      const int32_t sys = worker_.control->forbidden_syscall.load();
      const bool orderly = destroyed_ && WIFEXITED(status) && WEXITSTATUS(status) == 0;
      if (!violation_.empty()) {
        kind = "sut_protocol_violation";
        death_ = "the worker broke the channel protocol (" + violation_ + ") and was killed";
      } else if (!kill_reason_.empty() && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) {
        kind = "sut_killed";
        death_ = "the worker was killed: " + kill_reason_;
      } else if (WIFSIGNALED(status)) {
        const int sig = WTERMSIG(status);
        kind = "sut_crashed";
        death_ = "the worker died of " + signal_text(sig);
        if (sig == SIGSYS && sys > 0) {
          char* name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, sys);
          death_ += ": the plugin called the forbidden system call " + std::string(name ? name : "?") +
                    " (" + std::to_string(sys) + "), refused by the worker's seccomp filter";
          kind = "sut_forbidden_syscall";
          std::free(name);
        } else if (sig == SIGXCPU) {
          death_ += ": the CPU-time limit of " + std::to_string(opts_.limits.cpu_s) + " s was reached";
        } else if (sig == SIGXFSZ) {
          death_ += ": the file-size limit was reached";
        } else if (peak_rss_kib_ / 1024 * 2 >= opts_.limits.memory_mb) {
          death_ += " near its memory limit (peak RSS " + std::to_string(peak_rss_kib_ / 1024) + " MiB of " +
                    std::to_string(opts_.limits.memory_mb) + " MiB): most likely out of memory";
        }
      } else if (WIFEXITED(status)) {
        kind = "sut_exited";
        death_ = "the worker exited with status " + std::to_string(WEXITSTATUS(status));
        if (WEXITSTATUS(status) == ipc::kWorkerLostHarness) death_ += " (it found the channel broken)";
        else if (!destroyed_) death_ += " before the harness asked it to (the plugin called exit?)";
      }
      failed_ = !orderly;
      if (failed_) fault = fault_;
      reason = death_ + (in_flight_.empty() ? "" : " with " + std::to_string(in_flight_.size()) +
                                                       " queries in flight") + "; see crash_report.txt";
    }
    // The run is aborted with this cause before a blocked call learns of the death and would
    // report it as a mere plugin failure.
    if (fault) fault(kind, reason);
    std::lock_guard<std::mutex> g(mu_);
    dead_ = true;
    cv_.notify_all();
  }

  void shutdown() {
    if (reader_.joinable()) {
      if (!exited_) kill_worker("the harness is done with it");
      stop_reader_ = true;
      reader_.join();
    }
    {
      std::unique_lock<std::mutex> lk(mu_);
      cv_.wait(lk, [&] { return code_running_ == 0; });  // each is bounded by the sandbox's limit
    }
    close_worker(worker_);
  }

  ProcessSessionOptions opts_;
  const edu_host* host_;
  SpawnedWorker worker_;
  std::unique_ptr<ipc::RingProducer> to_worker_;
  std::unique_ptr<ipc::RingConsumer> from_worker_;
  std::thread reader_;
  std::mutex send_mu_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::optional<Reply> reply_;
  bool hello_ = false, hello_ok_ = false, destroyed_ = false, failed_ = false;
  std::atomic<bool> dead_{false}, exited_{false}, stop_reader_{false};
  std::atomic<bool> broken_{false};   // a protocol violation: the ring is not read again
  std::atomic<bool> calling_{false};               // a caller consumes the ring: the reader parks
  std::mutex consumer_mu_;                         // one consumer of the worker's ring at a time
  std::string hello_error_, death_, during_, kill_reason_, violation_;
  uint64_t peak_rss_kib_ = 0;
  PluginDescription desc_;
  FaultHandler fault_;
  std::map<uint64_t, uint64_t> in_flight_;  // query id -> sample index
  int code_running_ = 0;  // sandbox calls in flight
};

}  // namespace

std::unique_ptr<ProcessSession> start_process_session(const ProcessSessionOptions& o, const edu_host* host,
                                                      PluginDescription* out) {
  auto s = std::make_unique<WorkerSession>(o, host);
  s->start(out);
  return s;
}

PluginDescription describe_plugin_isolated(const std::string& path) {
  static const std::vector<edu_sample> no_samples;
  static const edu_host no_host{};  // a describing worker never reaches create
  char tmpl[] = "/tmp/edubench-describe-XXXXXX";
  const char* dir = mkdtemp(tmpl);
  ProcessSessionOptions o;
  o.plugin_path = path;
  o.stderr_path = dir ? std::string(dir) + "/stderr.log" : "/dev/null";
  o.samples = &no_samples;
  PluginDescription d;
  try {
    auto s = start_process_session(o, &no_host, &d);
    s->destroy();
  } catch (...) {
    if (dir) fs::remove_all(dir);
    throw;
  }
  if (dir) fs::remove_all(dir);
  return d;
}

}  // namespace edubench::harness
