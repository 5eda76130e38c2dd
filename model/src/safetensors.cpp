// .safetensors reader and writer (https://github.com/huggingface/safetensors, "Format").
#include <edubench/model/safetensors.hpp>

#include <nlohmann/json.hpp>

#include <cstring>
#include <fstream>
#include <stdexcept>

namespace edubench::model {
namespace {

struct DType {
  const char* name;
  torch::ScalarType type;
};
const DType kTypes[] = {{"F32", torch::kFloat32}, {"F16", torch::kFloat16}, {"BF16", torch::kBFloat16},
                        {"F64", torch::kFloat64}, {"I64", torch::kInt64},   {"I32", torch::kInt32},
                        {"I8", torch::kInt8},     {"U8", torch::kUInt8}};

torch::ScalarType type_of(const std::string& name, const std::string& path) {
  for (const auto& t : kTypes)
    if (name == t.name) return t.type;
  throw std::runtime_error(path + ": unsupported dtype " + name);
}
const char* name_of(torch::ScalarType s) {
  for (const auto& t : kTypes)
    if (s == t.type) return t.name;
  throw std::runtime_error("safetensors: unsupported tensor type");
}

}  // namespace

std::map<std::string, torch::Tensor> read_safetensors(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error(path + ": cannot open");
  std::string bytes((std::istreambuf_iterator<char>(f)), {});
  if (bytes.size() < 8) throw std::runtime_error(path + ": too short for a safetensors file");
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(bytes[static_cast<size_t>(i)]);
  if (n > bytes.size() - 8) throw std::runtime_error(path + ": header length beyond the file");
  nlohmann::json h = nlohmann::json::parse(bytes.substr(8, n), nullptr, false);
  if (h.is_discarded() || !h.is_object()) throw std::runtime_error(path + ": header is not a JSON object");
  const size_t base = 8 + n, data = bytes.size() - base;
  std::map<std::string, torch::Tensor> out;
  for (auto it = h.begin(); it != h.end(); ++it) {
    if (it.key() == "__metadata__") continue;
    const auto& e = it.value();
    try {
      auto type = type_of(e.at("dtype").get<std::string>(), path);
      std::vector<int64_t> shape = e.at("shape").get<std::vector<int64_t>>();
      auto off = e.at("data_offsets").get<std::vector<uint64_t>>();
      int64_t numel = 1;
      for (auto d : shape) numel *= d;
      if (off.size() != 2 || off[0] > off[1] || off[1] > data ||
          off[1] - off[0] != static_cast<uint64_t>(numel) * torch::elementSize(type))
        throw std::runtime_error(path + ": tensor " + it.key() + ": data_offsets do not match its shape");
      auto t = torch::empty(shape, torch::TensorOptions().dtype(type));
      std::memcpy(t.data_ptr(), bytes.data() + base + off[0], off[1] - off[0]);
      out[it.key()] = t;
    } catch (const nlohmann::json::exception& ex) {
      throw std::runtime_error(path + ": tensor " + it.key() + ": malformed entry: " + ex.what());
    }
  }
  return out;
}

void write_safetensors(const std::string& path, const std::map<std::string, torch::Tensor>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  nlohmann::ordered_json h;
  if (!metadata.empty()) h["__metadata__"] = metadata;
  uint64_t offset = 0;
  std::vector<torch::Tensor> order;
  for (const auto& [name, t] : tensors) {
    auto c = t.contiguous().cpu();
    uint64_t nbytes = static_cast<uint64_t>(c.numel()) * c.element_size();
    h[name] = {{"dtype", name_of(c.scalar_type())}, {"shape", c.sizes().vec()}, {"data_offsets", {offset, offset + nbytes}}};
    offset += nbytes;
    order.push_back(c);
  }
  std::string header = h.dump();
  header.append((8 - header.size() % 8) % 8, ' ');  // the data starts 8-byte aligned
  std::ofstream f(path + ".tmp", std::ios::binary);
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) f.put(static_cast<char>((n >> (8 * i)) & 0xff));
  f << header;
  for (const auto& c : order) f.write(static_cast<const char*>(c.data_ptr()), static_cast<std::streamsize>(c.numel() * c.element_size()));
  f.close();
  if (!f || std::rename((path + ".tmp").c_str(), path.c_str()) != 0) throw std::runtime_error(path + ": cannot write");
}

}  // namespace edubench::model
