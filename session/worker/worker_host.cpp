#include "worker_host.hpp"

#include <cxxabi.h>
#include <unistd.h>

#include <cstdlib>

#include <chrono>
#include <cstring>
#include <exception>
#include <new>
#include <typeinfo>

namespace edubench::worker {
using ipc::Decoder;
using ipc::Encoder;
using ipc::Msg;

namespace {
constexpr int64_t kSpinNs = 50'000;
}

WorkerHost::WorkerHost(void* channel, int wake_worker_fd, int wake_harness_fd, const void* samples,
                       size_t samples_size)
    : control_(static_cast<ipc::Control*>(channel)),
      out_(&control_->to_harness, ipc::to_harness_data(channel), ipc::kRingBytes, wake_harness_fd),
      in_(&control_->to_worker, ipc::to_worker_data(channel), ipc::kRingBytes, wake_worker_fd) {
  host_.struct_size = sizeof(edu_host);
  host_.abi_major = EDU_ABI_VERSION_MAJOR;
  host_.abi_minor = EDU_ABI_VERSION_MINOR;
  host_.ctx = this;
  host_.stream = &h_stream;
  host_.complete = &h_complete;
  host_.call_tool = &h_call_tool;
  host_.run_code = &h_run_code;
  host_.report = &h_report;
  host_.log = &h_log;
  load_samples(samples, samples_size);
}

void WorkerHost::load_samples(const void* base, size_t size) {
  const auto* b = static_cast<const uint8_t*>(base);
  const auto* h = static_cast<const ipc::SampleTableHeader*>(base);
  if (size < sizeof *h || h->magic != ipc::kMagic) return;
  const auto* e = reinterpret_cast<const ipc::SampleEntry*>(b + sizeof *h);
  for (uint64_t i = 0; i < h->count; ++i) {
    edu_sample s{};
    s.struct_size = sizeof s;
    s.index = e[i].index;
    s.text = reinterpret_cast<const char*>(b + e[i].text_off);
    s.text_len = e[i].text_len;
    s.tokens = e[i].n_tokens ? reinterpret_cast<const int32_t*>(b + e[i].tokens_off) : nullptr;
    s.n_tokens = e[i].n_tokens;
    s.max_new_tokens = e[i].max_new_tokens;
    samples_.push_back(s);
  }
}

void WorkerHost::send(Msg type, const Encoder& e) {
  std::lock_guard<std::mutex> g(send_mu_);
  const auto& d = e.data();
  if (!out_.send(static_cast<uint32_t>(type), d.data(), static_cast<uint32_t>(d.size()), nullptr).empty())
    std::_Exit(ipc::kWorkerLostHarness);  // the harness broke the channel: nothing left to serve
}

// No reader thread: whichever thread waits (the main thread for its next command, a plugin
// thread for its tool or code answer) consumes the ring itself, one at a time, and routes what
// is not its own. A message then reaches its thread without a hop through another thread.
void WorkerHost::pump() {
  ipc::Message m;
  std::string why;
  auto got = in_.receive(m, why);
  if (got == ipc::RingConsumer::Got::empty) {
    in_.wait(-1, 20, kSpinNs, nullptr);
    got = in_.receive(m, why);
  }
  if (got == ipc::RingConsumer::Got::violation) std::_Exit(ipc::kWorkerLostHarness);
  if (got == ipc::RingConsumer::Got::empty) return;
  std::lock_guard<std::mutex> g(mu_);
  if (m.type == static_cast<uint32_t>(Msg::tool_reply) || m.type == static_cast<uint32_t>(Msg::code_reply)) {
    uint64_t call_id = 0;
    if (m.payload.size() >= sizeof call_id) std::memcpy(&call_id, m.payload.data(), sizeof call_id);
    answers_[call_id] = std::move(m);
  } else {
    commands_.push_back(std::move(m));
  }
  cv_.notify_all();
}

template <class Ready>
void WorkerHost::await(Ready ready) {
  for (;;) {
    {
      std::lock_guard<std::mutex> g(mu_);
      if (ready()) return;
    }
    if (consumer_mu_.try_lock()) {
      pump();
      consumer_mu_.unlock();
      continue;
    }
    // Another thread consumes; it notifies when it routes something here.
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait_for(lk, std::chrono::milliseconds(1), ready);
  }
}

ipc::Message WorkerHost::next_command() {
  await([&] { return !commands_.empty(); });
  std::lock_guard<std::mutex> g(mu_);
  ipc::Message m = std::move(commands_.front());
  commands_.pop_front();
  return m;
}

ipc::Message WorkerHost::call(Msg type, Encoder& e) {
  // The call id goes first: the consuming thread routes the answer by it.
  uint64_t id;
  {
    std::lock_guard<std::mutex> g(mu_);
    id = next_call_++;
  }
  std::vector<uint8_t> bytes(sizeof id);
  std::memcpy(bytes.data(), &id, sizeof id);
  const auto& d = e.data();
  bytes.insert(bytes.end(), d.begin(), d.end());
  {
    std::lock_guard<std::mutex> g(send_mu_);
    if (!out_.send(static_cast<uint32_t>(type), bytes.data(), static_cast<uint32_t>(bytes.size()), nullptr).empty())
      std::_Exit(ipc::kWorkerLostHarness);
  }
  await([&] { return answers_.count(id) != 0; });
  std::lock_guard<std::mutex> g(mu_);
  ipc::Message m = std::move(answers_[id]);
  answers_.erase(id);
  return m;
}

void WorkerHost::say_hello(const harness::Plugin& p, const std::vector<std::string>& containment) {
  Encoder e;
  e.u32(1).str(p.api->name).str(p.api->version).u32(p.api->abi_major).u32(p.api->abi_minor);
  e.u64(p.workloads.size());
  for (const auto& w : p.workloads) e.str(w);
  e.u64(containment.size());
  for (const auto& c : containment) e.str(c);
  send(Msg::hello, e);
}

void WorkerHost::say_hello_failed(const std::string& why) {
  Encoder e;
  e.u32(0).str(why);
  send(Msg::hello, e);
}

void WorkerHost::wait_for_destroy() {
  for (;;) {
    ipc::Message m = next_command();
    if (m.type == static_cast<uint32_t>(Msg::destroy)) {
      reply(Msg::destroy, EDU_OK, "", false);
      return;
    }
  }
}

void WorkerHost::reply(Msg op, edu_status s, const std::string& message, bool threw) {
  Encoder e;
  e.u32(static_cast<uint32_t>(op)).i32(s).u32(threw ? 1 : 0).str(message);
  send(Msg::reply, e);
}

namespace {
// What crossed the ABI, in one line (the harness reports it as a plugin failure).
std::string describe_exception(const char* call) {
  try {
    throw;
  } catch (const std::bad_alloc&) {
    return std::string(call) + " threw std::bad_alloc: the plugin ran out of memory (the worker's address-space limit)";
  } catch (const std::exception& e) {
    int st = 0;
    char* name = abi::__cxa_demangle(typeid(e).name(), nullptr, nullptr, &st);
    std::string type = st == 0 && name ? name : typeid(e).name();
    std::free(name);
    return std::string(call) + " threw a C++ exception across the C ABI (" + type + ": " + e.what() + ")";
  } catch (...) {
    return std::string(call) + " threw a C++ exception across the C ABI";
  }
}
}  // namespace

int WorkerHost::serve(const harness::Plugin& p) {
  void* sut = nullptr;
  for (;;) {
    ipc::Message m = next_command();
    const auto op = static_cast<Msg>(m.type);
    control_->in_call.store(m.type);
    try {
      Decoder d(m.payload, m.type);
      if (op == Msg::create) {
        std::string workload = d.str();
        uint64_t n = d.u64();
        std::vector<std::string> keys, values;
        for (uint64_t i = 0; i < n; ++i) keys.push_back(d.str()), values.push_back(d.str());
        std::vector<edu_kv> kv;
        for (uint64_t i = 0; i < n; ++i) kv.push_back({keys[i].c_str(), values[i].c_str()});
        char err[1024] = {0};
        edu_status s;
        try {
          s = p.api->create(&host_, workload.c_str(), kv.data(), kv.size(), &sut, err, sizeof err);
        } catch (...) {
          reply(op, EDU_ERR_INTERNAL, describe_exception("create"), true);
          continue;
        }
        err[sizeof err - 1] = '\0';
        reply(op, s, err, false);
      } else if (op == Msg::issue_part || op == Msg::issue) {
        uint64_t n = d.u64();
        {
          std::lock_guard<std::mutex> g(mu_);
          for (uint64_t i = 0; i < n; ++i) {
            uint64_t id = d.u64(), slot = d.u64();
            if (slot >= samples_.size()) throw ipc::ProtocolError("issue: sample slot out of range");
            pending_issue_.push_back({sizeof(edu_query), id, &samples_[slot]});
            in_flight_.insert(id);
          }
        }
        if (op == Msg::issue_part) continue;  // the rest of this issue follows
        std::vector<edu_query> q;
        q.swap(pending_issue_);
        edu_status s;
        try {
          s = p.api->issue(sut, q.data(), q.size());
        } catch (...) {
          reply(op, EDU_ERR_INTERNAL, describe_exception("issue"), true);
          continue;
        }
        reply(op, s, "", false);
      } else if (op == Msg::flush) {
        edu_status s;
        try {
          s = p.api->flush(sut);
        } catch (...) {
          reply(op, EDU_ERR_INTERNAL, describe_exception("flush"), true);
          continue;
        }
        reply(op, s, "", false);
      } else if (op == Msg::destroy) {
        std::string problem;
        try {
          if (sut) p.api->destroy(sut);
        } catch (...) {
          problem = describe_exception("destroy");
        }
        reply(op, EDU_OK, problem, !problem.empty());
        control_->in_call.store(0);
        return 0;
      }
    } catch (const ipc::ProtocolError& e) {
      std::fprintf(stderr, "edubench-sut-worker: %s\n", e.what());
      return ipc::kWorkerLostHarness;
    }
    control_->in_call.store(0);
  }
}

edu_status WorkerHost::h_stream(void* ctx, uint64_t id, const int32_t* t, size_t n) {
  WorkerHost* w = self(ctx);
  bool known;
  {
    std::lock_guard<std::mutex> g(w->mu_);
    known = w->in_flight_.count(id) != 0;
  }
  Encoder e;
  e.u64(id).tokens(t, t ? n : 0);
  w->send(Msg::stream, e);  // sent even when unknown: the harness logs the mistake
  return known ? EDU_OK : EDU_ERR_NOT_FOUND;
}

edu_status WorkerHost::h_complete(void* ctx, uint64_t id, const edu_response* r) {
  WorkerHost* w = self(ctx);
  bool known;
  {
    std::lock_guard<std::mutex> g(w->mu_);
    known = w->in_flight_.erase(id) != 0;
    w->feedback_.erase(id);
  }
  Encoder e;
  e.u64(id);
  if (r) {
    e.tokens(r->tokens, r->tokens ? r->n_tokens : 0);
    e.bytes(r->text, r->text ? r->text_len : 0);
  } else {
    e.tokens(nullptr, 0).bytes(nullptr, 0);
  }
  e.u32(r ? 1 : 0);
  w->send(Msg::complete, e);
  return known ? EDU_OK : EDU_ERR_NOT_FOUND;
}

edu_status WorkerHost::h_call_tool(void* ctx, uint64_t id, const char* tool, const char* arg, char* out,
                                   size_t cap, size_t* out_len) {
  if (!tool || !arg || !out_len || (cap > 0 && !out)) return EDU_ERR_INVALID_ARGUMENT;
  WorkerHost* w = self(ctx);
  Encoder e;
  e.u64(id).str(tool).str(arg).u64(cap);
  ipc::Message m = w->call(Msg::tool_call, e);
  Decoder d(m.payload, m.type);
  d.u64();
  edu_status s = d.i32();
  uint64_t len = d.u64();
  std::string obs = d.str();
  *out_len = len;
  if (s == EDU_OK && obs.size() + 1 <= cap) {
    std::memcpy(out, obs.data(), obs.size());
    out[obs.size()] = '\0';
  }
  return s;
}

edu_status WorkerHost::h_run_code(void* ctx, uint64_t id, const char* code, size_t len, edu_exec_result* r) {
  if (!r || (len > 0 && !code)) return EDU_ERR_INVALID_ARGUMENT;
  WorkerHost* w = self(ctx);
  Encoder e;
  e.u64(id).bytes(code, len);
  ipc::Message m = w->call(Msg::code_call, e);
  Decoder d(m.payload, m.type);
  d.u64();
  edu_status s = d.i32();
  uint32_t passed = d.u32(), timed_out = d.u32();
  std::string feedback = d.str();
  if (s != EDU_OK) return s;
  std::lock_guard<std::mutex> g(w->mu_);
  std::string& kept = w->feedback_[id];
  kept = std::move(feedback);
  r->passed = static_cast<int32_t>(passed);
  r->timed_out = static_cast<int32_t>(timed_out);
  r->feedback = kept.c_str();
  r->feedback_len = kept.size();
  return EDU_OK;
}

void WorkerHost::h_report(void* ctx, uint64_t id, const char* metric, double v) {
  if (!metric) return;
  Encoder e;
  e.u64(id).str(metric).f64(v);
  self(ctx)->send(Msg::report, e);
}

void WorkerHost::h_log(void* ctx, int32_t level, const char* message) {
  if (!message) return;
  Encoder e;
  e.i32(level).str(message);
  self(ctx)->send(Msg::log, e);
}

}  // namespace edubench::worker
