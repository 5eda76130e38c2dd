// One direction of the harness <-> SUT-worker channel: a byte ring in shared memory with one
// producer process and one consumer process. Each side keeps its own index privately and only
// publishes it, so a hostile peer that scribbles over the shared header can at worst make the
// honest side report a protocol violation; it can never make it read or write out of bounds.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace edubench::ipc {

struct RingHeader {
  alignas(64) std::atomic<uint64_t> write;             // bytes published by the producer
  alignas(64) std::atomic<uint64_t> read;              // bytes consumed by the consumer
  alignas(64) std::atomic<uint32_t> consumer_sleeping;  // 1: the consumer waits on its eventfd
};

struct Message {
  uint32_t type = 0;
  std::vector<uint8_t> payload;
};

constexpr uint32_t kMaxMessage = 1u << 20;  // larger payloads are a protocol violation
constexpr uint64_t kRingBytes = 4u << 20;   // per direction; a power of two

class RingProducer {
 public:
  RingProducer(RingHeader* h, uint8_t* data, uint64_t capacity, int wake_fd);
  // Appends one message and wakes a sleeping consumer. Waits while the ring is full, as long
  // as give_up() is false. Returns "" on success, else why nothing was sent.
  std::string send(uint32_t type, const void* payload, uint32_t len,
                   const std::function<bool()>& give_up);

 private:
  void copy_in(uint64_t at, const void* src, uint64_t n);
  RingHeader* h_;
  uint8_t* data_;
  uint64_t cap_;
  int wake_fd_;
  uint64_t write_ = 0;
};

class RingConsumer {
 public:
  RingConsumer(RingHeader* h, uint8_t* data, uint64_t capacity, int wake_fd);
  enum class Got { message, empty, violation };
  // Takes the next message (copied out first, so the producer cannot change it under us).
  Got receive(Message& m, std::string& why);
  // Returns when a message may be waiting, `other_fd` (if >= 0) is readable (`other_ready`), or
  // timeout_ms passed. Spins spin_ns first: a wake-up through the kernel costs tens of us.
  // `stop_spin` (if given) ends the spinning early: a thread that should not burn a core.
  void wait(int other_fd, int timeout_ms, int64_t spin_ns, bool* other_ready,
            const std::atomic<bool>* stop_spin = nullptr);
  bool has_data() const;

 private:
  void copy_out(uint64_t at, void* dst, uint64_t n) const;
  RingHeader* h_;
  uint8_t* data_;
  uint64_t cap_;
  int wake_fd_;
  uint64_t read_ = 0;
};

}  // namespace edubench::ipc
