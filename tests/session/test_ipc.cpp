// The harness <-> worker channel (session/src/ipc): framing across the ring's wrap, and every
// way a hostile peer can corrupt it being reported instead of read out of bounds.
#include "ipc/protocol.hpp"
#include "ipc/ring.hpp"

#include <doctest/doctest.h>

#include <sys/eventfd.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <string>

using namespace edubench::ipc;

namespace {

struct Channel {
  static constexpr uint64_t kCap = 256;
  RingHeader header{};
  uint8_t data[kCap] = {};
  int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  RingProducer producer{&header, data, kCap, fd};
  RingConsumer consumer{&header, data, kCap, fd};
  ~Channel() { close(fd); }
};

std::string as_text(const Message& m) { return std::string(m.payload.begin(), m.payload.end()); }

}  // namespace

TEST_CASE("messages arrive whole and in order across the ring's wrap-around") {
  auto c = std::make_unique<Channel>();
  std::string why;
  for (int i = 0; i < 100; ++i) {  // 100 x 8..40 bytes through a 256-byte ring
    const std::string text = "message " + std::to_string(i) + std::string(static_cast<size_t>(i % 25), '.');
    REQUIRE(c->producer.send(7, text.data(), static_cast<uint32_t>(text.size()), nullptr) == "");
    Message m;
    REQUIRE(c->consumer.receive(m, why) == RingConsumer::Got::message);
    CHECK(m.type == 7);
    CHECK(as_text(m) == text);
  }
  Message m;
  CHECK(c->consumer.receive(m, why) == RingConsumer::Got::empty);
}

TEST_CASE("a write index beyond the ring's capacity is a violation, not a read") {
  auto c = std::make_unique<Channel>();
  c->header.write.store(~0ull);
  Message m;
  std::string why;
  CHECK(c->consumer.receive(m, why) == RingConsumer::Got::violation);
  CHECK(why.find("impossible write index") != std::string::npos);
}

TEST_CASE("a frame longer than what was published is a violation") {
  auto c = std::make_unique<Channel>();
  REQUIRE(c->producer.send(1, "abcd", 4, nullptr) == "");
  const uint32_t huge = 200;  // the frame header's length field, rewritten by a hostile peer
  std::memcpy(c->data + 4, &huge, sizeof huge);
  Message m;
  std::string why;
  CHECK(c->consumer.receive(m, why) == RingConsumer::Got::violation);
  CHECK(why.find("a frame of 200 bytes with 4 published") != std::string::npos);
}

TEST_CASE("a read index the consumer could not have published stops the producer") {
  auto c = std::make_unique<Channel>();
  c->header.read.store(12345);
  CHECK(c->producer.send(1, "x", 1, nullptr).find("impossible read index 12345") != std::string::npos);
}

TEST_CASE("a full ring makes the producer wait, and give_up ends the wait") {
  auto c = std::make_unique<Channel>();
  const std::string big(100, 'x');
  REQUIRE(c->producer.send(1, big.data(), 100, nullptr) == "");
  REQUIRE(c->producer.send(1, big.data(), 100, nullptr) == "");
  int asked = 0;
  CHECK(c->producer.send(1, big.data(), 100, [&] { return ++asked >= 3; }) == "the peer is gone");
  CHECK(asked == 3);
}

TEST_CASE("a payload over the channel's limit is refused by the producer") {
  auto c = std::make_unique<Channel>();
  CHECK(c->producer.send(1, nullptr, kMaxMessage + 1, nullptr).find("exceeds the channel's limit") !=
        std::string::npos);
}

TEST_CASE("a truncated field is a ProtocolError naming the message") {
  Encoder e;
  e.u64(7).str("tool");
  std::vector<uint8_t> bytes = e.data();
  bytes.resize(bytes.size() - 1);
  Decoder d(bytes, static_cast<uint32_t>(Msg::tool_call));
  CHECK(d.u64() == 7);
  CHECK_THROWS_WITH_AS(d.str(), doctest::Contains("message tool_call: truncated"), ProtocolError);
}

TEST_CASE("trailing bytes after the last field are a ProtocolError") {
  Encoder e;
  e.u64(7).u32(1);
  Decoder d(e.data(), static_cast<uint32_t>(Msg::report));
  CHECK(d.u64() == 7);
  CHECK_THROWS_AS(d.end(), ProtocolError);
}

TEST_CASE("a token array whose byte length is not a multiple of 4 is a ProtocolError") {
  Encoder e;
  e.bytes("abcde", 5);
  Decoder d(e.data(), static_cast<uint32_t>(Msg::stream));
  CHECK_THROWS_WITH_AS(d.tokens(), doctest::Contains("a token array of 5 bytes"), ProtocolError);
}
