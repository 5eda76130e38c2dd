// The reference models' tokenizer: one token per byte (token id = byte value, vocab 256), the
// same rule as the harness's tokenize_bytes, so a prompt's tokens are identical on both sides
// of the ABI. No torch here: tools and tests use it without LibTorch's headers.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace edubench::model {

inline constexpr int64_t kByteVocab = 256;

inline std::vector<int64_t> encode_bytes(std::string_view text) {
  std::vector<int64_t> out;
  out.reserve(text.size());
  for (unsigned char c : text) out.push_back(c);
  return out;
}

// Throws std::out_of_range naming the first token that is not a byte.
template <typename Int>
std::string decode_bytes(const std::vector<Int>& tokens) {
  std::string out;
  out.reserve(tokens.size());
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (tokens[i] < 0 || tokens[i] >= kByteVocab)
      throw std::out_of_range("token " + std::to_string(i) + " = " + std::to_string(tokens[i]) +
                              " is not a byte (expected 0..255)");
    out.push_back(static_cast<char>(tokens[i]));
  }
  return out;
}

}  // namespace edubench::model
