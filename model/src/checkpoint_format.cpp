// config.json and the .safetensors header, checked field by field (checkpoint_format.hpp).
#include <edubench/model/checkpoint_format.hpp>

#include <nlohmann/json.hpp>

#include <limits>
#include <stdexcept>

namespace edubench::model {
namespace {

struct DType {
  const char* name;
  size_t size;
};
constexpr DType kTypes[] = {{"F32", 4}, {"F16", 2}, {"BF16", 2}, {"F64", 8},
                            {"I64", 8}, {"I32", 4}, {"I8", 1},   {"U8", 1}};

// A name from the file, JSON-quoted: its own newlines or bytes cannot break an error's line.
std::string json_quoted(const std::string& name) {
  return nlohmann::json(name).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

[[noreturn]] void bad(const std::string& path, const std::string& what) {
  throw std::runtime_error(path + ": " + what);
}

}  // namespace

GptConfig parse_config(std::string_view text, const std::string& path) {
  nlohmann::json j = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) bad(path, "not a JSON object");
  auto get = [&](const char* key, int64_t lo, int64_t hi) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number_integer()) bad(path, std::string(key) + ": expected an integer");
    if (it->is_number_unsigned() && it->get<uint64_t>() > static_cast<uint64_t>(hi))
      bad(path, std::string(key) + ": out of range [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    const int64_t v = it->get<int64_t>();
    if (v < lo || v > hi)
      bad(path, std::string(key) + ": out of range [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    return v;
  };
  GptConfig c;
  c.vocab_size = get("vocab_size", 2, 1 << 20);
  c.n_layer = get("n_layer", 1, 256);
  c.n_head = get("n_head", 1, 256);
  c.n_embd = get("n_embd", 1, 1 << 16);
  c.block_size = get("block_size", 1, 1 << 20);
  auto tok = j.find("tokenizer");
  if (tok != j.end()) {
    if (!tok->is_string()) bad(path, "tokenizer: expected a string");
    c.tokenizer = tok->get<std::string>();
  }
  if (c.n_embd % c.n_head != 0) bad(path, "n_embd: must be a multiple of n_head");
  return c;
}

std::vector<SafetensorsEntry> parse_safetensors_header(std::string_view bytes, const std::string& path) {
  if (bytes.size() < 8) bad(path, "too short for a safetensors file");
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(bytes[static_cast<size_t>(i)]);
  if (n > bytes.size() - 8) bad(path, "header length beyond the file");
  const std::string_view header = bytes.substr(8, n);
  nlohmann::json h = nlohmann::json::parse(header.begin(), header.end(), nullptr, false);
  if (h.is_discarded() || !h.is_object()) bad(path, "header is not a JSON object");
  const uint64_t base = 8 + n, data = bytes.size() - base;
  std::vector<SafetensorsEntry> out;
  for (auto it = h.begin(); it != h.end(); ++it) {
    if (it.key() == "__metadata__") continue;
    const std::string where = "tensor " + json_quoted(it.key()) + ": ";
    const auto& e = it.value();
    if (!e.is_object()) bad(path, where + "expected an object {dtype, shape, data_offsets}");
    SafetensorsEntry t;
    t.name = it.key();
    auto dt = e.find("dtype");
    if (dt == e.end() || !dt->is_string()) bad(path, where + "dtype: expected a string");
    t.dtype = dt->get<std::string>();
    for (const auto& k : kTypes)
      if (t.dtype == k.name) t.element_size = k.size;
    if (!t.element_size) bad(path, where + "unsupported dtype " + json_quoted(t.dtype));
    auto sh = e.find("shape");
    if (sh == e.end() || !sh->is_array()) bad(path, where + "shape: expected an array of sizes");
    // The element count is bounded by the file: whatever overflows is a lie about the data.
    uint64_t numel = 1;
    const uint64_t limit = data / t.element_size;
    for (const auto& d : *sh) {
      if (!d.is_number_unsigned()) bad(path, where + "shape: expected sizes >= 0");
      const uint64_t v = d.get<uint64_t>();
      if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) bad(path, where + "shape: size too large");
      t.shape.push_back(static_cast<int64_t>(v));
      if (numel && v > limit / numel) numel = limit + 1;  // saturate: more than the file holds
      else numel *= v;
    }
    if (numel > limit) bad(path, where + "shape holds more elements than the file's data");
    auto off = e.find("data_offsets");
    if (off == e.end() || !off->is_array() || off->size() != 2 || !(*off)[0].is_number_unsigned() ||
        !(*off)[1].is_number_unsigned())
      bad(path, where + "data_offsets: expected [begin, end]");
    const uint64_t b = (*off)[0].get<uint64_t>(), en = (*off)[1].get<uint64_t>();
    if (b > en || en > data || en - b != numel * t.element_size)
      bad(path, where + "data_offsets do not match its shape and dtype");
    t.begin = base + b;
    t.end = base + en;
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace edubench::model
