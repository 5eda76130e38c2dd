#include "ring.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <thread>

namespace edubench::ipc {
namespace {

int64_t mono_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

struct FrameHeader {
  uint32_t type;
  uint32_t len;
};

}  // namespace

RingProducer::RingProducer(RingHeader* h, uint8_t* data, uint64_t capacity, int wake_fd)
    : h_(h), data_(data), cap_(capacity), wake_fd_(wake_fd) {}

void RingProducer::copy_in(uint64_t at, const void* src, uint64_t n) {
  const uint64_t pos = at & (cap_ - 1);
  const uint64_t first = std::min(n, cap_ - pos);
  std::memcpy(data_ + pos, src, first);
  if (n > first) std::memcpy(data_, static_cast<const uint8_t*>(src) + first, n - first);
}

std::string RingProducer::send(uint32_t type, const void* payload, uint32_t len,
                               const std::function<bool()>& give_up) {
  if (len > kMaxMessage) return "message of " + std::to_string(len) + " bytes exceeds the channel's limit";
  const uint64_t need = sizeof(FrameHeader) + len;
  for (int64_t waited = 0;; ++waited) {
    const uint64_t read = h_->read.load(std::memory_order_acquire);
    if (read > write_ || write_ - read > cap_)
      return "the peer published an impossible read index " + std::to_string(read) + " (write " +
             std::to_string(write_) + ")";
    if (cap_ - (write_ - read) >= need) break;
    if (give_up && give_up()) return "the peer is gone";
    std::this_thread::sleep_for(std::chrono::microseconds(waited < 100 ? 20 : 500));
  }
  FrameHeader fh{type, len};
  copy_in(write_, &fh, sizeof fh);
  if (len) copy_in(write_ + sizeof fh, payload, len);
  write_ += need;
  h_->write.store(write_, std::memory_order_seq_cst);
  // Dekker with the consumer's wait(): it sets `consumer_sleeping` then re-reads `write`.
  if (h_->consumer_sleeping.exchange(0, std::memory_order_seq_cst)) {
    const uint64_t one = 1;
    ssize_t r = ::write(wake_fd_, &one, sizeof one);
    (void)r;
  }
  return "";
}

RingConsumer::RingConsumer(RingHeader* h, uint8_t* data, uint64_t capacity, int wake_fd)
    : h_(h), data_(data), cap_(capacity), wake_fd_(wake_fd) {}

void RingConsumer::copy_out(uint64_t at, void* dst, uint64_t n) const {
  const uint64_t pos = at & (cap_ - 1);
  const uint64_t first = std::min(n, cap_ - pos);
  std::memcpy(dst, data_ + pos, first);
  if (n > first) std::memcpy(static_cast<uint8_t*>(dst) + first, data_, n - first);
}

bool RingConsumer::has_data() const {
  return h_->write.load(std::memory_order_acquire) != read_;
}

RingConsumer::Got RingConsumer::receive(Message& m, std::string& why) {
  const uint64_t write = h_->write.load(std::memory_order_acquire);
  if (write == read_) return Got::empty;
  const uint64_t avail = write - read_;
  if (write < read_ || avail > cap_) {
    why = "impossible write index " + std::to_string(write) + " (read " + std::to_string(read_) + ")";
    return Got::violation;
  }
  if (avail < sizeof(FrameHeader)) {
    why = "a partial frame header (" + std::to_string(avail) + " bytes published)";
    return Got::violation;
  }
  FrameHeader fh;
  copy_out(read_, &fh, sizeof fh);
  if (fh.len > kMaxMessage || fh.len > avail - sizeof fh) {
    why = "a frame of " + std::to_string(fh.len) + " bytes with " + std::to_string(avail - sizeof fh) +
          " published (type " + std::to_string(fh.type) + ")";
    return Got::violation;
  }
  m.type = fh.type;
  m.payload.resize(fh.len);
  if (fh.len) copy_out(read_ + sizeof fh, m.payload.data(), fh.len);
  read_ += sizeof fh + fh.len;
  h_->read.store(read_, std::memory_order_release);
  return Got::message;
}

void RingConsumer::wait(int other_fd, int timeout_ms, int64_t spin_ns, bool* other_ready,
                        const std::atomic<bool>* stop_spin) {
  if (other_ready) *other_ready = false;
  const int64_t spin_until = mono_ns() + spin_ns;
  while (mono_ns() < spin_until && !(stop_spin && stop_spin->load(std::memory_order_relaxed))) {
    for (int i = 0; i < 64; ++i) {
      if (has_data()) return;
      cpu_relax();
    }
  }
  // Told to stop: another thread consumes now; sleeping on the eventfd would only make every
  // message of the producer wake this thread for nothing.
  if (stop_spin && stop_spin->load(std::memory_order_relaxed)) return;
  h_->consumer_sleeping.store(1, std::memory_order_seq_cst);
  if (h_->write.load(std::memory_order_seq_cst) != read_) {
    h_->consumer_sleeping.store(0, std::memory_order_relaxed);
    return;
  }
  pollfd fds[2] = {{wake_fd_, POLLIN, 0}, {other_fd, POLLIN, 0}};
  int r = ::poll(fds, other_fd >= 0 ? 2 : 1, timeout_ms);
  h_->consumer_sleeping.store(0, std::memory_order_relaxed);
  if (r <= 0) return;
  if (fds[0].revents & POLLIN) {
    uint64_t v;
    ssize_t n = ::read(wake_fd_, &v, sizeof v);
    (void)n;
  }
  if (other_fd >= 0 && other_ready && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) *other_ready = true;
}

}  // namespace edubench::ipc
