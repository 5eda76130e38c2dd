// The messages between the harness and the SUT worker, and the layout of the shared memory
// that carries them. Every payload is decoded with bounds checks: a truncated or oversized
// field is a ProtocolError, never a read out of bounds.
#pragma once

#include "ring.hpp"

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace edubench::ipc {

enum class Msg : uint32_t {
  // harness -> worker
  create = 1,   // workload, n x (key, value)
  issue,        // n x (query id, sample slot)
  flush,
  destroy,
  tool_reply,   // call id, status, observation length, observation
  code_reply,   // call id, status, passed, timed_out, feedback
  issue_part,   // n x (query id, sample slot): more of the next issue
  // worker -> harness
  hello = 101,  // ok; then name, version, abi major, abi minor, workloads, containment lines | error
  reply,        // op (Msg), status, message (create's error text)
  stream,       // query id, tokens
  complete,     // query id, tokens, text
  report,       // query id, metric, value
  log,          // level, message
  tool_call,    // call id, query id, tool, arg, out_cap
  code_call,    // call id, query id, code
};

const char* msg_name(uint32_t type);

struct ProtocolError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Encoder {
 public:
  Encoder& u32(uint32_t v) { return raw(&v, sizeof v); }
  Encoder& i32(int32_t v) { return raw(&v, sizeof v); }
  Encoder& u64(uint64_t v) { return raw(&v, sizeof v); }
  Encoder& f64(double v) { return raw(&v, sizeof v); }
  Encoder& bytes(const void* p, size_t n) {
    u64(n);
    return raw(p, n);
  }
  Encoder& str(const std::string& s) { return bytes(s.data(), s.size()); }
  Encoder& tokens(const int32_t* t, size_t n) { return bytes(t, n * sizeof(int32_t)); }
  const std::vector<uint8_t>& data() const { return b_; }

 private:
  Encoder& raw(const void* p, size_t n);  // out of line: inlined, GCC 12 warns falsely on it
  std::vector<uint8_t> b_;
};

class Decoder {
 public:
  Decoder(const std::vector<uint8_t>& b, uint32_t type) : b_(b), type_(type) {}
  uint32_t u32() { return pod<uint32_t>(); }
  int32_t i32() { return pod<int32_t>(); }
  uint64_t u64() { return pod<uint64_t>(); }
  double f64() { return pod<double>(); }
  std::string str() {
    const uint64_t n = u64();
    need(n);
    std::string s(reinterpret_cast<const char*>(b_.data() + pos_), n);
    pos_ += n;
    return s;
  }
  std::vector<int32_t> tokens() {
    const uint64_t n = u64();
    if (n % sizeof(int32_t)) fail("a token array of " + std::to_string(n) + " bytes");
    need(n);
    std::vector<int32_t> t(n / sizeof(int32_t));
    if (n) std::memcpy(t.data(), b_.data() + pos_, n);
    pos_ += n;
    return t;
  }
  void end() const {
    if (pos_ != b_.size()) fail(std::to_string(b_.size() - pos_) + " trailing bytes");
  }

 private:
  template <class T>
  T pod() {
    need(sizeof(T));
    T v;
    std::memcpy(&v, b_.data() + pos_, sizeof v);
    pos_ += sizeof v;
    return v;
  }
  void need(uint64_t n) const {
    if (n > b_.size() - pos_)
      fail("truncated (" + std::to_string(n) + " bytes wanted, " + std::to_string(b_.size() - pos_) + " left)");
  }
  [[noreturn]] void fail(const std::string& what) const {
    throw ProtocolError(std::string("message ") + msg_name(type_) + ": " + what);
  }
  const std::vector<uint8_t>& b_;
  uint32_t type_;
  size_t pos_ = 0;
};

// The first page of the channel's shared memory; the two rings' data follow it.
struct Control {
  uint64_t magic;
  RingHeader to_worker;
  RingHeader to_harness;
  // Set by the worker's SIGSYS handler: the system call the seccomp filter refused.
  std::atomic<int32_t> forbidden_syscall;
  // What the worker was doing (a Msg value while inside a plugin call, 0 when idle).
  std::atomic<uint32_t> in_call;
};
constexpr uint64_t kMagic = 0x65647562656e6368ull;  // "edubench"
constexpr uint64_t kControlBytes = 4096;
static_assert(sizeof(Control) <= kControlBytes, "the control block must fit its page");
constexpr uint64_t kChannelBytes = kControlBytes + 2 * kRingBytes;

inline uint8_t* to_worker_data(void* base) { return static_cast<uint8_t*>(base) + kControlBytes; }
inline uint8_t* to_harness_data(void* base) {
  return static_cast<uint8_t*>(base) + kControlBytes + kRingBytes;
}

// The sample table, written once by the harness into a sealed (read-only) memfd.
struct SampleEntry {
  uint64_t index, text_off, text_len, tokens_off, n_tokens;
  uint32_t max_new_tokens, pad;
};
struct SampleTableHeader {
  uint64_t magic, count;
};

// Worker exit statuses with a meaning of their own.
constexpr int kWorkerBadArgs = 90;
constexpr int kWorkerLostHarness = 91;

}  // namespace edubench::ipc
