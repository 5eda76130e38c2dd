// The byte tokenizer: every byte string survives encode -> decode, ids are the byte values
// (as the harness's tokenize_bytes), and a token outside 0..255 is refused by position.
#include <edubench/model/tokenizer.hpp>

#include <doctest/doctest.h>

#include <stdexcept>

using namespace edubench::model;

TEST_CASE("tokenizer: every byte value round-trips") {
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
  auto ids = encode_bytes(all);
  REQUIRE(ids.size() == 256);
  for (int b = 0; b < 256; ++b) CHECK(ids[static_cast<size_t>(b)] == b);
  CHECK(decode_bytes(ids) == all);
}

TEST_CASE("tokenizer: real text round-trips with one token per byte") {
  const std::string verse = "In the beginning God created the heaven and the earth.\n";
  auto ids = encode_bytes(verse);
  CHECK(ids.size() == verse.size());
  CHECK(ids[0] == 'I');
  CHECK(decode_bytes(ids) == verse);
}

TEST_CASE("tokenizer: a token that is not a byte is refused with its position") {
  std::vector<int32_t> ids = {72, 105, 256};
  CHECK_THROWS_WITH_AS(decode_bytes(ids), "token 2 = 256 is not a byte (expected 0..255)", std::out_of_range);
}
