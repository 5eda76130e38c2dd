// The worker-to-harness channel as a hostile worker writes it: the ring's bytes and its
// published write index (ring.cpp, RingConsumer::receive), then each message's payload decoded
// field by field as ProcessSession::handle does (protocol.hpp's Decoder). Every lie must end in
// a violation or a ProtocolError, never a read outside the ring or the payload.
//
// Input: 4 KiB of ring contents (what is short is zeros), then steps of 11 bytes: a write index
// (u64 little-endian) the worker publishes, and one byte (u8 value at u16 position) it pokes
// into the ring before the harness reads.
#include "fuzz_support.hpp"

#include "ipc/protocol.hpp"
#include "ipc/ring.hpp"

#include <algorithm>
#include <cstring>
#include <memory>

namespace {

namespace ipc = edubench::ipc;
using ipc::Msg;

constexpr uint64_t kCap = 4096;  // a power of two, as kRingBytes is

// The payload layouts of protocol.hpp's worker -> harness messages, in ProcessSession::handle's
// order of reads. Decoding only: the fuzz target has no host to deliver to.
void decode(const ipc::Message& m) {
  ipc::Decoder d(m.payload, m.type);
  switch (static_cast<Msg>(m.type)) {
    case Msg::stream: d.u64(); d.tokens(); break;
    case Msg::complete: d.u64(); d.tokens(); d.str(); d.u32(); break;
    case Msg::report: d.u64(); d.str(); d.f64(); break;
    case Msg::log: d.i32(); d.str(); break;
    case Msg::tool_call: d.u64(); d.u64(); d.str(); d.str(); d.u64(); break;
    case Msg::code_call: d.u64(); d.u64(); d.str(); break;
    case Msg::hello:
      if (d.u32()) {
        d.str(); d.str(); d.u32(); d.u32();
        for (uint64_t i = 0, n = d.u64(); i < n && i < 4096; ++i) d.str();
        for (uint64_t i = 0, n = d.u64(); i < n && i < 64; ++i) d.str();
      } else {
        d.str();
      }
      return;  // handle() does not require the end of a hello or a reply
    case Msg::reply: d.u32(); d.i32(); d.u32(); d.str(); return;
    default: throw ipc::ProtocolError("unknown message type " + std::to_string(m.type));
  }
  d.end();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto header = std::make_unique<ipc::RingHeader>();
  auto ring = std::make_unique<uint8_t[]>(kCap);
  std::memset(ring.get(), 0, kCap);
  const size_t first = std::min<size_t>(size, kCap);
  std::memcpy(ring.get(), data, first);
  ipc::RingConsumer consumer(header.get(), ring.get(), kCap, -1);
  for (size_t at = first; at + 11 <= size; at += 11) {
    uint64_t write;
    uint16_t pos;
    std::memcpy(&write, data + at, 8);
    std::memcpy(&pos, data + at + 8, 2);
    ring[pos % kCap] = data[at + 10];
    header->write.store(write);
    for (int i = 0; i < 64; ++i) {  // the harness drains what is published
      ipc::Message m;
      std::string why;
      const auto got = consumer.receive(m, why);
      if (got == ipc::RingConsumer::Got::empty) break;
      if (got == ipc::RingConsumer::Got::violation) {
        edubench::fuzz::require_one_line(why, "RingConsumer::receive");
        return 0;  // the session is broken from here on
      }
      if (m.payload.size() > ipc::kMaxMessage) std::abort();
      try {
        decode(m);
      } catch (const ipc::ProtocolError& e) {
        edubench::fuzz::require_one_line(e.what(), "Decoder");
        return 0;
      }
    }
  }
  return 0;
}
