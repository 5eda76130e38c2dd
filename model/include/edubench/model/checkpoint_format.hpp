// A checkpoint's two files parsed without LibTorch: config.json and the .safetensors header.
// Everything either file claims is checked here (types, ranges, offsets against the file's
// size, element counts without overflow), so the readers that build tensors from it
// (gpt.cpp, safetensors.cpp) never allocate or copy on an unchecked number, and the fuzz
// targets (tests/fuzz/) reach the same code without LibTorch.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace edubench::model {

struct GptConfig {
  int64_t vocab_size = 256;
  int64_t n_layer = 4;
  int64_t n_head = 4;
  int64_t n_embd = 256;
  int64_t block_size = 256;
  std::string tokenizer = "bytes";
  int64_t head_dim() const { return n_embd / n_head; }
};

// config.json's text -> GptConfig; throws std::runtime_error "PATH: FIELD: what was expected".
GptConfig parse_config(std::string_view text, const std::string& path);

struct SafetensorsEntry {
  std::string name;
  std::string dtype;          // "F32", "F16", "BF16", "F64", "I64", "I32", "I8", "U8"
  size_t element_size = 0;    // bytes
  std::vector<int64_t> shape;  // every dimension >= 0
  uint64_t begin = 0, end = 0;  // byte range in the file, end - begin = elements x element_size
};

// The header of a .safetensors file held in `bytes` (the whole file); throws
// std::runtime_error naming PATH, the tensor and what is wrong.
std::vector<SafetensorsEntry> parse_safetensors_header(std::string_view bytes, const std::string& path);

}  // namespace edubench::model
