// A model's config.json and .safetensors header (model/checkpoint_format.hpp), parsed before
// LibTorch allocates or copies anything. The first byte picks the file. What the parser accepts
// must hold the promises the tensor reader's memcpy relies on.
#include "fuzz_support.hpp"

#include <edubench/model/checkpoint_format.hpp>

#include <stdexcept>

namespace {

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "parse_safetensors_header accepted an entry that breaks: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace m = edubench::model;
  if (size == 0) return 0;
  const std::string_view bytes = edubench::fuzz::as_text(data + 1, size - 1);
  try {
    if (data[0] & 1) {
      const m::GptConfig c = m::parse_config(bytes, "config.json");
      require(c.n_head > 0 && c.n_embd % c.n_head == 0, "n_embd a multiple of n_head");
      return 0;
    }
    for (const m::SafetensorsEntry& e : m::parse_safetensors_header(bytes, "model.safetensors")) {
      require(e.begin <= e.end && e.end <= bytes.size(), "the byte range inside the file");
      uint64_t numel = 1;
      for (int64_t d : e.shape) {
        require(d >= 0, "dimensions >= 0");
        numel *= static_cast<uint64_t>(d);  // no overflow: the product was bounded by the file
      }
      require(numel * e.element_size == e.end - e.begin, "bytes = elements x element size");
    }
  } catch (const std::runtime_error& e) {
    edubench::fuzz::require_one_line(e.what(), data[0] & 1 ? "parse_config" : "parse_safetensors_header");
  }
  return 0;
}
